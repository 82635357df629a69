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
// Short runs: once a sweep's runs prove short (the last one trained for under PREFETCH_BELOW_MS), each thread is
// also given the next run to hold behind the one it trains (Executor.queueDepth), so it starts it at once instead
// of idling while the server's thread records the last run and dispatches the next: +25–35% runs a second on
// ~10 ms runs. Such a held run is 'running' in the store until the run ahead of it ends. A cancel
// aborts the runs that have started; a held one is stopped when it reports its start (aborting it earlier would
// take down the thread, and with it the run that thread trains). A held run whose thread went down before it
// started (the run ahead of it crashed its thread, or was aborted) is not its fault: it is queued again, once.
import { SweepBusyError } from '../db/errors.js';
import type { Store } from '../db/store.js';
import type { SweepDeletion } from '../db/types.js';
import { type BackendPin, defaultRunBackend, describeBackend, type RunBackend, runRequest, specPin } from './backend-choice.js';
import type { EventBus } from './events.js';
import { type Executor, type RunProgress, ServerShutdown } from './executor.js';
import type { MetricsWriter } from './metrics-writer.js';
import { checkRunMemory, defaultMaxRunMb } from './run-memory.js';
import { DEFAULT_MAX_RUNS, expandSweep, parseSweepSpec } from './sweep-spec.js';

/** Runs a newly active sweep may dispatch before it shares the threads evenly with the sweeps already running. */
export const HEAD_START_RUNS = 16;

/** A sweep whose last run trained for less than this gets runs held behind the running ones (see above). */
export const PREFETCH_BELOW_MS = 250;

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
  /** Its last run trained for less than PREFETCH_BELOW_MS: threads may hold its next runs. */
  shortRuns: boolean;
}

interface RunningRun {
  sweepId: number;
  controller: AbortController;
  /**
   * Cancelled with its sweep: the store already says so (and a re-run may already have queued it again as a new
   * attempt, whose epochs the writer keeps apart); the worker is being aborted and its outcome is not recorded.
   */
  cancelled: boolean;
  /** The worker has reported the run's start (its first progress message); until then it may be held behind another. */
  started: boolean;
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
  const running = new Map<number, RunningRun>();
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
      active.set(sweepId, { id: sweepId, queue, dispatched: start, running: 0, pin, shortRuns: false });
    }
    // Runs left running that the store kept at start (their job still lives on the cluster queue): re-attach.
    for (const runId of store.runningRunIds(sweepId)) {
      if (!running.has(runId)) launch(active.get(sweepId)!, runId, true);
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

  function pump() {
    const held = executor.threads * Math.max(1, executor.queueDepth ?? 1);
    while (!closing && running.size < held) {
      const sweep = pickSweep();
      if (!sweep) return;
      if (running.size >= executor.threads && !sweep.shortRuns) return; // every thread trains: hold only short runs
      const runId = sweep.queue.shift()!;
      sweep.dispatched += 1;
      launch(sweep, runId);
    }
  }

  function launch(sweep: ActiveSweep, runId: number, reattach = false) {
    if (!reattach && store.getRun(runId).status !== 'queued') return; // cancelled or re-queued meanwhile
    const held = !reattach && running.size >= executor.threads;
    const run = reattach ? store.getRun(runId) : store.startRun(runId, now());
    const config = run.config;
    const entry: RunningRun = { sweepId: sweep.id, controller: new AbortController(), cancelled: false, started: reattach };
    running.set(runId, entry);
    sweep.running += 1;
    if (reattach) sweep.dispatched += 1;
    events.publish({ type: 'run-started', sweepId: sweep.id, runId });
    const onProgress = (message: RunProgress) => {
      if (!entry.started) {
        entry.started = true;
        if (entry.cancelled) entry.controller.abort(); // held while its sweep was cancelled: stop it now
      }
      if (entry.cancelled) return;
      if (message.type === 'host') {
        store.setRunHost(runId, message.host);
        return;
      }
      if (message.type === 'start') {
        store.setRunTheory(runId, message.theoryPreVar);
        return;
      }
      for (const metrics of message.metrics) writer.push(runId, metrics, run.attempt);
      events.publish({ type: 'run-epochs', sweepId: sweep.id, runId, epochs: message.metrics });
    };
    executor
      .run({
        runId, config, attempt: run.attempt, startedAt: run.startedAt ?? undefined, ...runRequest(sweep.pin, defaultBackend),
        ...(held ? { held } : {}),
      }, onProgress, entry.controller.signal)
      .then(
        (result) => {
          if (entry.cancelled) return; // finished just as the cancel came in: it stays cancelled
          requeuedUnstarted.delete(runId);
          sweep.shortRuns = result.durationMs < PREFETCH_BELOW_MS;
          writer.flushRun(runId);
          store.finishRun(runId, {
            status: result.status,
            verdicts: result.verdicts,
            divergence: result.divergence,
            theoryPreVar: result.theoryPreVar,
            durationMs: result.durationMs,
            epochsCompleted: result.epochsCompleted,
            backend: result.backend,
            cpuPath: result.cpuPath,
            finishedAt: now(),
          });
          events.publish({ type: 'run-finished', sweepId: sweep.id, runId, status: result.status });
        },
        (error: unknown) => {
          if (closing) return; // left 'running': the next start requeues it
          if (entry.cancelled) return;
          if (!entry.started && !requeuedUnstarted.has(runId)) {
            // Held behind a run whose thread went down: it never began, so it goes back to the front of its queue.
            requeuedUnstarted.add(runId);
            store.requeueRun(runId);
            sweep.queue.unshift(runId);
            sweep.dispatched -= 1;
            return;
          }
          requeuedUnstarted.delete(runId);
          writer.flushRun(runId);
          store.failRun(runId, describeError(error), now());
          events.publish({ type: 'run-finished', sweepId: sweep.id, runId, status: 'failed' });
        },
      )
      .catch((error: unknown) => {
        // Recording the outcome itself failed (e.g. the database is gone): say so, don't crash the server.
        console.error(`initlab: could not record the outcome of run ${runId}:`, error);
      })
      .finally(() => {
        running.delete(runId);
        sweep.running -= 1;
        if (closing) return;
        events.publish({ type: 'sweep-progress', sweepId: sweep.id });
        settleSweep(sweep.id);
        pump();
      });
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
      writer.flush(); // keep the epochs the running runs have reported so far
      // One transaction: queued and running runs, and the sweep, all become cancelled together.
      const { cancelledRunIds, runningRunIds } = store.cancelSweep(sweepId, now());
      const sweep = active.get(sweepId);
      if (sweep) sweep.queue.length = 0;
      for (const entry of running.values()) {
        if (entry.sweepId !== sweepId) continue;
        entry.cancelled = true;
        // A run held behind another is stopped when it starts: aborting it now would end that thread's run too.
        if (entry.started) entry.controller.abort();
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
      closing = true;
      for (const entry of running.values()) entry.controller.abort(new ServerShutdown());
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
