// The time estimates: a per-run overhead and a throughput fitted per backend on the runs this machine finished,
// the measured spread as the error to expect, and the new-sweep preview that states both.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { calibrate, DEFAULT_MACS_PER_MS, fitTimings, predictRunMs, resetCalibration } from '../../server/pages/calibration.js';
import { previewSpec } from '../../server/pages/spec-preview.js';
import { estimateRunCost } from '../../server/sweep-spec.js';
import { Preview } from '../../views/new-sweep.js';
import { parseRunConfig } from '../../workers/run-config.js';
import { memoryStore, summary } from '../db/fixtures.js';

/** A finished sweep of one run per epoch count, each taking `ms(cost)` on `backend`. */
function timedSweep(store: Store, backend: 'ts' | 'native', epochs: number[], ms: (cost: number) => number) {
  const configs = epochs.map((e) => parseRunConfig({ model: { hidden: [16, 16] }, train: { epochs: e } }));
  const { runIds } = store.createSweep({
    name: `${backend} sweep`, spec: {}, varying: ['train.epochs'],
    runs: configs.map((config, position) => ({ config, hash: `h${position}`, seed: 1, initLabel: 'a', activationLabel: 'b', position })),
  });
  runIds.forEach((id, i) => {
    store.startRun(id);
    store.finishRun(id, summary({ backend, cpuPath: backend === 'ts' ? 'js' : 'avx2', durationMs: ms(estimateRunCost(configs[i])) }));
  });
}

afterEach(() => resetCalibration());

describe('calibration', () => {
  it('recovers a fixed per-run cost and the throughput from runs of different sizes', () => {
    const timed = [1e6, 5e6, 2e7, 8e7].map((cost) => ({ cost, durationMs: 20 + cost / 4e5 }));
    const fit = fitTimings(timed);
    expect(fit.overheadMs).toBeCloseTo(20, 6);
    expect(fit.macsPerMs).toBeCloseTo(4e5, 0);
  });

  it('falls back to the median rate when every run has one size', () => {
    const fit = fitTimings([{ cost: 1e6, durationMs: 10 }, { cost: 1e6, durationMs: 20 }, { cost: 1e6, durationMs: 40 }]);
    expect(fit).toEqual({ overheadMs: 0, macsPerMs: 1e6 / 20 });
  });

  it('calibrates each backend on its own runs, the latest backend by default, with the spread as the error', () => {
    const store = memoryStore();
    timedSweep(store, 'ts', [5, 10, 20, 40], (cost) => 30 + cost / 1e5);
    timedSweep(store, 'native', [5, 10, 20, 40], (cost) => 10 + cost / 1e6);
    const native = calibrate(store);
    expect(native).toMatchObject({ backend: 'native', runs: 4 });
    expect(native.overheadMs).toBeCloseTo(10, 6);
    expect(native.macsPerMs).toBeCloseTo(1e6, -1);
    expect(native.low).toBeCloseTo(1, 9);   // exact timings: no spread
    expect(native.high).toBeCloseTo(1, 9);
    const ts = calibrate(store, 'ts');
    expect(ts.macsPerMs).toBeCloseTo(1e5, -1);
    expect(predictRunMs(ts, 1e7)).toBeCloseTo(130, 6);
    resetCalibration();   // one calibration per machine, cached for a minute: a fresh machine has none
    expect(calibrate(memoryStore(), 'ts')).toMatchObject({ backend: null, runs: 0, macsPerMs: DEFAULT_MACS_PER_MS });
  });

  it('previews a sweep from the calibration, with the range to expect and what it was measured on', () => {
    const store = memoryStore();
    // noisy timings: 0.5× to 2× the model
    const noise = [1, 0.5, 2, 1, 1.5, 0.8];
    let i = 0;
    timedSweep(store, 'native', [5, 10, 20, 40, 80, 160], (cost) => (10 + cost / 1e6) * noise[i++]);
    const preview = previewSpec(
      { name: 'p', base: { model: { hidden: [16, 16] }, train: { epochs: 10 } }, grid: { seed: [1, 2, 3, 4] } },
      { store, threads: 2, maxRunsPerSweep: 100, maxRunMb: 1000 },
    );
    const calibration = calibrate(store);
    const runMs = predictRunMs(calibration, estimateRunCost(parseRunConfig({ model: { hidden: [16, 16] }, train: { epochs: 10 } })));
    expect(preview.durationMs).toBeCloseTo((4 * runMs) / 2, 6);
    expect(preview.rangeMs![0]).toBeLessThan(preview.durationMs!);
    expect(preview.rangeMs![1]).toBeGreaterThan(preview.durationMs!);
    expect(preview.basis).toBe('from 6 native runs timed on this machine');
    expect(Preview(preview)).toMatch(/about .* on 2 threads.*\(likely .*–.*; from 6 native runs timed on this machine\)/);
  });
});
