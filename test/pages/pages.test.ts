// The dashboard's HTML routes over an app on an in-memory database, with a fake executor the test drives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { RUN_STATUSES } from '../../db/run-status.js';
import { openServices, type Services } from '../../server/services.js';
import { VERDICTS } from '../../workers/core/types.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const tinySpec = {
  name: 'pages sweep',
  base: { model: { hidden: [4, 4] }, train: { epochs: 2 } },
  grid: { 'model.init': ['zeros', 'xavier_uniform'], 'model.activation': ['tanh', 'relu'], seed: [1, 2] },
};

/** HTML text with the entities kitajs writes turned back into characters (for assertions on text). */
function decode(html: string): string {
  return html.replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

const goodForm = {
  name: 'form sweep',
  dataset: 'moons', samples: '200', noise: '0.1', classes: '2', normalize: 'standard',
  width: '8', depth: '2', epochs: '3', batchSize: '16', optimizer: 'sgd', lr: '0.05', clip: 'none', clipMax: '1',
  inits: ['xavier_uniform', 'he_normal'], activations: ['tanh'], seeds: '1, 2',
};

describe('dashboard pages', () => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers, redirect: 'manual' });
  const postForm = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
      redirect: 'manual',
    });

  /** Finishes every dispatched run until nothing is running (the scheduler keeps dispatching queued ones). */
  async function finishAll() {
    for (let round = 0; round < 200; round++) {
      const ids = executor.runningIds();
      if (ids.length === 0) return;
      for (const id of ids) executor.finish(id, 2);
      await settle();
    }
  }

  let sweepId: number;
  let evilId: number;

  beforeAll(async () => {
    executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    sweepId = services.scheduler.submit(tinySpec).id;
    await finishAll();
    evilId = services.scheduler.submit({ ...tinySpec, name: '<script>alert(1)</script>' }).id;
    await finishAll();
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('lists every sweep with its status, progress and counts', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('pages sweep');
    expect(html).toContain(`href="/sweeps/${sweepId}"`);
    expect(html).toContain('role="progressbar"');
    expect(html).toContain('8 done');
    expect(html).toContain('hx-sse:connect="/stream"');
  });

  it('renders a sweep page: spec summary, heatmap cells, runs table and export links', async () => {
    const html = await (await get(`/sweeps/${sweepId}`)).text();
    expect(html).toContain('Network (depth × width)');
    expect(html).toContain('2 × 4');
    expect(html).toMatch(/initializer × activation/);
    expect((html.match(/class="cell"/g) ?? []).length).toBe(4);
    expect(html).toContain('id="runs-card"');
    expect(html).toContain(`/api/sweeps/${sweepId}/export?format=csv`);
    expect(html).toContain(`/api/sweeps/${sweepId}/export?pivot=final_val_acc&format=latex`);
    // A finished sweep opens no stream.
    expect(html).not.toContain('hx-sse:connect');
  });

  it('renders a run page with curves, the per-layer picture, verdicts and config', async () => {
    const runId = services.store.listRuns(sweepId, { limit: 1 }).runs[0].id;
    const html = await (await get(`/runs/${runId}`)).text();
    expect(html).toContain('data-chart=');
    expect(html).toContain('Activation std, layer × epoch');
    expect(html).toContain('4 units, 4 distinct');
    expect(html).toContain('healthy');
    expect(html).toContain('train.epochs');
    expect(html).toContain(`action="/runs/${runId}/replay"`);
  });

  it('shows the backend and CPU path a run finished on in its status line, escaped, and none while it waits', async () => {
    const runId = services.store.listRuns(sweepId, { limit: 1 }).runs[0].id;
    const { backend, cpuPath } = services.backend;   // the default every task carried; the fake worker reports it back
    expect(services.store.getRun(runId)).toMatchObject({ backend, cpuPath });
    const html = await (await get(`/runs/${runId}`)).text();
    expect(html).toMatch(new RegExp(`<div id="run-head">[\\s\\S]*title="training backend · CPU path"[^>]*>${backend} · ${cpuPath}</span>`));

    const queued = services.scheduler.submit({ ...tinySpec, name: 'waiting', grid: { seed: [1, 2, 3] } });
    const waiting = services.store.listRuns(queued.id, { status: 'queued', limit: 1 }).runs[0];
    expect(await (await get(`/runs/${waiting.id}`)).text()).not.toContain('training backend · CPU path');
    services.scheduler.cancel(queued.id);

    // Whatever a database holds is escaped.
    services.store.db.prepare(`UPDATE runs SET cpu_path = '<img src=x onerror=alert(1)>' WHERE id = ?`).run(runId);
    try {
      const evil = await (await get(`/runs/${runId}`)).text();
      expect(evil).not.toContain('<img src=x');
      expect(evil).toContain(`${backend} · &lt;img src=x onerror=alert(1)>`);
    } finally {
      services.store.db.prepare(`UPDATE runs SET cpu_path = ? WHERE id = ?`).run(cpuPath, runId);
    }
  });

  it('answers unknown ids and paths with the 404 page', async () => {
    for (const path of ['/sweeps/999', '/runs/999', '/sweeps/abc', '/nowhere', '/compare?runs=1,999']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html, path).toContain('Not found');
      expect(html, path).toContain('<!doctype html>');
    }
  });

  it('escapes a sweep named <script>alert(1)</script> on every page and partial', async () => {
    const run = services.store.listRuns(evilId, { limit: 1 }).runs[0];
    const other = services.store.listRuns(evilId, { limit: 2 }).runs[1];
    const paths = [
      '/',
      `/sweeps/${evilId}`,
      `/sweeps/${evilId}?row=zeros&col=tanh`,
      `/runs/${run.id}`,
      `/compare?runs=${run.id},${other.id}`,
      `/sweeps/${evilId}/heatmap`,
      `/sweeps/${evilId}/runs`,
    ];
    for (const path of paths) {
      const html = await (await get(path)).text();
      expect(html, path).not.toContain('<script>alert(1)</script>');
      if (path !== `/sweeps/${evilId}/heatmap` && path !== `/sweeps/${evilId}/runs`) {
        expect(html, path).toContain('&lt;script>alert(1)&lt;/script>');
      }
    }
  });

  it('renders the error page without a stack trace when something breaks', async () => {
    const broken = createApp({
      store: { ...services.store, listSweeps: () => { throw new Error('disk on fire in /secret/path'); } },
      scheduler: services.scheduler,
      events: services.events,
      threads: 1,
    });
    const listener = broken.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => listener.once('listening', resolve));
    const { port } = listener.address() as { port: number };
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(res.status).toBe(500);
      const html = await res.text();
      expect(html).toContain('Something went wrong');
      expect(html).toContain('internal server error');
      expect(html).not.toContain('disk on fire');
      expect(html).not.toMatch(/\bat .*\.ts:\d+/);
    } finally {
      console.error = original;
      listener.closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
    expect(errors.length).toBe(1); // logged on the server, not shown
  });

  describe('new sweep form', () => {
    it('shows the form with presets, checkboxes and a run-count preview', async () => {
      const html = await (await get('/sweeps/new')).text();
      expect(html).toContain('name="inits" value="he_normal"');
      expect(html).toContain('name="activations" value="relu"');
      expect(html).toContain('seed-tour');
      expect(html).toMatch(/<strong>12 runs<\/strong>/);
      expect(html).toMatch(/about .+ on 2 threads/);
      expect(html).toContain('hx-status:422=');
    });

    it('opens a preset the form can express as the form, and one it cannot as JSON', async () => {
      const tour = await (await get('/sweeps/new?preset=seed-tour')).text();
      expect(tour).toContain('value="seed article tour"');
      expect(tour).toContain('value="default, 0.01, 5"');
      expect(tour).toMatch(/<strong>84 runs<\/strong>/);
      const clipping = await (await get('/sweeps/new?preset=clipping')).text();
      expect(clipping).toContain('name="spec"');
      expect(clipping).toContain('opens as JSON');
      expect(decode(clipping)).toContain('"train.clip"');
    });

    it('re-renders invalid input with 422, each message beside its field, keeping what was typed', async () => {
      const res = await postForm('/sweeps', form({ ...goodForm, lr: 'fast', epochs: '0', inits: [], seeds: '1, x' }), { 'hx-request': 'true' });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain('id="sweep-form"');
      expect(html).not.toContain('<!doctype html>'); // htmx gets the form alone
      expect(html).toMatch(/id="f-lr"[^>]*value="fast"/);
      expect(html).toContain('id="err-lr"');
      expect(decode(html)).toContain('"fast" is not a number');
      expect(html).toContain('id="err-inits"');
      expect(html).toContain('tick at least one initializer');
      expect(html).toContain('id="err-seeds"');
      expect(html).toMatch(/id="f-lr"[^>]*aria-invalid="true"/);
    });

    it('places spec issues found by validation beside their fields', async () => {
      const res = await postForm('/sweeps', form({ ...goodForm, epochs: '0', samples: '5' }));
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain('<!doctype html>'); // without htmx: the whole page
      expect(html).toContain('id="err-epochs"');
      expect(html).toContain('id="err-samples"');
      expect(html).toMatch(/id="f-samples"[^>]*value="5"/);
    });

    it('creates the sweep and redirects to it (303 for a plain form, HX-Redirect for htmx)', async () => {
      const plain = await postForm('/sweeps', form(goodForm));
      expect(plain.status).toBe(303);
      const location = plain.headers.get('location')!;
      expect(location).toMatch(/^\/sweeps\/\d+$/);
      const id = Number(location.split('/').pop());
      expect(services.store.getSweep(id).name).toBe('form sweep');
      expect(services.store.sweepCounts(id).total).toBe(4);

      const htmx = await postForm('/sweeps', form({ ...goodForm, name: 'htmx sweep' }), { 'hx-request': 'true' });
      expect(htmx.status).toBe(204);
      expect(htmx.headers.get('hx-redirect')).toMatch(/^\/sweeps\/\d+$/);
      services.scheduler.cancel(id);
      services.scheduler.cancel(Number(htmx.headers.get('hx-redirect')!.split('/').pop()));
      await settle();
    });

    it('accepts and validates the full spec as JSON', async () => {
      const bad = await postForm('/sweeps', form({ mode: 'json', spec: '{"name": ' }), { 'hx-request': 'true' });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toContain('not valid JSON');

      const invalid = await postForm('/sweeps', form({ mode: 'json', spec: JSON.stringify({ grid: { 'model.init': ['zeros', 'bogus'] } }) }));
      expect(invalid.status).toBe(422);
      const html = await invalid.text();
      expect(html).toContain('<code>grid.model.init[1]</code>');
      expect(html).toContain('bogus'); // the typed JSON is kept

      const ok = await postForm('/sweeps', form({ mode: 'json', spec: JSON.stringify({ ...tinySpec, name: 'json sweep' }) }));
      expect(ok.status).toBe(303);
      const id = Number(ok.headers.get('location')!.split('/').pop());
      expect(services.store.getSweep(id).name).toBe('json sweep');
      services.scheduler.cancel(id);
      await settle();
    });

    it('switches between the form and the JSON view without losing settings', async () => {
      const json = await (await postForm('/sweeps/new/json', form(goodForm), { 'hx-request': 'true' })).text();
      expect(json).toContain('name="spec"');
      const spec = decode(/<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(json)![1]);
      expect(JSON.parse(spec)).toMatchObject({ name: 'form sweep', grid: { 'model.activation': ['tanh'], seed: [1, 2] } });
      const back = await (await postForm('/sweeps/new/form', form({ spec }), { 'hx-request': 'true' })).text();
      expect(back).toMatch(/id="f-name"[^>]*value="form sweep"/);
      expect(back).toMatch(/name="inits" value="he_normal" checked/);
    });

    it('previews against the server\'s own per-sweep limit, as submitting does', async () => {
      const capped = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1), maxRunsPerSweep: 3 });
      const app = await serveApp(capped);
      try {
        const post = (path: string, body: string) => fetch(app.url + path, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual',
        });
        const preview = decode(await (await post('/sweeps/new/preview', form(goodForm))).text());
        expect(preview).toContain('4 runs: over the limit of 3 per sweep');
        const submitted = await post('/sweeps', form(goodForm));
        expect(submitted.status).toBe(422);
        expect(decode(await submitted.text())).toContain('over the limit of 3');
      } finally {
        await app.close();
        await capped.close();
      }
    });

    it('answers a JSON spec nested 10,000 levels deep with the problem named, never a 500', async () => {
      const spec = `{"name":"deep","base":{"train":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`;
      for (const path of ['/sweeps/new/preview', '/sweeps/new/form', '/sweeps']) {
        const res = await postForm(path, form({ mode: 'json', spec }));
        expect(res.status, path).toBeLessThan(500);
        expect(decode(await res.text()), path).toContain('nested deeper than 32 levels');
      }
    });

    it('previews the run count and duration, or the first problem', async () => {
      const ok = await (await postForm('/sweeps/new/preview', form(goodForm))).text();
      expect(ok).toContain('4 runs');
      expect(ok).toMatch(/about .+ on 2 threads/);
      const bad = await (await postForm('/sweeps/new/preview', form({ ...goodForm, width: 'wide' }))).text();
      expect(decode(bad)).toContain('width: "wide" is not a number');
      const json = await (await postForm('/sweeps/new/preview', form({ spec: JSON.stringify(tinySpec) }))).text();
      expect(json).toContain('8 runs');
    });
  });

  describe('sweep partials and actions', () => {
    it('filters and sorts the runs table, and tells htmx the page URL', async () => {
      const res = await get(`/sweeps/${sweepId}/runs?sort=finalValAcc&order=desc&verdict=healthy`, {
        'hx-request': 'true',
        'hx-current-url': `${server.url}/sweeps/${sweepId}?metric=loss`,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('hx-replace-url')).toBe(`/sweeps/${sweepId}?metric=loss&verdict=healthy&sort=finalValAcc&order=desc`);
      const html = await res.text();
      expect(html).toContain('aria-sort="descending"');
      expect((html.match(/id="run-row-/g) ?? []).length).toBe(8);
      const none = await (await get(`/sweeps/${sweepId}/runs?status=failed`)).text();
      expect(none).toContain('No runs match.');
    });

    it('ignores a malformed HX-Current-URL: only the address bar\'s state is lost', async () => {
      const res = await get(`/sweeps/${sweepId}/runs?sort=seed`, { 'hx-request': 'true', 'hx-current-url': 'not a url' });
      expect(res.status).toBe(200);
      expect(res.headers.get('hx-replace-url')).toBe(`/sweeps/${sweepId}?sort=seed`);
    });

    it('switches the heatmap metric and shows a cell with its runs and loss curves', async () => {
      const heat = await get(`/sweeps/${sweepId}/heatmap?metric=verdict`, { 'hx-request': 'true' });
      expect(heat.headers.get('hx-replace-url')).toBe(`/sweeps/${sweepId}?metric=verdict`);
      expect(await heat.text()).toContain('% healthy');
      const cell = await (await get(`/sweeps/${sweepId}/cell?row=zeros&col=tanh`)).text();
      expect(cell).toContain('initializer zeros × activation tanh');
      expect(cell).toContain('id="cell-loss"');
      expect(cell).toMatch(/href="\/compare\?runs=\d+,\d+"/);
      expect((await get(`/sweeps/${sweepId}/cell?row=nope&col=tanh`)).status).toBe(404);
    });

    it('marks a cell panel with unfinished runs as live (it re-fetches itself on the stream) and a finished one as final', async () => {
      const { id } = services.scheduler.submit({ ...tinySpec, name: 'live cell' });
      await settle();
      const running = decode(await (await get(`/sweeps/${id}/cell?row=zeros&col=tanh`)).text());
      expect(running).toContain('data-live="true"');
      expect(running).toContain(`data-url="/sweeps/${id}/cell?row=zeros&col=tanh"`);
      expect(running).toContain('Live: follows the sweep');
      await finishAll();
      const done = decode(await (await get(`/sweeps/${id}/cell?row=zeros&col=tanh`)).text());
      expect(done).toContain('data-live="false"');
      expect(done).not.toContain('data-url=');
      expect(done).toContain('these numbers are final');
    });

    it('cancels a sweep (htmx gets the progress partial) and re-runs its cancelled runs', async () => {
      const id = services.scheduler.submit({ ...tinySpec, name: 'to cancel' }).id;
      await settle();
      const res = await postForm(`/sweeps/${id}/cancel`, '', { 'hx-request': 'true' });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('id="sweep-progress"');
      expect(html).toContain('cancelled');
      await settle();
      expect(services.store.sweepCounts(id).cancelled).toBe(8);

      const rerun = await postForm(`/sweeps/${id}/rerun`, '');
      expect(rerun.status).toBe(303);
      expect(rerun.headers.get('location')).toBe(`/sweeps/${id}`);
      await settle();
      expect(services.store.sweepCounts(id).cancelled).toBe(0);
      await finishAll();
    });

    it('replays a run as a new sweep whose run page checks the metrics bit for bit', async () => {
      const original = services.store.listRuns(sweepId, { limit: 1 }).runs[0];
      const res = await postForm(`/runs/${original.id}/replay`, '');
      expect(res.status).toBe(303);
      const replaySweep = Number(res.headers.get('location')!.split('/').pop());
      await finishAll();
      const replayRun = services.store.listRuns(replaySweep, { limit: 1 }).runs[0];
      const html = await (await get(`/runs/${replayRun.id}`)).text();
      expect(html).toContain(`href="/runs/${original.id}"`);
      expect(html).toContain('match the original bit for bit');
    });

    it('compares nothing on a sweep a user merely named like a replay', async () => {
      const original = services.store.listRuns(sweepId, { limit: 1 }).runs[0];
      const named = services.scheduler.submit({ ...tinySpec, name: `replay of run ${original.id} (my own)`, grid: { seed: [1] } });
      await finishAll();
      const run = services.store.listRuns(named.id, { limit: 1 }).runs[0];
      const runHtml = await (await get(`/runs/${run.id}`)).text();
      expect(runHtml).toContain('replay of run');          // the name is shown as a name...
      expect(runHtml).not.toContain('Replay of <a');        // ...but no comparison with run #N
      expect(runHtml).not.toContain('the original');
      const sweepHtml = await (await get(`/sweeps/${named.id}`)).text();
      expect(sweepHtml).not.toContain(`replay of <a href="/runs/${original.id}"`);
    });

    it('offers every run status and verdict kind as a filter, from the store and the core', async () => {
      const html = await (await get(`/sweeps/${sweepId}/runs`)).text();
      const options = (id: string) => {
        const select = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)![1];
        return [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter((v) => v !== '');
      };
      expect(options('filter-status')).toEqual([...RUN_STATUSES]);
      expect(options('filter-verdict')).toEqual([...VERDICTS]);
    });

    it('compares runs side by side with the differing settings highlighted', async () => {
      const [a, b] = services.store.listRuns(sweepId, { limit: 2 }).runs;
      const html = await (await get(`/compare?runs=${a.id},${b.id}`)).text();
      expect(html).toContain('id="cmp-loss"');
      expect(html).toMatch(/<tr class="differs"><td><span>model\.activation<\/span>/);
      expect((await get(`/compare?runs=${a.id}`)).status).toBe(400);
      expect((await get('/compare?runs=1,x')).status).toBe(400);
    });
  });
});
