// Exports of a sweep's results, streamed from the store: the runs table (CSV, JSON, Markdown) and the
// initializer × activation pivot of one metric (Markdown, CSV, LaTeX). See docs/exports.md for the formats.
import { extname } from 'node:path';
import type { Store } from '../../db/store.js';
import { PIVOT_METRICS, isPivotMetric, pivotChunks, type PivotFormat, type PivotMetric } from './pivot.js';
import { runsChunks, type RunsFormat } from './runs.js';
import { writeChunks, type ExportSink, type WriteChunksOptions } from './stream.js';

export { PIVOT_METRICS, buildPivot, isPivotMetric, pivotChunks, type PivotFormat, type PivotMetric, type PivotTable } from './pivot.js';
export { runsChunks, type RunsFormat } from './runs.js';
export { runColumns, configCell, type RunColumn } from './run-rows.js';
export { writeChunks, ExportAbortedError, type ExportSink, type WriteChunksOptions } from './stream.js';
export { csvField, markdownCell, latexEscape } from './escape.js';

export type ExportFormat = 'csv' | 'json' | 'md' | 'latex';

export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';
  readonly code = 'unsupported_format';
  readonly status = 400;
  /** The request field at fault ('format' or 'pivot'); callers name it their way (a query parameter, a flag). */
  constructor(message: string, readonly field: 'format' | 'pivot' = 'format') {
    super(message);
  }
}

/** What to export: one row per run, or the initializer × activation pivot of one metric. */
export type ExportRequest =
  | { kind: 'runs'; format: RunsFormat }
  | { kind: 'pivot'; format: PivotFormat; metric: PivotMetric };

const RUNS_FORMATS: readonly string[] = ['csv', 'json', 'md'];
const PIVOT_FORMATS: readonly string[] = ['md', 'csv', 'latex'];

/** Checks a format and optional pivot metric as a user gave them; ExportFormatError says which one is wrong. */
export function parseExportRequest(format: string, pivot?: string): ExportRequest {
  if (pivot === undefined) {
    if (!RUNS_FORMATS.includes(format)) {
      throw new ExportFormatError(`must be one of ${RUNS_FORMATS.join(', ')} (latex needs a pivot metric)`);
    }
    return { kind: 'runs', format: format as RunsFormat };
  }
  if (!isPivotMetric(pivot)) throw new ExportFormatError(`must be one of ${PIVOT_METRICS.join(', ')}`, 'pivot');
  if (!PIVOT_FORMATS.includes(format)) {
    throw new ExportFormatError(`must be one of ${PIVOT_FORMATS.join(', ')} with a pivot`);
  }
  return { kind: 'pivot', format: format as PivotFormat, metric: pivot };
}

/** Streams an export request to `out` (see exportRuns and exportPivot). */
export function writeExport(
  store: Store, sweepId: number, request: ExportRequest, out: ExportSink, options?: WriteChunksOptions,
): Promise<void> {
  return request.kind === 'runs'
    ? exportRuns(store, sweepId, request.format, out, options)
    : exportPivot(store, sweepId, request.metric, request.format, out, options);
}

/**
 * Streams one row per run to `out`. Resolves once everything is written; does not end `out`
 * (`await exportRuns(...); res.end()`). Throws NotFoundError for an unknown sweep before writing anything.
 */
export async function exportRuns(
  store: Store, sweepId: number, format: RunsFormat, out: ExportSink, options?: WriteChunksOptions,
): Promise<void> {
  store.getSweep(sweepId);
  await writeChunks(runsChunks(store, sweepId, format), out, options);
}

/** Streams the pivot of `metric` to `out`; like exportRuns, resolves when written and leaves `out` open. */
export async function exportPivot(
  store: Store, sweepId: number, metric: PivotMetric, format: PivotFormat, out: ExportSink,
  options?: WriteChunksOptions,
): Promise<void> {
  store.getSweep(sweepId);
  await writeChunks(pivotChunks(store, sweepId, metric, format), out, options);
}

const EXTENSIONS: Record<string, ExportFormat> = {
  '.csv': 'csv', '.json': 'json', '.md': 'md', '.markdown': 'md', '.tex': 'latex', '.latex': 'latex',
};

/**
 * The export a file name asks for: .csv, .json, .md/.markdown, .tex/.latex (case-insensitive). `pivot` is true for
 * LaTeX, which exists only as a pivot table; the other formats name the runs table unless the caller asks for a pivot.
 */
export function formatFromFilename(path: string): { format: ExportFormat; pivot: boolean } {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new ExportFormatError(`cannot tell the export format from '${path}': use .csv, .json, .md or .tex`);
  }
  return { format, pivot: format === 'latex' };
}
