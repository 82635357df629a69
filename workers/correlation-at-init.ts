// A run's correlation propagation at initialization, rebuilt on request: the run's data, probe batch and network
// exactly as trainRun built them (same seed, same streams), then two probe rows' pre-activation cosine per hidden
// layer beside the mean-field c-map (workers/core/correlation-propagation.ts). Nothing trains.
import { correlationPropagation, type CorrelationProfile } from './core/correlation-propagation.js';
import { createNetwork } from './core/network.js';
import { createRng } from './core/rng.js';
import { networkSpecFor, prepareRunData } from './core/train.js';
import type { RunConfig } from './core/types.js';
import { loadDataset } from './datasets.js';

export interface RunCorrelations extends CorrelationProfile {
  /** the probe rows compared (indices into the run's probe batch) and their labels */
  rows: [number, number];
  labels: [number, number];
}

/** Probe row 0 and the first probe row of another class (row 1 when every row shares a class). */
export function measureRunCorrelations(config: RunConfig): RunCorrelations {
  const dataRng = createRng(config.seed, 0);
  const data = loadDataset(config.dataset, dataRng);
  const run = prepareRunData(config, { data, dataRng });
  const { probe, features: D } = run;
  if (probe.size < 2) throw new RangeError('the probe batch holds one row; correlations need two');
  const spec = networkSpecFor(config, D, run.classes);
  const net = createNetwork(spec, config.seed, { lsuvBatch: { inputs: probe.inputs, batch: probe.size } });
  let other = 1;
  for (let i = 1; i < probe.size; i++) {
    if (probe.labels[i] !== probe.labels[0]) {
      other = i;
      break;
    }
  }
  const x1 = probe.inputs.subarray(0, D);
  const x2 = probe.inputs.subarray(other * D, (other + 1) * D);
  return {
    ...correlationPropagation(net, x1, x2, 'fixed'),
    rows: [0, other],
    labels: [probe.labels[0], probe.labels[other]],
  };
}
