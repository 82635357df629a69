// A sweep's phase view: its runs placed by the mean-field axes read back from each resolved config (σ_w² =
// fan_in·Var(w) of a hidden layer, σ_b² = E[b²], depth = hidden layers), the measured outcome per cell, the theory
// drawn over it (χ₁ = 1, depth = 6 ξ_c), how many cells agree with it, and the trainability frontier.
import type { Store } from '../../db/store.js';
import type { Run, Sweep } from '../../db/types.js';
import { activationName } from '../../workers/core/labels.js';
import { depthScaleAt } from '../../workers/core/depth-scale-curve.js';
import { criticalWeightVariance } from '../../workers/core/signal-propagation.js';
import { biasSecondMoment, weightVarianceScale } from '../../workers/core/theory.js';
import type { ActivationSpec, RunConfig } from '../../workers/core/types.js';
import type {
  FrontierRow, PhaseAgreement, PhaseCell, PhasePageProps, PhasePanel, PhaseQuery, PhaseYAxis,
} from '../../views/phase-page.js';
import { HttpError } from '../errors.js';

export const DEFAULT_THRESHOLD = 0.9;
/** Schoenholz et al. 2017 find networks trainable up to about this many correlation depth scales. */
export const XI_C_MULTIPLE = 6;

/** ?acc= (accuracy threshold in (0, 1]) and ?metric=train|val, with the defaults; 400 naming a bad one. */
export function parsePhaseQuery(query: Record<string, unknown>): PhaseQuery {
  const metric = query.metric === undefined ? 'train' : query.metric;
  if (metric !== 'train' && metric !== 'val') throw new HttpError(400, 'bad_query', 'metric must be train or val');
  let threshold = DEFAULT_THRESHOLD;
  if (query.acc !== undefined) {
    threshold = Number(query.acc);
    if (typeof query.acc !== 'string' || !(threshold > 0 && threshold <= 1)) {
      throw new HttpError(400, 'bad_query', 'acc must be an accuracy in (0, 1], e.g. acc=0.9');
    }
  }
  return { metric, threshold };
}

/** The mean-field coordinates of one run config (a hidden layer's σ_w², its bias's σ_b², the depth). */
export function phaseCoordinates(config: RunConfig): { sigmaW2: number; sigmaB2: number; depth: number } {
  const { hidden, init, biasInit, activation } = config.model;
  // a hidden-to-hidden layer when there is one (the first layer's fan-in is the data's, which the config does
  // not hold); with one hidden layer, its width stands in for both fans
  const fanIn = hidden[0];
  const fanOut = hidden[1] ?? hidden[0];
  return {
    sigmaW2: roundKey(weightVarianceScale(fanOut, fanIn, init, activation)),
    sigmaB2: roundKey(biasSecondMoment(fanOut, fanIn, biasInit, activation)),
    depth: hidden.length,
  };
}

/** 6 significant digits: a gain of √1.76 rounded to 6 places gives σ_w² 1.7600000 within 1e-6. */
function roundKey(x: number): number {
  return Number(x.toPrecision(6));
}

// Theory is deterministic in (activation, σ_b², σ_w²): cached for the process, since every page load asks again.
const xiCache = new Map<string, number>();
const criticalCache = new Map<string, number>();

function activationKey(activation: ActivationSpec): string {
  return JSON.stringify(activation);
}

export function cachedXiC(activation: ActivationSpec, sigmaW2: number, sigmaB2: number): number {
  const key = `${activationKey(activation)}|${sigmaB2}|${sigmaW2}`;
  let xi = xiCache.get(key);
  if (xi === undefined) {
    xi = depthScaleAt(activation, sigmaW2, sigmaB2).xiC;
    xiCache.set(key, xi);
  }
  return xi;
}

function cachedCritical(activation: ActivationSpec, sigmaB2: number): number {
  const key = `${activationKey(activation)}|${sigmaB2}`;
  let w = criticalCache.get(key);
  if (w === undefined) {
    w = criticalWeightVariance(activation, sigmaB2);
    criticalCache.set(key, w);
  }
  return w;
}

interface PlacedRun {
  run: Run;
  sigmaW2: number;
  sigmaB2: number;
  depth: number;
  activation: ActivationSpec;
}

/** The weight initializer's distribution name, whatever its gain or parameters. */
function initName(config: RunConfig): string {
  const { init } = config.model;
  return typeof init === 'string' ? init : init.name;
}

function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function outcomeOf(run: Run, metric: 'train' | 'val'): number | null {
  return metric === 'train' ? run.finalTrainAcc : run.finalValAcc;
}

function foldCell(runs: PlacedRun[], x: number, y: number, metric: 'train' | 'val'): PhaseCell {
  let succeeded = 0;
  let diverged = 0;
  let pending = 0;
  let sum = 0;
  for (const { run } of runs) {
    if (run.status === 'diverged') diverged++;
    else if (run.status === 'succeeded') {
      const acc = outcomeOf(run, metric);
      if (acc !== null) {
        succeeded++;
        sum += acc;
      }
    } else if (run.status === 'queued' || run.status === 'running') pending++;
  }
  return { x, y, runs: runs.length, succeeded, diverged, pending, meanAcc: succeeded > 0 ? sum / succeeded : null };
}

/** ξ_c-curve sample points over [lo, hi]: evenly spaced, plus a dense run near the χ₁ = 1 peak. */
function curveSamples(lo: number, hi: number, critical: number): number[] {
  const points = new Set<number>();
  const n = 48;
  for (let i = 0; i <= n; i++) points.add(lo + ((hi - lo) * i) / n);
  if (Number.isFinite(critical) && critical > lo && critical < hi) {
    for (const d of [-0.12, -0.06, -0.03, -0.015, -0.005, 0.005, 0.015, 0.03, 0.06, 0.12]) {
      const w = critical * (1 + d);
      if (w > lo && w < hi) points.add(w);
    }
  }
  return [...points].sort((a, b) => a - b);
}

function buildPanel(
  title: string, placed: PlacedRun[], yAxis: PhaseYAxis, query: PhaseQuery,
): PhasePanel {
  const activation = placed[0].activation;
  const xs = sortedUnique(placed.map((p) => p.sigmaW2));
  const ys = sortedUnique(placed.map((p) => (yAxis === 'depth' ? p.depth : p.sigmaB2)));
  const cells: PhaseCell[] = [];
  for (const y of ys) {
    for (const x of xs) {
      const here = placed.filter((p) => p.sigmaW2 === x && (yAxis === 'depth' ? p.depth : p.sigmaB2) === y);
      if (here.length > 0) cells.push(foldCell(here, x, y, query.metric));
    }
  }
  const [lo, hi] = [xs[0], xs[xs.length - 1]];
  let chiLine: Array<[number, number]> = [];
  let xiCurve: Array<[number, number]> = [];
  let agreement: PhaseAgreement | null = null;
  if (yAxis === 'depth') {
    const sigmaB2 = placed[0].sigmaB2;
    const critical = cachedCritical(activation, sigmaB2);
    if (Number.isFinite(critical)) chiLine = [[critical, ys[0]], [critical, ys[ys.length - 1]]];
    xiCurve = curveSamples(lo, hi, critical).map((w) => [w, XI_C_MULTIPLE * cachedXiC(activation, w, sigmaB2)]);
    agreement = { trainableInside: 0, trainableOutside: 0, untrainableInside: 0, untrainableOutside: 0 };
    for (const cell of cells) {
      if (cell.meanAcc === null && cell.diverged === 0) continue; // nothing measured yet
      const trainable = cell.meanAcc !== null && cell.meanAcc >= query.threshold && cell.diverged === 0;
      const inside = cell.y <= XI_C_MULTIPLE * cachedXiC(activation, cell.x, sigmaB2);
      if (trainable && inside) agreement.trainableInside++;
      else if (trainable) agreement.trainableOutside++;
      else if (inside) agreement.untrainableInside++;
      else agreement.untrainableOutside++;
    }
  } else {
    // the order-to-chaos boundary σ_w²(σ_b²) through the rows' σ_b² values
    chiLine = ys.map((b) => [cachedCritical(activation, b), b] as [number, number]).filter(([w]) => Number.isFinite(w));
  }
  return { title, activation: activationName(activation), xs, ys, cells, chiLine, xiCurve, agreement };
}

/** The deepest depth whose mean accuracy reaches the threshold, per initializer × activation (rows in spec order). */
function buildFrontier(runs: Run[], query: PhaseQuery): FrontierRow[] {
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const key = `${run.initLabel}\u0000${run.activationLabel}`;
    const list = groups.get(key);
    if (list) list.push(run);
    else groups.set(key, [run]);
  }
  const rows: FrontierRow[] = [];
  for (const list of groups.values()) {
    const depths = sortedUnique(list.map((r) => r.config.model.hidden.length));
    const reached: number[] = [];
    for (const depth of depths) {
      const cell = foldCell(
        list.filter((r) => r.config.model.hidden.length === depth)
          .map((run) => ({ run, sigmaW2: 0, sigmaB2: 0, depth, activation: run.config.model.activation })),
        0, depth, query.metric,
      );
      if (cell.meanAcc !== null && cell.meanAcc >= query.threshold && cell.diverged === 0) reached.push(depth);
    }
    // the theory's trainable depth, when the group has one σ_w² and σ_b² (a phase diagram's column)
    const coordinates = list.map((r) => phaseCoordinates(r.config));
    const uniform = coordinates.every((c) => c.sigmaW2 === coordinates[0].sigmaW2 && c.sigmaB2 === coordinates[0].sigmaB2);
    rows.push({
      init: list[0].initLabel,
      activation: list[0].activationLabel,
      sigmaW2: uniform ? coordinates[0].sigmaW2 : null,
      theoryDepth: uniform
        ? XI_C_MULTIPLE * cachedXiC(list[0].config.model.activation, coordinates[0].sigmaW2, coordinates[0].sigmaB2)
        : null,
      depths,
      reached,
      deepest: reached.length > 0 ? Math.max(...reached) : null,
    });
  }
  return rows;
}

export function loadPhasePage(store: Store, sweep: Sweep, query: PhaseQuery): PhasePageProps {
  const runs = [...store.iterateRuns(sweep.id)];
  const placed: PlacedRun[] = runs.map((run) => ({ run, ...phaseCoordinates(run.config), activation: run.config.model.activation }));
  const distinct = (f: (p: PlacedRun) => number) => new Set(placed.map(f)).size;
  const hasDepth = distinct((p) => p.depth) > 1;
  const yAxis: PhaseYAxis | null = distinct((p) => p.sigmaW2) < 2 ? null
    : hasDepth ? 'depth'
      : distinct((p) => p.sigmaB2) > 1 ? 'sigmaB2' : null;
  const panels: PhasePanel[] = [];
  if (yAxis !== null) {
    // one panel per activation and per value of the other mean-field axis (σ_b² beside depth, or depth beside σ_b²);
    // and per weight distribution when the sweep mixes them: mean-field theory sees only σ_w², but a uniform, a
    // normal and an orthogonal draw of the same variance train differently at finite width, so they are not pooled
    const mixedInits = new Set(placed.map((p) => initName(p.run.config))).size > 1;
    const groups = new Map<string, PlacedRun[]>();
    for (const p of placed) {
      const other = yAxis === 'depth' ? `σ_b² = ${Number(p.sigmaB2.toPrecision(4))}` : `depth ${p.depth}`;
      const key = `${mixedInits ? `${initName(p.run.config)} · ` : ''}${activationName(p.activation)} · ${other}`;
      const list = groups.get(key);
      if (list) list.push(p);
      else groups.set(key, [p]);
    }
    for (const [title, list] of groups) panels.push(buildPanel(title, list, yAxis, query));
  }
  return {
    sweepId: sweep.id,
    sweepName: sweep.name,
    query,
    yAxis,
    panels,
    frontier: hasDepth ? buildFrontier(runs, query) : null,
    xiMultiple: XI_C_MULTIPLE,
  };
}
