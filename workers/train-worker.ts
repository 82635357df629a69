// The Piscina worker: runs one training run per task and streams its epochs over the task's MessagePort.
// It never touches SQLite; the server process is the only writer.
import { runTraining } from './run.js';
import type { ProgressMessage, TrainTask, TrainTaskResult } from './protocol.js';

export default function trainTask(task: TrainTask): TrainTaskResult {
  const { runId, config, port, backend, cpuPath } = task;
  const send = (message: ProgressMessage) => port.postMessage(message);
  try {
    const result = runTraining(
      config,
      (metrics) => send({ type: 'epoch', runId, metrics }),
      (theoryPreVar) => send({ type: 'start', runId, theoryPreVar }),
      { backend, cpuPath },
    );
    const { epochs, ...rest } = result;
    return { ...rest, epochsCompleted: epochs.at(-1)?.epoch ?? 0 };
  } finally {
    // Progress is not ordered against the task's resolution: 'end' tells the server it has every epoch.
    send({ type: 'end', runId });
    port.close();
  }
}
