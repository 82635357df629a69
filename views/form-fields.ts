// The new-sweep form's fields in the order they appear, with the labels a person reads: the error summary lists
// problems in this order, and messages name fields by these labels, never by spec paths.

export const FORM_FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  dataset: 'Data set',
  samples: 'Samples',
  noise: 'Noise',
  classes: 'Classes',
  normalize: 'Input normalization',
  width: 'Hidden width',
  depth: 'Depth',
  epochs: 'Epochs',
  batchSize: 'Batch size',
  optimizer: 'Optimizer',
  lr: 'Learning rate',
  clip: 'Gradient clipping',
  clipMax: 'Clip at',
  inits: 'Initializers',
  activations: 'Activations',
  seeds: 'Seeds',
};

const FIELD_ORDER = Object.keys(FORM_FIELD_LABELS);

/** The label of a field; an initializer's parameter field (`param_normal`) reads "normal values". */
export function formFieldLabel(field: string): string {
  if (field.startsWith('param_')) return `${field.slice('param_'.length)} values`;
  return FORM_FIELD_LABELS[field] ?? field;
}

/** Fields in form order (parameter fields right after the initializers). */
export function inFormOrder(fields: string[]): string[] {
  const rank = (field: string) => (field.startsWith('param_') ? FIELD_ORDER.indexOf('inits') + 0.5 : FIELD_ORDER.indexOf(field));
  return [...fields].sort((a, b) => rank(a) - rank(b));
}

/** The id of the control a field's summary link and focus go to. */
export function formFieldId(field: string): string {
  return field === 'inits' || field === 'activations' ? `fs-${field}` : `f-${field}`;
}
