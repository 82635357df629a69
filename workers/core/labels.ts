// Canonical names and labels for activations and initializers (for grouping, tables and charts).
import type { ActivationName, ActivationSpec, InitName, InitSpec } from './types.js';

export function activationName(spec: ActivationSpec): ActivationName {
  return typeof spec === 'string' ? spec : spec.name;
}

export function initName(spec: InitSpec): InitName {
  return typeof spec === 'string' ? spec : spec.name;
}

/** A short, stable label: "tanh", "leaky_relu(0.2)". */
export function activationLabel(spec: ActivationSpec): string {
  if (typeof spec === 'string') return spec;
  return spec.slope === undefined ? spec.name : `${spec.name}(${spec.slope})`;
}

/** A short, stable label: "xavier_uniform", "normal(std=0.01)", "he_normal(mode=fan_out)". */
export function initLabel(spec: InitSpec): string {
  if (typeof spec === 'string') return spec;
  const params = Object.entries(spec)
    .filter(([key, value]) => key !== 'name' && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`);
  return params.length === 0 ? spec.name : `${spec.name}(${params.join(',')})`;
}
