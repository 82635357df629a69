// The runs table's filters over the HTML routes: a varying hyperparameter (f.<path>), final-metric ranges
// (min./max.<metric>), free text (q) and chosen columns (cols); bad values dropped, values shown back escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../db/types.js';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const spec = {
  name: 'filter sweep',
  base: { model: { hidden: [4] }, train: { epochs: 3 } },
  grid: {
    'model.init': ['zeros', 'xavier_uniform'], 'model.activation': ['tanh', 'relu'], 'train.lr': [0.05, 0.1],
    'train.clip': [{ mode: 'none' }, { mode: 'norm', max: 1 }], seed: [1, 2],
  },
};

describe('runs table filters', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let sweepId: number;
  let runs: Run[];
  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });
  const rowIds = (html: string) => [...html.matchAll(/<tr id="run-row-(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  const idsOf = (pick: (r: Run) => boolean) => runs.filter(pick).map((r) => r.id).sort((a, b) => a - b);
  const table = (query: string) => get(`/sweeps/${sweepId}/runs?${query}`).then((r) => r.text());

  beforeAll(async () => {
    const executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    sweepId = services.scheduler.submit(spec).id;
    for (let round = 0; round < 200 && executor.runningIds().length > 0; round++) {
      // 1, 2 or 3 epochs: final val. acc. 0.505, 0.51 or 0.515 (fakeEpoch), so ranges split the runs.
      for (const id of executor.runningIds()) executor.finish(id, 1 + (id % 3));
      await settle();
    }
    runs = services.store.listRuns(sweepId, { limit: 1000 }).runs;
    expect(runs).toHaveLength(32);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('offers a select per varying setting with the values the runs have', async () => {
    const html = await table('');
    const options = (id: string) => {
      const select = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)![1];
      return [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter((v) => v !== '');
    };
    expect(options('filter-train.lr')).toEqual(['0.05', '0.1']);
    expect(options('filter-train.clip')).toEqual(['none', 'norm ≤ 1']);
    expect(options('filter-model.init')).toEqual(['xavier_uniform', 'zeros']);
    expect(html).toContain('Showing 32 of 32 runs');
  });

  it('filters by a hyperparameter: a number, an object value by its label, the stored init label', async () => {
    expect(rowIds(await table('f.train.lr=0.1'))).toEqual(idsOf((r) => r.config.train.lr === 0.1));
    const clipped = await table(`f.train.clip=${encodeURIComponent('norm ≤ 1')}`);
    expect(rowIds(clipped)).toEqual(idsOf((r) => r.config.train.clip.mode === 'norm'));
    expect(clipped).toContain('Showing 16 of 32 runs');
    expect(rowIds(await table('f.model.init=zeros'))).toEqual(idsOf((r) => r.initLabel === 'zeros'));
  });

  it('filters by final-metric ranges, either end alone or both', async () => {
    const min = await table('min.final_val_acc=0.508');
    expect(rowIds(min)).toEqual(idsOf((r) => r.finalValAcc! >= 0.508).slice(0, 25));
    expect(min).toContain(`Showing ${idsOf((r) => r.finalValAcc! >= 0.508).length} of 32 runs`);
    expect(rowIds(await table('min.final_val_acc=0.508&max.final_val_acc=0.512')))
      .toEqual(idsOf((r) => r.finalValAcc! >= 0.508 && r.finalValAcc! <= 0.512));
    expect(rowIds(await table('max.final_train_loss=0.4'))).toEqual(idsOf((r) => r.finalTrainLoss! <= 0.4));
  });

  it('matches free text against every word: labels, status, verdicts and #id', async () => {
    expect(rowIds(await table('q=RELU%20zeros'))).toEqual(idsOf((r) => r.activationLabel === 'relu' && r.initLabel === 'zeros'));
    expect(rowIds(await table(`q=%23${runs[3].id}%20healthy`))).toEqual(idsOf((r) => `#${r.id}`.includes(`#${runs[3].id}`)));
    expect(await table('q=nothing-like-this')).toContain('No runs match. Showing 0 of 32 runs');
  });

  it('combines filters, and keeps them in the URL, the sort links and a clear link', async () => {
    const res = await get(`/sweeps/${sweepId}/runs?f.train.lr=0.05&min.final_val_acc=0.508&q=tanh&sort=seed`, {
      'hx-request': 'true', 'hx-current-url': `${server.url}/sweeps/${sweepId}?metric=loss&q=old`,
    });
    const html = await res.text();
    expect(rowIds(html)).toEqual(idsOf((r) => r.config.train.lr === 0.05 && r.finalValAcc! >= 0.508 && r.activationLabel === 'tanh'));
    expect(rowIds(html).length).toBeGreaterThan(0);
    expect(res.headers.get('hx-replace-url'))
      .toBe(`/sweeps/${sweepId}?metric=loss&f.train.lr=0.05&min.final_val_acc=0.508&q=tanh&sort=seed`);
    // From the filter form the new address is a history step (back returns to the old filters).
    const pushed = await get(`/sweeps/${sweepId}/runs?q=tanh`, { 'hx-request': 'true', 'hx-source': 'form#runs-filters' });
    expect(pushed.headers.get('hx-push-url')).toBe(`/sweeps/${sweepId}?q=tanh`);
    expect(pushed.headers.get('hx-replace-url')).toBeNull();
    expect(html).toContain(`href="/sweeps/${sweepId}?metric=loss&f.train.lr=0.05&min.final_val_acc=0.508&q=tanh&sort=initLabel"`);
    expect(html).toMatch(new RegExp(`<a id="runs-clear" class="btn" href="/sweeps/${sweepId}\\?metric=loss&sort=seed"[^>]*>\\s*Clear filters`));
  });

  it('ignores unknown paths, values no run has, bad numbers and unknown metrics or columns', async () => {
    const res = await get(`/sweeps/${sweepId}/runs?f.train.nope=1&f.train.lr=0.7&f.seed=1&min.final_val_acc=abc&max.bogus=1&cols=..%2Fx,final_val_acc,train.nope`, {
      'hx-request': 'true',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(rowIds(html)).toHaveLength(25);
    expect(html).toContain('Showing 32 of 32 runs');
    expect(res.headers.get('hx-replace-url')).toBe(`/sweeps/${sweepId}?cols=final_val_acc`);
  });

  it('adds chosen columns: a config path and a final metric, in that order', async () => {
    const html = await table('cols=train.lr,final_train_acc&f.train.lr=0.1');
    expect(html).toContain('<th scope="col">train.lr</th><th scope="col">Train acc.</th>');
    const first = runs.find((r) => r.config.train.lr === 0.1)!;
    const row = new RegExp(`<tr id="run-row-${first.id}">([\\s\\S]*?)</tr>`).exec(html)![1];
    expect(row).toContain('<td class="wrap" data-label="train.lr">0.1</td>');
    expect(row).toContain(`<td class="wrap" data-label="Train acc.">${(first.finalTrainAcc! * 100).toFixed(1)}%</td>`);
    expect(html).toMatch(/<input type="checkbox" name="cols" value="train.lr" checked/);
    // Ticked boxes send cols twice; the page reads both.
    expect(await table('cols=train.lr&cols=final_train_acc')).toContain('<th scope="col">Train acc.</th>');
  });

  it('shows typed values back escaped', async () => {
    const evil = '"><script>alert(1)</script>';
    const html = await (await get(`/sweeps/${sweepId}?q=${encodeURIComponent(evil)}`)).text();
    // The quote is escaped, so the value stays one attribute (kitajs leaves < and > as they are inside quotes).
    expect(html).not.toContain('"><script>');
    expect(html).toContain('value="&#34;><script>alert(1)</script>"');
    const links = await (await get(`/sweeps/${sweepId}/runs?f.train.lr=${encodeURIComponent(evil)}&q=${encodeURIComponent(evil)}`)).text();
    expect(links).not.toContain('"><script>');
    expect(links).toContain(`q=${encodeURIComponent(evil).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`);
    expect(html).toContain('No runs match.');
  });
});
