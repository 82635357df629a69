// Puts each issue of a spec built by the form beside the field it belongs to; issues no field owns (e.g. too many
// runs) go to a general list above the form.
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

/** Puts each spec issue beside its field; issues no field owns (e.g. too many runs) go to the general list. */
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
    if (field && !errors[field]) errors[field] = issue.message;
    else general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { errors, general };
}
