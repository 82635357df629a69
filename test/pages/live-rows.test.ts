// GET /sweeps/:id/rows: the rows a page fetches when the sweep stream names them changed. Each row is the runs
// table's own row (same columns) in an <hx-partial> aimed at it; bad input is a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../db/types.js';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const spec = (name: string) => ({
  name,
  base: { model: { hidden: [4] }, train: { epochs: 3 } },
  grid: { 'model.init': ['zeros', 'xavier_uniform'], 'train.lr': [0.05, 0.1], seed: [1, 2] },
});

describe('live rows route', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let sweepId: number;
  let otherSweepId: number;
  let runs: Run[];
  const get = (path: string) => fetch(server.url + path);
  const rowOf = (html: string, id: number) => new RegExp(`<tr id="run-row-${id}">[\\s\\S]*?</tr>`).exec(html)?.[0];

  beforeAll(async () => {
    const executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    sweepId = services.scheduler.submit(spec('rows')).id;
    otherSweepId = services.scheduler.submit(spec('other rows')).id;
    await settle();
    // Two runs of the first sweep finish; the rest stay running or queued.
    for (const id of executor.runningIds()) executor.finish(id, 2);
    await settle();
    runs = services.store.listRuns(sweepId, { limit: 100 }).runs;
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('renders the named runs as the table renders them, each in a partial aimed at its row, in id order', async () => {
    const [a, b, c] = runs;
    const res = await get(`/sweeps/${sweepId}/rows?ids=${c!.id},${a!.id},${b!.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const targets = [...html.matchAll(/<hx-partial hx-target="#run-row-(\d+)" hx-swap="outerMorph">/g)].map((m) => Number(m[1]));
    expect(targets).toEqual([a!.id, b!.id, c!.id]);
    expect(html.match(/<tr /g)).toHaveLength(3);
    const table = await (await get(`/sweeps/${sweepId}/runs`)).text();
    for (const run of [a!, b!, c!]) expect(rowOf(html, run.id)).toBe(rowOf(table, run.id));
    expect(rowOf(html, a!.id)).toContain('succeeded');
  });

  it('keeps the table\'s chosen columns', async () => {
    const cols = 'train.lr,final_train_acc';
    const finished = runs.find((r) => r.status === 'succeeded')!;
    const html = await (await get(`/sweeps/${sweepId}/rows?ids=${finished.id}&cols=${cols}`)).text();
    const row = rowOf(html, finished.id)!;
    expect(row).toContain(`<td class="wrap" data-label="train.lr">${finished.config.train.lr}</td>`);
    expect(row).toContain(`<td class="wrap" data-label="Train acc.">${(finished.finalTrainAcc! * 100).toFixed(1)}%</td>`);
    const table = await (await get(`/sweeps/${sweepId}/runs?cols=${cols}`)).text();
    expect(row).toBe(rowOf(table, finished.id));
    // The table tells the page where its rows come from, with its columns.
    expect(table).toContain(`<tbody id="runs-body" data-rows-url="/sweeps/${sweepId}/rows?cols=train.lr%2Cfinal_train_acc">`);
  });

  it('leaves out ids that are no run of this sweep', async () => {
    const foreign = services.store.listRuns(otherSweepId, { limit: 1 }).runs[0]!;
    const html = await (await get(`/sweeps/${sweepId}/rows?ids=${runs[0]!.id},${foreign.id},999999`)).text();
    expect([...html.matchAll(/hx-target="#run-row-(\d+)"/g)].map((m) => Number(m[1]))).toEqual([runs[0]!.id]);
    expect(await (await get(`/sweeps/${sweepId}/rows?ids=999999`)).text()).toBe('');
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['', /ids: required/],
      ['ids=', /ids: required/],
      ['ids=1,x', /ids: &#39;x&#39; is not a run id|ids: 'x' is not a run id/],
      ['ids=1,,2', /ids: &#39;&#39; is not a run id|ids: '' is not a run id/],
      ['ids=0', /is not a run id/],
      ['ids=-3', /is not a run id/],
      ['ids=1e3', /is not a run id/],
      ['ids=99999999999999999999', /is not a run id/],
      ['ids=1&ids=2', /ids: must be given once/],
      [`ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, /ids: at most 100 runs, got 101/],
      ['ids=1&cols=nope', /cols: unknown column &#39;nope&#39;|cols: unknown column 'nope'/],
      ['ids=1&cols=final_train_acc&cols=train.lr', /cols: must be given once/],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/sweeps/${sweepId}/rows?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(await res.text()).toMatch(message);
    }
    expect((await get('/sweeps/999/rows?ids=1')).status).toBe(404);
    // A sweep id that is no number is answered as on the sweep's other routes.
    expect((await get('/sweeps/abc/rows?ids=1')).status).toBe((await get('/sweeps/abc/runs')).status);
  });
});
