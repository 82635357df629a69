// Storage throughput: metric rows per second through the metrics writer into a temp-file SQLite database
// (WAL, synchronous=NORMAL), and the time to export a finished 10,000-run sweep. `npx tsx bench/index.ts db`.
// Shape: nets with 3 hidden layers (4 weight layers → 4 layer rows + 1 epoch row per epoch), 51 epochs (0..50),
// epochs of 8 concurrent runs interleaved as a worker pool delivers them. Only the writer's calls are timed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openDatabase } from '../db/open.js';
import { createStore, type Store } from '../db/store.js';
import type { NewRun } from '../db/types.js';
import { exportPivot, exportRuns } from '../server/exports/index.js';
import { createMetricsWriter } from '../server/metrics-writer.js';
import type { EpochMetrics } from '../workers/core/types.js';
import { parseRunConfig } from '../workers/run-config.js';

const LAYERS = 4;
const EPOCHS = 51;
const CONCURRENT = 8;

function epoch(e: number, salt: number): EpochMetrics {
  const layers = [];
  for (let l = 0; l < LAYERS; l++) {
    layers.push({ layer: l, units: l === LAYERS - 1 ? 2 : 64, actMean: 0.01 * l + salt * 1e-6, actStd: 0.5 / (l + 1),
      preStd: 0.7, saturatedFrac: 0.05, deadFrac: 0, deltaNorm: 0.2 * (l + 1), weightGradNorm: 0.3, weightNorm: 8,
      updateRatio: e === 0 ? 0 : 1e-3, distinctUnits: 64 });
  }
  return { epoch: e, step: e * 25, trainLoss: 1 / (e + 1), trainAcc: 0.5 + e / 110, valLoss: 1.1 / (e + 1),
    valAcc: 0.5 + e / 120, gradNorm: 0.9, clipped: false, clippedSteps: 0, layers };
}

function newRuns(count: number): NewRun[] {
  const base = parseRunConfig({});
  const inits = ['zeros', 'normal', 'xavier_uniform', 'he_normal', 'orthogonal'] as const;
  const activations = ['tanh', 'relu', 'gelu', 'sigmoid'] as const;
  return Array.from({ length: count }, (_, i) => {
    const init = inits[i % inits.length];
    const activation = activations[Math.floor(i / inits.length) % activations.length];
    const seed = Math.floor(i / (inits.length * activations.length)) + 1;
    return { config: { ...base, model: { ...base.model, init, activation }, seed }, hash: `r${i}`, seed,
      initLabel: init, activationLabel: activation, position: i };
  });
}

interface IngestResult { rows: number; seconds: number; cpuSeconds: number; flushes: number }

/** Times only the writer's work (push, flushRun, close); starting and finishing runs happens off the clock. */
function ingest(store: Store, runCount: number, maxBatchRows: number): IngestResult {
  const { runIds } = store.createSweep({ name: `ingest ${maxBatchRows}`, spec: {}, varying: ['model.init'],
    runs: newRuns(runCount) });
  // Prebuild the messages so the clock measures the writer and SQLite, not object construction.
  const waves: Array<Array<[number, EpochMetrics]>> = [];
  for (let first = 0; first < runIds.length; first += CONCURRENT) {
    const wave = runIds.slice(first, first + CONCURRENT);
    const messages: Array<[number, EpochMetrics]> = [];
    for (let e = 0; e < EPOCHS; e++) for (const id of wave) messages.push([id, epoch(e, id)]);
    waves.push(messages);
  }
  const writer = createMetricsWriter(store, { maxBatchRows, flushMs: 60_000 });
  let nanos = 0n;
  let cpuMicros = 0;
  for (let w = 0; w < waves.length; w++) {
    const wave = runIds.slice(w * CONCURRENT, (w + 1) * CONCURRENT);
    for (const id of wave) store.startRun(id);
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const [id, metrics] of waves[w]) writer.push(id, metrics);
    for (const id of wave) writer.flushRun(id);
    nanos += process.hrtime.bigint() - start;
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    for (const id of wave) {
      store.finishRun(id, { status: 'succeeded', verdicts: [{ kind: 'healthy', evidence: 'bench' }], divergence: null,
        theoryPreVar: [1, 1, 1, 1], durationMs: 100, epochsCompleted: EPOCHS - 1 });
    }
  }
  writer.close();
  return { rows: writer.stats.epochRows + writer.stats.layerRows, seconds: Number(nanos) / 1e9,
    cpuSeconds: cpuMicros / 1e6, flushes: writer.stats.flushes };
}

function nullSink(): Writable & { bytes: number } {
  const sink = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-bench-db-'));
  try {
    const db = openDatabase(join(dir, 'bench.db'));
    const store = createStore(db);
    ingest(store, 16, 5000);   // warm-up: JIT, page cache

    console.log(`ingest: ${LAYERS}-layer nets, ${EPOCHS} epochs, ${CONCURRENT} runs at a time, flushRun as each ` +
      'wave finishes; rows = epoch + layer rows. rows/CPU-s stays meaningful when other processes share the cores.');
    console.log('| runs | maxBatchRows | rows | transactions | seconds | rows/s | rows/CPU-s |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [runs, maxBatchRows] of [[400, 1000], [400, 5000], [800, 5000]] as const) {
      const r = ingest(store, runs, maxBatchRows);
      const rate = (seconds: number) => Math.round(r.rows / seconds).toLocaleString('en-US');
      console.log(`| ${runs} | ${maxBatchRows} | ${r.rows} | ${r.flushes} | ${r.seconds.toFixed(3)} | ` +
        `${rate(r.seconds)} | ${rate(r.cpuSeconds)} |`);
    }

    const { id } = store.createSweep({ name: 'export 10k', spec: {}, varying: ['model.init', 'model.activation', 'seed'],
      runs: newRuns(10_000) });
    db.prepare(`UPDATE runs SET status = 'running' WHERE sweep_id = ?`).run(id);
    db.prepare(`UPDATE runs SET status = 'succeeded', verdicts = '[{"kind":"healthy","evidence":"bench"}]',
      final_train_loss = 0.1 + (position % 7) / 10, final_train_acc = 0.9, final_val_loss = 0.2, final_val_acc = 0.85,
      best_val_loss = 0.19, best_val_acc = 0.86, epochs_completed = 50, duration_ms = 900 WHERE sweep_id = ?`).run(id);

    console.log('\nexport of a finished 10,000-run sweep (to a discarding stream)');
    console.log('| export | seconds | characters |');
    console.log('| --- | ---: | ---: |');
    for (const format of ['csv', 'json', 'md'] as const) {
      const sink = nullSink();
      const start = process.hrtime.bigint();
      await exportRuns(store, id, format, sink);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(`| runs ${format} | ${seconds.toFixed(3)} | ${sink.bytes.toLocaleString('en-US')} |`);
    }
    for (const format of ['md', 'latex'] as const) {
      const sink = nullSink();
      const start = process.hrtime.bigint();
      await exportPivot(store, id, 'final_val_acc', format, sink);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(`| pivot ${format} | ${seconds.toFixed(3)} | ${sink.bytes.toLocaleString('en-US')} |`);
    }
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
