// The dashboard in headless Chromium against a real server with the real training pool (one thread, tiny sweeps):
// launch from the form, watch the page update live, open a run, switch views, export, cancel, and a bad form.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { serveApp } from '../helpers/http.js';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Epochs of the first sweep's runs: their curves have this many points plus epoch 0. */
const FIRST_SWEEP_EPOCHS = 25;

describe('dashboard in a browser', () => {
  let dir: string;
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let firstSweepUrl = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'initlab-browser-'));
    // The sweeps here are sized for the ts backend's speed, so that the pages load while runs still train; natively
    // they can finish before a page opens its stream. The backend itself is tested elsewhere.
    services = openServices({ dbFile: join(dir, 'dash.db'), threads: 1, backend: { backend: 'ts', cpuPath: 'js' } });
    services.scheduler.start();
    server = await serveApp(services);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A Content-Security-Policy violation is a console error, not a page error: count it as one.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
    });
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await services?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('launches a small custom sweep from the form and fills the progress bar and heatmap without reloading', async () => {
    const rowRequests: URL[] = [];
    const onRequest = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (/^\/sweeps\/\d+\/rows$/.test(url.pathname)) rowRequests.push(url);
    };
    page.on('request', onRequest);
    await page.goto(`${server.url}/sweeps/new`);
    await page.fill('#f-name', 'browser sweep');
    // Sized so the sweep takes seconds on one thread: the page must load before it ends, to see it change live.
    await page.fill('#f-samples', '2000');
    await page.fill('#f-width', '32');
    await page.fill('#f-depth', '3');
    await page.fill('#f-epochs', String(FIRST_SWEEP_EPOCHS));
    await page.fill('#f-seeds', '1');
    // The preview follows the form: 2 initializers × 2 activations × 1 seed.
    await page.locator('#preview', { hasText: '4 runs' }).waitFor();
    await page.uncheck('input[name=activations][value=relu]');
    await page.locator('#preview', { hasText: '2 runs' }).waitFor();
    await page.check('input[name=activations][value=relu]');
    await page.locator('#preview', { hasText: '4 runs' }).waitFor();

    await Promise.all([page.waitForURL(/\/sweeps\/\d+$/), page.click('#sweep-form button.primary')]);
    firstSweepUrl = page.url();
    await page.evaluate(() => { (globalThis as unknown as { stayed: boolean }).stayed = true; });
    const atLoad = await page.locator('#sweep-progress .counts').innerText();
    expect(atLoad).not.toContain('4 done');
    await page.locator('#live[data-state="connected"], #live[data-state="idle"]').waitFor();
    // Open the last cell while its run is still queued (one thread, runs in order): the panel follows the stream.
    await page.locator('.heatmap .cell').last().click();
    await page.locator('#cell-card[data-live="true"]').waitFor();
    expect(await page.locator('#cell-card .caption').innerText()).toContain('Live: follows the sweep');

    await page.locator('#sweep-progress .counts', { hasText: '4 done' }).waitFor({ timeout: 60_000 });
    await page.locator('.heatmap .cell.pending').first().waitFor({ state: 'detached' });
    expect(await page.locator('.heatmap .cell').count()).toBe(4);
    await page.locator('#live[data-state="idle"]').waitFor();
    expect(await page.locator('#live .live-text').innerText()).toBe('finished · up to date');
    // The open cell panel caught up without a reload: final numbers, no run left running or queued, a full curve.
    await page.locator('#cell-card[data-live="false"]').waitFor();
    expect(await page.locator('#cell-card .status-running, #cell-card .status-queued').count()).toBe(0);
    expect(await page.locator('#cell-card .caption').innerText()).toContain('these numbers are final');
    await page.locator('#cell-card #cell-loss .uplot').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // Rows of the runs table were updated in place as runs finished: fetched by id when the stream named them.
    expect(await page.locator('#runs-body .status-succeeded').count()).toBe(4);
    page.off('request', onRequest);
    expect(rowRequests.length).toBeGreaterThan(0);
    expect(rowRequests.every((url) => /^\d+(,\d+)*$/.test(url.searchParams.get('ids') ?? ''))).toBe(true);
  });

  it('launches a preset from the form and follows it to the end', async () => {
    await page.goto(`${server.url}/sweeps/new`);
    await Promise.all([page.waitForURL(/preset=normalization/), page.selectOption('#preset', 'normalization')]);
    await page.locator('#preview', { hasText: '18 runs' }).waitFor();
    await Promise.all([page.waitForURL(/\/sweeps\/\d+$/), page.click('#new-card button.primary')]);
    await page.locator('h1', { hasText: 'Input normalization' }).waitFor();
    await page.locator('#sweep-progress .counts', { hasText: '18 done' }).waitFor({ timeout: 90_000 });
    // The preset's grid axis is the heatmap's: initializer rows, and the normalization appears in the summary.
    expect(await page.locator('#runs-body .status-succeeded, #runs-body .status-diverged').count()).toBeGreaterThan(0);
    await page.goto(firstSweepUrl);
  });

  it('switches the heatmap metric, opens a cell, filters the table; the URL follows each view', async () => {
    await page.check('input[name=metric][value=loss]');
    await page.locator('#heatmap-grid .legend', { hasText: 'log scale' }).waitFor();
    await page.waitForURL(/metric=loss/);

    await page.locator('.heatmap .cell').first().click();
    await page.locator('#cell-detail #cell-loss .uplot').waitFor();
    await page.waitForURL(/row=.*&col=/);
    expect(page.url()).toContain('metric=loss');

    await page.selectOption('#filter-status', 'failed');
    await page.locator('#runs-card', { hasText: 'No runs match.' }).waitFor();
    await page.waitForURL(/status=failed/);
    await page.selectOption('#filter-status', '');
    await page.locator('#runs-body tr').nth(3).waitFor();

    // The URL is a stable address: loading it renders the same view.
    await page.goto(page.url());
    expect(await page.locator('input[name=metric][value=loss]').isChecked()).toBe(true);
    await page.locator('#cell-detail #cell-loss .uplot').waitFor();
  });

  it('opens a run and sees its loss and accuracy curves and per-layer picture', async () => {
    await page.goto(firstSweepUrl);
    await Promise.all([page.waitForURL(/\/runs\/\d+$/), page.locator('#runs-body a[href^="/runs/"]').first().click()]);
    await page.locator('#chart-loss .uplot canvas').waitFor();
    await page.locator('#chart-acc .uplot canvas').waitFor();
    expect(await page.locator('#chart-loss').getAttribute('data-points')).toBe(String(FIRST_SWEEP_EPOCHS + 1)); // epochs 0..N
    expect(await page.locator('.layer-map').count()).toBe(2);
    expect(await page.locator('#run-verdicts li').count()).toBeGreaterThan(0);
  });

  it('downloads the CSV export and parses one row per run', async () => {
    await page.goto(firstSweepUrl);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sweep-progress a:has-text("CSV")')]);
    const file = join(dir, 'export.csv');
    await download.saveAs(file);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('grows a running run\'s curves live, then cancels its sweep', async () => {
    const res = await fetch(`${server.url}/api/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'long sweep',
        base: { dataset: { samples: 1000 }, model: { hidden: [32, 32, 32] }, train: { epochs: 200, batchSize: 16 } },
        grid: { 'model.init': ['xavier_uniform', 'he_normal'], seed: [1, 2] },
      }),
    });
    const { id } = (await res.json()) as { id: number };
    const running = () => services.store.listRuns(id, { status: 'running', limit: 1 }).runs[0];
    await expect.poll(() => running()?.id, { timeout: 30_000 }).toBeDefined();
    await page.goto(`${server.url}/runs/${running().id}`);
    await page.locator('#chart-loss .uplot').waitFor();
    await page.locator('#live[data-state="connected"]').waitFor();
    const before = Number(await page.locator('#chart-loss').getAttribute('data-points'));
    // The browser's own expression (this file is typed without the DOM library).
    // A function, not a string: the page's Content-Security-Policy forbids evaluating strings.
    await page.waitForFunction(
      (least) => {
        // runs in the page; the test's TypeScript has no DOM types
        const page = globalThis as unknown as { document: { querySelector(s: string): Element | null } };
        type Element = { getAttribute(name: string): string | null };
        return Number(page.document.querySelector('#chart-loss')?.getAttribute('data-points')) > least;
      },
      before + 2, { timeout: 30_000 },
    );

    await page.goto(`${server.url}/sweeps/${id}`);
    await page.locator('#live[data-state="connected"]').waitFor();
    await page.click('#sweep-progress button.danger');
    await page.locator('#sweep-progress .badge', { hasText: 'cancelled' }).waitFor();
    await page.locator('#live[data-state="idle"]').waitFor({ timeout: 15_000 });
    const counts = services.store.sweepCounts(id);
    expect(counts.queued + counts.running).toBe(0);
    expect(counts.cancelled).toBeGreaterThan(0);
  });

  it('re-renders an invalid form with the field\'s message beside it, keeping what was typed', async () => {
    await page.goto(`${server.url}/sweeps/new`);
    await page.fill('#f-lr', 'abc');
    await page.click('#sweep-form button.primary');
    await page.locator('#err-lr', { hasText: '"abc" is not a number' }).waitFor();
    expect(page.url()).toBe(`${server.url}/sweeps/new`);
    expect(await page.inputValue('#f-lr')).toBe('abc');
    expect(await page.getAttribute('#f-lr', 'aria-invalid')).toBe('true');
  });

  it('ran every page without a script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
