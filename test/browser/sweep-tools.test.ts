// The sweep tools in headless Chromium, with a fake executor so the test decides when each run finishes: the open
// cell panel follows the stream to the sweep's end, the compare selection survives pages, filters and sweeps, and
// the new-sweep form shows every problem at once, in plain words, with focus on the first and never under its footer.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

function spec(name: string, seeds: number[], inits = ['xavier_uniform'], activations = ['tanh']) {
  return { name, base: { model: { hidden: [4] }, train: { epochs: 2 } }, grid: { 'model.init': inits, 'model.activation': activations, seed: seeds } };
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

  it('opens the live stream even when the SSE extension arrives after htmx has loaded', async () => {
    // htmx starts itself with a timer once the document is parsed; the extension must have registered by then.
    const slow = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await slow.route('**/assets/vendor/hx-sse.js', async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.fulfill({ response });
    });
    const streams: string[] = [];
    slow.on('request', (request) => { if (request.url().includes('/stream')) streams.push(request.url()); });
    const { id } = services.scheduler.submit(spec('late extension', [1, 2]));
    await settle();
    await slow.goto(`${server.url}/sweeps/${id}`);
    await slow.locator('#live[data-state="connected"]').waitFor({ timeout: 10_000 });
    expect(streams).toEqual([`${server.url}/sweeps/${id}/stream`]);
    await slow.close();
    await finishAll();
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

  it('keeps a zoomed chart\'s window while the compare page refreshes itself, until a double-click resets it', async () => {
    const { id } = services.scheduler.submit(spec('compared zoomed', [1, 2]));
    await settle();
    await finishRunning();                   // the first run has epochs 0..2; the second runs: the page polls
    const ids = services.store.listRuns(id, { sortBy: 'id', limit: 2 }).runs.map((r) => r.id);
    await page.goto(`${server.url}/compare?runs=${ids.join(',')}`);
    await page.locator('#live[data-state="connected"]').waitFor();
    type Scale = { min: number; max: number };
    type Plot = { scales: { x: Scale }; setScale(key: string, range: Scale): void };
    const xOf = () => page.evaluate(() => {
      const plot = (globalThis as unknown as { document: { getElementById(id: string): { uplot: Plot } } })
        .document.getElementById('cmp-loss').uplot;
      return { min: plot.scales.x.min, max: plot.scales.x.max };
    });
    const full = await xOf();
    expect(full.max - full.min).toBeGreaterThan(1);
    await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { uplot: Plot; dataset: Record<string, string> } } }).document;
      doc.getElementById('cmp-loss').uplot.setScale('x', { min: 0.5, max: 1.5 });
      doc.getElementById('compare-body').dataset.before = 'refresh';
    });
    await page.locator('#compare-body:not([data-before])').waitFor({ timeout: 10_000 }); // swapped for a new one
    await page.locator('#cmp-loss .uplot').waitFor();
    expect(await xOf()).toEqual({ min: 0.5, max: 1.5 });
    await page.dblclick('#cmp-loss .u-over');
    expect(await xOf()).toEqual(full);
    await page.evaluate(() => {
      (globalThis as unknown as { document: { getElementById(id: string): { dataset: Record<string, string> } } })
        .document.getElementById('compare-body').dataset.before = 'refresh';
    });
    await page.locator('#compare-body:not([data-before])').waitFor({ timeout: 10_000 });
    await page.locator('#cmp-loss .uplot').waitFor();
    expect(await xOf()).toEqual(full);      // reset: the next refresh shows the full range
    await finishAll();
  });

  it('shows every form problem after one submit, in plain words beside each field, and focuses the first', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/sweeps/new`);
    await page.fill('#f-samples', '5');
    await page.fill('#f-width', '0');
    await page.fill('#f-epochs', '0');
    await page.fill('#f-lr', 'abc');
    await page.fill('#f-seeds', '1, x');
    await page.click('#sweep-form button.primary');
    await page.locator('#form-errors').waitFor();
    const summary = await page.locator('#form-errors li').allInnerTexts();
    expect(summary).toEqual([
      'Samples: use at least 10 samples',
      'Hidden width: each hidden layer needs at least 1 unit',
      'Epochs: train for at least 1 epoch',
      'Learning rate: "abc" is not a number',
      'Seeds: "x" is not a seed: use whole numbers like 1, 2, 3 or a range like 1-5',
    ]);
    expect(await textOf(page, '#err-width')).toBe('each hidden layer needs at least 1 unit');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id))
      .toBe('f-samples');

    // Tab through every control above the footer: none may sit under the sticky footer when it has focus.
    const hiddenUnderFooter: string[] = [];
    for (let i = 0; i < 45; i++) {
      await page.keyboard.press('Tab');
      const hidden = await page.evaluate(() => {
        type Box = { top: number; bottom: number };
        type El = { id: string; getAttribute(n: string): string | null; getBoundingClientRect(): Box; contains(e: unknown): boolean };
        const doc = (globalThis as unknown as { document: { activeElement: El | null; querySelector(s: string): El | null } }).document;
        const el = doc.activeElement;
        const footer = doc.querySelector('.form-footer');
        if (!el || !footer || footer.contains(el)) return null;
        return el.getBoundingClientRect().bottom > footer.getBoundingClientRect().top + 1 ? el.id || el.getAttribute('name') : null;
      });
      if (hidden) hiddenUnderFooter.push(hidden);
    }
    expect(hiddenUnderFooter).toEqual([]);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('lists every problem of a JSON spec after one submit, by path', async () => {
    await page.goto(`${server.url}/sweeps/new?mode=json`);
    await page.fill('#f-spec', JSON.stringify({
      name: 'three problems', base: { model: { hidden: [8, 0] }, train: { epochs: 0 } }, grid: { 'model.activation': ['nope'] },
    }));
    await page.click('#sweep-form button.primary');
    await page.locator('#err-spec').waitFor();
    expect((await page.locator('#err-spec li').allInnerTexts()).map((t) => t.split(':')[0]))
      .toEqual(['base.model.hidden[1]', 'base.train.epochs', 'grid.model.activation[0]']);
  });

  it('makes the heatmap one tab stop with arrow keys, names each cell by row and column, and speaks little', async () => {
    const { id } = services.scheduler.submit(spec('grid keys', [1], ['zeros', 'he_normal'], ['tanh', 'relu']));
    await finishAll();
    await page.goto(`${server.url}/sweeps/${id}`);
    expect(await page.locator('.heatmap .cell[tabindex="0"]').count()).toBe(1);
    expect(await page.locator('.heatmap .cell[tabindex="-1"]').count()).toBe(3);
    await page.getByRole('link', { name: /^initializer zeros, activation tanh: / }).focus();
    const focused = () => page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }).document.activeElement;
      return `${el.getAttribute('data-row')} × ${el.getAttribute('data-col')}`;
    });
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('zeros × relu');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('he_normal × relu');
    await page.keyboard.press('ArrowRight');   // the edge: stays
    expect(await focused()).toBe('he_normal × relu');
    await page.keyboard.press('Home');
    expect(await focused()).toBe('zeros × tanh');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');   // opens the cell, which keeps the tab stop
    await page.locator('#cell-card').waitFor();
    expect(await page.getAttribute('.heatmap .cell[aria-current="true"]', 'data-row')).toBe('he_normal');
    expect(await page.getAttribute('.heatmap .cell[tabindex="0"]', 'data-col')).toBe('relu');
    // Only small status lines are live regions; the grid, progress and cell panel re-render silently.
    expect(await page.locator('#heatmap-grid[aria-live], #cell-detail[aria-live], #sweep-progress [aria-live]').count()).toBe(0);
    expect(await textOf(page, '#sweep-progress [role="status"]')).toMatch(/^Sweep finished: finished .* took /);
  });

  it('works without JavaScript: cells link to their runs, and nothing claims to be connecting', async () => {
    const { id } = services.scheduler.submit(spec('no script', [1, 2]));
    await settle();   // one run running, one queued: the page would follow a stream
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const plain = await context.newPage();
    await plain.goto(`${server.url}/sweeps/${id}`);
    expect(await textOf(plain, '#live')).toBe('not live');
    await plain.click('.heatmap .cell');
    await plain.waitForURL(/row=xavier_uniform&col=tanh#cell-detail$/);
    expect(await plain.locator('#cell-card .table-wrap tbody tr').count()).toBe(2);
    await context.close();
    await finishAll();
  });

  it('fits a four-column heatmap and every run\'s outcome into a 390 px phone screen', async () => {
    const { id } = services.scheduler.submit(spec('phone', [1], ['xavier_uniform', 'he_normal'], ['sigmoid', 'tanh', 'relu', 'leaky_relu']));
    await finishAll();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/sweeps/${id}`);
    type Box = { x: number; width: number };
    const right = (box: Box | null) => (box === null ? Infinity : box.x + box.width);
    for (const header of await page.locator('.heatmap thead th').all()) expect(right(await header.boundingBox())).toBeLessThanOrEqual(390);
    for (const cell of await page.locator('.heatmap .cell').all()) expect(right(await cell.boundingBox())).toBeLessThanOrEqual(390);
    // a label wraps only where it has a break opportunity: "xavier_" | "uniform", never inside a word
    expect(await page.locator('.heatmap th[scope="row"]').first().innerHTML()).toBe('<span>xavier_</span><wbr><span>uniform</span>');
    const lineCounts = await page.locator('.heatmap th[scope="row"] span').evaluateAll((spans) =>
      spans.map((span) => {
        const el = span as unknown as { getClientRects(): { length: number } };
        return el.getClientRects().length;   // a span broken over two lines has two boxes
      }));
    expect(lineCounts.every((lines) => lines === 1)).toBe(true);
    // every run row shows its verdicts, accuracy and status on screen, named
    const row = page.locator('#runs-body tr').first();
    for (const selector of ['.verdicts-cell', 'td[data-label="Val. acc."]', 'td[data-label="Status"]']) {
      const box = await row.locator(selector).boundingBox();
      expect(right(box), selector).toBeLessThanOrEqual(390);
    }
    const label = await row.locator('td[data-label="Status"]').evaluate((td) =>
      (globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }).getComputedStyle(td, '::before').content);
    expect(label).toBe('"Status "');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('switches the colour theme from the top bar, automatic → light → dark, and keeps it across pages', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${server.url}/sweeps/new`);
    const background = () => page.evaluate(() =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } })
        .getComputedStyle((globalThis as unknown as { document: { body: unknown } }).document.body).backgroundColor);
    const toggle = page.locator('#theme-toggle');
    expect(await toggle.innerText()).toBe('Theme: auto');
    const light = await background();
    await toggle.click();
    expect(await toggle.innerText()).toBe('Theme: light');
    expect(await background()).toBe(light);
    await toggle.click();
    expect(await toggle.innerText()).toBe('Theme: dark');
    const dark = await background();
    expect(dark).not.toBe(light);
    await page.goto(`${server.url}/`);   // remembered on the next page
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await background()).toBe(dark);
    await page.locator('#theme-toggle').click();   // back to automatic: the (light) system preference
    expect(await page.getAttribute('html', 'data-theme')).toBeNull();
    expect(await background()).toBe(light);
  });

  it('ran every page without a script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
