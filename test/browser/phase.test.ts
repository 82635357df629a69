// The phase view and a run's correlation page in headless Chromium: the SVG lays out (cells, the χ₁ = 1 line and
// the 6 ξ_c curve have real boxes), nothing errors, the controls re-query, and a screenshot is written for a look.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseCoordinates } from '../../server/pages/phase.js';
import { openServices, type Services } from '../../server/services.js';
import { expandSweep, parseSweepSpec } from '../../server/sweep-spec.js';
import { summary } from '../db/fixtures.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'];

const spec = {
  name: 'browser phase',
  base: {
    dataset: { name: 'moons', samples: 100 },
    model: { width: 16, activation: 'tanh', init: { name: 'lecun_normal' }, biasInit: { name: 'normal', std: 0.223607 } },
    train: { epochs: 1 },
  },
  grid: { 'model.init.gain': [1, 1.3266, 2], 'model.depth': [5, 30, 80] },
};

describe('phase view in a browser', () => {
  let dir: string;
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;
  let page: Page;
  let sweepId: number;
  let firstRunId: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'initlab-phase-'));
    services = openServices({ dbFile: join(dir, 'phase.db'), executor: createFakeExecutor(1) });
    const { runs } = expandSweep(parseSweepSpec(spec));
    const created = services.store.createSweep({
      name: spec.name, spec, varying: ['model.init.gain', 'model.depth'],
      runs: runs.map(({ config, hash, seed, initLabel, activationLabel, position }) => ({ config, hash, seed, initLabel, activationLabel, position })),
    });
    sweepId = created.id;
    firstRunId = created.runIds[0];
    created.runIds.forEach((runId, i) => {
      const { depth } = phaseCoordinates(runs[i].config);
      const acc = depth === 5 ? 0.95 : depth === 30 ? 0.6 : 0.1;
      services.store.startRun(runId);
      services.store.finishRun(runId, summary({
        finals: {
          finalTrainLoss: 1 - acc, finalTrainAcc: acc, finalValLoss: 1 - acc, finalValAcc: acc,
          bestTrainLoss: null, bestTrainAcc: null, bestValLoss: null, bestValAcc: null,
        },
      }));
    });
    server = await serveApp(services);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await services?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws the cells, the χ₁ = 1 line and the 6 ξ_c curve inside the plot, and writes a screenshot', async () => {
    await page.goto(`${server.url}/sweeps/${sweepId}/phase`);
    const cells = page.locator('svg.phase-svg g.phase-cell rect');
    expect(await cells.count()).toBe(9);
    const plot = (await page.locator('svg.phase-svg').boundingBox())!;
    for (let i = 0; i < 9; i++) {
      const box = (await cells.nth(i).boundingBox())!;
      expect(box.width).toBeGreaterThan(30);
      expect(box.x).toBeGreaterThanOrEqual(plot.x);
      expect(box.x + box.width).toBeLessThanOrEqual(plot.x + plot.width);
    }
    const xi = (await page.locator('polyline.phase-xi').boundingBox())!;
    const chi = (await page.locator('polyline.phase-chi').first().boundingBox())!;
    expect(xi.width).toBeGreaterThan(50);
    // χ₁ = 1 (σ_w² ≈ 1.76) sits between the columns of σ_w² 1.76 (gain 1.3266) and 4 (gain 2)
    const column = async (i: number) => (await cells.nth(i).boundingBox())!;
    expect(chi.x).toBeGreaterThan((await column(1)).x);
    expect(chi.x).toBeLessThan((await column(2)).x + (await column(2)).width);
    expect(await page.locator('.phase-agreement').innerText()).toMatch(/^Of 9 finished cells, 3 reached 90%/);
    const shot = join(dir, 'phase.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(pageErrors).toEqual([]);
  });

  it('re-queries with the controls: a 50% threshold moves the frontier to depth 30', async () => {
    await page.goto(`${server.url}/sweeps/${sweepId}/phase`);
    await page.fill('input[name=acc]', '0.5');
    await Promise.all([page.waitForURL(/acc=0\.5/), page.click('.phase-controls button')]);
    const deepest = await page.locator('table.phase-frontier tbody tr td:nth-child(4)').allInnerTexts();
    expect(deepest).toEqual(['30', '30', '30']);
    expect(pageErrors).toEqual([]);
  });

  it('shows a run\'s correlations at initialization as two lines over the layers', async () => {
    await page.goto(`${server.url}/runs/${firstRunId}`);
    await Promise.all([page.waitForURL(/\/correlations$/), page.click('a[href$="/correlations"]')]);
    const measured = (await page.locator('polyline.corr-measured').boundingBox())!;
    const theory = (await page.locator('polyline.corr-theory').boundingBox())!;
    expect(measured.width).toBeGreaterThan(300);
    expect(theory.width).toBeGreaterThan(300);
    expect(pageErrors).toEqual([]);
  });
});
