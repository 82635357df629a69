// The scheduler: turns queued runs into executor tasks, shares the threads fairly between sweeps, and records
// every outcome through the store (the metrics writer for epochs). It owns no SQL and no HTML.
//
// Fairness: the threads are shared equally among the active sweeps, ties going to the older one (round-robin over
// sweeps in arrival order), with a bounded head start for newcomers. When a thread frees up, the next run comes from
// the active sweep with the lowest fair-share key (runs dispatched, offset as it joined; ties: the older sweep). A
// sweep that joins starts its key at the highest key among the sweeps with queued runs, minus a head start of up
// to HEAD_START_RUNS (its own size if smaller). So a 5-run sweep started behind a 5,000-run sweep gets the free
// threads for all its runs and finishes in about its own run time, while a second big sweep gets its head start and
// then shares the threads evenly. Bound: counted from a sweep's arrival, it is never dispatched while an older
// sweep with queued runs waits and has had HEAD_START_RUNS fewer runs than it (test/server/scheduler-properties).
// Starting from the highest key, not the lowest, keeps the bound as sweeps keep arriving: a newcomer never starts
// below the others' head starts. Each arrival may still delay an older sweep by up to its head start.
//
// Short runs: once a sweep's runs prove short (the last one trained for under PREFETCH_BELOW_MS), a task holds
// several of them (Executor.runBatch: about BATCH_TARGET_MS of training, fewer as the sweep's queue drains so each
// thread gets a share of its last runs), and each thread is also given the next task to hold behind the one it
// trains (Executor.queueDepth), so it starts it at once instead of idling while the server's thread records the
// last outcomes and dispatches. A task of k runs costs the server's thread one dispatch, a few posts and one
// transaction for its outcomes instead of k of each. The runs of a task are 'running' in the store from its
// dispatch. A cancel aborts the tasks that have started; a held one is stopped when it reports its start (aborting
// it earlier would take down the thread, and with it the task that thread trains). A run whose thread went down
// before its turn (the run ahead of it crashed the thread, or was aborted) is not at fault: it is queued again,
// once (RunNotStartedError; the executor knows from the task's clock which run was training).
import { SweepBusyError } from '../db/errors.js';
import type { Store } from '../db/store.js';
import type { SweepDeletion } from '../db/types.js';
import { type BackendPin, defaultRunBackend, describeBackend, type RunBackend, runRequest, specPin } from './backend-choice.js';
import type { EventBus } from './events.js';
import { type Executor, type RunJob, RunNotStartedError, type RunProgress, ServerShutdown } from './executor.js';
import type { MetricsWriter } from './metrics-writer.js';
import { checkRunMemory, defaultMaxRunMb } from './run-memory.js';
import { DEFAULT_MAX_RUNS, expandSweep, parseSweepSpec } from './sweep-spec.js';
import type { TrainTaskResult } from '../workers/protocol.js';

/** Runs a newly active sweep may dispatch before it shares the threads evenly with the sweeps already running. */
export const HEAD_START_RUNS = 16;

/** A sweep whose last run trained for less than this gets runs held behind the running ones (see above). */
export const PREFETCH_BELOW_MS = 250;

/** A task of short runs (Executor.runBatch) holds about this much training, and at most MAX_BATCH_RUNS runs. */
export const BATCH_TARGET_MS = 100;
export const MAX_BATCH_RUNS = 64;

export interface SchedulerDeps {
  store: Store;
  executor: Executor;
  writer: MetricsWriter;
  events: EventBus;
  /** Runs per sweep above which a spec is refused (default DEFAULT_MAX_RUNS, 5,000). */
  maxRunsPerSweep?: number;
  /** A run's estimated memory (server/run-memory.ts) above which a spec is refused; default defaultMaxRunMb(threads). */
  maxRunMb?: number;
  /**
   * The backend of runs whose sweep pins none, resolved once by the caller (`--backend`, INITLAB_BACKEND);
   * default: this process's default (native when the addon loads, else ts).
   */
  backend?: RunBackend;
  now?: () => number;
}

interface ActiveSweep {
  id: number;
  queue: number[];      // queued run ids in dispatch order
  dispatched: number;   // fair-share key: runs handed out, offset as the sweep joined
  running: number;
  /** The spec's `backend` / `cpuPath`, if it pins them. */
  pin: BackendPin | null;
  /** How long its last finished run trained (ms; null before the first): short runs are held and batched. */
  lastRunMs: number | null;
}

/** One executor task: a run, or several short runs of one sweep trained one after the other on one thread. */
interface RunningTask {
  sweepId: number;
  controller: AbortController;
  /**
   * Cancelled with its sweep: the store already says so (and a re-run may already have queued its runs again as
   * new attempts, whose epochs the writer keeps apart); the worker is being aborted and no outcome is recorded.
   */
  cancelled: boolean;
  /** The worker has reported progress (the task has begun); until then it may be held behind another. */
  started: boolean;
  /** Its runs without a recorded outcome yet. */
  left: number;
}

/** A run's outcome, waiting to be recorded with the others that arrived with it. */
interface SettledRun {
  sweep: ActiveSweep;
  task: RunningTask;
  runId: number;
  result?: TrainTaskResult;
  error?: unknown;
}

export interface SubmitResult {
  id: number;
  runs: number;
  duplicates: number;
}

export interface Scheduler {
  /**
   * Requeues runs a crash left running and (unless `resumeSweeps` is false) resumes every unfinished sweep.
   * The headless CLI passes false and resumes only the sweep it was asked for. Runs for which `keep(runId, attempt)`
   * holds stay running and are re-attached (cluster mode: their job is still on the queue).
   */
  start(options?: { resumeSweeps?: boolean; keep?: (runId: number, attempt: number) => boolean }): void;
  /** Starts dispatching a sweep's queued runs (after `start({ resumeSweeps: false })`). */
  resume(sweepId: number): void;
  submit(specInput: unknown): SubmitResult;
  /** Queued runs become cancelled at once; running ones are aborted. */
  cancel(sweepId: number): void;
  /** Re-queues a sweep's runs with the given statuses (default failed, diverged, cancelled); returns how many. */
  rerun(sweepId: number, statuses?: Array<'failed' | 'diverged' | 'cancelled'>): number;
  /**
   * Runs one run's config again as a new one-run sweep, pinned to the backend and CPU path the run recorded (or
   * else its sweep's pin), so the replay computes the same numbers bit for bit. The new sweep records the run it
   * replays (Sweep.replayOf), which is how its page knows to compare. Returns the new sweep's id.
   */
  replay(runId: number): SubmitResult;
  /**
   * Deletes a sweep with its runs and their metric rows (store.deleteSweep). Refused (SweepBusyError, 409) while the
   * sweep runs, and while runs of a just-cancelled sweep are still stopping (their outcome would name a gone sweep).
   */
  deleteSweep(sweepId: number): SweepDeletion;
  /** Runs per sweep above which submit refuses a spec (the form's preview says the same). */
  readonly maxRunsPerSweep: number;
  /** The per-run memory budget in MB above which submit refuses a spec (the form's preview says the same). */
  readonly maxRunMb: number;
  /** Resolves when the sweep has no queued or running runs left. */
  waitForSweep(sweepId: number): Promise<void>;
  readonly runningCount: number;
  /** Stops dispatching and aborts running runs, leaving them 'running' so the next start requeues them. */
  close(): Promise<void>;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, executor, writer, events } = deps;
  const now = deps.now ?? Date.now;
  const maxRuns = deps.maxRunsPerSweep ?? DEFAULT_MAX_RUNS;
  const maxRunMb = deps.maxRunMb ?? defaultMaxRunMb(executor.threads);
  const defaultBackend = deps.backend ?? defaultRunBackend();
  const active = new Map<number, ActiveSweep>();
  /** Every dispatched run without a recorded outcome, with its task. */
  const running = new Map<number, RunningTask>();
  let tasks = 0; // executor tasks in flight
  /** Outcomes not yet recorded (recordOutcomes runs once the event loop's current turn is over). */
  const outcomes: SettledRun[] = [];
  const waiters = new Map<number, Array<() => void>>();
  /** Runs queued again because their thread went down before they started: the next such failure is theirs. */
  const requeuedUnstarted = new Set<number>();
  let closing = false;
  executor.onThreadsChange?.(() => pump()); // cluster hosts joined: dispatch to their threads

  function activate(sweepId: number) {
    const queue = store.queuedRunIds(sweepId);
    const existing = active.get(sweepId);
    if (existing) {
      const known = new Set(existing.queue);
      for (const id of queue) if (!known.has(id)) existing.queue.push(id);
    } else {
      let highest = -Infinity;
      for (const sweep of active.values()) if (sweep.queue.length > 0) highest = Math.max(highest, sweep.dispatched);
      const start = highest === -Infinity ? 0 : highest - Math.min(queue.length, HEAD_START_RUNS);
      const pin = specPin(store.getSweep(sweepId).spec);
      active.set(sweepId, { id: sweepId, queue, dispatched: start, running: 0, pin, lastRunMs: null });
    }
    // Runs left running that the store kept at start (their job still lives on the cluster queue): re-attach.
    for (const runId of store.runningRunIds(sweepId)) {
      if (!running.has(runId)) launch(active.get(sweepId)!, [runId], true);
    }
    settleSweep(sweepId);
    pump();
  }

  function pickSweep(): ActiveSweep | undefined {
    let best: ActiveSweep | undefined;
    for (const sweep of active.values()) {
      if (sweep.queue.length === 0) continue;
      if (!best || sweep.dispatched < best.dispatched) best = sweep;
    }
    return best;
  }

  /** Its last run trained for less than PREFETCH_BELOW_MS: its runs are held behind others, several to a task. */
  function hasShortRuns(sweep: ActiveSweep): sweep is ActiveSweep & { lastRunMs: number } {
    return sweep.lastRunMs !== null && sweep.lastRunMs < PREFETCH_BELOW_MS;
  }

  /**
   * Runs per task: one, or for a sweep of short runs on an executor that trains batches, enough to fill about
   * BATCH_TARGET_MS, fewer as the sweep's queue drains so that every thread still gets a share of its last runs.
   */
  function batchSize(sweep: ActiveSweep): number {
    if (executor.runBatch === undefined || !hasShortRuns(sweep)) return 1;
    const fill = Math.floor(BATCH_TARGET_MS / Math.max(sweep.lastRunMs, 1));
    const share = Math.floor(sweep.queue.length / (executor.threads * Math.max(1, executor.queueDepth ?? 1)));
    return Math.max(1, Math.min(MAX_BATCH_RUNS, fill, share));
  }

  function pump() {
    const capacity = executor.threads * Math.max(1, executor.queueDepth ?? 1);
    while (!closing && tasks < capacity) {
      const sweep = pickSweep();
      if (!sweep) return;
      if (tasks >= executor.threads && !hasShortRuns(sweep)) return; // every thread trains: hold only short runs
      const runIds = sweep.queue.splice(0, batchSize(sweep));
      sweep.dispatched += runIds.length;
      launch(sweep, runIds);
    }
  }

  function launch(sweep: ActiveSweep, runIds: number[], reattach = false) {
    // Runs cancelled or re-queued since they were queued are skipped.
    const runs = reattach ? runIds.map((runId) => store.getRun(runId)) : store.startQueuedRuns(runIds, now());
    if (runs.length === 0) return;
    const held = !reattach && tasks >= executor.threads;
    const task: RunningTask = { sweepId: sweep.id, controller: new AbortController(), cancelled: false, started: reattach, left: runs.length };
    tasks += 1;
    for (const run of runs) {
      running.set(run.id, task);
      sweep.running += 1;
      if (reattach) sweep.dispatched += 1;
      events.publish({ type: 'run-started', sweepId: sweep.id, runId: run.id });
    }
    const attempts = new Map(runs.map((run) => [run.id, run.attempt]));
    const onProgress = (message: RunProgress) => {
      if (!task.started) {
        task.started = true;
        if (task.cancelled) task.controller.abort(); // held while its sweep was cancelled: stop it now
      }
      if (task.cancelled) return;
      const { runId } = message;
      if (message.type === 'host') {
        store.setRunHost(runId, message.host);
        return;
      }
      if (message.type === 'start') {
        store.setRunTheory(runId, message.theoryPreVar);
        return;
      }
      for (const metrics of message.metrics) writer.push(runId, metrics, attempts.get(runId));
      events.publish({ type: 'run-epochs', sweepId: sweep.id, runId, epochs: message.metrics });
    };
    const jobs: RunJob[] = runs.map((run) => ({
      runId: run.id, config: run.config, attempt: run.attempt, startedAt: run.startedAt ?? undefined,
      ...runRequest(sweep.pin, defaultBackend), ...(held ? { held } : {}),
    }));
    const outcomes = jobs.length === 1
      ? [executor.run(jobs[0]!, onProgress, task.controller.signal)]
      : executor.runBatch!(jobs, onProgress, task.controller.signal);
    outcomes.forEach((outcome, i) => record(sweep, task, jobs[i]!.runId, outcome));
  }

  /**
   * Gathers one run's outcome: outcomes that arrive together (a task's post carries several) are recorded together,
   * once the current turn of the event loop is over (recordOutcomes): one transaction for their epochs, one for their
   * finishes, one update event per sweep.
   */
  function record(sweep: ActiveSweep, task: RunningTask, runId: number, outcome: Promise<TrainTaskResult>) {
    const gather = (settled: Omit<SettledRun, 'sweep' | 'task' | 'runId'>) => {
      outcomes.push({ sweep, task, runId, ...settled });
      if (outcomes.length === 1) setImmediate(recordOutcomes);
    };
    outcome.then((result) => gather({ result }), (error: unknown) => gather({ error }));
  }

  /** Records the gathered outcomes, frees their places (and their tasks' threads, after a task's last run), and dispatches. */
  function recordOutcomes() {
    if (outcomes.length === 0) return;
    const settled = outcomes.splice(0);
    const finishes: SettledRun[] = [];
    const finished: Array<{ sweepId: number; runId: number; status: 'succeeded' | 'diverged' | 'failed' }> = [];
    try {
      if (!closing) writer.flush(); // the epochs of every run about to be finished (and of the others: no harm)
    } catch (error) {
      console.error('initlab: could not store the epochs of finished runs:', error);
    }
    for (const run of settled) {
      const { sweep, task, runId, error } = run;
      try {
        if (task.cancelled) continue; // finished or stopped as the cancel came in: it stays cancelled
        if (run.result !== undefined) {
          finishes.push(run);
          continue;
        }
        if (closing) continue; // left 'running': the next start requeues it
        if (error instanceof RunNotStartedError && !requeuedUnstarted.has(runId)) {
          // Its thread went down (or its task was stopped) before its turn: it goes back to the front of its queue.
          requeuedUnstarted.add(runId);
          store.requeueRun(runId);
          sweep.queue.unshift(runId);
          sweep.dispatched -= 1;
          continue;
        }
        requeuedUnstarted.delete(runId);
        store.failRun(runId, describeError(error), now());
        finished.push({ sweepId: sweep.id, runId, status: 'failed' });
      } catch (recordError) {
        // Recording the outcome itself failed (e.g. the database is gone): say so, don't crash the server.
        console.error(`initlab: could not record the outcome of run ${runId}:`, recordError);
      }
    }
    if (finishes.length > 0) {
      const finishedAt = now();
      try {
        store.finishRuns(finishes.map(({ runId, result }) => ({
          runId,
          summary: {
            status: result!.status, verdicts: result!.verdicts, divergence: result!.divergence,
            theoryPreVar: result!.theoryPreVar, durationMs: result!.durationMs, epochsCompleted: result!.epochsCompleted,
            backend: result!.backend, cpuPath: result!.cpuPath, finishedAt,
          },
        })));
        for (const { sweep, runId, result } of finishes) {
          requeuedUnstarted.delete(runId);
          sweep.lastRunMs = result!.durationMs;
          finished.push({ sweepId: sweep.id, runId, status: result!.status });
        }
      } catch (recordError) {
        console.error(`initlab: could not record the outcomes of runs ${finishes.map((f) => f.runId).join(', ')}:`, recordError);
      }
    }
    for (const { sweepId, runId, status } of finished) events.publish({ type: 'run-finished', sweepId, runId, status });
    const sweeps = new Set<ActiveSweep>();
    for (const { sweep, task, runId } of settled) {
      running.delete(runId);
      sweep.running -= 1;
      task.left -= 1;
      if (task.left === 0) tasks -= 1;
      sweeps.add(sweep);
    }
    if (closing) return;
    for (const sweep of sweeps) {
      events.publish({ type: 'sweep-progress', sweepId: sweep.id });
      settleSweep(sweep.id);
    }
    pump();
  }

  /** Finishes the sweep in the store once nothing of it is queued or running, and wakes its waiters. */
  function settleSweep(sweepId: number) {
    const sweep = active.get(sweepId);
    if (sweep && (sweep.queue.length > 0 || sweep.running > 0)) return;
    active.delete(sweepId);
    const status = store.finishSweepIfDone(sweepId);
    if (status) events.publish({ type: 'sweep-finished', sweepId, status });
    for (const wake of waiters.get(sweepId) ?? []) wake();
    waiters.delete(sweepId);
  }

  function submit(specInput: unknown, replayOf: number | null): SubmitResult {
    const spec = parseSweepSpec(specInput, { maxRuns });
    const plan = expandSweep(spec, { maxRuns });
    checkRunMemory(spec, plan.runs, maxRunMb);
    const { id } = store.createSweep({
      name: spec.name,
      spec,
      varying: plan.varying,
      runs: plan.runs,
      replayOf,
      createdAt: now(),
    });
    activate(id);
    return { id, runs: plan.runs.length, duplicates: plan.duplicates };
  }

  return {
    start({ resumeSweeps = true, keep } = {}) {
      store.requeueInterrupted(undefined, keep);
      if (resumeSweeps) for (const sweepId of store.unfinishedSweepIds()) activate(sweepId);
    },

    resume(sweepId) {
      store.getSweep(sweepId);
      activate(sweepId);
    },

    submit(specInput) {
      return submit(specInput, null);
    },

    cancel(sweepId) {
      if (store.getSweep(sweepId).status !== 'running') return; // finished or cancelled already: nothing to do
      recordOutcomes(); // runs that ended before the cancel keep their outcome
      writer.flush(); // keep the epochs the running runs have reported so far
      // One transaction: queued and running runs, and the sweep, all become cancelled together.
      const { cancelledRunIds, runningRunIds } = store.cancelSweep(sweepId, now());
      const sweep = active.get(sweepId);
      if (sweep) sweep.queue.length = 0;
      for (const task of new Set(running.values())) {
        if (task.sweepId !== sweepId) continue;
        task.cancelled = true;
        // A task held behind another is stopped when it starts: aborting it now would end that thread's run too.
        if (task.started) task.controller.abort();
      }
      for (const runId of [...runningRunIds, ...cancelledRunIds]) {
        events.publish({ type: 'run-finished', sweepId, runId, status: 'cancelled' });
      }
      events.publish({ type: 'sweep-progress', sweepId });
      settleSweep(sweepId);
    },

    rerun(sweepId, statuses = ['failed', 'diverged', 'cancelled']) {
      // A run cancelled a moment ago is already 'cancelled' in the store, even while its worker is stopping.
      const count = store.requeueRuns(sweepId, statuses);
      if (count > 0) {
        if (store.getSweep(sweepId).status !== 'running') store.setSweepStatus(sweepId, 'running', null);
        activate(sweepId);
        events.publish({ type: 'sweep-progress', sweepId });
      }
      return count;
    },

    replay(runId) {
      const run = store.getRun(runId);
      const sweep = store.getSweep(run.sweepId);
      const pin: BackendPin | null = run.backend !== null
        ? { backend: run.backend, ...(run.cpuPath !== null ? { cpuPath: run.cpuPath } : {}) }
        : specPin(sweep.spec);
      const on = pin === null ? '' : ` on the ${describeBackend(pin)}`;
      return submit({
        name: `replay of run ${runId} (${sweep.name})`,
        description: `Replays run ${runId} of sweep ${sweep.id} with the same config and seed${on}.`,
        base: run.config,
        ...pin,
      }, runId);
    },

    deleteSweep(sweepId) {
      if (active.has(sweepId) || store.getSweep(sweepId).status === 'running') {
        throw new SweepBusyError(sweepId, 'is still running: cancel it first');
      }
      for (const entry of running.values()) {
        if (entry.sweepId === sweepId) throw new SweepBusyError(sweepId, 'has runs still stopping: try again in a moment');
      }
      return store.deleteSweep(sweepId);
    },

    waitForSweep(sweepId) {
      if (!active.has(sweepId)) return Promise.resolve();
      return new Promise((resolve) => {
        const list = waiters.get(sweepId) ?? [];
        list.push(resolve);
        waiters.set(sweepId, list);
      });
    },

    get runningCount() {
      return running.size;
    },

    maxRunsPerSweep: maxRuns,
    maxRunMb,

    async close() {
      recordOutcomes(); // runs that ended before the shutdown keep their outcome
      closing = true;
      for (const task of running.values()) task.controller.abort(new ServerShutdown());
      writer.flush();
      for (const list of waiters.values()) for (const wake of list) wake();
      waiters.clear();
    },
  };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
