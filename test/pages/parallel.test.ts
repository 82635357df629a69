// The parallel-coordinates view and hyperparameter importance over the HTML routes and the JSON API: the data the
// canvas draws, the brushed selection named in the address (count, chips, the runs table's link), η² per setting,
// and the numeric setting ranges (min./max.<path>) the runs table takes from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../db/types.js';
import { openServices, type Services } from '../../server/services.js';
import type { ParallelData } from '../../views/parallel-page.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const spec = {
  name: 'parallel sweep',
  base: { model: { hidden: [4] }, train: { epochs: 6 } },
  grid: { 'model.init': ['zeros', 'xavier_uniform'], 'train.lr': [0.001, 0.01, 0.1], seed: [1, 2] },
};

/** Final validation accuracy is 0.5 + epochs / 200 (fakeEpoch): zeros 0.505; xavier 0.51, 0.52, 0.53 by lr. */
const EPOCHS: Record<number, number> = { 0.001: 2, 0.01: 4, 0.1: 6 };

function decode(text: string): string {
  return text.replace(/&quot;|&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('parallel coordinates and importance', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let sweepId: number;
  let runs: Run[];
  const get = (path: string) => fetch(server.url + path);
  const page = (query = '') => get(`/sweeps/${sweepId}/parallel${query}`).then((r) => r.text());
  const dataOf = (html: string) => JSON.parse(decode(/data-parcoords="([^"]*)"/.exec(html)![1])) as ParallelData;
  const idsOf = (pick: (r: Run) => boolean) => runs.filter(pick).map((r) => r.id).sort((a, b) => a - b);
  const rowIds = (html: string) => [...html.matchAll(/<tr id="run-row-(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b);

  beforeAll(async () => {
    const executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    sweepId = services.scheduler.submit(spec).id;
    const planned = services.store.listRuns(sweepId, { limit: 100 }).runs;
    for (let round = 0; round < 200 && executor.runningIds().length > 0; round++) {
      for (const id of executor.runningIds()) {
        const run = planned.find((r) => r.id === id)!;
        if (run.initLabel === 'xavier_uniform' && run.config.train.lr === 0.1 && run.seed === 2) executor.diverge(id, 1);
        else executor.finish(id, run.initLabel === 'zeros' ? 1 : EPOCHS[run.config.train.lr]);
      }
      await settle();
    }
    runs = services.store.listRuns(sweepId, { limit: 100 }).runs;
    expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(11);
    expect(runs.filter((r) => r.status === 'diverged')).toHaveLength(1);
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('is linked from the sweep page', async () => {
    const html = await get(`/sweeps/${sweepId}`).then((r) => r.text());
    expect(html).toContain(`href="/sweeps/${sweepId}/parallel"`);
  });

  it('embeds one entry a run per varied setting (seed left out), lr on a log axis, no result for the diverged run', async () => {
    const html = await page();
    const data = dataOf(html);
    expect(data.axes.map((a) => [a.path, a.kind, a.log])).toEqual([['model.init', 'cat', false], ['train.lr', 'num', true]]);
    expect(data.axes[0].values).toEqual(['xavier_uniform', 'zeros']);
    expect(data.axes[1].ticks).toEqual([0.001, 0.01, 0.1]);
    const position = new Map(services.store.listRuns(sweepId, { limit: 100, sortBy: 'position' }).runs.map((r, i) => [r.id, i]));
    for (const run of runs) {
      const i = position.get(run.id)!;
      expect(data.cells[0][i]).toBe(data.axes[0].values!.indexOf(run.initLabel));
      expect(data.cells[1][i]).toBe(run.config.train.lr);
      expect(data.status[i]).toBe(run.status === 'diverged' ? 'd' : 's');
      expect(data.metric.values[i]).toBe(run.status === 'diverged' ? null : run.finalValAcc);
    }
    expect(data.metric).toMatchObject({ key: 'final_val_acc', lo: 0.505, hi: 0.53, log: false, higherIsBetter: true });
    expect(html).toContain('No selection: all 12 runs.');
    expect(html).toContain(`href="/sweeps/${sweepId}#runs-card"`);
  });

  it('ranks settings by η² and gives the hand-computed values with their chance level', async () => {
    // 11 succeeded values: 0.505 ×6 (zeros), then xavier 0.51 ×2, 0.52 ×2, 0.53; mean 5.62 / 11.
    // init: SS_between = 6·(0.505 − m)² + 5·(0.518 − m)² = 4.60909e-4, SS_total = 7.40909e-4 → η² = 507/815.
    // lr (groups 0.001: .505 .505 .51 .51; 0.01: .505 .505 .52 .52; 0.1: .505 .505 .53) → η² = 0.100204.
    const body = await get(`/api/sweeps/${sweepId}/importance`).then((r) => r.json()) as {
      runs: number; scale: string; settings: Array<{ path: string; eta2: number; chance: number; groups: number; runsPerGroup: number[] }>;
    };
    expect(body.runs).toBe(11);
    expect(body.scale).toBe('linear');
    expect(body.settings.map((s) => s.path)).toEqual(['model.init', 'train.lr', 'seed']);
    const [init, lr] = body.settings;
    expect(init.eta2).toBeCloseTo(507 / 815, 10);
    expect(init.chance).toBeCloseTo(1 / 10, 12);
    expect(init).toMatchObject({ groups: 2, runsPerGroup: [5, 6] });
    expect(lr.eta2).toBeCloseTo(0.10020449897750511, 10);
    expect(lr).toMatchObject({ groups: 3, runsPerGroup: [3, 4] });

    const html = await page();
    const rows = [...html.matchAll(/<tr data-path="([^"]+)">[\s\S]*?importance-value">([^<]+)</g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([['model.init', '0.62'], ['train.lr', '0.10'], ['seed', rows[2][1]]]);
    expect(html).toContain('over the 11 succeeded runs with a result');
  });

  it('takes the selection from the address and links to the runs table showing exactly those runs', async () => {
    const query = '?f.model.init=xavier_uniform&min.train.lr=0.01&max.train.lr=0.1&min.final_val_acc=0.515';
    const html = await page(query);
    const expected = idsOf((r) => r.initLabel === 'xavier_uniform' && r.config.train.lr >= 0.01 && r.status === 'succeeded');
    expect(expected).toHaveLength(3);
    expect(html).toContain('3 of 12 runs selected.');
    for (const chip of ['initializer = xavier_uniform', 'lr 0.01 – 0.1', 'Val. acc. ≥ 0.515']) expect(html).toContain(`<li class="chip">${chip}</li>`);
    const href = decode(/class="btn pc-open" href="([^"]+)"/.exec(html)![1]);
    const url = new URL(href, server.url);
    expect([url.pathname, url.hash]).toEqual([`/sweeps/${sweepId}`, '#runs-card']);
    expect([...url.searchParams].sort()).toEqual([...new URLSearchParams(query)].sort());
    const table = await get(href.replace('#runs-card', '')).then((r) => r.text());
    expect(table).toContain('Showing 3 of 12 runs');
    expect(rowIds(table)).toEqual(expected);
  });

  it('selects the diverged runs by their place under the metric axis (status=diverged)', async () => {
    const html = await page('?status=diverged');
    expect(html).toContain('1 of 12 runs selected.');
    expect(decode(/class="btn pc-open" href="([^"]+)"/.exec(html)![1])).toBe(`/sweeps/${sweepId}?status=diverged#runs-card`);
  });

  it('answers a bad metric with 400 and an unknown sweep with 404, on the page and the API', async () => {
    expect((await get(`/sweeps/${sweepId}/parallel?metric=accuracy`)).status).toBe(400);
    expect((await get(`/sweeps/999/parallel`)).status).toBe(404);
    const api = await get(`/api/sweeps/${sweepId}/importance?metric=nope`);
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { message: string } }).error.message).toContain('final_val_acc');
    const loss = await get(`/api/sweeps/${sweepId}/importance?metric=final_val_loss`).then((r) => r.json()) as { scale: string };
    expect(loss.scale).toBe('log10');
  });

  it('filters the runs table by a numeric setting range, shows it in the form, and drops ranges it cannot honour', async () => {
    const html = await get(`/sweeps/${sweepId}/runs?min.train.lr=0.005&max.train.lr=0.05&min.model.init=1&min.train.epochs=3`).then((r) => r.text());
    expect(rowIds(html)).toEqual(idsOf((r) => r.config.train.lr === 0.01));
    expect(html).toContain('Showing 4 of 12 runs');
    expect(html).toContain('<summary>Setting ranges</summary>');
    expect(html).toMatch(/id="min-train.lr"[^>]*value="0.005"/);
    expect(html).not.toContain('min.model.init=1');
    expect(html).not.toContain('min.train.epochs=3');
  });
});
