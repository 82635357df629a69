// The Piscina worker: runs one training run per task and streams its epochs over the task's MessagePort.
// It never touches SQLite; the server process is the only writer.
import { runTraining } from './run.js';
import type { EpochMetrics } from './core/types.js';
import type { ProgressMessage, TrainTask, TrainTaskResult } from './protocol.js';

/**
 * Epochs are sent in batches at most this often (and whatever is left at the end): a native run can finish an
 * epoch every millisecond, and a message per epoch would wake the server's thread more often than the dashboard,
 * which batches its updates per 250 ms, could show.
 */
export const EPOCH_BATCH_MS = 50;

export default function trainTask(task: TrainTask): TrainTaskResult {
  const { runId, config, port, backend, cpuPath } = task;
  const send = (message: ProgressMessage) => port.postMessage(message);
  let pending: EpochMetrics[] = [];
  let start: ProgressMessage | null = null; // sent with the first batch: one wake-up of the server, not two
  let lastSentMs = 0; // epoch 0 goes out at once
  const flush = () => {
    if (start !== null) {
      send(start);
      start = null;
    }
    if (pending.length === 0) return;
    send({ type: 'epochs', runId, metrics: pending });
    pending = [];
    lastSentMs = Date.now();
  };
  try {
    const result = runTraining(
      config,
      (metrics) => {
        pending.push(metrics);
        if (Date.now() - lastSentMs >= EPOCH_BATCH_MS) flush();
      },
      (theoryPreVar) => { start = { type: 'start', runId, theoryPreVar }; },
      { backend, cpuPath },
    );
    const { epochs, ...rest } = result;
    return { ...rest, epochsCompleted: epochs.at(-1)?.epoch ?? 0 };
  } finally {
    // Progress is not ordered against the task's resolution: 'end' tells the server it has every epoch.
    flush();
    send({ type: 'end', runId });
    port.close();
  }
}
