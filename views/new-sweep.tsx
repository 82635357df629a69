// The new-sweep page: pick a preset or build a sweep from the form (data, network, training, initializers ×
// activations, seeds), see how many runs it makes and roughly how long they take, or edit the full spec as JSON.
// `SweepForm`/`SweepJsonForm` are swapped whole (422 re-renders with each field's message beside it).
import type { Children } from '@kitajs/html';
import { Card } from './card.js';
import { formatCount, formatDuration } from './format.js';
import { formFieldId, formFieldLabel, inFormOrder } from './form-fields.js';
import { Layout } from './layout.js';
import { formInitParameter, type FORM_INIT_PARAMETER } from '../workers/core/init-params.js';

/** What the user typed, as strings, so a re-render after an error keeps it. */
export interface SweepFormValues {
  preset: string;
  name: string;
  dataset: string;
  samples: string;
  noise: string;
  classes: string;
  normalize: string;
  width: string;
  depth: string;
  epochs: string;
  batchSize: string;
  optimizer: string;
  lr: string;
  clip: string;
  clipMax: string;
  inits: string[];
  /** Parameter lists of parametric initializers: normal → std values, constant → values, uniform → limits. */
  initParams: Record<string, string>;
  activations: string[];
  seeds: string;
}

export interface FormOptions {
  datasets: readonly string[];
  normalizations: readonly string[];
  optimizers: readonly string[];
  inits: readonly string[];
  activations: readonly string[];
  presets: ReadonlyArray<{ name: string; title: string; description: string; runs: number }>;
}

/** The label beside the field of the parameter the form varies for each initializer (workers/core/init-params.ts). */
const INIT_PARAM_LABELS: Record<(typeof FORM_INIT_PARAMETER)[keyof typeof FORM_INIT_PARAMETER], string> = {
  std: 'std',
  value: 'value',
  limit: 'limit ±',
};

function initParam(init: string): { param: string; label: string } | undefined {
  const param = formInitParameter(init);
  return param === undefined ? undefined : { param, label: INIT_PARAM_LABELS[param] };
}

export interface PreviewProps {
  runs: number | null;
  durationMs: number | null;
  /** The range the duration likely falls in (the calibration's 10th to 90th percentile error). */
  rangeMs?: [number, number];
  /** What the estimate rests on ("from 80 native runs timed on this machine"). */
  basis?: string;
  threads: number;
  duplicates?: number;
  error?: string;
}

export interface SweepFormProps {
  values: SweepFormValues;
  options: FormOptions;
  /** Field name → message. Names match the inputs' `name`s; "general" collects the rest. */
  errors: Record<string, string>;
  general: string[];
  preview: PreviewProps;
  notice?: string;
}

export interface SweepJsonFormProps {
  json: string;
  preset: string;
  options: FormOptions;
  issues: Array<{ path: string; message: string }>;
  preview: PreviewProps;
  notice?: string;
}

const DATASET_HINTS: Record<string, string> = {
  spirals: '2-D interleaved spirals (classes = arms)',
  circles: '2-D concentric circles',
  xor: '2-D XOR quadrants',
  moons: '2-D two moons',
  gaussians: '2-D Gaussian blobs (classes = blobs)',
  iris: '150 iris flowers, 4 features',
  mnist: '28×28 handwritten digits',
};

export function Preview(props: PreviewProps): string {
  if (props.error) {
    return (
      <span class="preview">
        <span class="field-error" safe>
          {props.error}
        </span>
      </span>
    ) as string;
  }
  if (props.runs === null) return (<span class="preview muted">Fill in the form to see the size of the sweep.</span>) as string;
  return (
    <span class="preview">
      <strong safe>{`${formatCount(props.runs)} run${props.runs === 1 ? '' : 's'}`}</strong>
      <span safe>
        {props.durationMs === null
          ? ''
          : ` · about ${formatDuration(props.durationMs)} on ${props.threads} thread${props.threads === 1 ? '' : 's'}`}
      </span>
      {props.durationMs !== null && props.rangeMs ? (
        <span class="muted estimate" title={props.basis} safe>
          {` (likely ${formatDuration(props.rangeMs[0])}–${formatDuration(props.rangeMs[1])}; ${props.basis ?? ''})`}
        </span>
      ) : (
        ''
      )}
      {props.duplicates ? <span class="muted" safe>{` (${props.duplicates} duplicate configs dropped)`}</span> : ''}
    </span>
  ) as string;
}

function FieldError({ name, errors }: { name: string; errors: Record<string, string> }): string {
  const message = errors[name];
  if (!message) return '';
  return (
    <span class="field-error" id={`err-${name}`} safe>
      {message}
    </span>
  ) as string;
}

function invalid(name: string, errors: Record<string, string>) {
  if (!errors[name]) return {};
  return { 'aria-invalid': 'true', 'aria-describedby': `err-${name}`, ...(firstInvalid(errors) === name ? { autofocus: true } : {}) };
}

function TextField(props: {
  name: keyof SweepFormValues;
  label: string;
  values: SweepFormValues;
  errors: Record<string, string>;
  hint?: string;
  inputmode?: 'decimal' | 'numeric' | 'text';
}): string {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id} safe>
        {props.label}
      </label>
      <input
        id={id}
        type="text"
        name={props.name}
        value={String(props.values[props.name])}
        inputmode={props.inputmode ?? 'decimal'}
        autocomplete="off"
        {...invalid(props.name, props.errors)}
      />
      {props.hint ? (
        <span class="hint" safe>
          {props.hint}
        </span>
      ) : (
        ''
      )}
      <FieldError name={props.name} errors={props.errors} />
    </div>
  ) as string;
}

function SelectField(props: {
  name: keyof SweepFormValues;
  label: string;
  choices: readonly string[];
  values: SweepFormValues;
  errors: Record<string, string>;
  labels?: Record<string, string>;
}): string {
  const id = `f-${props.name}`;
  const current = String(props.values[props.name]);
  return (
    <div class="field">
      <label for={id} safe>
        {props.label}
      </label>
      <select id={id} name={props.name} {...invalid(props.name, props.errors)}>
        {props.choices.map((c) => (
          <option value={c} selected={c === current} safe>
            {props.labels?.[c] ?? c}
          </option>
        ))}
      </select>
      <FieldError name={props.name} errors={props.errors} />
    </div>
  ) as string;
}

function PresetPicker({ options, current }: { options: FormOptions; current: string }): string {
  return (
    <form class="filters" method="get" action="/sweeps/new" hx-get="/sweeps/new" hx-trigger="change" hx-target="#new-card" hx-select="#new-card" hx-swap="outerHTML" hx-push-url="true">
      <div class="field" style="flex:1 1 320px">
        <label for="preset">Start from a preset</label>
        <select id="preset" name="preset">
          <option value="" selected={current === ''}>
            (none: build your own)
          </option>
          {options.presets.map((p) => (
            <option value={p.name} selected={p.name === current} safe>
              {`${p.title} (${p.runs} runs)`}
            </option>
          ))}
        </select>
        <span class="hint" safe>
          {options.presets.find((p) => p.name === current)?.description ?? 'Presets fill in the form; change anything before launching.'}
        </span>
      </div>
      <noscript>
        <button class="btn" type="submit">
          Load preset
        </button>
      </noscript>
    </form>
  ) as string;
}

function PreviewOutput({ preview }: { preview: PreviewProps }): string {
  return (
    <output
      id="preview"
      aria-live="polite"
      hx-post="/sweeps/new/preview"
      hx-trigger="input delay:400ms from:'closest form', change from:'closest form'"
      hx-target="this"
      hx-swap="innerHTML"
    >
      <Preview {...preview} />
    </output>
  ) as string;
}

/**
 * Every problem at once, above the form: the ones no field owns, then each field's (its label linking to it), in
 * the order of the form. The fields carry their own messages too.
 */
function ErrorSummary({ errors, general }: { errors: Record<string, string>; general: string[] }): string {
  const fields = inFormOrder(Object.keys(errors));
  const count = fields.length + general.length;
  if (count === 0) return '';
  return (
    <div class="form-errors" role="alert" id="form-errors">
      <strong safe>{`The sweep cannot start yet: ${count === 1 ? 'one thing needs' : `${count} things need`} fixing.`}</strong>
      <ul>
        {general.map((g) => (
          <li safe>{g}</li>
        ))}
        {fields.map((field) => (
          <li>
            <a href={`#${formFieldId(field)}`} safe>
              {formFieldLabel(field)}
            </a>
            : <span safe>{errors[field]}</span>
          </li>
        ))}
      </ul>
    </div>
  ) as string;
}

/** The first field with a problem gets `autofocus`: the browser (or app.js after a swap) moves focus there. */
function firstInvalid(errors: Record<string, string>): string | undefined {
  return inFormOrder(Object.keys(errors))[0];
}

/** A titled group of text and select fields, laid out in the form's grid. */
function FieldGroup({ legend, children }: { legend: string; children?: Children }): string {
  return (
    <fieldset>
      <legend safe>{legend}</legend>
      <div class="fields">{children}</div>
    </fieldset>
  ) as string;
}

/** A titled group of checkboxes named `name`, with the group's error above them and an optional note below. */
function CheckGroup(props: { name: string; legend: string; errors: Record<string, string>; note?: string; children?: Children }): string {
  return (
    <fieldset id={formFieldId(props.name)} tabindex="-1" {...invalid(props.name, props.errors)}>
      <legend safe>{props.legend}</legend>
      <FieldError name={props.name} errors={props.errors} />
      <div class="checks">{props.children}</div>
      {props.note ? (
        <p class="note" safe>
          {props.note}
        </p>
      ) : (
        ''
      )}
    </fieldset>
  ) as string;
}

const swapOn422 = { 'hx-status:422': 'swap:outerHTML, target:#sweep-form' };

/**
 * What the form and the JSON editor share: the #sweep-form element (a 422 swaps it whole), hidden fields, the notice,
 * and the footer with the size preview, the button that switches to the other editor, and Launch.
 */
function SweepFormFrame(props: {
  hidden: Record<string, string>;
  notice?: string;
  preview: PreviewProps;
  /** The other editor: where its button posts the fields, and its label. */
  switchTo: { action: string; label: string };
  children?: Children;
}): string {
  return (
    <form id="sweep-form" method="post" action="/sweeps" hx-post="/sweeps" hx-target="this" hx-swap="outerHTML" {...swapOn422} novalidate>
      {Object.entries(props.hidden).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      {props.notice ? (
        <p class="note" safe>
          {props.notice}
        </p>
      ) : (
        ''
      )}
      {props.children}
      <div class="form-footer">
        <PreviewOutput preview={props.preview} />
        <div class="btn-row">
          <button
            class="btn"
            type="submit"
            formaction={props.switchTo.action}
            hx-post={props.switchTo.action}
            hx-target="#sweep-form"
            hx-swap="outerHTML"
            safe
          >
            {props.switchTo.label}
          </button>
          <button class="btn primary" type="submit">
            Launch sweep
          </button>
        </div>
      </div>
    </form>
  ) as string;
}

export function SweepForm(props: SweepFormProps): string {
  const { values, errors, options } = props;
  return (
    <SweepFormFrame
      hidden={{ preset: values.preset }}
      notice={props.notice}
      preview={props.preview}
      switchTo={{ action: '/sweeps/new/json', label: 'Edit as JSON' }}
    >
      <ErrorSummary errors={errors} general={props.general} />
      <FieldGroup legend="Sweep">
        <div style="grid-column:1/-1">
          <TextField name="name" label="Name" values={values} errors={errors} inputmode="text" />
        </div>
      </FieldGroup>
      <FieldGroup legend="Data">
        <div class="wide">
          <SelectField name="dataset" label="Data set" choices={options.datasets} values={values} errors={errors} labels={Object.fromEntries(options.datasets.map((d) => [d, DATASET_HINTS[d] ? `${d}: ${DATASET_HINTS[d]}` : d]))} />
        </div>
        <TextField name="samples" label="Samples" values={values} errors={errors} inputmode="numeric" hint="before the 80/20 train/validation split" />
        <TextField name="noise" label="Noise" values={values} errors={errors} hint="synthetic 2-D sets only" />
        <TextField name="classes" label="Classes" values={values} errors={errors} inputmode="numeric" hint="spirals and gaussians" />
        <SelectField name="normalize" label="Input normalization" choices={options.normalizations} values={values} errors={errors} />
      </FieldGroup>
      <FieldGroup legend="Network">
        <TextField name="width" label="Hidden width" values={values} errors={errors} inputmode="numeric" hint="units per hidden layer" />
        <TextField name="depth" label="Depth" values={values} errors={errors} inputmode="numeric" hint="hidden layers" />
      </FieldGroup>
      <FieldGroup legend="Training">
        <TextField name="epochs" label="Epochs" values={values} errors={errors} inputmode="numeric" />
        <TextField name="batchSize" label="Batch size" values={values} errors={errors} inputmode="numeric" />
        <SelectField name="optimizer" label="Optimizer" choices={options.optimizers} values={values} errors={errors} />
        <TextField name="lr" label="Learning rate" values={values} errors={errors} />
        <SelectField name="clip" label="Gradient clipping" choices={['none', 'norm', 'value']} values={values} errors={errors} labels={{ none: 'none', norm: 'by global norm', value: 'by value' }} />
        <TextField name="clipMax" label="Clip at" values={values} errors={errors} hint="max norm or |value|" />
      </FieldGroup>
      <CheckGroup
        name="inits"
        legend="Initializers (rows of the heatmap)"
        errors={errors}
        note="Several comma-separated values (e.g. std 1, 0.01) make one row each."
      >
        {options.inits.map((name) => {
          const param = initParam(name);
          return (
            <div>
              <label class="check">
                <input type="checkbox" name="inits" value={name} checked={values.inits.includes(name)} />
                <span safe>{name}</span>
              </label>
              {param ? (
                <label class="check-param">
                  <span safe>{param.label}</span>
                  <input
                    type="text"
                    id={formFieldId(`param_${name}`)}
                    name={`param_${name}`}
                    value={values.initParams[name] ?? ''}
                    inputmode="decimal"
                    placeholder="default"
                    aria-label={`${name} ${param.param} values, comma separated`}
                    {...invalid(`param_${name}`, errors)}
                  />
                </label>
              ) : (
                ''
              )}
              <FieldError name={`param_${name}`} errors={errors} />
            </div>
          );
        })}
      </CheckGroup>
      <CheckGroup name="activations" legend="Activations (columns of the heatmap)" errors={errors}>
        {options.activations.map((name) => (
          <label class="check">
            <input type="checkbox" name="activations" value={name} checked={values.activations.includes(name)} />
            <span safe>{name}</span>
          </label>
        ))}
      </CheckGroup>
      <FieldGroup legend="Seeds">
        <TextField name="seeds" label="Seeds" values={values} errors={errors} inputmode="text" hint="e.g. 1, 2, 3 or 1-5; one run per seed and cell" />
      </FieldGroup>
    </SweepFormFrame>
  ) as string;
}

export function SweepJsonForm(props: SweepJsonFormProps): string {
  const hasIssues = props.issues.length > 0;
  return (
    <SweepFormFrame
      hidden={{ mode: 'json', preset: props.preset }}
      notice={props.notice}
      preview={props.preview}
      switchTo={{ action: '/sweeps/new/form', label: 'Back to the form' }}
    >
      {hasIssues ? (
        <div class="form-errors" role="alert" id="err-spec">
          <strong>The spec has problems:</strong>
          <ul>
            {props.issues.map((issue) => (
              <li>
                <code safe>{issue.path || '(spec)'}</code>: <span safe>{issue.message}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        ''
      )}
      <div class="field">
        <label for="f-spec">Sweep spec (JSON)</label>
        <span class="hint">
          {'{ "name", "base": partial run config, "grid": { "model.init": [...], "model.activation": [...], "seed": [...] }, "random"?: { "samples", "space" } }'}
        </span>
        <textarea id="f-spec" name="spec" rows="24" spellcheck="false" {...(hasIssues ? { 'aria-invalid': 'true', 'aria-describedby': 'err-spec', autofocus: true } : {})} safe>
          {props.json}
        </textarea>
      </div>
    </SweepFormFrame>
  ) as string;
}

export type NewSweepForm = { kind: 'form'; props: SweepFormProps } | { kind: 'json'; props: SweepJsonFormProps };

export function NewSweepPage(props: { form: NewSweepForm; options: FormOptions; preset: string }): string {
  return Layout({
    title: 'New sweep',
    nav: 'new',
    children: (
      <>
        <div class="page-head">
          <h1>New sweep</h1>
          <span class="sub">Every initializer × activation × seed becomes one training run.</span>
        </div>
        <Card id="new-card" titleId="new-title" title="Sweep settings" hideTitle>
          <PresetPicker options={props.options} current={props.preset} />
          {props.form.kind === 'form' ? <SweepForm {...props.form.props} /> : <SweepJsonForm {...props.form.props} />}
        </Card>
      </>
    ),
  });
}

