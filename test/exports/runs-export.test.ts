import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../db/errors.js';
import type { Store } from '../../db/store.js';
import { ExportFormatError, exportRuns, formatFromFilename, parseExportRequest } from '../../server/exports/index.js';
import { memoryStore, summary } from '../db/fixtures.js';
import { collect } from './collect.js';

/** A sweep whose names and values try to break every format. */
function trickySweep(): { store: Store; id: number; runIds: number[] } {
  const store = memoryStore();
  const base = { dataset: { name: 'spirals' }, train: { lr: 0.05 } };
  const runs = [
    { init: 'xavier_uniform', activation: 'tanh', hidden: [8, 8], lr: 0.05, seed: 1 },
    { init: { name: 'normal', std: 0.01 }, activation: { name: 'leaky_relu', slope: 0.2 }, hidden: [16], lr: -1, seed: 2 },
    { init: '=cmd|"/c calc"!A1', activation: '<b>relu</b> & "x" | y', hidden: [4], lr: 0.1, seed: 3 },
  ].map((r, position) => ({
    config: { ...base, model: { hidden: r.hidden, init: r.init, activation: r.activation }, train: { lr: r.lr }, seed: r.seed },
    hash: `h${position}`, seed: r.seed, initLabel: JSON.stringify(r.init), activationLabel: JSON.stringify(r.activation),
    position,
  }));
  const { id, runIds } = store.createSweep({
    name: '=SUM(A1:A9), "quoted"\nsecond line',
    spec: {},
    varying: ['model.init', 'model.activation', 'model.hidden', 'train.lr', 'seed'],
    runs,
  });
  store.startRun(runIds[0]);
  store.finishRun(runIds[0], summary({
    backend: 'native',
    cpuPath: 'avx2',
    verdicts: [{ kind: 'healthy', evidence: '' }, { kind: 'saturated', evidence: '' }],
    finals: { finalTrainLoss: 0.25, finalTrainAcc: 0.9, finalValLoss: -0.5, finalValAcc: 0.875, bestTrainLoss: 0.2,
      bestTrainAcc: 0.95, bestValLoss: Infinity, bestValAcc: 0.88 },
  }));
  store.startRun(runIds[1]);
  store.failRun(runIds[1], 'boom', 10, 5);
  return { store, id, runIds };
}

async function exportText(store: Store, id: number, format: 'csv' | 'json' | 'md'): Promise<string> {
  const out = collect();
  await exportRuns(store, id, format, out.stream);
  return out.text();
}

const HEADER = ['sweep_id', 'sweep', 'run_id', 'model.init', 'model.activation', 'model.hidden', 'train.lr', 'seed',
  'status', 'verdicts', 'final_train_loss', 'final_train_acc', 'final_val_loss', 'final_val_acc', 'best_train_loss',
  'best_train_acc', 'best_val_loss', 'best_val_acc', 'epochs_completed', 'duration_ms', 'backend', 'cpu_path'];

describe('runs export as CSV', () => {
  it('writes one RFC 4180 row per run with the varying config paths as columns, and parses back', async () => {
    const { store, id, runIds } = trickySweep();
    const text = await exportText(store, id, 'csv');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/"[^"]*"/g, '').split('\r\n').every((line) => !line.includes('\n'))).toBe(true);
    const rows = parse(text, { columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual(HEADER);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      sweep_id: String(id), run_id: String(runIds[0]), 'model.init': 'xavier_uniform', 'model.activation': 'tanh',
      'model.hidden': '[8,8]', 'train.lr': '0.05', seed: '1', status: 'succeeded', verdicts: 'healthy;saturated',
      final_train_loss: '0.25', final_val_loss: '-0.5', final_val_acc: '0.875', best_val_loss: 'Infinity',
      epochs_completed: '3', duration_ms: '1234', backend: 'native', cpu_path: 'avx2',
    });
    expect(rows[1]).toMatchObject({
      'model.init': 'normal(std=0.01)', 'model.activation': 'leaky_relu(0.2)', 'train.lr': '-1', status: 'failed',
      verdicts: '', final_val_acc: '', duration_ms: '5', backend: '', cpu_path: '',
    });
    expect(rows[2]).toMatchObject({ status: 'queued', backend: '', cpu_path: '' });
  });

  it('neutralises formula-like text but not negative numbers', async () => {
    const { store, id } = trickySweep();
    const rows = parse(await exportText(store, id, 'csv'), { columns: true }) as Array<Record<string, string>>;
    expect(rows[0].sweep).toBe(`'=SUM(A1:A9), "quoted"\nsecond line`);
    expect(rows[2]['model.init']).toBe(`'=cmd|"/c calc"!A1`);
    expect(rows[1]['train.lr']).toBe('-1');
    expect(rows[0].final_val_loss).toBe('-0.5');
  });
});

describe('runs export as JSON', () => {
  it('streams an array of row objects with raw config values', async () => {
    const { store, id, runIds } = trickySweep();
    const rows = JSON.parse(await exportText(store, id, 'json')) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0])).toEqual(HEADER);
    expect(rows[0]).toMatchObject({
      sweep_id: id, run_id: runIds[0], 'model.hidden': [8, 8], seed: 1, verdicts: ['healthy', 'saturated'],
      final_val_loss: -0.5, best_val_loss: null,   // JSON has no Infinity
      backend: 'native', cpu_path: 'avx2',
    });
    expect(rows[0].sweep).toBe('=SUM(A1:A9), "quoted"\nsecond line');   // JSON is not a spreadsheet: no prefix
    expect(rows[1]).toMatchObject({
      'model.init': { name: 'normal', std: 0.01 }, verdicts: null, final_val_acc: null, backend: null, cpu_path: null,
    });
  });

  it('writes an empty array for a sweep without runs', async () => {
    const store = memoryStore();
    const { id } = store.createSweep({ name: 'empty', spec: {}, varying: [], runs: [] });
    const text = await exportText(store, id, 'json');
    expect(JSON.parse(text)).toEqual([]);
  });
});

describe('runs export as Markdown', () => {
  it('writes a table with a header, an alignment row and escaped cells', async () => {
    const { store, id } = trickySweep();
    const lines = (await exportText(store, id, 'md')).trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 3);
    expect(lines[0]).toBe(`| ${HEADER.join(' | ')} |`);
    expect(lines[1]).toMatch(/^\| ---: \| --- \| ---: \| --- \|/);   // numbers right-aligned
    // every line has the same number of unescaped cell separators
    const separators = lines.map((line) => line.split('|').length);
    expect(new Set(separators).size).toBe(1);
    expect(lines[2]).toContain('| =SUM(A1:A9), &quot;quoted&quot; second line |');
    expect(lines[4]).toContain('| &lt;b&gt;relu&lt;/b&gt; &amp; &quot;x&quot; &#124; y |');
    expect(lines.join('\n')).not.toMatch(/<b>/);
    expect(lines[2]).toContain('| 0.875 |');
    expect(lines[2]).toMatch(/\| 1234 \| native \| avx2 \|$/);
    expect(lines[1]).toMatch(/\| ---: \| --- \| --- \|$/);   // duration right-aligned; backend and CPU path are text
  });
});

describe('export entry points', () => {
  it('writes to a bare { write } sink as well as to a Node stream', async () => {
    const { store, id } = trickySweep();
    const chunks: string[] = [];
    await exportRuns(store, id, 'csv', { write: (chunk: string) => chunks.push(chunk) });
    expect(chunks.join('')).toBe(await exportText(store, id, 'csv'));
  });

  it('refuses an unknown sweep with NotFoundError before writing anything', async () => {
    const store = memoryStore();
    const out = collect();
    await expect(exportRuns(store, 5, 'csv', out.stream)).rejects.toThrow(NotFoundError);
    expect(out.chunks).toEqual([]);
  });

  it('tells the format from a file name', () => {
    expect(formatFromFilename('results/sweep-3.csv')).toEqual({ format: 'csv', pivot: false });
    expect(formatFromFilename('out.JSON')).toEqual({ format: 'json', pivot: false });
    expect(formatFromFilename('table.md')).toEqual({ format: 'md', pivot: false });
    expect(formatFromFilename('table.markdown')).toEqual({ format: 'md', pivot: false });
    expect(formatFromFilename('paper/pivot.tex')).toEqual({ format: 'latex', pivot: true });
    expect(() => formatFromFilename('data.xlsx')).toThrow(ExportFormatError);
    expect(() => formatFromFilename('noext')).toThrow(/\.csv, \.json, \.md or \.tex/);
  });
});

describe('parseExportRequest', () => {
  it('takes the runs table in csv, json or md, and a pivot in md, csv or latex', () => {
    expect(parseExportRequest('json')).toEqual({ kind: 'runs', format: 'json' });
    expect(parseExportRequest('latex', 'best_val_acc')).toEqual({ kind: 'pivot', format: 'latex', metric: 'best_val_acc' });
  });

  it('names the field at fault', () => {
    const fault = (format: string, pivot?: string) => {
      try {
        parseExportRequest(format, pivot);
      } catch (error) {
        return { field: (error as ExportFormatError).field, message: (error as Error).message };
      }
      return null;
    };
    expect(fault('latex')).toMatchObject({ field: 'format', message: expect.stringContaining('latex needs a pivot') });
    expect(fault('json', 'final_val_acc')).toMatchObject({ field: 'format' });
    expect(fault('md', 'nonsense')).toMatchObject({ field: 'pivot', message: expect.stringContaining('final_val_acc') });
  });
});

describe('runs export of a diverged run', () => {
  it('leaves its final and best metrics empty in every format: the untrained network\'s numbers are no result', async () => {
    const { store, id, runIds } = trickySweep();
    store.startRun(runIds[2]);
    store.finishRun(runIds[2], summary({
      status: 'diverged',
      verdicts: [{ kind: 'diverged', evidence: '' }],
      finals: { finalTrainLoss: 0.7, finalTrainAcc: 0.575, finalValLoss: 0.69, finalValAcc: 0.575, bestTrainLoss: 0.69,
        bestTrainAcc: 0.6, bestValLoss: 0.68, bestValAcc: 0.59 },
    }));
    const metricNames = HEADER.filter((h) => h.startsWith('final_') || h.startsWith('best_'));
    const rows = parse(await exportText(store, id, 'csv'), { columns: true, record_delimiter: '\r\n' }) as Array<Record<string, string>>;
    expect(rows[2].status).toBe('diverged');
    for (const name of metricNames) expect(rows[2][name], name).toBe('');
    expect(rows[0].final_val_acc).toBe('0.875');
    const json = JSON.parse(await exportText(store, id, 'json')) as Array<Record<string, unknown>>;
    for (const name of metricNames) expect(json[2][name], name).toBeNull();
    expect(await exportText(store, id, 'md')).not.toContain('0.575');
  });
});
