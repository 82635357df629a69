import { formatMeanSd } from '../../server/exports/pivot.js';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../db/store.js';
import { PIVOT_METRICS, exportPivot, type PivotFormat, type PivotMetric } from '../../server/exports/index.js';
import { createGridSweep, memoryStore, summary } from '../db/fixtures.js';
import { collect } from './collect.js';

function finishWith(store: Store, runId: number, valAcc: number, status: 'succeeded' | 'diverged' = 'succeeded') {
  store.startRun(runId);
  store.finishRun(runId, summary({
    status,
    finals: { finalTrainLoss: 1 - valAcc, finalTrainAcc: valAcc, finalValLoss: 2 * valAcc, finalValAcc: valAcc,
      bestTrainLoss: null, bestTrainAcc: null, bestValLoss: valAcc, bestValAcc: valAcc },
  }));
}

/** 2 inits × 2 activations × 2 seeds; labels carry characters LaTeX and Markdown must escape. */
function pivotSweep() {
  const store = memoryStore();
  const { id, runIds } = createGridSweep(store, {
    inits: ['he_normal', 'normal(std=0.01)'], activations: ['relu', 'leaky_relu(0.2) & <x> | 100% $#~^{}\\'], seeds: [1, 2],
  });
  finishWith(store, runIds[0], 0.9);
  finishWith(store, runIds[1], 0.7);
  finishWith(store, runIds[2], 0.5, 'diverged');
  store.startRun(runIds[3]);
  store.failRun(runIds[3], 'boom');
  finishWith(store, runIds[4], 0.6);
  return { store, id };
}

async function pivotText(store: Store, id: number, metric: PivotMetric, format: PivotFormat): Promise<string> {
  const out = collect();
  await exportPivot(store, id, metric, format, out.stream);
  return out.text();
}

describe('pivot export', () => {
  it('offers the loss and accuracy metrics', () => {
    expect(PIVOT_METRICS).toEqual(expect.arrayContaining(
      ['final_val_acc', 'final_val_loss', 'best_val_acc', 'best_val_loss', 'final_train_loss', 'final_train_acc']));
  });

  it('writes Markdown with inits as rows, activations as columns and mean ± sd with counts', async () => {
    const { store, id } = pivotSweep();
    const lines = (await pivotText(store, id, 'final_val_acc', 'md')).trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('| init / activation | relu | leaky_relu(0.2) &amp; &lt;x&gt; &#124; 100% $#~^{}\\\\ |'); // the backslash escaped
    expect(lines[1]).toBe('| --- | ---: | ---: |');
    // he_normal × relu: 0.9 and 0.7 → mean 0.8, sd sqrt(0.02) = 0.1414, reported as 0.80 ± 0.14
    // he_normal × leaky: the diverged run's 0.5 is the untrained network's, not a result
    expect(lines[2]).toBe('| he_normal | 0.80 ± 0.14 (n=2) | — (n=0, 1 diverged, 1 failed) |');
    expect(lines[3]).toBe('| normal(std=0.01) | 0.6 (n=1, 1 without result) | — (n=0, 2 without result) |');
    expect(lines[4]).toBe('');
    expect(lines[5]).toBe('Diverged runs have no final value: they are counted (n diverged) but left out of mean ± sd and n, which are over succeeded runs.');
  });

  it('pivots the chosen metric', async () => {
    const { store, id } = pivotSweep();
    const text = await pivotText(store, id, 'final_val_loss', 'md');
    expect(text).toContain('| he_normal | 1.60 ± 0.28 (n=2) |');
  });

  it('writes CSV with mean, sd, n, diverged and failed columns per activation', async () => {
    const { store, id } = pivotSweep();
    const rows = parse(await pivotText(store, id, 'final_val_acc', 'csv'), { record_delimiter: '\r\n' }) as string[][];
    expect(rows[0]).toEqual(['init', 'relu mean', 'relu sd', 'relu n', 'relu diverged', 'relu failed',
      ...['mean', 'sd', 'n', 'diverged', 'failed'].map((p) => `leaky_relu(0.2) & <x> | 100% $#~^{}\\ ${p}`)]);
    expect(rows).toHaveLength(3);
    expect(rows[1][0]).toBe('he_normal');
    expect(Number(rows[1][1])).toBeCloseTo(0.8, 12);
    expect(Number(rows[1][2])).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(rows[1].slice(3)).toEqual(['2', '0', '0', '', '', '0', '1', '1']);
    expect(rows[2].slice(6)).toEqual(['', '', '0', '0', '0']);
  });

  it('writes a well-formed LaTeX tabular with every label escaped', async () => {
    const { store, id } = pivotSweep();
    const text = await pivotText(store, id, 'final_val_acc', 'latex');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^% initlab sweep \d+: final_val_acc/);
    const begin = lines.findIndex((l) => l.startsWith('\\begin{tabular}'));
    expect(lines[begin]).toBe('\\begin{tabular}{l|cc}');
    const end = lines.indexOf('\\end{tabular}');
    expect(lines.slice(end + 1)).toEqual(['\\par\\smallskip', '{\\footnotesize Diverged runs have no final value: they are '
      + 'counted (n diverged) but left out of mean $\\pm$ sd and n, which are over succeeded runs.\\par}']);
    const body = lines.slice(begin + 1, end).filter((l) => l !== '\\hline');
    expect(lines.filter((l) => l === '\\hline')).toHaveLength(3);
    expect(body).toHaveLength(3);   // header + two init rows
    for (const row of body) {
      expect(row.endsWith(' \\\\')).toBe(true);
      const unescapedAmpersands = row.replace(/\\&/g, '').match(/&/g) ?? [];
      expect(unescapedAmpersands).toHaveLength(2);   // 3 columns
      const braces = row.replace(/\\[{}]/g, '');
      expect(braces.split('{').length).toBe(braces.split('}').length);
      const dollars = row.replace(/\\\$/g, '').match(/\$/g) ?? [];
      expect(dollars.length % 2).toBe(0);            // math mode opened and closed
    }
    expect(body[0]).toBe('init / activation & relu & leaky\\_relu(0.2) \\& \\textless{}x\\textgreater{} \\textbar{} 100\\% \\$\\#\\textasciitilde{}'
      + '\\textasciicircum{}\\{\\}\\textbackslash{} \\\\');
    expect(body[1]).toBe('he\\_normal & 0.80 $\\pm$ 0.14 (n=2) & --- (n=0, 1 diverged, 1 failed) \\\\');
    expect(body[2]).toBe('normal(std=0.01) & 0.6 (n=1, 1 without result) & --- (n=0, 2 without result) \\\\');
  });
});

describe('mean ± sd formatting', () => {
  it('rounds the sd to two significant digits and the mean to the same decimal place', () => {
    expect(formatMeanSd(0.49666, 0.044814, '±')).toBe('0.497 ± 0.045');
    expect(formatMeanSd(123.456, 7.8, '±')).toBe('123.5 ± 7.8');
    expect(formatMeanSd(0.91, null, '±')).toBe('0.91');
    expect(formatMeanSd(0.4667, 0, '±')).toBe('0.4667 ± 0');
  });
});
