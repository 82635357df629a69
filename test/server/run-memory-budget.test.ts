// The per-run memory budget end to end: the JSON API, the new-sweep form (submit and preview) and `initlab sweep`
// refuse a run over it naming model.hidden and its estimate, and store nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli.js';
import { defaultMaxRunMb } from '../../server/run-memory.js';
import { openServices, type Services } from '../../server/services.js';
import { capture } from '../helpers/capture.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

/** The issue's request: 200 layers of 4096 units, 3.4e9 parameters. */
const huge = { name: 'huge', base: { model: { hidden: Array(200).fill(4096) }, train: { epochs: 1 } } };
const decode = (html: string) => html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

describe('per-run memory budget', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  const dir = mkdtempSync(join(tmpdir(), 'initlab-mem-'));
  // The default for a 24 GB machine with 2 threads, so the test does not depend on this machine's memory.
  const budget = defaultMaxRunMb(2, 24 * 1024 ** 3);

  beforeAll(async () => {
    services = openServices({ dbFile: ':memory:', executor: createFakeExecutor(2), maxRunMb: budget });
    services.scheduler.start();
    server = await serveApp(services);
  });
  afterAll(async () => {
    await server.close();
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const postForm = (path: string, fields: Record<string, string>) => fetch(server.url + path, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(), redirect: 'manual',
  });

  it('answers POST /api/sweeps over the budget with 400 naming model.hidden and the estimate in MB', async () => {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(huge),
    });
    expect(res.status).toBe(400);
    const body = await res.json() as { error: { issues: { path: string; message: string }[] } };
    const issue = body.error.issues[0]!;
    expect(issue.path).toBe('base.model.hidden');
    expect(issue.message).toMatch(/about [\d,]+ MB/);
    expect(issue.message).toContain(`budget of ${budget.toLocaleString('en-US')} MB`);
    expect(services.store.listSweeps()).toHaveLength(0);
  });

  it('accepts a sweep whose runs fit', async () => {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fits', base: { model: { hidden: [4096, 4096] }, train: { epochs: 1 } } }),
    });
    expect(res.status).toBe(201);
  });

  it('shows the problem in the form\'s preview and refuses its submit', async () => {
    const spec = JSON.stringify(huge);
    const preview = decode(await (await postForm('/sweeps/new/preview', { mode: 'json', spec })).text());
    expect(preview).toContain('model.hidden');
    expect(preview).toMatch(/about [\d,]+ MB/);
    const submitted = await postForm('/sweeps', { mode: 'json', spec });
    expect(submitted.status).toBeGreaterThanOrEqual(400);
    expect(submitted.status).toBeLessThan(500);
    expect(decode(await submitted.text())).toMatch(/model\.hidden.*about [\d,]+ MB/s);
  });

  it('makes initlab sweep exit 2 naming model.hidden, with --max-run-mb and INITLAB_MAX_RUN_MB', async () => {
    const specFile = join(dir, 'wide.json');
    // 2 layers of 4096: about 200 MB, over 50 MB and under 1,000 MB
    writeFileSync(specFile, JSON.stringify({ name: 'wide', base: { model: { hidden: [4096, 4096] }, train: { epochs: 1 } } }));
    const c = capture();
    expect(await main(['sweep', specFile, '--db', join(dir, 'a.db'), '--max-run-mb', '50'], c.io)).toBe(2);
    expect(c.err()).toMatch(/base\.model\.hidden: model\.hidden \[4096, 4096\] makes a run need about [\d,]+ MB/);
    expect(c.err()).toContain('budget of 50 MB');
    process.env.INITLAB_MAX_RUN_MB = '60';
    try {
      const d = capture();
      expect(await main(['sweep', specFile, '--db', join(dir, 'b.db')], d.io)).toBe(2);
      expect(d.err()).toContain('budget of 60 MB');
    } finally {
      delete process.env.INITLAB_MAX_RUN_MB;
    }
    const e = capture();
    expect(await main(['sweep', specFile, '--db', join(dir, 'c.db'), '--max-run-mb', 'lots'], e.io)).toBe(2);
    expect(e.err()).toContain('max-run-mb');
  });
});

describe('parse bounds over HTTP', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  beforeAll(async () => {
    services = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1) });
    server = await serveApp(services);
  });
  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('answers JSON nested 150,000 levels deep with a 400 from its bytes, and a 1e10-run grid with its count', async () => {
    const post = (body: string) => fetch(`${server.url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const deep = await post(`{"base":${'['.repeat(150_000)}${']'.repeat(150_000)}}`);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: { message: string } }).error.message).toContain('nested deeper than 20000 levels');
    const grid = { grid: { seed: Array.from({ length: 100_000 }, (_, i) => i), 'train.epochs': Array.from({ length: 1000 }, (_, i) => i + 1), 'train.lr': Array(100).fill(0.1) } };
    const huge = await post(JSON.stringify(grid));
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: { issues: unknown[] } }).error.issues).toEqual([
      { path: 'grid', message: 'the sweep expands to 10,000,000,000 runs, over the limit of 5,000' },
    ]);
    expect(services.store.listSweeps()).toHaveLength(0);
  });
});
