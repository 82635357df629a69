// A sweep's live stream renders each tick once and shares it: N viewers cost one render per tick (counted through
// AppDeps.onStreamRender), and every viewer still gets every update and the final state. The heatmap, which reads
// every run of the sweep, is re-drawn at most once a second; one left over comes in a later tick on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';
import { nextChangedRuns, openSse, type SseStream } from './sse-client.js';

const VIEWERS = 6;

describe('shared sweep stream', () => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;
  const renders = { tick: 0, connect: 0 };

  beforeAll(async () => {
    executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor, eventIntervalMs: 20 });
    services.scheduler.start();
    server = await serveApp(services, { heartbeatMs: 10_000, onStreamRender: (_stream, kind) => { renders[kind]++; } });
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it(`renders each tick once for ${VIEWERS} viewers, and each viewer gets every update`, async () => {
    const { id } = services.scheduler.submit({
      name: 'shared', base: { model: { hidden: [4] }, train: { epochs: 2 } }, grid: { seed: [1, 2, 3, 4, 5, 6] },
    });
    await settle();
    const streams: SseStream[] = [];
    for (let i = 0; i < VIEWERS; i++) streams.push(await openSse(`${server.url}/sweeps/${id}/stream`));
    for (const stream of streams) await stream.next((e) => e.event === 'message');
    // Viewers connecting while nothing of the sweep happens share a full-state render (for one tick at most), and
    // each gets that state.
    expect(renders.connect).toBeGreaterThanOrEqual(1);
    expect(renders.connect).toBeLessThan(VIEWERS);
    const firstOf = (s: SseStream) => s.events.find((e) => e.event === 'message')!.data;
    for (const stream of streams) expect(firstOf(stream)).toContain('0 done');

    // Three rounds of two finishing runs, each waited for by every viewer: one tick render a round, shared.
    for (let round = 1; round <= 3; round++) {
      const before = renders.tick;
      const finished = executor.runningIds();
      for (const runId of finished) executor.finish(runId, 2);
      await settle();
      for (const stream of streams) {
        const { state } = await nextChangedRuns(stream, finished);
        expect(state.data).toContain(`${round * 2} done`);
      }
      expect(renders.tick - before).toBeGreaterThanOrEqual(1);
      expect(renders.tick - before).toBeLessThanOrEqual(2); // not VIEWERS: the rows may land in one or two ticks
      if (round === 1) {
        // a viewer connecting after the sweep moved gets a fresh full state, not the shared one from before
        const connectsBefore = renders.connect;
        const late = await openSse(`${server.url}/sweeps/${id}/stream`);
        expect((await late.next((e) => e.event === 'message')).data).toContain('2 done');
        expect(renders.connect).toBe(connectsBefore + 1);
        late.close();
      }
    }
    for (const stream of streams) await stream.next((e) => e.event === 'close');
    // Every viewer saw the same sequence of messages (ids and contents), whatever its share of the work.
    const messagesOf = (s: SseStream) => s.events.filter((e) => e.event === 'message' || e.event === 'runs-changed').slice(1)
      .map((e) => `${e.event} ${e.id} ${e.data}`);
    for (const stream of streams.slice(1)) expect(messagesOf(stream)).toEqual(messagesOf(streams[0]!));
    expect(renders.tick).toBeLessThanOrEqual(7);
  });

  it('re-draws the heatmap at most once a second, sends a deferred one without a new event, and always at the end', async () => {
    const { id } = services.scheduler.submit({
      name: 'throttled', base: { model: { hidden: [4] }, train: { epochs: 2 } }, grid: { seed: [1, 2, 3, 4] },
    });
    await settle();
    const stream = await openSse(`${server.url}/sweeps/${id}/stream`);
    expect((await stream.next((e) => e.event === 'message')).data).toContain('#heatmap-grid');
    const [first, second] = executor.runningIds();
    executor.finish(first!, 2);
    await settle();
    const { state: drawn } = await nextChangedRuns(stream, [first!]);
    expect(drawn.data).toContain('#heatmap-grid'); // the first tick's heatmap: none drawn by a tick before
    const drawnAt = Date.now();
    executor.finish(second!, 2);
    await settle();
    const { state: rowsOnly } = await nextChangedRuns(stream, [second!]);
    if (Date.now() - drawnAt < 900) expect(rowsOnly.data).not.toContain('#heatmap-grid');
    // nothing else happens: the deferred heatmap still arrives, in a tick of its own
    const deferred = await stream.next((e) => e.event === 'message' && e.data.includes('#heatmap-grid'), 3000);
    expect(deferred.data).toContain('2 done');
    for (const runId of executor.runningIds()) executor.finish(runId, 2);
    await settle();
    const last = await stream.next((e) => e.event === 'message' && e.data.includes('4 done'));
    expect(last.data).toContain('#heatmap-grid');
    await stream.next((e) => e.event === 'close');
  });
});
