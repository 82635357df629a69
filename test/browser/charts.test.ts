// The curve charts in headless Chromium at a desktop and a phone size, over runs a fake executor finishes: drag to
// zoom and double-click back, pan, the log/linear toggle (remembered in the tab), smoothing that leaves the legend's
// raw values alone, an x axis spanning a diverged run's configured epochs, a legend that keeps its height on hover,
// eight distinct run colours in both themes, and a heatmap card that keeps its height while runs arrive.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { launchChromium, openPage } from '../helpers/browser.js';
import { serveApp } from '../helpers/http.js';

const EPOCHS = 40;
const SHOTS = join(process.env.SCREENSHOT_DIR ?? '/tmp', 'initlab-charts');

function spec(name: string, seeds: number[], inits = ['xavier_uniform'], activations = ['tanh']) {
  return { name, base: { model: { hidden: [4] }, train: { epochs: EPOCHS } }, grid: { 'model.init': inits, 'model.activation': activations, seed: seeds } };
}

/** What a test reads of a drawn chart (the element carries its uPlot instance as `uplot`). */
interface Drawn {
  xMin: number;
  xMax: number;
  yDistr: number;
  drawn: Array<number | null>;
  strokes: string[];
}

async function drawn(page: Page, selector: string, series = 1): Promise<Drawn> {
  return page.$eval(selector, (el, s) => {
    const u = (el as unknown as { uplot: { scales: Record<string, { min: number; max: number; distr: number }>; data: Array<Array<number | null>>; series: Array<{ stroke?: unknown }> } }).uplot;
    const strokes = u.series.slice(1).map((x, i) => (typeof x.stroke === 'function' ? (x.stroke as (u: unknown, i: number) => string)(u, i + 1) : String(x.stroke)));
    return { xMin: u.scales.x.min, xMax: u.scales.x.max, yDistr: u.scales.y.distr, drawn: u.data[s], strokes };
  }, series);
}

/** Moves the mouse over the plot area at an x value (and a third of the way down). */
async function hoverAt(page: Page, selector: string, x: number) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const pos = await page.$eval(selector, (el, v) => {
    const u = (el as unknown as { uplot: { valToPos(v: number, k: string): number; over: { getBoundingClientRect(): { left: number; top: number; height: number } } } }).uplot;
    const box = u.over.getBoundingClientRect();
    return { x: box.left + u.valToPos(v, 'x'), y: box.top + box.height / 3 };
  }, x);
  await page.mouse.move(pos.x, pos.y);
}

describe.each([
  { name: 'desktop', width: 1400, height: 900 },
  { name: 'phone', width: 390, height: 844 },
])('charts in a browser ($name)', ({ name, width, height }) => {
  let services: Services;
  let executor: ReturnType<typeof createFakeExecutor>;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  let page: Page;
  let runIds: number[] = [];
  let sweepId = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    executor = createFakeExecutor(8);
    services = openServices({ dbFile: ':memory:', executor });
    services.scheduler.start();
    server = await serveApp(services);
    // Eight seeds of one cell: seven train all 40 epochs, the last diverges at epoch 1.
    sweepId = services.scheduler.submit(spec('eight seeds', [1, 2, 3, 4, 5, 6, 7, 8])).id;
    await settle();
    runIds = services.store.listRuns(sweepId, { sortBy: 'id', limit: 8 }).runs.map((r) => r.id);
    for (const id of runIds.slice(0, 7)) executor.finish(id, EPOCHS);
    executor.diverge(runIds[7], 1);
    await settle();
    browser = await launchChromium();
    page = await openPage(browser, { width, height }, pageErrors);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), server?.close()]);
    await services?.close();
  });

  it('zooms x by dragging, pans with the buttons and with shift-drag, and resets on double-click', async () => {
    await page.goto(`${server.url}/runs/${runIds[0]}`);
    await page.locator('#chart-loss .uplot').waitFor();
    expect(await drawn(page, '#chart-loss')).toMatchObject({ xMin: 0, xMax: EPOCHS });
    const box = (await page.locator('#chart-loss .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.up();
    const zoomed = await drawn(page, '#chart-loss');
    expect(zoomed.xMin).toBeGreaterThan(5);
    expect(zoomed.xMax).toBeLessThan(30);

    await page.click('.chart-tools[data-for="chart-loss"] button[aria-label="Pan right"]');
    const panned = await drawn(page, '#chart-loss');
    expect(panned.xMin).toBeGreaterThan(zoomed.xMin);
    expect(panned.xMax - panned.xMin).toBeCloseTo(zoomed.xMax - zoomed.xMin, 6);

    // Shift-drag to the right pans left (toward epoch 0), keeping the window's width.
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const dragged = await drawn(page, '#chart-loss');
    expect(dragged.xMin).toBeLessThan(panned.xMin);
    expect(dragged.xMax - dragged.xMin).toBeCloseTo(panned.xMax - panned.xMin, 6);

    await page.dblclick('#chart-loss .u-over');
    expect(await drawn(page, '#chart-loss')).toMatchObject({ xMin: 0, xMax: EPOCHS });
  });

  it('switches the loss axis between log and linear, and remembers the choice on this page in the tab', async () => {
    await page.goto(`${server.url}/runs/${runIds[1]}`);
    await page.locator('#chart-loss .uplot').waitFor();
    const toggle = page.locator('.chart-tools[data-for="chart-loss"] button[data-action="log"]');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect((await drawn(page, '#chart-loss')).yDistr).toBe(3);
    await toggle.click();
    await page.locator('#chart-loss[data-y-distr="linear"]').waitFor();
    expect((await drawn(page, '#chart-loss')).yDistr).toBe(1);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await page.reload();
    await page.locator('#chart-loss .uplot').waitFor();
    expect((await drawn(page, '#chart-loss')).yDistr).toBe(1);
    // Another run's page keeps its own default.
    await page.goto(`${server.url}/runs/${runIds[2]}`);
    await page.locator('#chart-loss .uplot').waitFor();
    expect((await drawn(page, '#chart-loss')).yDistr).toBe(3);
  });

  it('smooths the drawn curve only: the legend still shows the raw value', async () => {
    await page.goto(`${server.url}/runs/${runIds[3]}`);
    await page.locator('#chart-loss .uplot').waitFor();
    const raw = (await drawn(page, '#chart-loss')).drawn;
    expect(raw[10]).toBeCloseTo(1 / 11, 9); // the fake run's training loss is 1/(epoch+1)
    await page.selectOption('.chart-tools[data-for="chart-loss"] select[data-action="smooth"]', 'strong');
    const smoothed = (await drawn(page, '#chart-loss')).drawn;
    expect(smoothed[10]).not.toBeCloseTo(raw[10]!, 3);
    expect(smoothed[0]).toBe(raw[0]);
    await hoverAt(page, '#chart-loss', 10);
    const value = page.locator('#chart-loss .u-legend .u-series').nth(1).locator('.u-value');
    await expect.poll(() => value.innerText()).toBe(String(Number((1 / 11).toPrecision(4))));
    await page.locator('figure:has(#chart-loss)').screenshot({ path: join(SHOTS, `run-smoothed-${name}.png`) });
  });

  it('spans a diverged run\'s configured epochs on the x axis', async () => {
    await page.goto(`${server.url}/runs/${runIds[7]}`);
    await page.locator('#chart-loss .uplot').waitFor();
    expect(await page.locator('#chart-loss').getAttribute('data-points')).toBe('2');
    expect(await drawn(page, '#chart-loss')).toMatchObject({ xMin: 0, xMax: EPOCHS });
    expect(await drawn(page, '#chart-acc')).toMatchObject({ xMin: 0, xMax: EPOCHS });
    await page.locator('#chart-loss').locator('xpath=ancestor::section[1]').screenshot({ path: join(SHOTS, `run-diverged-${name}.png`) });
  });

  it('keeps the legend and what follows it in place while hovering', async () => {
    await page.goto(`${server.url}/sweeps/${sweepId}`);
    await page.click('#heatmap-grid .cell');
    await page.locator('#cell-loss .uplot').waitFor();
    const legend = page.locator('#cell-loss .u-legend');
    await page.locator('#cell-loss').scrollIntoViewIfNeeded();
    const before = (await legend.boundingBox())!;
    const next = (await page.locator('#runs-card').boundingBox())!;
    await hoverAt(page, '#cell-loss', 20);
    const value = legend.locator('.u-series').nth(1).locator('.u-value');
    await expect.poll(() => value.innerText()).not.toBe('—');
    const during = (await legend.boundingBox())!;
    expect(during.height).toBe(before.height);
    expect((await page.locator('#runs-card').boundingBox())!.y).toBe(next.y);
    expect(await drawn(page, '#cell-loss')).toMatchObject({ xMin: 0, xMax: EPOCHS });
    await page.locator('figure:has(#cell-loss)').screenshot({ path: join(SHOTS, `cell-hover-${name}.png`) });
  });

  it('draws eight runs in eight distinct colours, in the light and the dark theme', async () => {
    await page.goto(`${server.url}/compare?runs=${runIds.join(',')}`);
    await page.locator('#cmp-loss .uplot').waitFor();
    const light = (await drawn(page, '#cmp-loss')).strokes;
    expect(light).toHaveLength(8);
    expect(new Set(light).size).toBe(8);
    await page.locator('figure:has(#cmp-loss)').screenshot({ path: join(SHOTS, `compare-light-${name}.png`) });
    await page.click('#theme-toggle'); // auto → light
    await page.click('#theme-toggle'); // light → dark
    await page.locator('html[data-theme="dark"]').waitFor();
    await page.locator('#cmp-loss .uplot').waitFor();
    const dark = (await drawn(page, '#cmp-loss')).strokes;
    expect(new Set(dark).size).toBe(8);
    expect(dark).not.toEqual(light); // the colours follow the theme
    await page.locator('figure:has(#cmp-loss)').screenshot({ path: join(SHOTS, `compare-dark-${name}.png`) });
    await page.click('#theme-toggle'); // back to automatic for the next tests
  });

  it('keeps the heatmap card\'s height while runs arrive', async () => {
    // 4 cells × 3 seeds on 8 threads: queued, running, partly finished, diverged and finished cells all appear.
    const { id } = services.scheduler.submit(spec('arriving', [1, 2, 3], ['xavier_uniform', 'he_normal'], ['tanh', 'relu']));
    await settle();
    await page.goto(`${server.url}/sweeps/${id}`);
    await page.locator('#live[data-state="connected"]').waitFor();
    // Every height the card takes, as the browser lays it out (a ResizeObserver sees each change).
    await page.evaluate(`(() => {
      const card = document.getElementById('heatmap-card');
      window.heights = [];
      new ResizeObserver(() => window.heights.push(card.getBoundingClientRect().height)).observe(card);
    })()`);
    for (let done = 1; executor.runningIds().length > 0; done++) {
      const next = executor.runningIds()[0];
      if (done % 3 === 0) executor.diverge(next, 1);
      else executor.finish(next, 3);
      await settle();
      await page.locator(`#sweep-progress [aria-valuenow="${done}"]`).waitFor();
    }
    await page.locator('#live[data-state="idle"]').waitFor();
    await page.locator('#heatmap-grid .cell.pending:not(.diverged)').first().waitFor({ state: 'detached' });
    const heights = (await page.evaluate('window.heights')) as number[];
    expect(heights.length).toBeGreaterThan(0);
    expect(new Set(heights.map((h) => Math.round(h))).size).toBe(1);
    await page.locator('#heatmap-card').screenshot({ path: join(SHOTS, `heatmap-${name}.png`) });
    expect(pageErrors).toEqual([]);
  });
});
