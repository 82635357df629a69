// The Piscina worker: runs one training run per task and streams its epochs over the task's MessagePort, in posts
// that gather what happened since the last one (see ProgressPost in protocol.ts).
// It never touches SQLite; the server process is the only writer.
import { runTraining } from './run.js';
import type { EpochMetrics } from './core/types.js';
import type { ProgressMessage, ProgressPost, TrainTask, TrainTaskResult } from './protocol.js';

/**
 * Progress is posted at most this often (and whatever is left at the end; epoch 0 at once): a native
 * run can finish an epoch every millisecond, and a message per epoch would wake the server's thread more often than
 * the dashboard, which batches its updates per 250 ms, could show. Every wake-up costs more than its handling: on a
 * machine whose cores all train, the server's thread must preempt a training thread to take it.
 */
export const EPOCH_BATCH_MS = 50;

export default function trainTask(task: TrainTask): TrainTaskResult {
  const { runId, config, port, backend, cpuPath } = task;
  const post = (messages: ProgressPost) => port.postMessage(messages);
  let pending: EpochMetrics[] = [];
  let start: ProgressMessage | null = null; // goes out with the first batch
  let lastSentMs = 0; // epoch 0 goes out at once: an epoch may take minutes, and the page shows the run has begun
  const gather = (): ProgressPost => {
    const messages: ProgressPost = start === null ? [] : [start];
    start = null;
    if (pending.length > 0) messages.push({ type: 'epochs', runId, metrics: pending });
    pending = [];
    lastSentMs = Date.now();
    return messages;
  };
  try {
    const result = runTraining(
      config,
      (metrics) => {
        pending.push(metrics);
        if (Date.now() - lastSentMs >= EPOCH_BATCH_MS) post(gather());
      },
      (theoryPreVar) => { start = { type: 'start', runId, theoryPreVar }; },
      { backend, cpuPath },
    );
    const { epochs, ...rest } = result;
    return { ...rest, epochsCompleted: epochs.at(-1)?.epoch ?? 0 };
  } finally {
    // Progress is not ordered against the task's resolution: 'end' tells the server it has every epoch.
    post([...gather(), { type: 'end', runId }]);
    port.close();
  }
}
