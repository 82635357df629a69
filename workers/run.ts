// runTraining: one run of any data set (synthetic, iris or mnist), as the worker thread and the CLI call it.
// Loads the data set on the run's data stream, then hands it to the core's trainRun.
import { createWorkspaceCache } from './core/network.js';
import { createRng } from './core/rng.js';
import { trainRun } from './core/train.js';
import type { EpochMetrics, RunConfig, RunResult } from './core/types.js';
import { loadDataset } from './datasets.js';
import { type BackendRequest, resolveBackend } from './backend.js';

// One per thread (module state is per worker thread): runs here never overlap, and a sweep's runs share shapes.
const workspaces = createWorkspaceCache();

/**
 * Trains `config` (a fully resolved RunConfig) on the requested backend (default: native if it loads), calling
 * onStart once with the theory's per-layer variance, then onEpoch for epoch 0 and after every epoch.
 * Throws BackendError when an explicit request cannot be met.
 */
export function runTraining(
  config: RunConfig, onEpoch?: (metrics: EpochMetrics) => void, onStart?: (theoryPreVar: number[]) => void,
  backend: BackendRequest = {},
): RunResult {
  const { engine } = resolveBackend(backend);
  const dataRng = createRng(config.seed, 0);
  const data = loadDataset(config.dataset, dataRng);
  return trainRun(config, onEpoch, { data, dataRng, onStart, engine, workspaces });
}
