// The parallel-coordinates view in headless Chromium at a desktop and a phone size: the canvas is drawn, a click on
// a category and a drag along the lr axis select runs (count, chips, address bar), the table link opens exactly
// those runs, a reload keeps the selection and "Clear selection" drops it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../db/types.js';
import { openServices, type Services } from '../../server/services.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const spec = {
  name: 'parallel in a browser',
  base: { model: { hidden: [4] }, train: { epochs: 10 } },
  grid: {
    'model.init': ['zeros', 'xavier_uniform', 'he_normal'], 'model.activation': ['tanh', 'relu'],
    'train.lr': [0.001, 0.01, 0.1], seed: [1, 2, 3],
  },
};

/** Epochs a run trains (final val. acc. 0.5 + epochs / 200), or null for the one run that diverges. */
function plannedEpochs(run: Run): number | null {
  const lr = run.config.train.lr;
  if (run.initLabel === 'zeros') return 1;
  if (run.initLabel === 'xavier_uniform') return lr === 0.001 ? 3 : lr === 0.01 ? 6 : 8;
  if (lr === 0.1 && run.activationLabel === 'relu' && run.seed === 3) return null;
  return lr === 0.001 ? 4 : lr === 0.01 ? 8 : 10;
}

const SHOTS = join(process.env.SCREENSHOT_DIR ?? '/tmp', 'initlab-parallel');

// The plot's geometry, as parcoords.js lays it out: axes evenly spaced between 12 px margins, from y = 40 down to
// 58 px above the canvas's bottom (the metric axis's "diverged" and "failed" places sit below), values kept 4% off
// the ends of an axis.
const SIDE = 12;
const TOP = 40;
const BELOW = 58;

describe('parallel coordinates in a browser', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  let sweepId: number;
  let runs: Run[];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const executor = createFakeExecutor(2);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    sweepId = services.scheduler.submit(spec).id;
    const planned = new Map(services.store.listRuns(sweepId, { limit: 100 }).runs.map((r) => [r.id, r]));
    for (let round = 0; round < 200 && executor.runningIds().length > 0; round++) {
      for (const id of executor.runningIds()) {
        const epochs = plannedEpochs(planned.get(id)!);
        if (epochs === null) executor.diverge(id, 1);
        else executor.finish(id, epochs);
      }
      await settle();
    }
    runs = services.store.listRuns(sweepId, { limit: 100 }).runs;
    expect(runs.filter((r) => r.status === 'diverged')).toHaveLength(1);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await services?.close();
  });

  /** A point on axis `a` (of `count`) at height u (0 bottom … 1 top of the axis), in page coordinates. */
  async function at(page: Page, a: number, count: number, u: number): Promise<{ x: number; y: number }> {
    const box = (await page.locator('.pc-canvas').boundingBox())!;
    const bottom = box.height - BELOW;
    return { x: box.x + SIDE + ((box.width - 2 * SIDE) * a) / (count - 1), y: box.y + bottom - u * (bottom - TOP) };
  }

  const rowIds = (page: Page) => page.$$eval('#runs-body tr', (rows) => rows.map((r) => Number(r.id.replace('run-row-', ''))).sort((a, b) => a - b));

  for (const viewport of [{ width: 1400, height: 900 }, { width: 390, height: 844 }]) {
    it(`brushes a category and an lr range, opens them in the table, and keeps them on reload at ${viewport.width}×${viewport.height}`, async () => {
      const page = await openPage(browser, viewport, pageErrors);
      await page.goto(`${server.url}/sweeps/${sweepId}/parallel`);
      await page.locator('.pc.pc-ready').waitFor();
      await page.locator('.pc-count', { hasText: 'No selection: all 54 runs.' }).waitFor();
      // the canvas holds lines: many pixels are neither transparent nor the card's white
      const inked = await page.evaluate(`(() => {
        const canvas = document.querySelector('.pc-canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] > 0) count++;
        return count / (pixels.length / 4);
      })()`) as number;
      expect(inked).toBeGreaterThan(0.02);
      const box = (await page.locator('.pc-canvas').boundingBox())!;
      expect(box.width).toBeLessThanOrEqual(viewport.width);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);

      // axes: initializer (he_normal, xavier_uniform, zeros from the bottom), activation, lr (log), val. acc.
      const click = await at(page, 0, 4, 0.5);
      await page.mouse.click(click.x, click.y);
      const xavier = runs.filter((r) => r.initLabel === 'xavier_uniform');
      await page.locator('.pc-count', { hasText: `${xavier.length} of 54 runs selected.` }).waitFor();

      // lr 0.01 sits at u = 0.04 + 0.92 · 0.5 = 0.5 and 0.1 at 0.96: drag from 0.4 to the top of the axis
      const from = await at(page, 2, 4, 0.4);
      const to = await at(page, 2, 4, 1);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, (from.y + to.y) / 2, { steps: 4 });
      await page.mouse.move(to.x, to.y, { steps: 4 });
      await page.mouse.up();
      const expected = xavier.filter((r) => r.config.train.lr >= 0.01).map((r) => r.id).sort((a, b) => a - b);
      await page.locator('.pc-count', { hasText: `${expected.length} of 54 runs selected.` }).waitFor();
      expect(await page.locator('.pc-chips li').allInnerTexts()).toEqual(['initializer = xavier_uniform', 'lr 0.01 – 0.1']);
      const href = await page.getAttribute('.pc-open', 'href');
      const link = new URL(href!, server.url);
      expect(Object.fromEntries(link.searchParams)).toEqual({ 'f.model.init': 'xavier_uniform', 'min.train.lr': '0.01', 'max.train.lr': '0.1' });
      expect(new URL(page.url()).searchParams.get('min.train.lr')).toBe('0.01');
      await page.screenshot({ path: join(SHOTS, `parallel-${viewport.width}.png`), fullPage: true });

      // a reload shows the same selection, counted by the server
      await page.reload();
      await page.locator('.pc.pc-ready').waitFor();
      await page.locator('.pc-count', { hasText: `${expected.length} of 54 runs selected.` }).waitFor();

      await page.click('.pc-open');
      await page.waitForURL((url) => url.pathname === `/sweeps/${sweepId}`);
      await page.locator('.run-count', { hasText: `Showing ${expected.length} of 54 runs` }).waitFor();
      expect(await rowIds(page)).toEqual(expected);
      expect(await page.inputValue('[id="filter-model.init"]')).toBe('xavier_uniform');
      expect(await page.inputValue('[id="min-train.lr"]')).toBe('0.01');

      await page.goBack();
      await page.locator('.pc.pc-ready').waitFor();
      await page.click('.pc-clear');
      await page.locator('.pc-count', { hasText: 'No selection: all 54 runs.' }).waitFor();
      expect(new URL(page.url()).search).toBe('');
      await page.close();
      expect(pageErrors).toEqual([]);
    });
  }

  it('selects the diverged run by its place under the metric axis', async () => {
    const page = await openPage(browser, { width: 1400, height: 900 }, pageErrors);
    await page.goto(`${server.url}/sweeps/${sweepId}/parallel`);
    await page.locator('.pc.pc-ready').waitFor();
    const box = (await page.locator('.pc-canvas').boundingBox())!;
    // the "diverged" place: 18 px under the metric axis's bottom end
    await page.mouse.click(box.x + box.width - SIDE, box.y + box.height - BELOW + 18);
    await page.locator('.pc-count', { hasText: '1 of 54 runs selected.' }).waitFor();
    expect(new URL((await page.getAttribute('.pc-open', 'href'))!, server.url).searchParams.get('status')).toBe('diverged');
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
