// A sweep's runs table: one page of runs, filtered and sorted as the query says, each as a row.
import { RUN_STATUSES } from '../../db/run-status.js';
import type { Store } from '../../db/store.js';
import type { ListRunsOptions, Run, Sweep } from '../../db/types.js';
import type { SweepQuery } from '../../views/query.js';
import type { RunRowData, RunsTableProps } from '../../views/runs-table.js';
import { describeSettings } from './axes.js';

export const RUNS_PAGE_SIZE = 25;

export function toRunRow(run: Run, extraPaths: string[]): RunRowData {
  return {
    id: run.id,
    initLabel: run.initLabel,
    activationLabel: run.activationLabel,
    seed: run.seed,
    status: run.status,
    finalValAcc: run.finalValAcc,
    finalValLoss: run.finalValLoss,
    epochsCompleted: run.epochsCompleted,
    epochs: run.config.train.epochs,
    durationMs: run.durationMs,
    verdicts: run.verdicts,
    extra: describeSettings(run, extraPaths),
  };
}

/** Settings shown in the runs table's "other settings" column: what varies besides init, activation, seed. */
export function extraRunPaths(sweep: Sweep): string[] {
  return sweep.varying.filter((p) => p !== 'seed' && p !== 'model.init' && p !== 'model.activation');
}

export function loadRunsTable(store: Store, sweep: Sweep, query: SweepQuery): RunsTableProps {
  const options: ListRunsOptions = {
    sortBy: query.sort,
    order: query.order,
    limit: RUNS_PAGE_SIZE,
    offset: (query.page - 1) * RUNS_PAGE_SIZE,
  };
  if (query.status) options.status = query.status;
  if (query.verdict) options.verdict = query.verdict;
  let page = store.listRuns(sweep.id, options);
  // A page past the end (runs were filtered away meanwhile): show the last page instead of an empty table.
  if (page.runs.length === 0 && page.total > 0 && query.page > 1) {
    const last = Math.ceil(page.total / RUNS_PAGE_SIZE);
    page = store.listRuns(sweep.id, { ...options, offset: (last - 1) * RUNS_PAGE_SIZE });
    query = { ...query, page: last };
  }
  const extra = extraRunPaths(sweep);
  return {
    sweepId: sweep.id,
    query,
    runs: page.runs.map((r) => toRunRow(r, extra)),
    total: page.total,
    pageSize: RUNS_PAGE_SIZE,
    showExtra: extra.length > 0,
    statuses: RUN_STATUSES,
  };
}
