import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import type { NewRun } from '../../db/types.js';
import { exportRuns } from '../../server/exports/index.js';
import { parseRunConfig } from '../../workers/run-config.js';
import { memoryStore } from '../db/fixtures.js';
import { collect } from './collect.js';

const RUNS = 10_000;

/** A finished 10,000-run sweep: 5 inits × 4 activations × 5 learning rates × 100 seeds, full run configs. */
function bigSweep(): { store: Store; id: number } {
  const store = memoryStore();
  const base = parseRunConfig({});
  const inits = ['zeros', 'normal', 'xavier_uniform', 'he_normal', 'orthogonal'];
  const activations = ['tanh', 'relu', 'gelu', 'sigmoid'];
  const lrs = [0.001, 0.01, 0.05, 0.1, 0.5];
  const runs: NewRun[] = [];
  for (const init of inits) for (const activation of activations) for (const lr of lrs) {
    for (let seed = 1; seed <= RUNS / 100; seed++) {
      const config = { ...base, model: { ...base.model, init, activation }, train: { ...base.train, lr }, seed };
      runs.push({ config, hash: `${init}/${activation}/${lr}/${seed}`, seed, initLabel: init, activationLabel: activation,
        position: runs.length });
    }
  }
  const { id } = store.createSweep({ name: 'big', spec: {}, varying: ['model.init', 'model.activation', 'train.lr', 'seed'],
    runs });
  store.db.prepare(`UPDATE runs SET status = 'running' WHERE sweep_id = ?`).run(id);
  store.db.prepare(`UPDATE runs SET status = 'succeeded', verdicts = '[{"kind":"healthy","evidence":"ok"}]',
    final_train_loss = 0.1 + (position % 7) / 10, final_val_acc = 0.5 + (position % 50) / 100,
    final_val_loss = -0.25, epochs_completed = 20, duration_ms = 1500 WHERE sweep_id = ?`).run(id);
  return { store, id };
}

describe('streaming a 10,000-run export', () => {
  it('writes many chunks as it reads, under backpressure, with modest memory', async () => {
    const { store, id } = bigSweep();
    let runsRead = 0;
    const counting: Store = {
      ...store,
      *iterateRuns(sweepId, pageSize) {
        for (const run of store.iterateRuns(sweepId, pageSize)) {
          runsRead += 1;
          yield run;
        }
      },
    };
    const readAtWrite: number[] = [];
    let maxBuffered = 0;
    const heapStart = process.memoryUsage().heapUsed;
    let heapMax = heapStart;
    const out = collect({
      highWaterMark: 4096,
      slow: true,
      onWrite: () => {
        readAtWrite.push(runsRead);
        maxBuffered = Math.max(maxBuffered, out.stream.writableLength);
        heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
      },
    });

    await exportRuns(counting, id, 'csv', out.stream);

    expect(runsRead).toBe(RUNS);
    expect(out.chunks.length).toBeGreaterThan(20);
    expect(readAtWrite[0]).toBeLessThan(RUNS / 10);        // the first bytes left long before the last run was read
    expect(maxBuffered).toBeLessThanOrEqual(64 * 1024);     // backpressure held: the stream never queued the table
    expect(heapMax - heapStart).toBeLessThan(64 * 1024 * 1024);
    const rows = parse(out.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(RUNS);
    expect(rows[9999]).toMatchObject({ 'model.init': 'orthogonal', 'model.activation': 'sigmoid', 'train.lr': '0.5',
      seed: '100', final_val_loss: '-0.25', status: 'succeeded' });
  });

  it('lets the store write while an export waits for the output to drain', async () => {
    const { store, id } = bigSweep();
    const { id: otherSweep, runIds } = store.createSweep({ name: 'other', spec: {}, varying: [],
      runs: [{ config: {}, hash: 'x', seed: 1, initLabel: 'zeros', activationLabel: 'tanh', position: 0 }] });
    let wrote = false;
    const out = collect({
      highWaterMark: 1024,
      slow: true,
      onWrite: () => {
        if (out.chunks.length === 5) {
          store.startRun(runIds[0]);   // as the metrics writer or scheduler would, mid-export
          wrote = true;
        }
      },
    });
    await exportRuns(store, id, 'json', out.stream);
    expect(wrote).toBe(true);
    expect(store.sweepCounts(otherSweep).running).toBe(1);
    expect(JSON.parse(out.text())).toHaveLength(RUNS);
  });
});
