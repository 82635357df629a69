// An in-test executor: records which runs were dispatched (and the jobs, with the backend each asked for) and lets
// the test finish them one by one. A finished run reports the backend and CPU path its job asked for, as a worker
// does ('js' for ts; without a CPU path, native reports 'generic', standing in for the worker's best path).
import { type Executor, type RunJob, RunNotStartedError, type RunProgress } from '../../server/executor.js';
import type { EpochMetrics } from '../../workers/core/types.js';
import type { TrainTaskResult } from '../../workers/protocol.js';

export function fakeEpoch(epoch: number): EpochMetrics {
  return {
    epoch, step: epoch * 10, trainLoss: 1 / (epoch + 1), trainAcc: 0.5 + epoch / 100, valLoss: 1.1 / (epoch + 1),
    valAcc: 0.5 + epoch / 200, gradNorm: 1, clipped: false, clippedSteps: 0,
    layers: [{
      layer: 0, units: 4, actMean: 0, actStd: 1, preStd: 1, saturatedFrac: 0, deadFrac: 0, deltaNorm: 0.1,
      weightGradNorm: 0.1, weightNorm: 1, updateRatio: 0.01, distinctUnits: 4,
    }],
  };
}

interface Pending {
  job: RunJob;
  started: boolean;
  onProgress: (m: RunProgress) => void;
  resolve: (r: TrainTaskResult) => void;
  reject: (e: unknown) => void;
}

export interface FakeExecutorOptions {
  /** Executor.queueDepth (default: none, i.e. 1). */
  queueDepth?: number;
  /** The durationMs finished runs report (default 5). */
  durationMs?: number;
  /** Report 'start' only when the test calls start(runId), as a run held behind another does (default: at once). */
  manualStart?: boolean;
}

export function createFakeExecutor(threads: number, options: FakeExecutorOptions = {}) {
  const { durationMs = 5, manualStart = false } = options;
  const dispatched: number[] = [];
  const jobs: RunJob[] = [];
  const pending = new Map<number, Pending>();
  const executor: Executor & {
    dispatched: number[];
    jobs: RunJob[];
    runningIds(): number[];
    finish(runId: number, epochs?: number): void;
    diverge(runId: number, epoch: number): void;
    fail(runId: number, message: string): void;
    start(runId: number): void;
    aborted: number[];
  } = {
    threads,
    ...(options.queueDepth === undefined ? {} : { queueDepth: options.queueDepth }),
    aborted: [],
    dispatched,
    jobs,
    run(job, onProgress, signal) {
      dispatched.push(job.runId);
      jobs.push(job);
      return new Promise<TrainTaskResult>((resolve, reject) => {
        if (!manualStart) onProgress({ type: 'start', runId: job.runId, theoryPreVar: [1] });
        pending.set(job.runId, { job, started: !manualStart, onProgress, resolve, reject });
        signal.addEventListener('abort', () => {
          executor.aborted.push(job.runId);
          pending.delete(job.runId);
          reject(new DOMException('The operation was aborted', 'AbortError'));
        });
      });
    },
    runningIds: () => [...pending.keys()],
    /** The worker reports the run's start (manualStart). */
    start(runId) {
      const p = pending.get(runId);
      if (!p) throw new Error(`run ${runId} is not running`);
      p.started = true;
      p.onProgress({ type: 'start', runId, theoryPreVar: [1] });
    },
    finish(runId, epochs = 2) {
      const p = pending.get(runId);
      if (!p) throw new Error(`run ${runId} is not running`);
      pending.delete(runId);
      for (let e = 0; e <= epochs; e++) p.onProgress({ type: 'epochs', runId, metrics: [fakeEpoch(e)] });
      p.resolve({
        status: 'succeeded', verdicts: [{ kind: 'healthy', evidence: 'fake' }], divergence: null,
        theoryPreVar: [1], backend: p.job.backend,
        cpuPath: p.job.cpuPath ?? (p.job.backend === 'ts' ? 'js' : 'generic'), durationMs, epochsCompleted: epochs,
      });
    },
    /** Reports epochs 0..epoch, then a loss that went non-finite at `epoch`: the run ends diverged. */
    diverge(runId, epoch) {
      const p = pending.get(runId);
      if (!p) throw new Error(`run ${runId} is not running`);
      pending.delete(runId);
      for (let e = 0; e <= epoch; e++) p.onProgress({ type: 'epochs', runId, metrics: [fakeEpoch(e)] });
      p.resolve({
        status: 'diverged', verdicts: [], divergence: { epoch, step: epoch * 10, layer: null, quantity: 'loss' },
        theoryPreVar: [1], backend: p.job.backend,
        cpuPath: p.job.cpuPath ?? (p.job.backend === 'ts' ? 'js' : 'generic'), durationMs, epochsCompleted: epoch,
      });
    },
    fail(runId, message) {
      const p = pending.get(runId);
      if (!p) throw new Error(`run ${runId} is not running`);
      pending.delete(runId);
      // As the real pool does: a run that never began (its thread went down first) rejects with RunNotStartedError.
      p.reject(p.started ? new Error(message) : new RunNotStartedError(new Error(message)));
    },
    async close() {
      pending.clear();
    },
  };
  return executor;
}

/** Lets promise callbacks (the scheduler's .then/.finally chain) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
