// Dashboard page times over a large database: 10,000 runs and 1,000,000 metric rows (epoch + layer rows) in a
// temp-file SQLite database, every page requested through the real app over HTTP on 127.0.0.1, p50/p95 per page.
// `npx tsx bench/index.ts pages`. Target: every page under 50 ms at p95.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db/open.js';
import { createStore, type Store } from '../db/store.js';
import { createApp } from '../server/app.js';
import { configHash } from '../server/config-hash.js';
import { createEventBus } from '../server/events.js';
import type { Executor } from '../server/executor.js';
import { createMetricsWriter } from '../server/metrics-writer.js';
import { createScheduler } from '../server/scheduler.js';
import type { EpochMetrics, RunConfig } from '../workers/core/types.js';
import { parseRunConfig } from '../workers/run-config.js';

const EPOCHS = 20;          // epochs 0..19
const LAYERS = 4;           // 3 hidden + output: 5 rows per epoch → 100 rows per run → 1,000,000 rows
const REQUESTS = 60;        // per page, after 5 warm-up requests

const INITS = ['zeros', 'normal', 'uniform', 'xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', 'orthogonal'];
const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'softsign', 'silu'];
const VERDICT_POOL = ['healthy', 'symmetric', 'saturated', 'vanishing', 'exploding', 'not_learning'];

function epoch(e: number, salt: number): EpochMetrics {
  const layers = [];
  for (let l = 0; l < LAYERS; l++) {
    layers.push({ layer: l, units: l === LAYERS - 1 ? 2 : 32, actMean: 0.01 * l, actStd: (0.6 + salt * 0.3) / (l + 1),
      preStd: 0.8, saturatedFrac: 0.05 * salt, deadFrac: 0, deltaNorm: 0.2 * (l + 1) * (1 + salt), weightGradNorm: 0.3,
      weightNorm: 8, updateRatio: e === 0 ? 0 : 1e-3, distinctUnits: 32 });
  }
  return { epoch: e, step: e * 25, trainLoss: (1 + salt) / (e + 1), trainAcc: Math.min(1, 0.5 + e / 40 * (1 - salt / 2)),
    valLoss: (1.1 + salt) / (e + 1), valAcc: Math.min(1, 0.5 + e / 45 * (1 - salt / 2)), gradNorm: 0.9, clipped: false,
    clippedSteps: 0, layers };
}

interface SweepPlan {
  name: string;
  runs: number;
  /** Builds run i's config from the base. */
  vary: (base: RunConfig, i: number) => RunConfig;
  varying: string[];
}

function insertSweep(store: Store, plan: SweepPlan): number {
  const base = parseRunConfig({ model: { hidden: [32, 32, 32] }, train: { epochs: EPOCHS - 1 } });
  const runs = Array.from({ length: plan.runs }, (_, i) => {
    const config = plan.vary(structuredClone(base), i);
    const init = typeof config.model.init === 'string' ? config.model.init : config.model.init.name;
    const activation = typeof config.model.activation === 'string' ? config.model.activation : config.model.activation.name;
    return { config, hash: configHash(config), seed: config.seed, initLabel: init, activationLabel: activation, position: i };
  });
  const { id, runIds } = store.createSweep({ name: plan.name, spec: { name: plan.name, base: {}, grid: {} }, varying: plan.varying, runs });
  const fill = store.db.transaction((ids: number[]) => {
    for (const runId of ids) {
      const salt = (runId * 2654435761 % 1000) / 1000;
      store.startRun(runId, Date.now());
      store.writeMetricsBatch(Array.from({ length: EPOCHS }, (_, e) => ({ runId, metrics: epoch(e, salt) })));
      const kind = VERDICT_POOL[runId % VERDICT_POOL.length];
      store.finishRun(runId, { status: 'succeeded', verdicts: [{ kind, evidence: `bench ${kind}` }], divergence: null,
        theoryPreVar: [1, 1, 1, 1], durationMs: 400 + (runId % 300), epochsCompleted: EPOCHS - 1 });
    }
  });
  for (let i = 0; i < runIds.length; i += 500) fill(runIds.slice(i, i + 500));
  store.finishSweepIfDone(id);
  return id;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-bench-pages-'));
  const db = openDatabase(join(dir, 'bench.db'));
  const store = createStore(db);
  const started = Date.now();

  // 10,000 runs: one 5,000-run grid (10 inits × 10 activations × 50 seeds), a 2,000-run lr × clipping grid
  // (heatmap over other axes), and 3 sweeps of 1,000.
  const big = insertSweep(store, {
    name: 'big grid', runs: 5000, varying: ['model.init', 'model.activation', 'seed'],
    vary: (c, i) => ({ ...c, model: { ...c.model, init: INITS[i % 10] as RunConfig['model']['init'], activation: ACTIVATIONS[Math.floor(i / 10) % 10] as RunConfig['model']['activation'] }, seed: Math.floor(i / 100) + 1 }),
  });
  const other = insertSweep(store, {
    name: 'lr × clipping', runs: 2000, varying: ['train.clip', 'train.lr', 'seed'],
    vary: (c, i) => ({ ...c, train: { ...c.train, lr: [0.001, 0.01, 0.05, 0.1, 0.5][i % 5], clip: [{ mode: 'none' }, { mode: 'norm', max: 1 }, { mode: 'norm', max: 5 }, { mode: 'value', max: 1 }][Math.floor(i / 5) % 4] as RunConfig['train']['clip'] }, seed: Math.floor(i / 20) + 1 }),
  });
  for (let s = 0; s < 3; s++) {
    insertSweep(store, {
      name: `small ${s}`, runs: 1000, varying: ['model.init', 'model.activation', 'seed'],
      vary: (c, i) => ({ ...c, model: { ...c.model, init: INITS[i % 5] as RunConfig['model']['init'], activation: ACTIVATIONS[Math.floor(i / 5) % 4] as RunConfig['model']['activation'] }, seed: Math.floor(i / 20) + 1 }),
    });
  }
  const rows = (db.prepare('SELECT (SELECT COUNT(*) FROM epoch_metrics) + (SELECT COUNT(*) FROM layer_metrics) AS n').get() as { n: number }).n;
  const runsTotal = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
  console.log(`database: ${runsTotal.toLocaleString('en-US')} runs, ${rows.toLocaleString('en-US')} metric rows, built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const idle: Executor = { threads: 2, run: () => new Promise(() => {}), close: async () => {} };
  const events = createEventBus();
  const writer = createMetricsWriter(store);
  const scheduler = createScheduler({ store, executor: idle, writer, events });
  const app = createApp({ store, scheduler, events, threads: 2 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const bigRuns = store.listRuns(big, { limit: 3, offset: 2500 }).runs.map((r) => r.id);
  const pages: Array<[string, string]> = [
    ['sweeps list', '/'],
    ['sweep (5,000 runs)', `/sweeps/${big}`],
    ['sweep, cell selected', `/sweeps/${big}?row=he_normal&col=relu`],
    ['sweep, other axes', `/sweeps/${other}`],
    ['heatmap partial (loss)', `/sweeps/${big}/heatmap?metric=loss`],
    ['cell partial', `/sweeps/${big}/cell?row=xavier_uniform&col=tanh`],
    ['runs table, sorted p.100', `/sweeps/${big}/runs?sort=finalValAcc&order=desc&page=100`],
    ['runs table, verdict filter', `/sweeps/${big}/runs?verdict=vanishing`],
    ['runs table, all filters', `/sweeps/${other}/runs?f.train.lr=0.05&f.train.clip=${encodeURIComponent('norm ≤ 1')}&min.final_val_acc=0.6&cols=train.clip,final_train_acc`],
    ['runs table, text + range', `/sweeps/${big}/runs?q=relu%20he&max.final_val_loss=0.5&cols=model.hidden`],
    ['parallel coords (5,000)', `/sweeps/${big}/parallel`],
    ['parallel, brushed (2,000)', `/sweeps/${other}/parallel?min.train.lr=0.01&max.train.lr=0.1&f.train.clip=${encodeURIComponent('norm ≤ 1')}&min.final_val_acc=0.6`],
    ['importance API (5,000)', `/api/sweeps/${big}/importance?metric=final_val_loss`],
    ['run', `/runs/${bigRuns[0]}`],
    ['compare 3 runs', `/compare?runs=${bigRuns.join(',')}`],
    ['new sweep form', '/sweeps/new'],
    ['new sweep, preset', '/sweeps/new?preset=seed-tour'],
  ];
  // "first" is the page's first request (cold caches for the heatmap's cells, which later requests reuse).
  console.log(`${'page'.padEnd(28)} ${'first ms'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'KB'.padStart(6)}`);
  let worst = 0;
  for (const [name, path] of pages) {
    const times: number[] = [];
    let bytes = 0;
    let first = 0;
    for (let i = 0; i < REQUESTS + 5; i++) {
      const t0 = performance.now();
      const res = await fetch(base + path);
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      bytes = body.length;
      if (i === 0) first = ms;
      if (i >= 5) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 0.95);
    worst = Math.max(worst, p95);
    console.log(`${name.padEnd(28)} ${first.toFixed(1).padStart(9)} ${percentile(times, 0.5).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${(bytes / 1024).toFixed(0).padStart(6)}`);
  }
  console.log(`slowest p95: ${worst.toFixed(1)} ms (target < 50 ms)`);

  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await scheduler.close();
  writer.close();
  events.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
