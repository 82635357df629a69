// In-process publisher for live updates: run lifecycle, epoch progress and sweep progress.
// Lifecycle events go out at once; epoch and sweep-progress events are coalesced per key and flushed at most
// once per `intervalMs`, so a fast sweep cannot flood subscribers (epochs are batched, never dropped).
import type { EpochMetrics } from '../workers/core/types.js';

export type LiveEvent =
  | { type: 'run-started'; sweepId: number; runId: number }
  | { type: 'run-epochs'; sweepId: number; runId: number; epochs: EpochMetrics[] }
  | { type: 'run-finished'; sweepId: number; runId: number; status: string }
  | { type: 'sweep-progress'; sweepId: number }
  | { type: 'sweep-finished'; sweepId: number; status: string };

export type Listener = (event: LiveEvent) => void;

export interface EventBus {
  publish(event: LiveEvent): void;
  /** Subscribe to every event (the stream routes filter by sweep or run). Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void;
  /** Delivers everything coalesced so far at once (used before a run's finish is announced, and in tests). */
  flush(): void;
  close(): void;
  readonly listenerCount: number;
}

export function createEventBus({ intervalMs = 250 } = {}): EventBus {
  const listeners = new Set<Listener>();
  const pendingEpochs = new Map<number, { sweepId: number; epochs: EpochMetrics[] }>();
  const pendingSweeps = new Set<number>();
  let timer: NodeJS.Timeout | null = null;

  function deliver(event: LiveEvent) {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken subscriber must not break the scheduler or other subscribers; but it is a bug, so say so.
        console.error(`initlab: an event listener threw on '${event.type}':`, error);
      }
    }
  }

  function flush() {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    for (const [runId, { sweepId, epochs }] of pendingEpochs) deliver({ type: 'run-epochs', sweepId, runId, epochs });
    pendingEpochs.clear();
    for (const sweepId of pendingSweeps) deliver({ type: 'sweep-progress', sweepId });
    pendingSweeps.clear();
  }

  function schedule() {
    if (!timer) {
      timer = setTimeout(flush, intervalMs);
      timer.unref();
    }
  }

  return {
    publish(event) {
      if (listeners.size === 0) return; // nobody listens (a headless sweep, a bench): nothing to gather
      if (event.type === 'run-epochs') {
        const pending = pendingEpochs.get(event.runId);
        if (pending) pending.epochs.push(...event.epochs);
        else pendingEpochs.set(event.runId, { sweepId: event.sweepId, epochs: [...event.epochs] });
        schedule();
      } else if (event.type === 'sweep-progress') {
        pendingSweeps.add(event.sweepId);
        schedule();
      } else {
        // A run's epochs must reach subscribers before its end does.
        if (event.type === 'run-finished' || event.type === 'sweep-finished') flush();
        deliver(event);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    flush,
    close() {
      flush();
      listeners.clear();
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}
