// The store's metric writes: epochs and their layers arrive only through writeMetricsBatch (the metrics writer's
// one transaction per batch), which drops epochs of a run that is no longer running on that attempt.
import type { Database } from 'better-sqlite3';
import type { RunStatus } from './run-status.js';
import type { EpochMetricsRow } from './types.js';

/** One buffered epoch for writeMetricsBatch; `attempt`, when given, must match the run's current attempt. */
export interface MetricsBatchEntry {
  runId: number;
  attempt?: number;
  metrics: EpochMetricsRow;
}

export interface MetricsBatchResult {
  epochRows: number;      // epoch_metrics rows written
  layerRows: number;      // layer_metrics rows written
  droppedEpochs: number;  // epochs ignored: their run is gone, no longer 'running', or on another attempt
}

export interface MetricWrites {
  writeMetricsBatch(entries: readonly MetricsBatchEntry[]): MetricsBatchResult;
  /** A run's stored epochs and layers, gone (a re-queued run starts over); inside the caller's transaction. */
  deleteMetrics(runId: number): void;
}

export function createMetricWrites(db: Database): MetricWrites {
  const sql = {
    runStatus: db.prepare<[number], { status: RunStatus; attempt: number }>(
      `SELECT status, attempt FROM runs WHERE id = ?`),
    deleteEpochs: db.prepare<[number]>(`DELETE FROM epoch_metrics WHERE run_id = ?`),
    deleteLayers: db.prepare<[number]>(`DELETE FROM layer_metrics WHERE run_id = ?`),
    // OR REPLACE: an epoch delivered twice (a replayed message) keeps the latest copy instead of failing the batch.
    insertEpoch: db.prepare<[number, number, number, number, number, number, number, number, number, number]>(
      `INSERT OR REPLACE INTO epoch_metrics (run_id, epoch, step, train_loss, train_acc, val_loss, val_acc,
         grad_norm, clipped, clipped_steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertLayer: db.prepare<
      [number, number, number, number, number, number, number, number, number, number, number, number, number, number]>(
      `INSERT OR REPLACE INTO layer_metrics (run_id, epoch, layer, units, act_mean, act_std, pre_std, saturated_frac,
         dead_frac, delta_norm, weight_grad_norm, weight_norm, update_ratio, distinct_units)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };

  /** One epoch and its layers; returns the layer rows written. */
  function insertEpochMetrics(runId: number, m: EpochMetricsRow): number {
    sql.insertEpoch.run(runId, m.epoch, m.step, m.trainLoss, m.trainAcc, m.valLoss, m.valAcc, m.gradNorm,
      m.clipped ? 1 : 0, m.clippedSteps);
    for (const l of m.layers) {
      sql.insertLayer.run(runId, m.epoch, l.layer, l.units, l.actMean, l.actStd, l.preStd, l.saturatedFrac,
        l.deadFrac, l.deltaNorm, l.weightGradNorm, l.weightNorm, l.updateRatio, l.distinctUnits);
    }
    return m.layers.length;
  }

  const writeMetricsBatch = db.transaction((entries: readonly MetricsBatchEntry[]): MetricsBatchResult => {
    const result: MetricsBatchResult = { epochRows: 0, layerRows: 0, droppedEpochs: 0 };
    const current = new Map<number, { status: RunStatus; attempt: number } | null>();
    for (const entry of entries) {
      let run = current.get(entry.runId);
      if (run === undefined) {
        run = sql.runStatus.get(entry.runId) ?? null;
        current.set(entry.runId, run);
      }
      // Late epochs of a run that was cancelled, requeued or deleted meanwhile belong to no live attempt.
      if (run === null || run.status !== 'running' || (entry.attempt !== undefined && entry.attempt !== run.attempt)) {
        result.droppedEpochs += 1;
        continue;
      }
      result.layerRows += insertEpochMetrics(entry.runId, entry.metrics);
      result.epochRows += 1;
    }
    return result;
  });

  return {
    writeMetricsBatch: (entries) => writeMetricsBatch.immediate(entries),
    deleteMetrics(runId) {
      sql.deleteLayers.run(runId);
      sql.deleteEpochs.run(runId);
    },
  };
}
