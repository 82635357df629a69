// A run's head: status, progress, timing, outcome and verdicts; while it trains, from its latest stored epoch.
import type { EpochMetricsRow, Run } from '../../db/types.js';
import type { RunHeadProps } from '../../views/run-page.js';

export function runHead(run: Run): RunHeadProps {
  return {
    id: run.id,
    status: run.status,
    epochsCompleted: run.epochsCompleted,
    epochs: run.config.train.epochs,
    durationMs: run.durationMs,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    finalValAcc: run.finalValAcc,
    finalValLoss: run.finalValLoss,
    error: run.error,
    divergence: run.divergence,
    verdicts: run.verdicts,
    backend: run.backend,
    cpuPath: run.cpuPath,
    host: run.host,
  };
}

/** While a run trains its summary columns are empty: fill the head from the latest stored epoch. */
export function liveRunHead(run: Run, metrics: EpochMetricsRow[]): RunHeadProps {
  const head = runHead(run);
  const last = metrics[metrics.length - 1];
  if (last && run.status === 'running') {
    head.epochsCompleted = last.epoch;
    head.finalValAcc = last.valAcc;
    head.finalValLoss = last.valLoss;
  }
  return head;
}
