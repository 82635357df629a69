import { describe, expect, it } from 'vitest';
import { computeVerdicts, depthRatios, VERDICT_THRESHOLDS } from '../../workers/core/verdicts.js';
import type { Divergence, EpochMetrics, LayerStats, VerdictKind } from '../../workers/core/types.js';

/** A healthy-looking layer; tests override the fields they are about. */
function layer(index: number, over: Partial<LayerStats> = {}): LayerStats {
  return {
    layer: index, units: 16, actMean: 0, actStd: 0.6, preStd: 0.8, saturatedFrac: 0.02, deadFrac: 0,
    deltaNorm: 0.05, weightGradNorm: 0.1, weightNorm: 4, updateRatio: 0.01, distinctUnits: 16, ...over,
  };
}

/** An epoch of three hidden layers and an output layer (3 units); `layers` overrides by index. */
function epoch(index: number, valLoss: number, layers: Record<number, Partial<LayerStats>> = {}): EpochMetrics {
  return {
    epoch: index, step: index * 10, trainLoss: valLoss, trainAcc: 0.8, valLoss, valAcc: 0.8, gradNorm: 0.2,
    clipped: false, clippedSteps: 0,
    layers: [0, 1, 2, 3].map((i) => layer(i, { ...(i === 3 ? { units: 3, distinctUnits: 3 } : {}), ...layers[i] })),
  };
}

function kinds(epochs: EpochMetrics[], divergence: Divergence | null = null): VerdictKind[] {
  return computeVerdicts(epochs, divergence).map((v) => v.kind);
}

/** A run whose validation loss falls from 1.0 to 0.5, with per-epoch layer overrides for epoch 0 and the end. */
function run(start: Record<number, Partial<LayerStats>> = {}, end: Record<number, Partial<LayerStats>> = {}) {
  return [epoch(0, 1.0, start), epoch(1, 0.7), epoch(2, 0.5, end)];
}

describe('verdicts', () => {
  it('calls a run healthy when nothing else applies, with its numbers', () => {
    const verdicts = computeVerdicts(run(), null);
    expect(verdicts.map((v) => v.kind)).toEqual(['healthy']);
    expect(verdicts[0].evidence).toMatch(/1 → 0\.5/);
  });

  it('calls a run symmetric when a hidden layer ends with fewer distinct units than half its width', () => {
    const verdict = computeVerdicts(run({}, { 1: { distinctUnits: 1 } }), null).find((v) => v.kind === 'symmetric');
    expect(verdict?.value).toBeCloseTo(1 / 16);
    expect(verdict?.evidence).toMatch(/layer 1 .* 1 distinct unit\(s\) of 16/);
    expect(kinds(run({}, { 1: { distinctUnits: 7 } }))).toContain('symmetric');
    expect(kinds(run({}, { 1: { distinctUnits: 8 } }))).toEqual(['healthy']); // exactly half is not fewer
    expect(kinds(run({ 1: { distinctUnits: 1 } }, {}))).toEqual(['healthy']); // only the end counts
    expect(kinds(run({}, { 3: { distinctUnits: 1 } }))).toEqual(['healthy']); // the output layer is not hidden
  });

  it('calls a run saturated when the hidden layers’ mean saturated fraction reaches the threshold at epoch 0 or the end', () => {
    expect(VERDICT_THRESHOLDS.saturatedFraction).toBe(0.5);
    const mean = (a: number, b: number, c: number) => ({ 0: { saturatedFrac: a }, 1: { saturatedFrac: b }, 2: { saturatedFrac: c } });
    expect(kinds(run(mean(0.5, 0.5, 0.5)))).toContain('saturated');
    expect(kinds(run({}, mean(0.9, 0.6, 0.0)))).toContain('saturated');
    expect(kinds(run(mean(0.9, 0.5, 0.0)))).toEqual(['healthy']); // mean 0.467
    const verdict = computeVerdicts(run(mean(0.9, 0.9, 0.6)), null).find((v) => v.kind === 'saturated');
    expect(verdict?.value).toBeCloseTo(0.8);
    expect(verdict?.evidence).toMatch(/80% .* at epoch 0/);
  });

  it('calls a run dead when some hidden layer has at least half its units dead, at epoch 0 or the end', () => {
    expect(kinds(run({}, { 2: { deadFrac: 0.5 } }))).toContain('dead');
    expect(kinds(run({ 0: { deadFrac: 0.75 } }))).toContain('dead');
    expect(kinds(run({}, { 2: { deadFrac: 0.49 } }))).toEqual(['healthy']);
    expect(kinds(run({}, { 3: { deadFrac: 1 } }))).toEqual(['healthy']);
    const verdict = computeVerdicts(run({}, { 2: { deadFrac: 0.75 } }), null).find((v) => v.kind === 'dead');
    expect(verdict?.evidence).toMatch(/layer 2 has 12 of 16 units/);
  });

  it('calls a run vanishing when activation std falls more than 10× from the first to the last hidden layer at epoch 0', () => {
    const verdict = computeVerdicts(run({ 0: { actStd: 1 }, 2: { actStd: 0.05 } }), null).find((v) => v.kind === 'vanishing');
    expect(verdict?.value).toBeCloseTo(0.05);
    expect(verdict?.evidence).toMatch(/activation std 1 \(layer 0\) → 0\.05 \(layer 2\)/);
    expect(kinds(run({ 0: { actStd: 1 }, 2: { actStd: 0.11 } }))).toEqual(['healthy']);
    expect(kinds(run({}, { 0: { actStd: 1 }, 2: { actStd: 0.01 } }))).toEqual(['healthy']); // epoch 0 only
  });

  it('calls a run vanishing when δ shrinks more than 10× from the last hidden layer to the first', () => {
    expect(kinds(run({ 0: { deltaNorm: 0.001 }, 2: { deltaNorm: 0.05 } }))).toContain('vanishing');
    expect(kinds(run({ 0: { deltaNorm: 0.006 }, 2: { deltaNorm: 0.05 } }))).toEqual(['healthy']);
  });

  it('calls a run exploding when δ grows more than 10× toward the input, or activation std toward the output', () => {
    const verdict = computeVerdicts(run({ 0: { deltaNorm: 5 }, 2: { deltaNorm: 0.05 } }), null).find((v) => v.kind === 'exploding');
    expect(verdict?.value).toBeCloseTo(100);
    expect(verdict?.evidence).toMatch(/^at epoch 0: ‖δ‖\/√units \S+ \(layer 2\) → \S+ \(layer 0\) toward the input, ×100/);
    expect(verdict?.evidence).not.toMatch(/RMS/);
    expect(kinds(run({ 0: { actStd: 0.1 }, 2: { actStd: 1.5 } }))).toContain('exploding');
    expect(kinds(run({ 0: { deltaNorm: 0.4 }, 2: { deltaNorm: 0.05 } }))).toEqual(['healthy']);
  });

  it('compares δ per unit, so layers of different widths with equal per-unit δ are not called exploding', () => {
    // ‖δ‖ over 256 units is 4× the norm over 16 units at the same ‖δ‖/√units.
    const epochs = run({ 0: { units: 256, distinctUnits: 256, deltaNorm: 0.2 }, 2: { deltaNorm: 0.05 } });
    expect(depthRatios(epochs[0])?.delta).toBeCloseTo(1);
    expect(kinds(epochs)).toEqual(['healthy']);
  });

  it('decides nothing about depth from 0/0 ratios (zero init) or from a single hidden layer', () => {
    const zero = { actStd: 0, deltaNorm: 0 };
    expect(kinds(run({ 0: zero, 1: zero, 2: zero }))).toEqual(['healthy']);
    const shallow: EpochMetrics[] = run({ 0: { actStd: 1 } }).map((e) => ({ ...e, layers: [e.layers[0], e.layers[3]] }));
    expect(depthRatios(shallow[0])).toBeNull();
  });

  it('calls a run diverged when it has a divergence, naming where', () => {
    const divergence: Divergence = { epoch: 2, step: 17, layer: 3, quantity: 'gradient' };
    const verdict = computeVerdicts([epoch(0, 1), epoch(1, 0.8)], divergence).find((v) => v.kind === 'diverged');
    expect(verdict?.evidence).toBe('a non-finite gradient in layer 3 stopped the run at epoch 2, step 17');
    expect(kinds([], { epoch: 0, step: 0, layer: null, quantity: 'loss' })).toEqual(['diverged']);
  });

  it('calls a run not learning when validation loss improved by less than 1% from epoch 0 to its best', () => {
    expect(kinds([epoch(0, 1.0), epoch(1, 0.995), epoch(2, 1.2)])).toEqual(['not_learning']);
    expect(kinds([epoch(0, 1.0), epoch(1, 0.98), epoch(2, 1.2)])).toEqual(['healthy']);
    expect(kinds([epoch(0, 1.0), epoch(1, 1.5)])).toEqual(['not_learning']);
    expect(kinds([epoch(0, 1.0)])).toEqual(['healthy']); // nothing trained yet
    const verdict = computeVerdicts([epoch(0, 2.0), epoch(1, 1.99)], null)[0];
    expect(verdict.value).toBeCloseTo(0.005);
  });

  it('reports every verdict that applies, and then not healthy', () => {
    const epochs = [
      epoch(0, 1.1, { 0: { saturatedFrac: 0.9, deltaNorm: 3 }, 1: { saturatedFrac: 0.9 }, 2: { saturatedFrac: 0.9 } }),
      epoch(1, 1.1, { 1: { distinctUnits: 1 } }),
    ];
    expect(kinds(epochs, { epoch: 2, step: 20, layer: null, quantity: 'loss' }))
      .toEqual(['symmetric', 'saturated', 'exploding', 'diverged', 'not_learning']);
  });
});
