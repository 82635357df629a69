// The store's run lifecycle: claim, start, finish, fail, cancel (one run or a whole sweep) and re-queue runs. Every
// status change goes through run-status.ts's transitionRun; a re-queued run loses its metrics and results.
import type { Database } from 'better-sqlite3';
import { InvalidQueryError } from './errors.js';
import type { MetricWrites } from './metric-writes.js';
import { encodeJson } from './rows.js';
import { FINAL_RUN_STATUSES, transitionRun, type RunStatus, type SweepStatus } from './run-status.js';
import { checkCount, type RunReads, type RunState } from './run-reads.js';
import type { SweepInternals } from './sweep-queries.js';
import type { Run, RunFinals, RunSummary } from './types.js';

export interface RunLifecycle {
  queuedRunIds(sweepId: number, limit?: number): number[];
  startRun(runId: number, startedAt?: number): Run;
  /**
   * Starts those of the runs that are still queued (a cancel or re-queue may have come first), in one transaction;
   * returns them, in the given order. The scheduler starts a task of several short runs this way.
   */
  startQueuedRuns(runIds: readonly number[], startedAt?: number): Run[];
  finishRun(runId: number, summary: RunSummary): Run;
  /** Finishes several runs in one transaction (all or none), reading none back: the scheduler's outcomes of a post. */
  finishRuns(outcomes: ReadonlyArray<{ runId: number; summary: RunSummary }>): void;
  /** Stores a running run's mean-field theory as soon as the worker knows it (before epoch 0); false if not running. */
  setRunTheory(runId: number, theoryPreVar: number[]): boolean;
  /** Cluster mode: records the worker host that picked a running run up (again, after a host died); false if not running. */
  setRunHost(runId: number, host: string): boolean;
  /** A sweep's running runs, in dispatch order (a restarted cluster job server re-attaches to them). */
  runningRunIds(sweepId: number): number[];
  failRun(runId: number, error: string, finishedAt?: number, durationMs?: number): Run;
  cancelRun(runId: number, at?: number): RunStatus;
  /** Queued and running runs, and the sweep, all cancelled in one transaction. */
  cancelSweep(id: number, at?: number): { cancelledRunIds: number[]; runningRunIds: number[] };
  requeueRun(runId: number): Run;
  requeueRuns(sweepId: number, statuses?: RunStatus[]): number;
  /**
   * Crash recovery at start-up: runs left 'running' are re-queued, except those of a cancelled sweep (cancelled) and
   * those interrupted `maxAttempts` times, which are failed with "interrupted N times" (a run that takes the process
   * down would otherwise do so on every restart). Returns how many were re-queued. Runs for which `keep(id, attempt)`
   * is true are left running: in cluster mode they still train on a worker host, and the job server re-attaches.
   */
  requeueInterrupted(maxAttempts?: number, keep?: (runId: number, attempt: number) => boolean): number;
}

/** Attempts a run gets before crash recovery fails it instead of re-queueing it. */
export const DEFAULT_MAX_RUN_ATTEMPTS = 3;

/** Columns a re-queued run starts over with (its previous attempt's results are discarded with its metrics). */
const RESET_RESULTS = `error = NULL, verdicts = NULL, divergence = NULL, theory_pre_var = NULL, started_at = NULL,
  finished_at = NULL, duration_ms = NULL, epochs_completed = 0, final_train_loss = NULL, final_train_acc = NULL,
  final_val_loss = NULL, final_val_acc = NULL, best_train_loss = NULL, best_train_acc = NULL, best_val_loss = NULL,
  best_val_acc = NULL, backend = NULL, cpu_path = NULL, host = NULL`;

export function createRunLifecycle(db: Database, parts: {
  sweeps: SweepInternals;
  reads: Pick<RunReads, 'getRun'>;
  requireRun(id: number): RunState;
  metrics: Pick<MetricWrites, 'deleteMetrics'>;
}): RunLifecycle {
  const { requireSweepStatus, moveSweep, reopenSweep } = parts.sweeps;
  const { getRun } = parts.reads;
  const { requireRun } = parts;
  const { deleteMetrics } = parts.metrics;
  const sql = {
    runIdsByStatus: db.prepare<[number, RunStatus, number], { id: number }>(
      `SELECT id FROM runs WHERE sweep_id = ? AND status = ? ORDER BY position LIMIT ?`),
    startRun: db.prepare<[number, number]>(`UPDATE runs SET status = 'running', started_at = ? WHERE id = ?`),
    setRunTheory: db.prepare<[string | null, number]>(
      `UPDATE runs SET theory_pre_var = ? WHERE id = ? AND status = 'running'`),
    finishRun: db.prepare<[Record<string, unknown>]>(
      `UPDATE runs SET status = @status, verdicts = @verdicts, divergence = @divergence,
         theory_pre_var = @theoryPreVar, finished_at = @finishedAt, duration_ms = @durationMs,
         epochs_completed = @epochsCompleted, final_train_loss = @finalTrainLoss, final_train_acc = @finalTrainAcc,
         final_val_loss = @finalValLoss, final_val_acc = @finalValAcc, best_train_loss = @bestTrainLoss,
         best_train_acc = @bestTrainAcc, best_val_loss = @bestValLoss, best_val_acc = @bestValAcc,
         backend = @backend, cpu_path = @cpuPath, host = coalesce(@host, host)
       WHERE id = @id`),
    setRunHost: db.prepare<[string, number]>(`UPDATE runs SET host = ? WHERE id = ? AND status = 'running'`),
    runningRunIds: db.prepare<[number], { id: number }>(
      `SELECT id FROM runs WHERE sweep_id = ? AND status = 'running' ORDER BY position`),
    computeFinals: db.prepare<[number, number], RunFinals>(
      `SELECT last.train_loss AS finalTrainLoss, last.train_acc AS finalTrainAcc, last.val_loss AS finalValLoss,
              last.val_acc AS finalValAcc, agg.bestTrainLoss, agg.bestTrainAcc, agg.bestValLoss, agg.bestValAcc
       FROM (SELECT MAX(epoch) AS lastEpoch, MIN(train_loss) AS bestTrainLoss, MAX(train_acc) AS bestTrainAcc,
                    MIN(val_loss) AS bestValLoss, MAX(val_acc) AS bestValAcc
             FROM epoch_metrics WHERE run_id = ?) AS agg
       LEFT JOIN epoch_metrics AS last ON last.run_id = ? AND last.epoch = agg.lastEpoch`),
    failRun: db.prepare<[string, number, number | null, number]>(
      `UPDATE runs SET status = 'failed', error = ?, finished_at = ?, duration_ms = ? WHERE id = ?`),
    cancelRun: db.prepare<[number, number]>(`UPDATE runs SET status = 'cancelled', finished_at = ? WHERE id = ?`),
    requeueRun: db.prepare<[number]>(
      `UPDATE runs SET status = 'queued', attempt = attempt + 1, ${RESET_RESULTS} WHERE id = ?`),
    resetInterruptions: db.prepare<[number]>(`UPDATE runs SET interruptions = 0 WHERE id = ?`),
    countInterruption: db.prepare<[number]>(`UPDATE runs SET interruptions = interruptions + 1 WHERE id = ?`),
    runningRuns: db.prepare<[], { id: number; sweepId: number; sweepStatus: SweepStatus; interruptions: number; attempt: number }>(
      `SELECT runs.id AS id, runs.sweep_id AS sweepId, sweeps.status AS sweepStatus, runs.interruptions AS interruptions,
              runs.attempt AS attempt
       FROM runs JOIN sweeps ON sweeps.id = runs.sweep_id WHERE runs.status = 'running'`),
  };

  const startRun = db.transaction((runId: number, startedAt = Date.now()): Run => {
    transitionRun(requireRun(runId).status, 'running', runId);
    sql.startRun.run(startedAt, runId);
    return getRun(runId);
  });

  const startQueuedRuns = db.transaction((runIds: readonly number[], startedAt = Date.now()): Run[] => {
    const started: Run[] = [];
    for (const runId of runIds) {
      const run = getRun(runId);
      if (run.status !== 'queued') continue;
      sql.startRun.run(startedAt, runId);
      started.push({ ...run, status: 'running', startedAt });
    }
    return started;
  });

  function writeFinish(runId: number, summary: RunSummary): void {
    transitionRun(requireRun(runId).status, summary.status, runId);
    const finals = summary.finals ?? sql.computeFinals.get(runId, runId)!;
    sql.finishRun.run({
      ...finals,
      id: runId,
      status: summary.status,
      verdicts: encodeJson(summary.verdicts),
      divergence: summary.divergence === null ? null : encodeJson(summary.divergence),
      theoryPreVar: encodeJson(summary.theoryPreVar),
      finishedAt: summary.finishedAt ?? Date.now(),
      durationMs: summary.durationMs,
      epochsCompleted: summary.epochsCompleted,
      backend: summary.backend ?? null,
      cpuPath: summary.cpuPath ?? null,
      host: summary.host ?? null,
    });
  }

  const finishRun = db.transaction((runId: number, summary: RunSummary): Run => {
    writeFinish(runId, summary);
    return getRun(runId);
  });

  const finishRuns = db.transaction((outcomes: ReadonlyArray<{ runId: number; summary: RunSummary }>): void => {
    for (const { runId, summary } of outcomes) writeFinish(runId, summary);
  });

  const failRun = db.transaction((runId: number, error: string, finishedAt = Date.now(), durationMs?: number): Run => {
    transitionRun(requireRun(runId).status, 'failed', runId);
    sql.failRun.run(error, finishedAt, durationMs ?? null, runId);
    return getRun(runId);
  });

  const cancelRun = db.transaction((runId: number, at = Date.now()): RunStatus => {
    const { status } = requireRun(runId);
    transitionRun(status, 'cancelled', runId);
    sql.cancelRun.run(at, runId);
    return status;
  });

  function cancelAll(sweepId: number, status: 'queued' | 'running', at: number): number[] {
    transitionRun(status, 'cancelled');
    const ids = sql.runIdsByStatus.all(sweepId, status, -1).map((r) => r.id);
    for (const id of ids) sql.cancelRun.run(at, id);
    return ids;
  }

  const cancelSweep = db.transaction((sweepId: number, at = Date.now()) => {
    requireSweepStatus(sweepId);
    const cancelledRunIds = cancelAll(sweepId, 'queued', at);
    const runningRunIds = cancelAll(sweepId, 'running', at);
    moveSweep(sweepId, 'cancelled', at);
    return { cancelledRunIds, runningRunIds };
  });

  const requeueRun = db.transaction((runId: number): Run => {
    const run = requireRun(runId);
    transitionRun(run.status, 'queued', runId);
    deleteMetrics(runId);
    sql.requeueRun.run(runId);
    reopenSweep(run.sweepId);
    return getRun(runId);
  });

  const requeueRuns = db.transaction(
    (sweepId: number, statuses: RunStatus[] = ['failed', 'diverged', 'cancelled']): number => {
      requireSweepStatus(sweepId);
      let count = 0;
      for (const status of new Set(statuses)) {
        // Only finished runs: a running run still has a worker (crash recovery is requeueInterrupted / requeueRun).
        if (!(FINAL_RUN_STATUSES as readonly string[]).includes(status)) {
          throw new InvalidQueryError(`re-runs take finished statuses (${FINAL_RUN_STATUSES.join(', ')}), not '${status}'`);
        }
        transitionRun(status, 'queued');
        for (const { id } of sql.runIdsByStatus.all(sweepId, status, -1)) {
          deleteMetrics(id);
          sql.requeueRun.run(id);
          sql.resetInterruptions.run(id);   // the user asked for a fresh start
          count += 1;
        }
      }
      if (count > 0) reopenSweep(sweepId);
      return count;
    });

  const requeueInterrupted = db.transaction((maxAttempts: number, keep?: (runId: number, attempt: number) => boolean): number => {
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new InvalidQueryError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
    }
    const at = Date.now();
    let requeued = 0;
    const reopened = new Set<number>();
    for (const run of sql.runningRuns.all()) {
      if (run.sweepStatus === 'cancelled') {
        // The user cancelled the sweep before the crash: finish the cancellation instead of resurrecting it.
        transitionRun('running', 'cancelled', run.id);
        sql.cancelRun.run(at, run.id);
        continue;
      }
      if (keep?.(run.id, run.attempt)) continue;
      const interruptions = run.interruptions + 1;
      sql.countInterruption.run(run.id);
      if (interruptions >= maxAttempts) {
        // Its partial metrics stay: they show how far it got before the last crash.
        transitionRun('running', 'failed', run.id);
        sql.failRun.run(`interrupted ${interruptions} times (a crash or kill while it ran); not re-queued`, at, null, run.id);
        continue;
      }
      transitionRun('running', 'queued', run.id);
      deleteMetrics(run.id);
      sql.requeueRun.run(run.id);
      reopened.add(run.sweepId);
      requeued += 1;
    }
    for (const sweepId of reopened) reopenSweep(sweepId);
    return requeued;
  });

  return {
    queuedRunIds(sweepId, limit) {
      requireSweepStatus(sweepId);
      const max = limit === undefined ? -1 : checkCount('limit', limit);
      return sql.runIdsByStatus.all(sweepId, 'queued', max).map((r) => r.id);
    },
    startRun: (runId, startedAt) => startRun.immediate(runId, startedAt),
    startQueuedRuns: (runIds, startedAt) => startQueuedRuns.immediate(runIds, startedAt),
    finishRuns: (outcomes) => finishRuns.immediate(outcomes),
    finishRun: (runId, summary) => finishRun.immediate(runId, summary),
    setRunTheory: (runId, theoryPreVar) => sql.setRunTheory.run(encodeJson(theoryPreVar), runId).changes === 1,
    failRun: (runId, error, finishedAt, durationMs) => failRun.immediate(runId, error, finishedAt, durationMs),
    cancelRun: (runId, at) => cancelRun.immediate(runId, at),
    cancelSweep: (id, at) => cancelSweep.immediate(id, at),
    requeueRun: (runId) => requeueRun.immediate(runId),
    requeueRuns: (sweepId, statuses) => requeueRuns.immediate(sweepId, statuses),
    setRunHost: (runId, host) => sql.setRunHost.run(host, runId).changes === 1,
    runningRunIds: (sweepId) => {
      requireSweepStatus(sweepId);
      return sql.runningRunIds.all(sweepId).map((r) => r.id);
    },
    requeueInterrupted: (maxAttempts = DEFAULT_MAX_RUN_ATTEMPTS, keep) => requeueInterrupted.immediate(maxAttempts, keep),
  };
}
