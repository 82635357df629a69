// Which parameters each initializer takes (workers/core/init.ts reads them): the table validation checks a config
// against (workers/run-config.ts), and the one parameter of each the new-sweep form lets a user vary. Both sides
// import it, so a form field cannot name a parameter the initializer does not take (the types say so).
import type { InitName, InitParams } from './types.js';

/** The parameters each initializer uses; any other one is a config error. */
export const INIT_PARAMETERS = {
  zeros: [],
  constant: ['value'],
  normal: ['mean', 'std'],
  uniform: ['limit'],
  xavier_uniform: ['gain'],
  xavier_normal: ['gain'],
  he_uniform: ['mode', 'slope'],
  he_normal: ['mode', 'slope'],
  lecun_uniform: ['gain'],
  lecun_normal: ['gain'], // gain² = σ_w², the mean-field weight variance: a phase diagram's axis
  orthogonal: ['gain'],
  lsuv: [], // LSUV rescales each layer to unit variance, which undoes any gain of its orthogonal start
} as const satisfies Record<InitName, readonly (keyof InitParams)[]>;

/** The initializers whose parameter the new-sweep form can vary, and that parameter (one of INIT_PARAMETERS'). */
export const FORM_INIT_PARAMETER = {
  normal: 'std',
  constant: 'value',
  uniform: 'limit',
} as const satisfies { [K in InitName]?: (typeof INIT_PARAMETERS)[K][number] };

/** The parameter the form varies for `init`, or undefined when the form offers none for it (or `init` is unknown). */
export function formInitParameter(init: string): (typeof FORM_INIT_PARAMETER)[keyof typeof FORM_INIT_PARAMETER] | undefined {
  return Object.hasOwn(FORM_INIT_PARAMETER, init) ? FORM_INIT_PARAMETER[init as keyof typeof FORM_INIT_PARAMETER] : undefined;
}
