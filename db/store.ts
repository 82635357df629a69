// The store: every query the server runs against SQLite, prepared once over an injected connection, composed from
// one module per role: sweeps (sweep-queries.ts), their management (sweep-management.ts), the run lifecycle
// (run-lifecycle.ts), metric writes (metric-writes.ts: epochs are written only through writeMetricsBatch) and run
// reads (run-reads.ts).
import type { Database } from 'better-sqlite3';
import { createMetricWrites, type MetricWrites } from './metric-writes.js';
import { createRunLifecycle, type RunLifecycle } from './run-lifecycle.js';
import { createRunReads, type RunReads } from './run-reads.js';
import { createSweepManagement, type SweepManagement } from './sweep-management.js';
import { createSweepQueries, type SweepQueries } from './sweep-queries.js';
import type { EpochMetricsRow } from './types.js';

export type { MetricsBatchEntry, MetricsBatchResult } from './metric-writes.js';

export interface Store extends SweepQueries, SweepManagement, RunLifecycle, Pick<MetricWrites, 'writeMetricsBatch'>, RunReads {
  readonly db: Database;
}

export function createStore(db: Database): Store {
  const { queries: sweeps, internals } = createSweepQueries(db);
  const metrics = createMetricWrites(db);
  const { reads, requireRun } = createRunReads(db, internals);
  const lifecycle = createRunLifecycle(db, { sweeps: internals, reads, requireRun, metrics });
  const { writeMetricsBatch } = metrics;
  return {
    db, ...sweeps, ...createSweepManagement(db), ...lifecycle, writeMetricsBatch, ...reads,
  };
}
