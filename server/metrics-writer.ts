// The only writer of epoch and layer metrics: buffers what workers report and writes it in one transaction per
// flush (on a timer, when the buffer is large, or when a run is about to finish). It owns no SQL itself.
import type { MetricsBatchEntry, MetricsBatchResult, Store } from '../db/store.js';
import type { EpochMetrics } from '../workers/core/types.js';

export interface MetricsWriterOptions {
  /** Flush as soon as this many rows (an epoch row plus its layer rows each) are buffered. Default 5,000. */
  maxBatchRows?: number;
  /** Flush at most this long after the first row entered an empty buffer. Default 200 ms. */
  flushMs?: number;
  /** Where a failed automatic flush (timer or full buffer) is reported; its rows are dropped. Default: console.error. */
  onError?: (error: unknown) => void;
}

export interface MetricsWriterStats {
  flushes: number;        // transactions written
  epochRows: number;
  layerRows: number;
  droppedEpochs: number;  // late epochs of runs no longer running (or on another attempt), or pushed after close
}

export interface MetricsWriter {
  /**
   * Buffers one epoch of a run. `attempt` (the run's attempt when it was started) guards against a stale worker
   * of an earlier attempt; without it, any epoch of a run that is still 'running' is written.
   */
  push(runId: number, metrics: EpochMetrics, attempt?: number): void;
  /** Writes everything buffered in one transaction. Throws if the write fails; the batch is then dropped. */
  flush(): MetricsBatchResult;
  /** Makes sure the run's buffered epochs are stored (call before finishRun); flushes the whole buffer if needed. */
  flushRun(runId: number): MetricsBatchResult;
  readonly pendingRows: number;
  readonly stats: Readonly<MetricsWriterStats>;
  /** Flushes and stops the timer. Later pushes are counted as dropped, not thrown: workers may still report. */
  close(): void;
}

const EMPTY: MetricsBatchResult = { epochRows: 0, layerRows: 0, droppedEpochs: 0 };

// Rows for runs that are no longer 'running' are ignored when the batch is written (the store checks status and
// attempt inside the same transaction), so an epoch that arrives after its run was cancelled or requeued can neither
// resurrect deleted metrics nor mix two attempts. Duplicate epochs of a live run replace the earlier copy.
export function createMetricsWriter(
  store: Pick<Store, 'writeMetricsBatch'>,
  options: MetricsWriterOptions = {},
): MetricsWriter {
  const maxBatchRows = Math.max(1, options.maxBatchRows ?? 5000);
  const flushMs = Math.max(0, options.flushMs ?? 200);
  const onError = options.onError ?? ((error: unknown) => console.error('initlab: metrics flush failed:', error));
  const stats: MetricsWriterStats = { flushes: 0, epochRows: 0, layerRows: 0, droppedEpochs: 0 };
  let buffer: MetricsBatchEntry[] = [];
  let bufferedRuns = new Set<number>();
  let pendingRows = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function flush(): MetricsBatchResult {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer.length === 0) return EMPTY;
    const batch = buffer;
    buffer = [];
    bufferedRuns = new Set();
    pendingRows = 0;
    const result = store.writeMetricsBatch(batch);
    stats.flushes += 1;
    stats.epochRows += result.epochRows;
    stats.layerRows += result.layerRows;
    stats.droppedEpochs += result.droppedEpochs;
    return result;
  }

  function flushReporting(): void {
    try {
      flush();
    } catch (error) {
      onError(error);
    }
  }

  return {
    push(runId, metrics, attempt) {
      if (closed) {
        stats.droppedEpochs += 1;
        return;
      }
      buffer.push(attempt === undefined ? { runId, metrics } : { runId, attempt, metrics });
      bufferedRuns.add(runId);
      pendingRows += 1 + metrics.layers.length;
      if (pendingRows >= maxBatchRows) {
        flushReporting(); // push runs in a worker's message handler: report, don't throw there
      } else if (timer === undefined) {
        timer = setTimeout(flushReporting, flushMs);
        timer.unref();
      }
    },
    flush,
    flushRun(runId) {
      return bufferedRuns.has(runId) ? flush() : EMPTY;
    },
    get pendingRows() {
      return pendingRows;
    },
    get stats() {
      return stats;
    },
    close() {
      if (closed) return;
      try {
        flush();
      } finally {
        closed = true;
      }
    },
  };
}
