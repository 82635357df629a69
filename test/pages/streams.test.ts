// The live streams (SSE) over a real app and event bus, with a fake executor the test drives.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { createCoalescer, formatSse } from '../../server/sse.js';
import { createFakeExecutor, fakeEpoch, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';
import { formatIdList, parseIdList } from '../../server/id-list.js';
import { nextChangedRuns, openSse } from './sse-client.js';

const spec = (name: string, seeds = [1, 2]) => ({
  name,
  base: { model: { hidden: [4] }, train: { epochs: 6 } },
  grid: { 'model.init': ['zeros', 'xavier_uniform'], 'model.activation': ['tanh', 'relu'], seed: seeds },
});

describe('SSE framing and coalescing', () => {
  it('prefixes every line of a multi-line payload with data:', () => {
    expect(formatSse({ event: 'epochs', id: 3, data: 'a\nb\r\nc' })).toBe('event: epochs\nid: 3\ndata: a\ndata: b\ndata: c\n\n');
    expect(formatSse({ data: '<p>x</p>' })).toBe('data: <p>x</p>\n\n');
  });

  it('writes changed run ids compactly, consecutive ids as ranges, and reads them back', () => {
    expect(formatIdList([7, 3, 4, 5, 9, 10, 12])).toBe('3-5,7,9-10,12');
    expect(formatIdList(new Set([1]))).toBe('1');
    expect(formatIdList([])).toBe('');
    expect(parseIdList('3-5,7,9-10,12')).toEqual([3, 4, 5, 7, 9, 10, 12]);
    expect(parseIdList('')).toEqual([]);
    const many = Array.from({ length: 500 }, (_, i) => 1000 + 2 * i);
    expect(parseIdList(formatIdList(many))).toEqual(many);
  });

  it('coalesces marks within the interval into one trailing flush', () => {
    vi.useFakeTimers();
    try {
      const flush = vi.fn();
      const c = createCoalescer(500, flush);
      c.mark();
      vi.advanceTimersByTime(0);
      expect(flush).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 50; i++) c.mark();
      vi.advanceTimersByTime(499);
      expect(flush).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(flush).toHaveBeenCalledTimes(2);
      c.mark();
      c.cancel();
      vi.advanceTimersByTime(1000);
      expect(flush).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('live streams', () => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;

  beforeAll(async () => {
    executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor, eventIntervalMs: 20 });
    services.scheduler.start();
    server = await serveApp(services, { heartbeatMs: 100 });
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  async function finishRunning() {
    for (const id of executor.runningIds()) executor.finish(id, 2);
    await settle();
  }

  it('answers a stream for an unknown id with 404', async () => {
    expect((await fetch(`${server.url}/runs/999/stream`)).status).toBe(404);
    expect((await fetch(`${server.url}/sweeps/999/stream`)).status).toBe(404);
  });

  it('streams a sweep: current state at once, the ids of runs as they finish (no rows), then close when it is done', async () => {
    const { id } = services.scheduler.submit(spec('streamed sweep'));
    await settle();
    const stream = await openSse(`${server.url}/sweeps/${id}/stream`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
    const first = await stream.next((e) => e.event === 'message');
    expect(first.data).toContain('<hx-partial hx-target="#sweep-progress" hx-swap="outerMorph">');
    expect(first.data).toContain('<hx-partial hx-target="#heatmap-grid" hx-swap="innerMorph">');
    expect(first.data).toContain('2 running');

    const [a, b] = executor.runningIds();
    await finishRunning();
    const { changed, state } = await nextChangedRuns(stream, [a!, b!]);
    expect(changed.data).toMatch(/^\d+(-\d+)?(,\d+(-\d+)?)*$/); // ids and ranges, nothing else
    expect(state.data).toContain('2 done');
    // Rows are fetched by the pages that show them (GET /sweeps/:id/rows), never pushed to every viewer.
    expect(stream.events.some((e) => e.data.includes('run-row-'))).toBe(false);

    while (executor.runningIds().length > 0) await finishRunning();
    const close = await stream.next((e) => e.event === 'close');
    expect(close.data).toBe('done');
    await stream.ended;
    const last = stream.events.filter((e) => e.event === 'message').pop()!;
    expect(last.data).toContain('8 done');
    // Every run was named changed (started and finished), and no frame carried a row.
    const named = new Set(stream.events.filter((e) => e.event === 'runs-changed').flatMap((e) => parseIdList(e.data)));
    const ids = services.store.listRuns(id).runs.map((r) => r.id);
    expect(ids.filter((runId) => !named.has(runId))).toEqual([]);
    expect(stream.events.some((e) => e.data.includes('run-row-'))).toBe(false);
  });

  it('tells a reconnecting sweep page, and only a reconnecting one, to reload its runs table', async () => {
    const { id } = services.scheduler.submit(spec('reconnected sweep', [1]));
    await settle();
    const resumed = await openSse(`${server.url}/sweeps/${id}/stream`, { 'last-event-id': '7' });
    const fresh = await openSse(`${server.url}/sweeps/${id}/stream`);
    try {
      const state = await resumed.next();
      expect(state.event).toBe('message'); // the full state first, then the reload request
      expect(state.data).toContain('2 running');
      expect(await resumed.next()).toEqual({ event: 'runs-stale', id: undefined, data: 'reload' });
      expect(await resumed.next()).toEqual({ event: 'cells-changed', id: undefined, data: 'refresh' }); // an open cell panel too
      // A first connection gets the same state and no reload: wait for its first heartbeat (100 ms here), which
      // is sent after anything the connect handler wrote.
      await fresh.next((e) => e.event === ':comment');
      expect(fresh.events[0].event).toBe('message');
      expect(fresh.events.map((e) => e.event)).not.toContain('runs-stale');
      expect(fresh.events.map((e) => e.event)).not.toContain('cells-changed');
    } finally {
      resumed.close();
      fresh.close();
    }
    while (executor.runningIds().length > 0) await finishRunning();
  });

  it('tells an open cell panel to refresh after runs train or finish, including with the final state', async () => {
    const { id } = services.scheduler.submit(spec('cell panel follows', [1]));
    await settle();
    const stream = await openSse(`${server.url}/sweeps/${id}/stream`);
    await stream.next((e) => e.event === 'message');
    while (executor.runningIds().length > 0) await finishRunning();
    await stream.next((e) => e.event === 'close');
    const kinds = stream.events.map((e) => e.event).filter((e) => e !== ':comment');
    expect(kinds[0]).toBe('message');
    expect(kinds).toContain('cells-changed');
    // the last refresh comes after the final state (and its changed runs' ids), so a panel opened on a running cell
    // ends up final
    expect(kinds.filter((k) => k !== 'runs-changed').slice(-3)).toEqual(['message', 'cells-changed', 'close']);
  });

  it('closes a finished sweep\'s stream right after its final state', async () => {
    const { id } = services.scheduler.submit(spec('already done', [5]));
    while (executor.runningIds().length > 0) await finishRunning();
    const stream = await openSse(`${server.url}/sweeps/${id}/stream`);
    const state = await stream.next();
    expect(state.data).toContain('4 done');
    await stream.next((e) => e.event === 'close');
    await stream.ended;
  });

  it('streams a run: stored epochs after Last-Event-ID, live epochs (gaps filled from the store), then close', async () => {
    const { id: sweepId } = services.scheduler.submit({ name: 'one run', base: { model: { hidden: [4] }, train: { epochs: 6 } } });
    await settle();
    const runId = executor.runningIds()[0];
    for (let e = 0; e <= 3; e++) services.writer.push(runId, fakeEpoch(e));
    services.writer.flush();

    const stream = await openSse(`${server.url}/runs/${runId}/stream`, { 'last-event-id': '1' });
    const backlog = await stream.next((e) => e.event === 'epochs');
    expect(backlog.id).toBe('3');
    expect(JSON.parse(backlog.data).points.map((p: number[]) => p[0])).toEqual([2, 3]);
    const state = await stream.next((e) => e.event === 'message');
    expect(state.data).toContain('hx-target="#run-head"');
    expect(state.data).toContain('hx-target="#run-layers"');
    expect(state.data).toContain('epoch 3 of 6');

    // Epoch 4 arrives live; epoch 5 was stored but its event was missed; epoch 6 arrives live.
    services.writer.push(runId, fakeEpoch(4));
    services.writer.flush();
    services.events.publish({ type: 'run-epochs', sweepId, runId, epochs: [fakeEpoch(4)] });
    const live = await stream.next((e) => e.event === 'epochs');
    expect(live.id).toBe('4');
    services.writer.push(runId, fakeEpoch(5));
    services.writer.push(runId, fakeEpoch(6));
    services.writer.flush();
    services.events.publish({ type: 'run-epochs', sweepId, runId, epochs: [fakeEpoch(6)] });
    const filled = await stream.next((e) => e.event === 'epochs');
    expect(JSON.parse(filled.data).points.map((p: number[]) => p[0])).toEqual([5]);
    const six = await stream.next((e) => e.event === 'epochs');
    expect(six.id).toBe('6');

    executor.finish(runId, 6);
    await stream.next((e) => e.event === 'close');
    await stream.ended;
    const final = stream.events.filter((e) => e.event === 'message').pop()!;
    expect(final.data).toContain('succeeded');
    expect(final.data).toContain('healthy');
    // Every epoch was sent exactly once, in order.
    const sent = stream.events.filter((e) => e.event === 'epochs').flatMap((e) => JSON.parse(e.data).points.map((p: number[]) => p[0]));
    expect(sent).toEqual([2, 3, 4, 5, 6]);
  });

  it('re-renders the sweep list when sweeps change, and sends heartbeats', async () => {
    const stream = await openSse(`${server.url}/stream`);
    const first = await stream.next((e) => e.event === 'message');
    expect(first.data).toContain('streamed sweep');
    services.scheduler.submit(spec('brand new sweep', [9]));
    const update = await stream.next((e) => e.event === 'message' && e.data.includes('brand new sweep'));
    expect(update.data).toContain('id="sweep-row-');
    await stream.next((e) => e.event === ':comment' && e.data === 'ping');
    stream.close();
    while (executor.runningIds().length > 0) await finishRunning();
  });

  it('renders at most a few list updates per second however many events arrive', async () => {
    const stream = await openSse(`${server.url}/stream`);
    await stream.next((e) => e.event === 'message');
    const sweep = services.store.listSweeps()[0];
    const runId = services.store.listRuns(sweep.id, { limit: 1 }).runs[0].id;
    const before = stream.events.filter((e) => e.event === 'message').length;
    const started = Date.now();
    for (let i = 0; i < 200; i++) services.events.publish({ type: 'run-started', sweepId: sweep.id, runId });
    await stream.next((e) => e.event === 'message');
    // The burst coalesces: wait for the heartbeat that follows it, then count the list renders in between.
    await stream.next((e) => e.event === ':comment');
    await stream.next((e) => e.event === ':comment');
    const elapsedMs = Date.now() - started;
    const renders = stream.events.filter((e) => e.event === 'message').length - before;
    expect(renders).toBeGreaterThanOrEqual(1);
    expect(renders).toBeLessThanOrEqual(1 + Math.ceil(elapsedMs / 1000));
    stream.close();
  });

  it('unsubscribes from the event bus when the client disconnects', async () => {
    await vi.waitFor(() => expect(services.events.listenerCount).toBe(0));
    const streams = await Promise.all([
      openSse(`${server.url}/stream`),
      openSse(`${server.url}/sweeps/${services.store.listSweeps()[0].id}/stream`),
    ]);
    await Promise.all(streams.map((s) => s.next()));
    // A finished sweep's stream closes itself; the list stream stays subscribed until the client leaves.
    await vi.waitFor(() => expect(services.events.listenerCount).toBe(1));
    for (const s of streams) s.close();
    await vi.waitFor(() => expect(services.events.listenerCount).toBe(0));
  });
});
