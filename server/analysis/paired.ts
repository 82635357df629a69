// Paired comparison of two cells of a sweep by seed: runs with the same seed (and the same other settings) saw the
// same data, split and batch order, so their difference isolates the cell's own effect. Pure; no Node imports.
import { studentTQuantile, studentTTwoSided } from './distributions.js';
import { seedsNeeded } from './power.js';
import { wilcoxonSignedRank, type WilcoxonResult, type ZeroMethod } from './wilcoxon.js';

/**
 * One run of a cell as the comparison sees it: its pairing key (the seed, plus any other varying setting), its
 * status, and the metric's value. Only a 'succeeded' run's value counts: a diverged or failed run has no final
 * value, whatever number its row may hold.
 */
export interface Observation {
  key: string;
  status: string;
  value: number | null;
}

/**
 * Why a run had no value: diverged, failed, not finished (queued, running, cancelled), or succeeded without a finite
 * one (a NaN or infinite loss).
 */
export interface MissingCounts {
  diverged: number;
  failed: number;
  unfinished: number;
  noValue: number;
}

export interface Pair {
  key: string;
  a: number;
  b: number;
}

export interface PairedSample {
  pairs: Pair[];
  /** a − b per pair, in pair order. */
  differences: number[];
  /** Keys present in both cells where a or b (or both) had no value; `a` and `b` say why on each side. */
  droppedPairs: number;
  missing: { a: MissingCounts; b: MissingCounts };
  /** Keys present in one cell only. */
  unmatched: { a: number; b: number };
}

export class PairingError extends Error {
  override readonly name = 'PairingError';
  readonly code = 'ambiguous_pairing';
  readonly status = 400;
}

function emptyMissing(): MissingCounts {
  return { diverged: 0, failed: 0, unfinished: 0, noValue: 0 };
}

function valueOf(observation: Observation): number | null {
  if (observation.status !== 'succeeded') return null;
  const v = observation.value;
  return v !== null && Number.isFinite(v) ? v : null;   // an infinite loss has no difference to take
}

function countMissing(counts: MissingCounts, observation: Observation): void {
  if (observation.status === 'diverged') counts.diverged++;
  else if (observation.status === 'failed') counts.failed++;
  else if (observation.status !== 'succeeded') counts.unfinished++;
  else counts.noValue++;
}

function byKey(observations: readonly Observation[], name: string): Map<string, Observation> {
  const map = new Map<string, Observation>();
  for (const o of observations) {
    if (map.has(o.key)) throw new PairingError(`${name} has two runs with pairing key ${o.key}`);
    map.set(o.key, o);
  }
  return map;
}

/**
 * Pairs two cells' runs by key, in the order of `a`. Throws PairingError when a key repeats within a cell (named
 * by `names` in the message).
 */
export function pairObservations(
  a: readonly Observation[], b: readonly Observation[], names: [string, string] = ['cell a', 'cell b'],
): PairedSample {
  const mapA = byKey(a, names[0]);
  const mapB = byKey(b, names[1]);
  const sample: PairedSample = {
    pairs: [], differences: [], droppedPairs: 0, missing: { a: emptyMissing(), b: emptyMissing() },
    unmatched: { a: 0, b: 0 },
  };
  for (const [key, oa] of mapA) {
    const ob = mapB.get(key);
    if (ob === undefined) {
      sample.unmatched.a++;
      continue;
    }
    const va = valueOf(oa);
    const vb = valueOf(ob);
    if (va === null || vb === null) {
      sample.droppedPairs++;
      if (va === null) countMissing(sample.missing.a, oa);
      if (vb === null) countMissing(sample.missing.b, ob);
      continue;
    }
    sample.pairs.push({ key, a: va, b: vb });
    sample.differences.push(va - vb);
  }
  for (const key of mapB.keys()) if (!mapA.has(key)) sample.unmatched.b++;
  return sample;
}

export interface PairedTTest {
  n: number;
  mean: number;
  /** Sample standard deviation of the differences (n − 1). */
  sd: number;
  df: number;
  t: number;
  pValue: number;
  /** Two-sided t interval for the mean difference at `confidence`. */
  ci: [number, number];
  confidence: number;
}

/**
 * The paired t-test of differences against 0 (scipy's `ttest_rel`) with the t interval of the mean difference.
 * Null with fewer than two differences. All differences equal: p = 0 and a zero-width interval when they are not
 * 0 (scipy: t = ±inf), p = NaN when they are all 0.
 */
export function pairedTTest(differences: readonly number[], confidence = 0.95): PairedTTest | null {
  const n = differences.length;
  if (n < 2) return null;
  let sum = 0;
  for (const d of differences) sum += d;
  const mean = sum / n;
  let squares = 0;
  for (const d of differences) squares += (d - mean) * (d - mean);
  const sd = Math.sqrt(squares / (n - 1));
  const df = n - 1;
  const se = sd / Math.sqrt(n);
  const t = se === 0 ? (mean === 0 ? Number.NaN : Math.sign(mean) * Infinity) : mean / se;
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return { n, mean, sd, df, t, pValue: studentTTwoSided(t, df), ci: [mean - half, mean + half], confidence };
}

export interface CompareOptions {
  /** Which way is better for the metric: 'higher' for accuracy, 'lower' for loss. Default 'higher'. */
  better?: 'higher' | 'lower';
  zeroMethod?: ZeroMethod;
  confidence?: number;   // default 0.95
  power?: number;        // for seedsNeeded; default 0.8
  alpha?: number;        // for seedsNeeded; default 0.05
  /** The cells' names for error messages; default 'cell a', 'cell b'. */
  names?: [string, string];
}

export interface PairedComparison {
  sample: PairedSample;
  /** Pairs where a is better than b, equal to it (within the tie tolerance), or worse. */
  wins: number;
  ties: number;
  losses: number;
  tTest: PairedTTest | null;
  wilcoxon: WilcoxonResult | null;
  /** Mean difference over its sd (Cohen's d_z); null below two pairs. */
  effectSize: number | null;
  /**
   * Approximately how many seeds a true difference of the observed effect size would need for `power` at `alpha`
   * with the paired t-test; null without an effect estimate. Approximate: the effect is estimated from these pairs.
   */
  seedsNeeded: number | null;
}

/**
 * Relative tolerance for ties: values like 0.93 − 0.91 and 0.95 − 0.93 differ only by rounding, and a difference
 * of 1e-12 of the values' size means nothing for a metric of a trained net.
 */
const TIE_TOLERANCE = 1e-12;

/** Compares cell a against cell b, seed by seed: a − b. */
export function comparePaired(
  a: readonly Observation[], b: readonly Observation[], options: CompareOptions = {},
): PairedComparison {
  const sample = pairObservations(a, b, options.names);
  const scale = sample.pairs.reduce((m, p) => Math.max(m, Math.abs(p.a), Math.abs(p.b)), 0);
  const tolerance = scale * TIE_TOLERANCE;
  const sign = options.better === 'lower' ? -1 : 1;
  let wins = 0;
  let ties = 0;
  let losses = 0;
  for (const d of sample.differences) {
    if (tolerance > 0 ? Math.round(d / tolerance) === 0 : d === 0) ties++;   // as the Wilcoxon test sees zeros
    else if (sign * d > 0) wins++;
    else losses++;
  }
  const tTest = pairedTTest(sample.differences, options.confidence ?? 0.95);
  const wilcoxon = sample.differences.length === 0 ? null
    : wilcoxonSignedRank(sample.differences, { zeroMethod: options.zeroMethod, tolerance });
  const effectSize = tTest === null || Number.isNaN(tTest.t) ? null
    : tTest.sd === 0 ? Math.sign(tTest.mean) * Infinity : tTest.mean / tTest.sd;
  return {
    sample, wins, ties, losses, tTest, wilcoxon, effectSize,
    seedsNeeded: effectSize === null ? null
      : seedsNeeded(effectSize, { power: options.power ?? 0.8, alpha: options.alpha ?? 0.05 }),
  };
}
