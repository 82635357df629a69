// Exports of a sweep's results, streamed from the store: the runs table (CSV, JSON, Markdown) and the
// initializer × activation pivot of one metric (Markdown, CSV, LaTeX). See docs/exports.md for the formats.
import { extname } from 'node:path';
import type { Store } from '../../db/store.js';
import { ExportFormatError } from './errors.js';
import { PIVOT_METRICS, buildPivot, isPivotMetric, pivotChunks, type PivotFormat, type PivotMetric } from './pivot.js';
import { PairingError } from '../analysis/paired.js';
import { checkCellRef, compareWithReference, parseCellRef, type CellRef } from './pivot-reference.js';
import { runsChunks, type RunsFormat } from './runs.js';
import { writeChunks, type ExportSink, type WriteChunksOptions } from './stream.js';

export { PIVOT_METRICS, buildPivot, isPivotMetric, pivotChunks, type PivotFormat, type PivotMetric, type PivotTable } from './pivot.js';
export { runsChunks, type RunsFormat } from './runs.js';
export { ExportFormatError, type ExportField } from './errors.js';
export { cellRefText, compareWithReference, parseCellRef, type CellRef, type ReferenceComparisons } from './pivot-reference.js';
export { runColumns, configCell, type RunColumn } from './run-rows.js';
export { writeChunks, ExportAbortedError, type ExportSink, type WriteChunksOptions } from './stream.js';
export { csvField, markdownCell, latexEscape } from './escape.js';

export type ExportFormat = 'csv' | 'json' | 'md' | 'latex';

/**
 * What to export: one row per run, or the initializer × activation pivot of one metric, optionally with every cell
 * compared seed by seed with a reference cell.
 */
export type ExportRequest =
  | { kind: 'runs'; format: RunsFormat }
  | { kind: 'pivot'; format: PivotFormat; metric: PivotMetric; reference?: CellRef };

const RUNS_FORMATS: readonly string[] = ['csv', 'json', 'md'];
const PIVOT_FORMATS: readonly string[] = ['md', 'csv', 'latex'];

/**
 * Checks a format, optional pivot metric and optional reference cell ("he_normal × relu") as a user gave them;
 * ExportFormatError says which one is wrong. Whether the reference is a cell of the sweep is checkExportRequest's job.
 */
export function parseExportRequest(format: string, pivot?: string, reference?: string): ExportRequest {
  if (reference !== undefined && pivot === undefined) {
    throw new ExportFormatError('needs a pivot metric: the comparison is part of the pivot table', 'reference');
  }
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
  const request: ExportRequest = { kind: 'pivot', format: format as PivotFormat, metric: pivot };
  if (reference !== undefined) request.reference = parseCellRef(reference);
  return request;
}

/**
 * Checks a parsed request against the sweep before anything is written (a reference must be one of its cells), so a
 * caller can still answer with a usage error. Throws NotFoundError for an unknown sweep, ExportFormatError otherwise.
 */
export function checkExportRequest(store: Store, sweepId: number, request: ExportRequest): void {
  store.getSweep(sweepId);
  if (request.kind !== 'pivot' || request.reference === undefined) return;
  const pivot = buildPivot(store, sweepId, request.metric);
  const cells = pivot.rows.flatMap((init) => pivot.columns
    .filter((activation) => pivot.cell(init, activation) !== undefined).map((activation) => ({ init, activation })));
  checkCellRef(request.reference, cells);
  // A dry run of the pairing (one more pass over the runs): a cell holding two runs of one seed and setting, which
  // its label does not tell apart, cannot be paired, and the caller should hear it before it starts a download.
  try {
    compareWithReference(store, sweepId, 'finalValAcc', 'higher', request.reference, cells);
  } catch (error) {
    if (!(error instanceof PairingError)) throw error;
    throw new ExportFormatError(`cannot be compared seed by seed: ${error.message}`, 'reference');
  }
}

/** Streams an export request to `out` (see exportRuns and exportPivot). */
export function writeExport(
  store: Store, sweepId: number, request: ExportRequest, out: ExportSink, options?: WriteChunksOptions,
): Promise<void> {
  return request.kind === 'runs'
    ? exportRuns(store, sweepId, request.format, out, options)
    : exportPivot(store, sweepId, request.metric, request.format, out, { ...options, reference: request.reference });
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

/**
 * Streams the pivot of `metric` to `out`; like exportRuns, resolves when written and leaves `out` open. With
 * `reference`, every cell is compared with that cell seed by seed (docs/exports.md); an unknown reference throws
 * ExportFormatError before anything is written.
 */
export async function exportPivot(
  store: Store, sweepId: number, metric: PivotMetric, format: PivotFormat, out: ExportSink,
  options: WriteChunksOptions & { reference?: CellRef } = {},
): Promise<void> {
  store.getSweep(sweepId);
  const { reference, ...writeOptions } = options;
  const chunks = pivotChunks(store, sweepId, metric, format, reference);
  const first = chunks.next();   // builds the table (and checks the reference) before the first write
  if (first.done === true) return;
  await writeChunks(prepend(first.value, chunks), out, writeOptions);
}

function* prepend(first: string, rest: Iterator<string, void>): Generator<string, void, undefined> {
  yield first;
  for (let next = rest.next(); next.done !== true; next = rest.next()) yield next.value;
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
