// The runs table of a sweep as CSV, JSON or Markdown: lazy string chunks, one run at a time from the store.
import type { Store } from '../../db/store.js';
import { csvRecord, formatMetric, markdownRow, type Cell } from './escape.js';
import { runColumns } from './run-rows.js';

export type RunsFormat = 'csv' | 'json' | 'md';

export function* runsChunks(store: Store, sweepId: number, format: RunsFormat): Generator<string, void, undefined> {
  const sweep = store.getSweep(sweepId);
  const columns = runColumns(sweep);
  const runs = store.iterateRuns(sweepId);
  switch (format) {
    case 'csv':
      yield csvRecord(columns.map((c) => c.name));
      for (const run of runs) yield csvRecord(columns.map((c) => c.cell(run)));
      return;
    case 'json': {
      // JSON has no NaN or Infinity: JSON.stringify writes them as null.
      let first = true;
      yield '[';
      for (const run of runs) {
        const row: Record<string, unknown> = {};
        for (const c of columns) row[c.name] = c.json ? c.json(run) : c.cell(run);
        yield `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
        first = false;
      }
      yield first ? ']\n' : '\n]\n';
      return;
    }
    case 'md':
      yield markdownRow(columns.map((c) => c.name));
      yield `|${columns.map((c) => (c.kind === 'text' || c.kind === 'config' ? ' --- |' : ' ---: |')).join('')}\n`;
      for (const run of runs) {
        yield markdownRow(columns.map((c): Cell => {
          const value = c.cell(run);
          return c.kind === 'metric' && typeof value === 'number' ? formatMetric(value) : value;
        }));
      }
      return;
    default:
      throw new Error(`unknown runs export format: ${String(format satisfies never)}`);
  }
}
