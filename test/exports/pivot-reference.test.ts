// The pivot with a reference cell: every other cell compared with it seed by seed, in CSV columns and as a marker
// with a caption in Markdown and LaTeX; a bad reference is refused by field name before anything is written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/open.js';
import { createStore, type Store } from '../../db/store.js';
import type { NewRun } from '../../db/types.js';
import { pairedTTest } from '../../server/analysis/paired.js';
import { exportCommand } from '../../server/commands/export.js';
import {
  ExportFormatError, checkExportRequest, exportPivot, parseExportRequest, type CellRef, type PivotFormat, type PivotMetric,
} from '../../server/exports/index.js';
import { openServices } from '../../server/services.js';
import { capture } from '../helpers/capture.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';
import { createGridSweep, memoryStore, summary } from '../db/fixtures.js';
import { collect } from './collect.js';

function finish(store: Store, runId: number, valAcc: number, status: 'succeeded' | 'diverged' = 'succeeded') {
  store.startRun(runId);
  store.finishRun(runId, summary({
    status,
    finals: { finalTrainLoss: 1 - valAcc, finalTrainAcc: valAcc, finalValLoss: 1 - valAcc, finalValAcc: valAcc,
      bestTrainLoss: null, bestTrainAcc: null, bestValLoss: null, bestValAcc: valAcc },
  }));
}

// Seeds 1-5 of xavier_uniform × relu against he_normal × relu are the "n5_negative" case of
// test/fixtures/paired-reference.py; scipy.stats.ttest_rel gives these (pasted from its output):
const XAVIER = [0.52, 0.61, 0.47, 0.58, 0.55];
const HE = [0.71, 0.69, 0.73, 0.66, 0.74];
const SCIPY = { mean: -0.15999999999999998, pT: 0.010322173654175863, ci: [-0.25737369423657214, -0.06262630576342783] };
const NORMAL = [0.72, 0.67, 0.74, 0.67, 0.73];   // he_normal ± 0.01, mixed signs: no difference

/**
 * 3 inits × 2 activations × 6 seeds. relu: finished; seed 6 of xavier diverged (at 0.9, a number the test must not
 * use) and seed 6 of normal(std=0.01) failed. tanh: never run (queued), so its cells have no pairs.
 */
function referenceSweep(store: Store = memoryStore()) {
  const inits = ['he_normal', 'xavier_uniform', 'normal(std=0.01)'];
  const { id, runIds } = createGridSweep(store, { inits, activations: ['relu', 'tanh'], seeds: [1, 2, 3, 4, 5, 6] });
  const run = (init: number, seed: number) => runIds[init * 12 + seed - 1];   // relu runs; tanh follow each init's six
  HE.forEach((v, i) => finish(store, run(0, i + 1), v));
  finish(store, run(0, 6), 0.7);
  XAVIER.forEach((v, i) => finish(store, run(1, i + 1), v));
  finish(store, run(1, 6), 0.9, 'diverged');
  NORMAL.forEach((v, i) => finish(store, run(2, i + 1), v));
  store.startRun(run(2, 6));
  store.failRun(run(2, 6), 'boom');
  return { store, id };
}

const REFERENCE: CellRef = { init: 'he_normal', activation: 'relu' };

async function pivotText(store: Store, id: number, format: PivotFormat, metric: PivotMetric = 'final_val_acc') {
  const out = collect();
  await exportPivot(store, id, metric, format, out.stream, { reference: REFERENCE });
  return out.text();
}

function close(actual: string, expected: number, relative = 1e-10) {
  expect(Math.abs(Number(actual) - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

describe('pivot against a reference cell', () => {
  it('writes the paired difference, its interval, Holm-adjusted p and win/tie/loss per cell in CSV', async () => {
    const { store, id } = referenceSweep();
    const rows = parse(await pivotText(store, id, 'csv'), { columns: true }) as Record<string, string>[];
    const [he, xavier, normal] = rows;
    expect(he['relu diff']).toBe('');                 // the reference has no comparison with itself
    close(xavier['relu diff'], SCIPY.mean, 1e-12);
    close(xavier['relu diff ci low'], SCIPY.ci[0]);
    close(xavier['relu diff ci high'], SCIPY.ci[1]);
    close(xavier['relu p t'], SCIPY.pT);
    expect(xavier).toMatchObject({
      'relu pairs': '5', 'relu dropped pairs': '1', 'relu wins': '0', 'relu ties': '0', 'relu losses': '5',
      'relu diverged': '1', 'relu wilcoxon method': 'permutation',
    });
    // Holm over the two cells with a test: the smaller p doubled (normal's p is far larger)
    const normalP = pairedTTest(NORMAL.map((v, i) => v - HE[i]))!.pValue;
    expect(normalP).toBeGreaterThan(0.5);
    close(xavier['relu p t holm'], 2 * SCIPY.pT);
    close(normal['relu p t holm'], normalP);
    expect(normal).toMatchObject({ 'relu pairs': '5', 'relu dropped pairs': '1', 'relu wins': '3', 'relu losses': '2' });
    // tanh never ran: six seeds in both cells, none with a value, no test
    expect(xavier).toMatchObject({ 'tanh pairs': '0', 'tanh dropped pairs': '6', 'tanh p t': '', 'tanh p t holm': '' });
  });

  it('marks significant cells in Markdown and states the test, correction, pairing and dropped runs', async () => {
    const { store, id } = referenceSweep();
    const text = await pivotText(store, id, 'md');
    const lines = text.trimEnd().split('\n');
    expect(lines[2]).toMatch(/^\| he_normal \| 0\.705 ± 0\.029 \(n=6\) \(reference\) \|/);
    expect(lines[3]).toMatch(/^\| xavier_uniform \| [^|]*\(n=5, 1 diverged\) † \|/);   // the diverged 0.9 is no result
    expect(lines[4]).not.toContain('†');
    const caption = lines.at(-1)!;
    expect(lines.at(-2)).toBe('');
    expect(caption).toContain('† differs from the reference he_normal × relu: paired t-test');
    expect(caption).toContain('Holm-adjusted p &lt; 0.05 over the 2 cells tested');
    expect(caption).toContain('Pairs are runs with the same seed, which saw the same data');
    expect(caption).toContain('(20 of 30 pairs)');   // 1 + 1 on relu, 6 in each of the three tanh cells
    expect(caption).toContain('3 cells have no test');
  });

  it('writes the marker as a dagger and the caption under the tabular in LaTeX', async () => {
    const { store, id } = referenceSweep();
    const text = await pivotText(store, id, 'latex');
    expect(text).toMatch(/xavier\\_uniform & [^&]*\(n=5, 1 diverged\) \$\^\\dagger\$ &/);
    expect(text).toContain('which are over succeeded runs.\\par}\n\\par\\smallskip\n{\\footnotesize $^\\dagger$ differs from the reference he\\_normal $\\times$ relu');
    expect(text).toContain('mean $\\pm$ sd and n are over succeeded runs too');
  });

  it('counts wins as better, not larger: a higher loss is a loss', async () => {
    const { store, id } = referenceSweep();   // loss = 1 − accuracy in this fixture
    const rows = parse(await pivotText(store, id, 'csv', 'final_val_loss'), { columns: true }) as Record<string, string>[];
    close(rows[1]['relu diff'], 0.16, 1e-9);
    expect(rows[1]).toMatchObject({ 'relu wins': '0', 'relu losses': '5' });
  });

  it('pairs by the other varying settings too', async () => {
    const store = memoryStore();
    const runs: NewRun[] = [];
    for (const init of ['he_normal', 'xavier_uniform']) {
      for (const lr of [0.01, 0.1]) {
        for (const seed of [1, 2, 3]) {
          runs.push({ config: { model: { init, activation: 'relu' }, train: { lr }, seed }, hash: `${init}/${lr}/${seed}`,
            seed, initLabel: init, activationLabel: 'relu', position: runs.length });
        }
      }
    }
    const { id, runIds } = store.createSweep({
      name: 'lr', spec: {}, varying: ['model.init', 'train.lr', 'seed'], runs, createdAt: 1,
    });
    runIds.forEach((runId, i) => finish(store, runId, 0.5 + (i % 6) / 100 + (i < 6 ? 0.05 : 0)));
    const text = await pivotText(store, id, 'csv');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows[1]).toMatchObject({ 'relu pairs': '6', 'relu losses': '6' });
    close(rows[1]['relu diff'], -0.05, 1e-9);
    expect(await pivotText(store, id, 'md')).toContain('Pairs are runs with the same seed and the same train.lr,');
  });
});

describe('reference requests', () => {
  it('parses "init × activation" and "init x activation", and needs a pivot', () => {
    expect(parseExportRequest('md', 'final_val_acc', 'he_normal × relu')).toEqual(
      { kind: 'pivot', format: 'md', metric: 'final_val_acc', reference: REFERENCE });
    expect(parseExportRequest('csv', 'final_val_acc', ' he_normal x relu ')).toMatchObject({ reference: REFERENCE });
    const fails = (...args: [string, string | undefined, string]) => {
      try {
        parseExportRequest(...args);
      } catch (error) {
        return { field: (error as ExportFormatError).field, message: (error as Error).message };
      }
      return null;
    };
    expect(fails('csv', undefined, 'he_normal × relu')).toEqual({ field: 'reference', message: expect.stringMatching(/needs a pivot/) });
    expect(fails('md', 'final_val_acc', 'he_normal')).toEqual({ field: 'reference', message: expect.stringMatching(/<init label> × <activation label>/) });
    expect(fails('md', 'final_val_acc', 'a × b × c')?.field).toBe('reference');
  });

  it('refuses a reference that is no cell of the sweep, naming the cells, before writing anything', async () => {
    const { store, id } = referenceSweep();
    const request = parseExportRequest('md', 'final_val_acc', 'lecun_normal × relu');
    expect(() => checkExportRequest(store, id, request)).toThrow(/names no cell of this sweep: 'lecun_normal × relu'; its cells are he_normal × relu; he_normal × tanh/);
    const out = collect();
    await expect(exportPivot(store, id, 'final_val_acc', 'md', out.stream, { reference: { init: 'x', activation: 'relu' } }))
      .rejects.toMatchObject({ name: 'ExportFormatError', field: 'reference' });
    expect(out.text()).toBe('');
  });

  it('refuses a reference whose cells hold two runs of one seed that their labels do not tell apart', () => {
    const store = memoryStore();
    const runs: NewRun[] = [1, 2, 0.5].map((std, i) => ({
      config: { model: { init: { name: 'normal', std }, activation: 'relu' }, seed: 1 }, hash: `h${i}`, seed: 1,
      initLabel: i < 2 ? 'normal' : 'normal(std=0.5)', activationLabel: 'relu', position: i,
    }));
    const { id } = store.createSweep({ name: 'clash', spec: {}, varying: ['model.init'], runs, createdAt: 1 });
    const request = parseExportRequest('csv', 'final_val_acc', 'normal(std=0.5) × relu');
    expect(() => checkExportRequest(store, id, request)).toThrow(
      expect.objectContaining({ field: 'reference', message: expect.stringMatching(/^cannot be compared seed by seed: normal × relu has two runs with pairing key seed 1$/) }));
  });

  describe('initlab export --reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'initlab-reference-'));
    const db = join(dir, 'reference.db');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const connection = openDatabase(db);
    referenceSweep(createStore(connection));
    connection.close();

    it('writes the compared pivot', async () => {
      const c = capture();
      const code = await exportCommand(['1', '--format', 'md', '--pivot', 'final_val_acc', '--reference', 'he_normal × relu', '--db', db], c.io);
      expect(code, c.err()).toBe(0);
      expect(c.out()).toContain('(n=5, 1 diverged) † |');
    });

    it('is a usage error (exit 2) naming --reference for an unknown cell or a reference without a pivot', async () => {
      let c = capture();
      expect(await exportCommand(['1', '--format', 'md', '--pivot', 'final_val_acc', '--reference', 'he_normal x elu', '--db', db], c.io)).toBe(2);
      expect(c.err()).toMatch(/^initlab export: --reference names no cell of this sweep: 'he_normal × elu'/);
      expect(c.out()).toBe('');
      c = capture();
      expect(await exportCommand(['1', '--format', 'csv', '--reference', 'he_normal x relu', '--db', db], c.io)).toBe(2);
      expect(c.err()).toMatch(/--reference needs a pivot metric/);
    });
  });
});

describe('GET /api/sweeps/:id/export?pivot=...&reference=...', () => {
  it('answers the compared pivot, and 400 naming the reference parameter for a cell the sweep lacks', async () => {
    const services = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1) });   // scheduler not started
    const server = await serveApp(services);
    try {
      const { id } = referenceSweep(services.store);
      const base = `${server.url}/api/sweeps/${id}/export?format=csv&pivot=final_val_acc&reference=`;
      const ok = await fetch(base + encodeURIComponent('he_normal × relu'));
      expect(ok.status).toBe(200);
      const rows = parse(await ok.text(), { columns: true }) as Record<string, string>[];
      close(rows[1]['relu p t'], SCIPY.pT);
      const bad = await fetch(base + encodeURIComponent('he_normal x elu'));
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-disposition')).toBeNull();
      expect(JSON.stringify(await bad.json())).toMatch(/query parameter \\"reference\\" names no cell of this sweep/);
    } finally {
      await server.close();
      await services.close();
    }
  });
});
