// The phase view: cells placed by σ_w² × depth read back from resolved configs, the χ₁ = 1 line and 6 ξ_c curve,
// the agreement counts and the trainability frontier; over HTTP on an in-memory app whose runs the test finishes
// with chosen accuracies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPhasePage, parsePhaseQuery, phaseCoordinates } from '../../server/pages/phase.js';
import { openServices, type Services } from '../../server/services.js';
import { expandSweep, parseSweepSpec } from '../../server/sweep-spec.js';
import { measureRunCorrelations } from '../../workers/correlation-at-init.js';
import { parseRunConfig } from '../../workers/run-config.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';
import { summary } from '../db/fixtures.js';

// tanh at σ_b² = 0.05: 6 ξ_c ≈ 22 at σ_w² = 1 and ≈ 42 at σ_w² = 4 (test/core/depth-scale-curve.test.ts)
const phaseSpec = {
  name: 'phase <b>test</b>',
  base: {
    dataset: { name: 'moons', samples: 100 },
    model: { width: 8, activation: 'tanh', init: { name: 'lecun_normal' }, biasInit: { name: 'normal', std: 0.223607 } },
    train: { epochs: 1 },
  },
  grid: { 'model.init.gain': [1, 2], 'model.depth': [10, 60], seed: [1, 2] },
};

/** Final accuracy per (σ_w², depth): shallow cells train, deep ones do not; one deep run diverges. */
function accuracyFor(sigmaW2: number, depth: number): number {
  if (depth === 10) return sigmaW2 === 1 ? 0.97 : 0.93;
  return 0.11;
}

describe('phase view', () => {
  let services: Services;
  let server: Awaited<ReturnType<typeof serveApp>>;
  let sweepId: number;
  let plainId: number;
  const get = (path: string) => fetch(server.url + path);

  beforeAll(async () => {
    // the scheduler is never started: the test finishes the runs itself, with the accuracies it chooses
    services = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1) });
    const { store } = services;
    const { runs } = expandSweep(parseSweepSpec(phaseSpec));
    const created = store.createSweep({
      name: phaseSpec.name, spec: phaseSpec, varying: ['model.init.gain', 'model.depth', 'seed'],
      runs: runs.map(({ config, hash, seed, initLabel, activationLabel, position }) => ({ config, hash, seed, initLabel, activationLabel, position })),
    });
    sweepId = created.id;
    created.runIds.forEach((runId, i) => {
      const { config } = runs[i];
      const { sigmaW2, depth } = phaseCoordinates(config);
      const diverged = sigmaW2 === 4 && depth === 60 && config.seed === 2;
      const acc = diverged ? null : accuracyFor(sigmaW2, depth);
      store.startRun(runId);
      store.finishRun(runId, summary({
        status: diverged ? 'diverged' : 'succeeded',
        finals: {
          finalTrainLoss: acc === null ? null : 1 - acc, finalTrainAcc: acc, finalValLoss: null, finalValAcc: acc === null ? null : acc - 0.05,
          bestTrainLoss: null, bestTrainAcc: null, bestValLoss: null, bestValAcc: null,
        },
      }));
    });
    const plain = store.createSweep({
      name: 'no phase axes', spec: {}, varying: ['model.init'],
      runs: [{ config: parseRunConfig({}), hash: 'x', seed: 1, initLabel: 'xavier_uniform', activationLabel: 'tanh', position: 0 }],
    });
    plainId = plain.id;
    server = await serveApp(services);
  });

  afterAll(async () => {
    await server.close();
    await services.close();
  });

  it('reads σ_w² = gain², σ_b² = std² and the depth back from a resolved config', () => {
    const config = parseRunConfig({ model: { depth: 7, width: 16, init: { name: 'lecun_normal', gain: 1.5 }, biasInit: { name: 'normal', std: 0.3 } } });
    expect(phaseCoordinates(config)).toEqual({ sigmaW2: 2.25, sigmaB2: 0.09, depth: 7 });
    expect(phaseCoordinates(parseRunConfig({ model: { depth: 3, width: 64, init: 'he_normal' } })).sigmaW2).toBe(2);
  });

  it('places the cells on σ_w² × depth, counts them against 6 ξ_c, and finds the frontier per initializer', () => {
    const props = loadPhasePage(services.store, services.store.getSweep(sweepId), { metric: 'train', threshold: 0.9 });
    expect(props.yAxis).toBe('depth');
    expect(props.panels).toHaveLength(1);
    const [panel] = props.panels;
    expect(panel.title).toBe('tanh · σ_b² = 0.05');
    expect(panel.xs).toEqual([1, 4]);
    expect(panel.ys).toEqual([10, 60]);
    const cell = (x: number, y: number) => panel.cells.find((c) => c.x === x && c.y === y)!;
    expect(cell(1, 10)).toMatchObject({ runs: 2, succeeded: 2, diverged: 0 });
    expect(cell(1, 10).meanAcc).toBeCloseTo(0.97, 12);
    expect(cell(4, 60)).toMatchObject({ runs: 2, succeeded: 1, diverged: 1 });
    // χ₁ = 1 for tanh at σ_b² = 0.05 sits at σ_w² ≈ 1.76, inside the sweep's range
    expect(panel.chiLine[0][0]).toBeCloseTo(1.7610, 3);
    // the 6 ξ_c curve: ≈ 22 at σ_w² = 1, ≈ 42 at 4, far deeper near χ₁ = 1
    expect(panel.xiCurve[0][1]).toBeGreaterThan(20);
    expect(panel.xiCurve[0][1]).toBeLessThan(24);
    expect(panel.xiCurve.at(-1)![1]).toBeGreaterThan(40);
    expect(panel.xiCurve.at(-1)![1]).toBeLessThan(44);
    expect(Math.max(...panel.xiCurve.map(([, d]) => d))).toBeGreaterThan(1000);
    // depth 10 trains and lies inside both ends of the curve; depth 60 fails and lies beyond both
    expect(panel.agreement).toEqual({ trainableInside: 2, trainableOutside: 0, untrainableInside: 0, untrainableOutside: 2 });
    expect(props.frontier!.map((r) => [r.init, r.sigmaW2, r.deepest, r.depths])).toEqual([
      ['lecun_normal(gain=1)', 1, 10, [10, 60]],
      ['lecun_normal(gain=2)', 4, 10, [10, 60]],
    ]);
    expect(props.frontier![0].theoryDepth).toBeCloseTo(panel.xiCurve[0][1], 9);
  });

  it('draws σ_w² × σ_b² panels with the χ₁ = 1 boundary through each σ_b² row, and no frontier without a depth axis', () => {
    const gridSpec = {
      base: { ...phaseSpec.base, model: { ...phaseSpec.base.model, depth: 4 } },
      grid: { 'model.init.gain': [1, 1.5, 2], 'model.biasInit.std': [0.01, Math.sqrt(0.05), Math.sqrt(0.3)] },
    };
    const { runs } = expandSweep(parseSweepSpec(gridSpec));
    const created = services.store.createSweep({
      name: 'σ_b² grid', spec: gridSpec, varying: ['model.init.gain', 'model.biasInit.std'],
      runs: runs.map(({ config, hash, seed, initLabel, activationLabel, position }) => ({ config, hash, seed, initLabel, activationLabel, position })),
    });
    const props = loadPhasePage(services.store, services.store.getSweep(created.id), { metric: 'train', threshold: 0.9 });
    expect(props.yAxis).toBe('sigmaB2');
    expect(props.frontier).toBeNull();
    const [panel] = props.panels;
    expect(panel.title).toBe('tanh · depth 4');
    expect(panel.ys).toEqual([0.0001, 0.05, 0.3]);
    expect(panel.xiCurve).toEqual([]);
    expect(panel.agreement).toBeNull();
    expect(panel.cells.every((c) => c.pending === 1)).toBe(true);
    // the boundary moves right as σ_b² grows: 1.086 at σ_b² = 1e-4 (scipy quad: χ₁(1.086) = 0.999998), 1.76 at 0.05
    expect(panel.chiLine.map(([, b]) => b)).toEqual([0.0001, 0.05, 0.3]);
    expect(panel.chiLine[0][0]).toBeCloseTo(1.086, 3);
    expect(panel.chiLine[1][0]).toBeCloseTo(1.761, 2);
    expect(panel.chiLine[2][0]).toBeGreaterThan(panel.chiLine[1][0]);
  });

  it('keeps weight distributions apart: an orthogonal and a normal draw of the same σ_w² get their own panels', () => {
    const mixedSpec = {
      base: { ...phaseSpec.base, model: { ...phaseSpec.base.model, init: undefined } },
      grid: {
        'model.init': [{ name: 'lecun_normal', gain: 1 }, { name: 'lecun_normal', gain: 2 }, 'orthogonal'],
        'model.depth': [10, 20],
      },
    };
    const { runs } = expandSweep(parseSweepSpec(mixedSpec));
    const created = services.store.createSweep({
      name: 'mixed inits', spec: mixedSpec, varying: ['model.init', 'model.depth'],
      runs: runs.map(({ config, hash, seed, initLabel, activationLabel, position }) => ({ config, hash, seed, initLabel, activationLabel, position })),
    });
    const props = loadPhasePage(services.store, services.store.getSweep(created.id), { metric: 'train', threshold: 0.9 });
    expect(props.panels.map((p) => p.title)).toEqual(['lecun_normal · tanh · σ_b² = 0.05', 'orthogonal · tanh · σ_b² = 0.05']);
    expect(props.panels[0].xs).toEqual([1, 4]);
    expect(props.panels[1].cells).toHaveLength(2);
    expect(props.panels[1].cells.every((c) => c.runs === 1)).toBe(true);
  });

  it('moves the frontier with the threshold: at 95% only σ_w² = 1 reaches depth 10', () => {
    const props = loadPhasePage(services.store, services.store.getSweep(sweepId), { metric: 'train', threshold: 0.95 });
    expect(props.frontier!.map((r) => r.deepest)).toEqual([10, null]);
    expect(props.panels[0].agreement).toEqual({ trainableInside: 1, trainableOutside: 0, untrainableInside: 1, untrainableOutside: 2 });
  });

  it('serves the phase page: an SVG grid with the theory lines, the agreement sentence and the frontier table, escaped', async () => {
    const res = await get(`/sweeps/${sweepId}/phase`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('phase &lt;b>test&lt;/b>');
    expect(html).not.toContain('<b>test</b>');
    expect((html.match(/class="phase-cell"/g) ?? []).length).toBe(4);
    expect(html).toContain('class="phase-chi"');
    expect(html).toContain('class="phase-xi"');
    expect(html).toContain('>97%<');
    expect(html).toContain('Of 4 finished cells, 2 reached 90%: 2 inside depth ≤ 6 ξ_c, 0 beyond it.');
    expect(html).toContain('The curve classifies 4 of 4 cells as measured (100%)');
    expect(html).toMatch(/<table class="phase-frontier">[\s\S]*lecun_normal\(gain=1\)[\s\S]*lecun_normal\(gain=2\)/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // no CDN: the SVG is inline
  });

  it('says it is a snapshot, with a reload link, while runs are pending, and not once all have finished', async () => {
    const { runs } = expandSweep(parseSweepSpec(phaseSpec));
    const pending = services.store.createSweep({
      name: 'pending phase', spec: phaseSpec, varying: ['model.init.gain', 'model.depth', 'seed'],
      runs: runs.map(({ config, hash, seed, initLabel, activationLabel, position }) => ({ config, hash, seed, initLabel, activationLabel, position })),
    });
    const html = await (await get(`/sweeps/${pending.id}/phase?acc=0.8`)).text();
    expect(html).toContain('8 runs are still queued or running. This view is a snapshot taken when the page loaded; it does not follow the live stream.');
    expect(html).toContain(`href="/sweeps/${pending.id}/phase?metric=train&acc=0.8"`);
    expect(await (await get(`/sweeps/${sweepId}/phase`)).text()).not.toContain('phase-snapshot');
  });

  it('takes the metric and threshold from the query and refuses bad ones by name', async () => {
    const val = await (await get(`/sweeps/${sweepId}/phase?metric=val&acc=0.9`)).text();
    expect(val).toContain('>92%<'); // validation accuracy 0.97 − 0.05
    expect(parsePhaseQuery({ acc: '0.5' })).toEqual({ metric: 'train', threshold: 0.5 });
    const bad = await get(`/sweeps/${sweepId}/phase?acc=2`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('acc must be an accuracy in (0, 1]');
    expect((await get(`/sweeps/${sweepId}/phase?metric=loss`)).status).toBe(400);
  });

  it('explains what a sweep without the mean-field axes lacks, and links the view from the sweep page', async () => {
    const html = await (await get(`/sweeps/${plainId}/phase`)).text();
    expect(html).toContain('No phase diagram for this sweep');
    expect(html).not.toContain('class="phase-cell"');
    const sweepPage = await (await get(`/sweeps/${sweepId}`)).text();
    expect(sweepPage).toContain(`href="/sweeps/${sweepId}/phase"`);
    // the spec summary names the depth axis (it was created with varying model.depth)
    expect(sweepPage).toContain('{10, 60} × 8</span><span class="varies"> (varies)</span>');
    expect((await get('/sweeps/999/phase')).status).toBe(404);
  });

  it('serves a run\'s correlations at initialization: measured and c-map polylines and one row per hidden layer', async () => {
    const runId = services.store.listRuns(sweepId, { limit: 1 }).runs[0].id;
    const res = await get(`/runs/${runId}/correlations`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('class="corr-measured"');
    expect(html).toContain('class="corr-theory"');
    expect((html.match(/<tr><td class="num">/g) ?? []).length).toBe(services.store.getRun(runId).config.model.hidden.length);
    expect(await (await get(`/runs/${runId}`)).text()).toContain(`href="/runs/${runId}/correlations"`);
  });
});

describe('a run\'s correlations at initialization', () => {
  it('rebuild the run\'s own initial network: the same profile twice, two probe rows of different classes', () => {
    const config = parseRunConfig({
      dataset: { name: 'moons', samples: 200 },
      model: { depth: 6, width: 512, activation: 'tanh', init: { name: 'lecun_normal', gain: 1.2 }, biasInit: { name: 'normal', std: 0.2 } },
    });
    const a = measureRunCorrelations(config);
    expect(measureRunCorrelations(config)).toEqual(a);
    expect(a.labels[0]).not.toBe(a.labels[1]);
    expect(a.measured).toHaveLength(6);
    // width 512, one network: sampling sd ≈ (1 − c²)/√512 ≤ 0.045 a layer, carried on with χ_c ≈ 1 (ordered side)
    for (let l = 0; l < 6; l++) expect(Math.abs(a.measured[l] - a.theory[l]), `layer ${l}`).toBeLessThan(0.15);
  });
});
