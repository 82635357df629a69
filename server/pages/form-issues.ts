// Puts each issue of a spec built by the form beside the field it belongs to, in plain words (the form never shows
// spec paths or the validator's wording: those stay in the JSON editor); issues no field owns (e.g. too many runs)
// go to a general list above the form.
import { formInitParameter } from '../../workers/core/init-params.js';
import type { FieldIssue } from '../../workers/run-config.js';

const FIELD_OF_PATH: Array<[RegExp, string]> = [
  [/^name$/, 'name'],
  [/^base\.dataset\.name/, 'dataset'],
  [/^base\.dataset\.samples/, 'samples'],
  [/^base\.dataset\.noise/, 'noise'],
  [/^base\.dataset\.classes/, 'classes'],
  [/^base\.dataset\.normalize/, 'normalize'],
  [/^base\.model\.hidden\[/, 'width'],
  [/^base\.model\.hidden/, 'depth'],
  [/^base\.train\.epochs/, 'epochs'],
  [/^base\.train\.batchSize/, 'batchSize'],
  [/^base\.train\.optimizer/, 'optimizer'],
  [/^base\.train\.lr/, 'lr'],
  [/^base\.train\.clip\.max/, 'clipMax'],
  [/^base\.train\.clip/, 'clip'],
  [/^grid\.model\.activation/, 'activations'],
  [/^grid\.seed/, 'seeds'],
];

/** Validator wording → plain words: [pattern, replacement] tried in order on the message. */
const PLAIN_WORDS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^Too small: expected number to be >(-?[\d.e+-]+)$/, (m) => `must be more than ${m[1]}`],
  [/^Too small: expected number to be >=(-?[\d.e+-]+)$/, (m) => `must be at least ${m[1]}`],
  [/^Too big: expected number to be <(-?[\d.e+-]+)$/, (m) => `must be less than ${m[1]}`],
  [/^Too big: expected number to be <=(-?[\d.e+-]+)$/, (m) => `must be at most ${m[1]}`],
  [/^Too small: expected array to have >=?(\d+) items?$/, (m) => `needs at least ${m[1]}`],
  [/^Too big: expected array to have <=?(\d+) items?$/, (m) => `takes at most ${m[1]}`],
  [/^Invalid input: expected int, received number$/, () => 'must be a whole number'],
  [/^Invalid input: expected number, received \w+$/, () => 'must be a number'],
  [/^Invalid option: expected one of (.*)$/, (m) => `choose one of ${m[1].replaceAll('"', '').split('|').join(', ')}`],
];

/** Sentences that say more than the rule, per field and plain rule. */
const FIELD_SENTENCES: Record<string, Record<string, string>> = {
  width: { 'must be more than 0': 'each hidden layer needs at least 1 unit' },
  depth: { 'must be more than 0': 'a network needs at least 1 hidden layer' },
  epochs: { 'must be more than 0': 'train for at least 1 epoch' },
  batchSize: { 'must be more than 0': 'a batch holds at least 1 sample' },
  lr: { 'must be more than 0': 'the learning rate must be above 0 (e.g. 0.05)' },
  samples: { 'must be at least 10': 'use at least 10 samples' },
};

/** One issue's message in plain words for the field it sits beside (no spec path, no validator jargon). */
export function plainMessage(field: string | undefined, issue: FieldIssue): string {
  // A cross-field rule blamed on a value reads "model.hidden: …": the path means nothing on the form.
  const message = issue.message.replace(/^[a-zA-Z]+(?:\.\w+|\[\d+\])+: /, '');
  let plain = message;
  for (const [pattern, say] of PLAIN_WORDS) {
    const m = pattern.exec(message);
    if (m) {
      plain = say(m);
      break;
    }
  }
  return (field !== undefined ? FIELD_SENTENCES[field]?.[plain] : undefined) ?? plain;
}

/** "the sweep expands…" → "The sweep expands…". */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Puts each issue of a spec built by the form beside its field, in plain words; several issues of one field are
 * joined, and issues no field owns (e.g. too many runs) go to the general list, without their spec path.
 */
export function issuesToFields(issues: FieldIssue[], spec: Record<string, unknown>): { errors: Record<string, string>; general: string[] } {
  const errors: Record<string, string> = {};
  const general: string[] = [];
  const inits = ((spec.grid as Record<string, unknown[]> | undefined)?.['model.init'] ?? []) as unknown[];
  for (const issue of issues) {
    let field = FIELD_OF_PATH.find(([re]) => re.test(issue.path))?.[1];
    const initMatch = /^grid\.model\.init\[(\d+)\]/.exec(issue.path);
    if (initMatch) {
      const value = inits[Number(initMatch[1])];
      const name = typeof value === 'object' && value !== null ? (value as { name?: string }).name : undefined;
      field = name && formInitParameter(name) ? `param_${name}` : 'inits';
    }
    const plain = plainMessage(field, issue);
    if (field === undefined) {
      if (!general.includes(sentence(plain))) general.push(sentence(plain));
    } else if (errors[field] === undefined) {
      errors[field] = plain;
    } else if (!errors[field].split('; ').includes(plain)) {
      errors[field] += `; ${plain}`;
    }
  }
  return { errors, general };
}
