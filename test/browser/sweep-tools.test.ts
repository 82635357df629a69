// The sweep page's tools in headless Chromium, with a fake executor so the test decides when each run finishes: the
// open cell panel follows the stream to the sweep's end, and the compare selection survives pages, filters and sweeps.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

function spec(name: string, seeds: number[], inits = ['xavier_uniform']) {
  return { name, base: { model: { hidden: [4] }, train: { epochs: 2 } }, grid: { 'model.init': inits, 'model.activation': ['tanh'], seed: seeds } };
}

/** The text of the first element matching a selector, whitespace collapsed (runs in the page). */
async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

describe('sweep tools in a browser', () => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  /** Finishes the running runs, one round; the scheduler then dispatches the next queued ones. */
  async function finishRunning() {
    for (const id of executor.runningIds()) executor.finish(id, 2);
    await settle();
  }

  async function finishAll() {
    for (let round = 0; round < 100 && executor.runningIds().length > 0; round++) await finishRunning();
  }

  beforeAll(async () => {
    executor = createFakeExecutor(1);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await services?.close();
  });

  it('keeps an open cell panel in step with the stream until the sweep finishes, without a reload', async () => {
    const { id } = services.scheduler.submit(spec('cell follows', [1, 2, 3]));
    await settle();
    await page.goto(`${server.url}/sweeps/${id}`);
    await page.locator('#live[data-state="connected"]').waitFor();
    await page.click('#heatmap-grid .cell');
    await page.locator('#cell-card[data-live="true"]').waitFor();
    expect(await textOf(page, '#cell-card .table-wrap tbody')).toMatch(/running.*queued.*queued/);
    await finishRunning();
    await page.locator('#cell-card .table-wrap tbody tr:first-child .status-succeeded').waitFor();
    await finishAll();
    await page.locator('#cell-card[data-live="false"]').waitFor();
    expect(await textOf(page, '#cell-card .table-wrap tbody')).not.toMatch(/running|queued/);
    expect(await page.locator('#cell-card .status-succeeded').count()).toBe(3);
    expect(await textOf(page, '#cell-card')).toContain('these numbers are final');
    await page.locator('#live[data-state="idle"]', { hasText: 'finished · up to date' }).waitFor();
  });

  it('keeps the compare selection across table pages, filters and sweeps, and counts it on the button', async () => {
    const big = services.scheduler.submit(spec('thirty runs', Array.from({ length: 30 }, (_, i) => i + 1)));
    await finishAll();
    const other = services.scheduler.submit(spec('another sweep', [1, 2]));
    await finishAll();
    const bigIds = services.store.listRuns(big.id, { sortBy: 'id', limit: 30 }).runs.map((r) => r.id);
    const [a, b] = [bigIds[0], bigIds[27]];   // table pages 1 and 2 (25 a page)
    const c = services.store.listRuns(other.id, { limit: 1 }).runs[0].id;
    const submit = page.locator('#compare-form .compare-submit');

    await page.goto(`${server.url}/sweeps/${big.id}`);
    expect(await submit.isDisabled()).toBe(true);   // nothing ticked: no way to a 400 page
    await page.check(`input[name="runs"][value="${a}"]`);
    expect(await submit.innerText()).toBe('Compare 1 selected');
    expect(await submit.isDisabled()).toBe(true);
    await page.click('.pager a:has-text("Next")');
    await page.check(`input[name="runs"][value="${b}"]`);
    expect(await submit.innerText()).toBe('Compare 2 selected');
    expect(await submit.isDisabled()).toBe(false);
    await page.selectOption('#filter-status', 'succeeded');   // a filter re-renders the table: ticks come back
    await page.locator('.pager').waitFor();
    expect(await page.isChecked(`input[name="runs"][value="${a}"]`)).toBe(true);

    await page.goto(`${server.url}/sweeps/${other.id}`);
    await page.check(`input[name="runs"][value="${c}"]`);
    expect(await submit.innerText()).toBe('Compare 3 selected');
    expect(await textOf(page, '#compare-form .compare-count')).toBe('2 of them on other pages or sweeps');
    await submit.click();
    await page.waitForURL(`${server.url}/compare?runs=${a},${b},${c}`);
    expect(await textOf(page, 'h1')).toBe('Compare 3 runs');

    await page.goto(`${server.url}/sweeps/${other.id}`);
    await page.click('#compare-form .compare-clear');
    expect(await submit.isDisabled()).toBe(true);
    expect(await page.isChecked(`input[name="runs"][value="${c}"]`)).toBe(false);
  });

  it('refreshes a compare page while its runs train, and says when they are final', async () => {
    const { id } = services.scheduler.submit(spec('compared live', [1, 2]));
    await settle();
    const ids = services.store.listRuns(id, { sortBy: 'id', limit: 2 }).runs.map((r) => r.id);
    await page.goto(`${server.url}/compare?runs=${ids.join(',')}`);
    await page.locator('#live[data-state="connected"]', { hasText: 'refreshed every 2 s' }).waitFor();
    expect(await textOf(page, '#compare-body tbody')).toMatch(/running.*queued/);
    await finishAll();
    await page.locator('#compare-body[data-poll="final"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#compare-body tbody .status-succeeded').count()).toBe(2);
    await page.locator('#live[data-state="idle"]', { hasText: 'finished · up to date' }).waitFor();
  });

  it('ran every page without a script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
