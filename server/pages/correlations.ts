// The props of a run's correlation page: the run's initial network rebuilt and measured (workers/correlation-at-init).
import type { Store } from '../../db/store.js';
import { measureRunCorrelations } from '../../workers/correlation-at-init.js';
import type { CorrelationPageProps } from '../../views/correlation-page.js';

export function loadCorrelationPage(store: Store, runId: number): CorrelationPageProps {
  const run = store.getRun(runId);
  const { hidden } = run.config.model;
  const title = `${run.initLabel} × ${run.activationLabel}, ${hidden.length} hidden layer${hidden.length === 1 ? '' : 's'}, seed ${run.seed}`;
  const base = { runId, sweepId: run.sweepId, title, rows: [0, 1] as [number, number], labels: [0, 0] as [number, number], inputCosine: 0, measured: [], theory: [] };
  if (run.config.train.probeSize < 2) {
    return { ...base, unavailable: 'This run\'s probe batch holds one row; the correlation of two inputs needs two.' };
  }
  return { ...base, ...measureRunCorrelations(run.config), unavailable: null };
}
