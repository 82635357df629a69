// The JSON API over an app on an in-memory database, with a fake executor the test drives.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

/** Response bodies as untyped JSON, for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}

const spec = {
  name: 'api sweep',
  base: { model: { hidden: [4] }, train: { epochs: 2 } },
  grid: { 'model.init': ['zeros', 'xavier_uniform'], 'model.activation': ['tanh', 'relu'], seed: [1, 2] },
};

describe('JSON API', () => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;
  const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string) => fetch(server.url + path);

  beforeAll(async () => {
    executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('creates a sweep from a spec: 201 with its id and run count', async () => {
    const res = await post('/api/sweeps', spec);
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ id: 1, runs: 8 });
    expect(res.headers.get('location')).toBe('/api/sweeps/1');
  });

  it('answers a bad spec with 400 and an issue per field', async () => {
    const res = await post('/api/sweeps', { grid: { 'model.init': ['zeros', 'bogus'] }, base: { train: { epochs: 1 } } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_config');
    expect(body.error.issues[0].path).toBe('grid.model.init[1]');
  });

  it('answers a spec nested 10,000 levels deep with 400 naming the field, not 500', async () => {
    const body = `{"name":"deep","base":{"train":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`;
    const res = await post('/api/sweeps', body);
    expect(res.status).toBe(400);
    const error = (await json(res)).error;
    expect(error.code).toBe('invalid_config');
    expect(error.issues[0].path).toMatch(/^base\.train\.a/);
    expect(error.issues[0].message).toMatch(/nested deeper than/);
  });

  it('answers an empty body, {}, a __proto__ key or a lone surrogate with 400 and stores nothing', async () => {
    const before = (await json(get('/api/sweeps'))).length;
    for (const body of ['', '{}', '{"grid": {"__proto__": {"seed": [1]}}}', '{"name": "\\ud800"}']) {
      const res = await post('/api/sweeps', body);
      expect(res.status, body).toBe(400);
    }
    expect((await json(post('/api/sweeps', '{"name": "\\ud800"}'))).error.issues[0].path).toBe('name');
    expect((await json(get('/api/sweeps'))).length).toBe(before);
  });

  it('answers bad JSON with 400 and a body over 1 MB with 413', async () => {
    const bad = await post('/api/sweeps', '{"name": ');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('bad_json');
    const big = await post('/api/sweeps', JSON.stringify({ name: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
  });

  it('creates a sweep from a preset name', async () => {
    const res = await post('/api/sweeps', { preset: 'seed-tour' });
    expect(res.status).toBe(201);
    expect((await json(res)).runs).toBe(84);
    services.scheduler.cancel(2);
  });

  it('lists presets and sweeps, and shows one sweep with counts per status', async () => {
    const presets = await json(get('/api/presets'));
    expect(presets.map((p: { name: string }) => p.name)).toContain('seed-tour');
    const tour = presets.find((p: { name: string }) => p.name === 'seed-tour');
    expect(tour).toMatchObject({ runs: 84, spec: { grid: { seed: [1, 2, 3] } } });
    const sweeps = await json(get('/api/sweeps'));
    expect(sweeps.length).toBeGreaterThanOrEqual(2);
    const sweep = await json(get('/api/sweeps/1'));
    expect(sweep).toMatchObject({ id: 1, name: 'api sweep', status: 'running' });
    expect(sweep.counts).toMatchObject({ running: 2, queued: 6, total: 8 });
  });

  it('pages and filters a sweep\'s runs, and serves a run and its metrics', async () => {
    while (executor.runningIds().length > 0) {
      executor.finish(executor.runningIds()[0]!, 2);
      await settle();
    }
    const page = await json(get('/api/sweeps/1/runs?status=succeeded&limit=3&sort=seed&order=desc'));
    expect(page.total).toBe(8);
    expect(page.runs).toHaveLength(3);
    expect(page.runs[0].seed).toBe(2);
    const run = await json(get(`/api/runs/${page.runs[0].id}`));
    expect(run.status).toBe('succeeded');
    const metrics = await json(get(`/api/runs/${page.runs[0].id}/metrics`));
    expect(metrics.map((m: { epoch: number }) => m.epoch)).toEqual([0, 1, 2]);
    const badSort = await get('/api/sweeps/1/runs?sort=nonsense');
    expect(badSort.status).toBe(400);
    const twice = await get('/api/sweeps/1/runs?status=failed&status=queued');
    expect(twice.status).toBe(400);
    expect((await json(twice)).error.message).toContain('"status"');
  });

  it('exports CSV that parses back, and a LaTeX pivot', async () => {
    const csv = await get('/api/sweeps/1/export?format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('initlab-sweep-1.csv');
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(8);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['model.init', 'model.activation', 'seed', 'status']));
    const latex = await (await get('/api/sweeps/1/export?format=latex&pivot=final_val_acc')).text();
    expect(latex).toContain('\\begin{tabular}');
    expect((await get('/api/sweeps/1/export?format=xlsx')).status).toBe(400);
  });

  it('cancels, re-runs and replays', async () => {
    const created = await json(post('/api/sweeps', { ...spec, name: 'to cancel' }));
    const cancelled = await json(post(`/api/sweeps/${created.id}/cancel`));
    expect(cancelled.status).toBe('cancelled');
    await settle();
    const rerun = await json(post(`/api/sweeps/${created.id}/rerun`));
    expect(rerun).toEqual({ id: created.id, requeued: 8 });
    services.scheduler.cancel(created.id);
    const replay = await post('/api/runs/1/replay');
    expect(replay.status).toBe(201);
    expect((await json(replay)).runs).toBe(1);
  });

  it('answers unknown ids and endpoints with JSON 404s', async () => {
    for (const path of ['/api/sweeps/999', '/api/runs/999', '/api/runs/abc/metrics', '/api/nothing']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect((await json(res)).error.code, path).toBe('not_found');
    }
    expect((await post('/api/sweeps/999/cancel')).status).toBe(404);
  });

  it('refuses a POST that a browser marks cross-site, by either header alone', async () => {
    const cases: Array<Record<string, string>> = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: 'not a url' },
    ];
    for (const headers of cases) {
      const res = await post('/api/sweeps/1/rerun', undefined, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
    const sameOrigin = await post('/api/sweeps/1/rerun', undefined, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
  });

  it('answers only to loopback host names (no DNS rebinding)', async () => {
    const port = Number(new URL(server.url).port);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/api/sweeps', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`[::1]:${port}`)).toBe(200);
  });

  it('reports health', async () => {
    expect(await json(get('/healthz'))).toMatchObject({ ok: true });
  });
});

describe('access token', () => {
  it('requires the token on every request when one is configured', async () => {
    const services = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1) });
    const server = await serveApp(services, { token: 's3cret' });
    try {
      expect((await fetch(`${server.url}/api/sweeps`)).status).toBe(401);
      const ok = await fetch(`${server.url}/api/sweeps`, { headers: { authorization: 'Bearer s3cret' } });
      expect(ok.status).toBe(200);
      const login = await fetch(`${server.url}/sweeps/new?token=s3cret&preset=selu`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/sweeps/new?preset=selu');
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      expect(cookie).toBe('initlab_token=s3cret');
      expect((await fetch(`${server.url}/api/presets`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${server.url}/api/presets`, { headers: { cookie: 'initlab_token=wrong' } })).status).toBe(401);
    } finally {
      await server.close();
      await services.close();
    }
  });
});

describe('JSON API: backends', () => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;
  const post = (path: string, body?: unknown) => fetch(server.url + path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
  });
  const get = (path: string) => fetch(server.url + path);
  const small = { name: 'backend sweep', base: { model: { hidden: [4] }, train: { epochs: 1 } }, grid: { seed: [1, 2] } };

  beforeAll(async () => {
    // A fixed default: the scheduler hands it to the fake executor, which reports it back as a worker would.
    executor = createFakeExecutor(1);
    services = openServices({ dbFile: ':memory:', executor, backend: { backend: 'ts', cpuPath: 'js' } });
    services.scheduler.start();
    server = await serveApp(services);
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('shows a run\'s backend and CPU path once it finished, null before', async () => {
    const { id } = await json(post('/api/sweeps', small));
    const [first, second] = (await json(get(`/api/sweeps/${id}/runs`))).runs as Array<{ id: number }>;
    expect(await json(get(`/api/runs/${second!.id}`))).toMatchObject({ status: 'queued', backend: null, cpuPath: null });
    executor.finish(first!.id, 1);
    await settle();
    expect(await json(get(`/api/runs/${first!.id}`))).toMatchObject({ status: 'succeeded', backend: 'ts', cpuPath: 'js' });
    executor.finish(second!.id, 1);
    await settle();
  });

  it('exports the backend and CPU path of every run', async () => {
    const rows = parse(await (await get('/api/sweeps/1/export?format=csv')).text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.backend, r.cpu_path])).toEqual([['ts', 'js'], ['ts', 'js']]);
    const objects = await json(get('/api/sweeps/1/export?format=json'));
    expect(objects[0]).toMatchObject({ backend: 'ts', cpu_path: 'js' });
  });

  it('accepts a spec pinned to a backend this machine runs, and answers one it cannot run with 400 naming the field', async () => {
    const ok = await post('/api/sweeps', { ...small, name: 'pinned', backend: 'ts', cpuPath: 'js' });
    expect(ok.status).toBe(201);
    const { id } = await json(ok);
    expect((await json(get(`/api/sweeps/${id}`))).spec).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    services.scheduler.cancel(id);

    const wrongPath = await post('/api/sweeps', { ...small, backend: 'ts', cpuPath: 'avx2' });
    expect(wrongPath.status).toBe(400);
    expect((await json(wrongPath)).error).toMatchObject({
      code: 'invalid_config', issues: [{ path: 'cpuPath', message: expect.stringContaining('"avx2"') }],
    });
    const wrongName = await json(post('/api/sweeps', { ...small, backend: 'gpu' }));
    expect(wrongName.error.issues).toEqual([{ path: 'backend', message: expect.stringContaining('"native"') }]);
  });

  it('replays a run pinned to its recorded backend and CPU path', async () => {
    const res = await post('/api/runs/1/replay');
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const sweep = await json(get(`/api/sweeps/${id}`));
    expect(sweep.spec).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    expect(sweep.spec.description).toContain('on the ts backend (js)');
  });
});
