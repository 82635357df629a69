// The store: every query the server runs against SQLite, prepared once over an injected connection, composed from
// one module per role: sweeps (sweep-queries.ts), the run lifecycle (run-lifecycle.ts), metric writes
// (metric-writes.ts: epochs are written only through writeMetricsBatch) and run reads (run-reads.ts).
import type { Database } from 'better-sqlite3';
import { createMetricWrites, type MetricWrites } from './metric-writes.js';
import { createRunLifecycle, type RunLifecycle } from './run-lifecycle.js';
import { createRunReads, type RunReads } from './run-reads.js';
import { createSweepQueries, type SweepQueries } from './sweep-queries.js';
import type { EpochMetricsRow } from './types.js';

export type { MetricsBatchEntry, MetricsBatchResult } from './metric-writes.js';

export interface Store extends SweepQueries, RunLifecycle, Pick<MetricWrites, 'writeMetricsBatch'>, RunReads {
  readonly db: Database;
  /**
   * @deprecated Epochs of one running run through writeMetricsBatch (dropped unless the run is running); returns
   * the rows written. Kept only because bench/pages.ts still calls it; remove once it calls writeMetricsBatch.
   */
  insertEpochMetrics(runId: number, metrics: readonly EpochMetricsRow[]): number;
}

export function createStore(db: Database): Store {
  const { queries: sweeps, internals } = createSweepQueries(db);
  const metrics = createMetricWrites(db);
  const { reads, requireRun } = createRunReads(db, internals);
  const lifecycle = createRunLifecycle(db, { sweeps: internals, reads, requireRun, metrics });
  const { writeMetricsBatch } = metrics;
  return {
    db, ...sweeps, ...lifecycle, writeMetricsBatch, ...reads,
    insertEpochMetrics(runId, epochs) {
      const written = writeMetricsBatch(epochs.map((m) => ({ runId, metrics: m })));
      return written.epochRows + written.layerRows;
    },
  };
}
