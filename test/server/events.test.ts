import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEventBus, type LiveEvent } from '../../server/events.js';
import type { EpochMetrics } from '../../workers/core/types.js';

function epoch(n: number): EpochMetrics {
  return {
    epoch: n, step: n * 10, trainLoss: 1 / (n + 1), trainAcc: 0.5, valLoss: 1, valAcc: 0.5,
    gradNorm: 1, clipped: false, clippedSteps: 0, layers: [],
  };
}

describe('event bus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces epoch events per run into one batch per interval without dropping any', () => {
    vi.useFakeTimers();
    const bus = createEventBus({ intervalMs: 250 });
    const seen: LiveEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    for (let i = 0; i < 100; i++) bus.publish({ type: 'run-epochs', sweepId: 1, runId: 7, epochs: [epoch(i)] });
    expect(seen).toHaveLength(0);
    vi.advanceTimersByTime(250);
    expect(seen).toHaveLength(1);
    const batch = seen[0] as Extract<LiveEvent, { type: 'run-epochs' }>;
    expect(batch.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('throttles sweep progress to one event per sweep per interval', () => {
    vi.useFakeTimers();
    const bus = createEventBus({ intervalMs: 100 });
    const seen: LiveEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    for (let i = 0; i < 50; i++) {
      bus.publish({ type: 'sweep-progress', sweepId: 1 });
      bus.publish({ type: 'sweep-progress', sweepId: 2 });
    }
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([
      { type: 'sweep-progress', sweepId: 1 },
      { type: 'sweep-progress', sweepId: 2 },
    ]);
  });

  it('delivers a run\'s pending epochs before announcing that it finished', () => {
    vi.useFakeTimers();
    const bus = createEventBus({ intervalMs: 1000 });
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.type));
    bus.publish({ type: 'run-started', sweepId: 1, runId: 3 });
    bus.publish({ type: 'run-epochs', sweepId: 1, runId: 3, epochs: [epoch(0)] });
    bus.publish({ type: 'run-finished', sweepId: 1, runId: 3, status: 'succeeded' });
    expect(seen).toEqual(['run-started', 'run-epochs', 'run-finished']);
  });

  it('gathers nothing while nobody listens: a subscriber sees only what is published after it subscribed', () => {
    vi.useFakeTimers();
    const bus = createEventBus({ intervalMs: 100 });
    bus.publish({ type: 'run-epochs', sweepId: 1, runId: 3, epochs: [epoch(0)] });
    bus.publish({ type: 'sweep-progress', sweepId: 1 });
    const seen: LiveEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([]);
    bus.publish({ type: 'run-epochs', sweepId: 1, runId: 3, epochs: [epoch(1)] });
    vi.advanceTimersByTime(100);
    expect(seen).toEqual([{ type: 'run-epochs', sweepId: 1, runId: 3, epochs: [epoch(1)] }]);
  });

  it('keeps delivering to other subscribers when one throws, logs the error, and unsubscribes cleanly', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bus = createEventBus();
    const good: LiveEvent[] = [];
    bus.subscribe(() => {
      throw new Error('broken subscriber');
    });
    const off = bus.subscribe((e) => good.push(e));
    expect(bus.listenerCount).toBe(2);
    bus.publish({ type: 'run-started', sweepId: 1, runId: 1 });
    expect(good).toHaveLength(1);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0][0])).toContain("'run-started'");
    expect(logged.mock.calls[0][1]).toMatchObject({ message: 'broken subscriber' });
    logged.mockRestore();
    off();
    expect(bus.listenerCount).toBe(1);
  });
});
