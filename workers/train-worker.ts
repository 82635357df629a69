// The Piscina worker: trains a task's runs one after the other and streams their epochs and outcomes over the
// task's MessagePort, in posts that gather what happened since the last one (see ProgressPost in protocol.ts).
// It never touches SQLite; the server process is the only writer.
import { runTraining } from './run.js';
import type { EpochMetrics } from './core/types.js';
import { startRunClock, type ProgressMessage, type ProgressPost, type TaskRun, type TrainTask, type TrainTaskResult } from './protocol.js';

/**
 * Progress is posted at most this often (and whatever is left at the end; the first epoch 0 at once): a native
 * run can finish an epoch every millisecond, and a message per epoch would wake the server's thread more often than
 * the dashboard, which batches its updates per 250 ms, could show. Every wake-up costs more than its handling: on a
 * machine whose cores all train, the server's thread must preempt a training thread to take it.
 */
export const EPOCH_BATCH_MS = 50;

/** What one run reports while it trains: its theory once, then each epoch. */
export interface RunReporter {
  start(theoryPreVar: number[]): void;
  epoch(metrics: EpochMetrics): void;
}

/** Trains one run; the task's loop reports its outcome. Tests swap in a misbehaving one (test/fixtures/fault-worker). */
export type RunTrainer = (run: TaskRun, report: RunReporter) => TrainTaskResult;

export const trainRun: RunTrainer = (run, report) => {
  const { epochs, ...rest } = runTraining(
    run.config, (metrics) => report.epoch(metrics), (theory) => report.start(theory),
    { backend: run.backend, cpuPath: run.cpuPath },
  );
  return { ...rest, epochsCompleted: epochs.at(-1)?.epoch ?? 0 };
};

/** The Piscina task function for a trainer: every run of the task in order, each outcome on the port. */
export function createTrainTask(train: RunTrainer): (task: TrainTask) => number {
  return function trainTask({ runs, port, clock }: TrainTask): number {
    let gathered: ProgressPost = [];
    let epochs: EpochMetrics[] | null = null; // the current run's epochs since the last post
    let epochsOf = 0;
    let lastSentMs = 0; // the first epoch 0 goes out at once: an epoch may take minutes, and the page shows the run has begun
    const settleEpochs = () => {
      if (epochs !== null && epochs.length > 0) gathered.push({ type: 'epochs', runId: epochsOf, metrics: epochs });
      epochs = null;
    };
    const post = () => {
      settleEpochs();
      port.postMessage(gathered);
      gathered = [];
      lastSentMs = Date.now();
    };
    const add = (message: ProgressMessage) => {
      settleEpochs();
      gathered.push(message);
    };
    let trained = 0;
    try {
      runs.forEach((run, index) => {
        startRunClock(clock, index, Date.now());
        const { runId } = run;
        const report: RunReporter = {
          start: (theoryPreVar) => add({ type: 'start', runId, theoryPreVar }),
          epoch: (metrics) => {
            if (epochs === null) {
              epochs = [];
              epochsOf = runId;
            }
            epochs.push(metrics);
            if (Date.now() - lastSentMs >= EPOCH_BATCH_MS) post();
          },
        };
        try {
          const result = train(run, report);
          // A run whose start has not gone out yet needs none: its result carries the same theory.
          const start = gathered.findIndex((m) => m.type === 'start' && m.runId === runId);
          if (start >= 0) gathered.splice(start, 1);
          add({ type: 'result', runId, result });
        } catch (error) {
          const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
          add({ type: 'failed', runId, name, message });
        }
        trained += 1;
      });
    } finally {
      // Progress is not ordered against the task's resolution: 'end' tells the server it has every outcome.
      add({ type: 'end' });
      post();
      port.close();
    }
    return trained;
  };
}

export default createTrainTask(trainRun);
