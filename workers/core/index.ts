// The training core's public API: everything a caller (worker, CLI, tests, a browser) needs, from one module.
// Pure TypeScript: nothing here imports from Node. Loading iris/mnist from disk lives in workers/datasets.ts.
export * from './types.js';
export * from './labels.js';
export * from './rng.js';
export * from './activations.js';
export * from './init.js';
export * from './linear.js';
export * from './loss.js';
export * from './network.js';
export * from './optim.js';
export * from './clip.js';
export * from './special.js';
export * from './data.js';
export * from './normalize.js';
export * from './stats.js';
export * from './diagnostics.js';
export * from './theory.js';
export * from './verdicts.js';
export * from './engine.js';
export * from './train.js';
export * from './correlation-propagation.js';
