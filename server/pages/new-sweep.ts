// The new-sweep page's logic, behind its routes: the form (or JSON view) a preset opens in, the live preview,
// switching between the form and JSON, and submitting. Each returns the form to render or the sweep created; the
// routes only parse the request and render. Errors a user can cause (JSON that does not parse, a spec that does
// not validate) come back as messages on the form; anything else is thrown.
import { ConfigError, type FieldIssue } from '../../workers/run-config.js';
import { getPreset } from '../presets.js';
import type { SubmitResult } from '../scheduler.js';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../json-depth.js';
import { parseSweepSpec } from '../sweep-spec.js';
import { formFieldLabel } from '../../views/form-fields.js';
import type { NewSweepForm, PreviewProps, SweepFormValues } from '../../views/new-sweep.js';
import { issuesToFields } from './form-issues.js';
import { previewSpec, type PreviewContext } from './spec-preview.js';
import { specToFormValues } from './spec-to-form.js';
import { defaultFormValues, formOptions, formToSpec, readFormValues } from './sweep-form.js';

export interface NewSweepContext extends PreviewContext {
  submit(spec: unknown): SubmitResult;
}

type Body = Record<string, unknown>;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** JSON.parse, with a SyntaxError as a message instead (the only error JSON.parse throws on a string). */
function parseJson(json: string): { value: unknown } | { error: string } {
  if (jsonNestsDeeperThan(json, MAX_JSON_DEPTH)) return { error: `nested deeper than ${MAX_JSON_DEPTH.toLocaleString('en-US')} levels` };
  try {
    return { value: JSON.parse(json) as unknown };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { error: `not valid JSON: ${error.message}` };
  }
}

/** Indented JSON, with arrays of plain values kept on one line ("hidden": [64, 64, 64]). */
export function specJson(spec: unknown): string {
  return JSON.stringify(spec, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.split(/,\n\s*/).join(', ')}]`);
}

type JsonForm = Extract<NewSweepForm, { kind: 'json' }>;

function jsonForm(props: { json: string; preset: string; issues: FieldIssue[]; notice?: string }, ctx: PreviewContext): JsonForm {
  const parsed = parseJson(props.json);
  const preview: PreviewProps = 'value' in parsed
    ? previewSpec(parsed.value, ctx)
    : { runs: null, durationMs: null, threads: ctx.threads, error: 'the spec is not valid JSON yet' };
  return { kind: 'json', props: { ...props, options: formOptions(), preview } };
}

function formForm(values: SweepFormValues, ctx: PreviewContext, errors: Record<string, string> = {}, general: string[] = []): NewSweepForm {
  const { spec, errors: typeErrors } = formToSpec(values);
  const firstError = Object.entries(typeErrors)[0];
  const preview = firstError
    ? { runs: null, durationMs: null, threads: ctx.threads, error: `${formFieldLabel(firstError[0])}: ${firstError[1]}` }
    : previewSpec(spec, ctx);
  return { kind: 'form', props: { values, options: formOptions(), errors, general, preview } };
}

/** The spec's issues, or none when it validates. */
function specIssues(spec: unknown, maxRuns: number): FieldIssue[] {
  try {
    parseSweepSpec(spec, { maxRuns });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues;
  }
}

/** The form (or JSON view) a preset opens in; presets the form cannot express open as JSON. */
export function presetForm(presetName: string, mode: string | undefined, ctx: PreviewContext): NewSweepForm {
  if (presetName === '') {
    const values = defaultFormValues();
    if (mode === 'json') return jsonForm({ json: specJson(parseSweepSpec(formToSpec(values).spec)), preset: '', issues: [] }, ctx);
    return formForm(values, ctx);
  }
  const preset = getPreset(presetName);
  const values = mode === 'json' ? null : specToFormValues(preset.spec, presetName);
  if (values) return formForm(values, ctx);
  const notice = mode === 'json'
    ? undefined
    : `The "${preset.title}" preset varies settings the form cannot show, so it opens as JSON.`;
  return jsonForm({ json: specJson(preset.spec), preset: presetName, issues: [], notice }, ctx);
}

/** The preview of a form body, or of the JSON view's `spec` field. */
export function previewBody(body: Body, ctx: PreviewContext): PreviewProps {
  if (typeof body.spec === 'string') {
    const parsed = parseJson(body.spec);
    if ('error' in parsed) return { runs: null, durationMs: null, threads: ctx.threads, error: parsed.error };
    return previewSpec(parsed.value, ctx);
  }
  const form = formForm(readFormValues(body), ctx);
  return form.kind === 'form' ? form.props.preview : { runs: null, durationMs: null, threads: ctx.threads };
}

/** Form → JSON view, keeping what was typed (fields that are not numbers yet stay out of the spec). */
export function formToJsonView(body: Body, ctx: PreviewContext): JsonForm {
  const values = readFormValues(body);
  const { spec } = formToSpec(values);
  // A spec that validates is shown resolved; one that does not, as built: its issues appear when it is launched.
  const json = specIssues(spec, ctx.maxRunsPerSweep).length === 0 ? specJson(parseSweepSpec(spec, { maxRuns: ctx.maxRunsPerSweep })) : specJson(spec);
  return jsonForm({ json, preset: values.preset, issues: [] }, ctx);
}

/** JSON view → form, when the form can express the spec; else the JSON view again, with a notice or the issues. */
export function jsonToFormView(body: Body, ctx: PreviewContext): NewSweepForm {
  const json = text(body.spec);
  const preset = text(body.preset);
  const parsed = parseJson(json);
  const issues = 'error' in parsed ? [{ path: '', message: parsed.error }] : specIssues(parsed.value, ctx.maxRunsPerSweep);
  if (issues.length > 0) return jsonForm({ json, preset, issues, notice: 'Fix the spec before switching back to the form.' }, ctx);
  const values = specToFormValues(parseSweepSpec((parsed as { value: unknown }).value, { maxRuns: ctx.maxRunsPerSweep }), preset);
  return values
    ? formForm(values, ctx)
    : jsonForm({ json, preset, issues: [], notice: 'This spec uses settings the form cannot show (other grid axes, random search, or fields outside the form); keep editing it as JSON.' }, ctx);
}

/** Submits the form or JSON view: the sweep created, or the form again with every issue beside its field. */
export function submitNewSweep(body: Body, ctx: NewSweepContext): { created: SubmitResult } | { invalid: NewSweepForm } {
  const preset = text(body.preset);
  if (body.mode === 'json') {
    const json = text(body.spec);
    const parsed = parseJson(json);
    if ('error' in parsed) return { invalid: jsonForm({ json, preset, issues: [{ path: '', message: parsed.error }] }, ctx) };
    const issues = submitted(parsed.value, ctx);
    if ('created' in issues) return issues;
    return { invalid: jsonForm({ json, preset, issues: issues.issues }, ctx) };
  }
  const values = readFormValues(body);
  const { spec, errors } = formToSpec(values);
  let issues: FieldIssue[];
  if (Object.keys(errors).length === 0) {
    const outcome = submitted(spec, ctx);
    if ('created' in outcome) return outcome;
    issues = outcome.issues;
  } else {
    issues = specIssues(spec, ctx.maxRunsPerSweep);
  }
  const placed = issuesToFields(issues, spec);
  return { invalid: formForm(values, ctx, { ...placed.errors, ...errors }, placed.general) };
}

function submitted(spec: unknown, ctx: NewSweepContext): { created: SubmitResult } | { issues: FieldIssue[] } {
  try {
    return { created: ctx.submit(spec) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { issues: error.issues };
  }
}
