// The runs table's filters in headless Chromium at a desktop and a phone size: a hyperparameter select, an accuracy
// range and an added column each re-render the table in place, and the address bar keeps up (a reload shows the same).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../db/types.js';
import { openServices, type Services } from '../../server/services.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const spec = {
  name: 'filters in a browser',
  base: { model: { hidden: [4] }, train: { epochs: 3 } },
  grid: { 'model.init': ['zeros', 'xavier_uniform'], 'model.activation': ['tanh', 'relu'], 'train.lr': [0.05, 0.1], seed: [1, 2, 3] },
};

const SHOTS = process.env.SCREENSHOT_DIR;

describe('runs table filters in a browser', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  let sweepId: number;
  let runs: Run[];
  let executor: ReturnType<typeof createFakeExecutor>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    sweepId = services.scheduler.submit(spec).id;
    for (let round = 0; round < 200 && executor.runningIds().length > 0; round++) {
      for (const id of executor.runningIds()) executor.finish(id, 1 + (id % 3));   // final val. acc. 0.505–0.515
      await settle();
    }
    runs = services.store.listRuns(sweepId, { limit: 1000 }).runs;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await services?.close();
  });

  const rowIds = (page: Page) => page.$$eval('#runs-body tr', (rows) => rows.map((r) => Number(r.id.replace('run-row-', ''))).sort((a, b) => a - b));

  for (const viewport of [{ width: 1400, height: 900 }, { width: 390, height: 844 }]) {
    it(`filters by lr and a val. accuracy range, and adds a column at ${viewport.width}×${viewport.height}`, async () => {
      const page = await openPage(browser, viewport, pageErrors);
      await page.goto(`${server.url}/sweeps/${sweepId}`);
      await page.locator('.run-count', { hasText: 'Showing 24 of 24 runs' }).waitFor();

      await page.selectOption('[id="filter-train.lr"]', '0.1');
      await page.locator('.run-count', { hasText: 'Showing 12 of 24 runs' }).waitFor();
      expect(await rowIds(page)).toEqual(runs.filter((r) => r.config.train.lr === 0.1).map((r) => r.id));
      await page.waitForURL((url) => url.searchParams.get('f.train.lr') === '0.1');

      await page.locator('summary', { hasText: 'Metric ranges' }).click();
      await page.fill('#min-final_val_acc', '0.508');
      await page.press('#min-final_val_acc', 'Enter');
      const expected = runs.filter((r) => r.config.train.lr === 0.1 && r.finalValAcc! >= 0.508).map((r) => r.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(12);
      await page.locator('.run-count', { hasText: `Showing ${expected.length} of 24 runs` }).waitFor();
      expect(await rowIds(page)).toEqual(expected);

      await page.locator('summary', { hasText: 'Columns' }).click();
      await page.check('input[name="cols"][value="final_train_acc"]');
      await page.locator('.runs-table th', { hasText: 'Train acc.' }).waitFor();
      await page.waitForURL((url) => url.searchParams.get('cols') === 'final_train_acc' && url.searchParams.get('min.final_val_acc') === '0.508');
      const first = runs.find((r) => r.id === expected[0])!;
      await expect.poll(() => page.locator(`#run-row-${first.id} td[data-label="Train acc."]`).innerText())
        .toBe(`${(first.finalTrainAcc! * 100).toFixed(1)}%`);
      if (SHOTS) await page.locator('#runs-card').screenshot({ path: `${SHOTS}/run-filters-${viewport.width}.png` });

      // The address bar holds the whole state: a reload shows the same rows, ticks and column.
      await page.reload();
      await page.locator('.run-count', { hasText: `Showing ${expected.length} of 24 runs` }).waitFor();
      expect(await rowIds(page)).toEqual(expected);
      expect(await page.inputValue('[id="filter-train.lr"]')).toBe('0.1');
      expect(await page.inputValue('#min-final_val_acc')).toBe('0.508');
      expect(await page.isChecked('input[name="cols"][value="final_train_acc"]')).toBe(true);

      await page.locator('a', { hasText: 'Clear filters' }).click();
      await page.locator('.run-count', { hasText: 'Showing 24 of 24 runs' }).waitFor();
      // Filter changes are history steps: back returns to the filtered table.
      await page.goBack();
      await page.locator('.run-count', { hasText: `Showing ${expected.length} of 24 runs` }).waitFor();
      expect(await rowIds(page)).toEqual(expected);
      await page.close();
      expect(pageErrors).toEqual([]);
    });
  }

  it('keeps an added column when live updates finish runs', async () => {
    const live = services.scheduler.submit({ ...spec, name: 'live columns', grid: { ...spec.grid, seed: [1] } }).id;
    await settle();
    const page = await openPage(browser, { width: 1400, height: 900 }, pageErrors);
    const rowRequests: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === `/sweeps/${live}/rows`) rowRequests.push(request.url());
    });
    await page.goto(`${server.url}/sweeps/${live}?cols=final_train_acc`);
    await page.locator('.runs-table th', { hasText: 'Train acc.' }).waitFor();
    await page.locator('#live[data-state="connected"]').waitFor();
    const running = executor.runningIds();
    expect(running.length).toBeGreaterThan(0);
    await page.locator(`#run-row-${running[0]} .status-cell`, { hasText: 'running' }).waitFor();
    // Rows are updated in place, not by reloading the table: a mark on the table's element survives.
    await page.$eval('#runs-card', (card) => { (card as unknown as { marked: boolean }).marked = true; });
    for (let round = 0; round < 50 && executor.runningIds().length > 0; round++) {
      for (const id of executor.runningIds()) executor.finish(id, 2);
      await settle();
    }
    await page.locator(`#run-row-${running[0]} .status-cell`, { hasText: 'succeeded' }).waitFor();
    await expect.poll(() => page.locator(`#run-row-${running[0]} td[data-label="Train acc."]`).innerText()).toBe('52.0%');
    await page.locator('#runs-body .status-succeeded').nth(7).waitFor(); // all 8 runs of the sweep
    expect(await page.$eval('#runs-card', (card) => (card as unknown as { marked?: boolean }).marked)).toBe(true);
    // The rows came from the live rows route, with the table's column, and only for runs the table shows.
    expect(rowRequests.length).toBeGreaterThan(0);
    const shown = new Set(await rowIds(page));
    for (const url of rowRequests) {
      const params = new URL(url).searchParams;
      expect(params.get('cols')).toBe('final_train_acc');
      for (const id of params.get('ids')!.split(',')) expect(shown.has(Number(id))).toBe(true);
    }
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
