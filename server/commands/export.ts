// `initlab export <sweep-id> --format csv|json|md|latex [--pivot METRIC [--reference 'INIT × ACTIVATION']]`: a result
// table to stdout.
import type { CliIo } from './io.js';
import { describeOpenError, openDatabase } from '../../db/open.js';
import { createStore } from '../../db/store.js';
import {
  ExportFormatError, checkExportRequest, parseExportRequest, writeExport, type ExportRequest,
} from '../exports/index.js';
import { resolveDbFile } from '../services.js';
import { intOption, parseOptions, UsageError } from './args.js';

export async function exportCommand(args: string[], io: CliIo): Promise<number> {
  let sweepId: number;
  let request: ExportRequest;
  let dbFile: string;
  try {
    const { values, positionals } = parseOptions(args, {
      format: { type: 'string', default: 'csv' },
      pivot: { type: 'string' },
      reference: { type: 'string' },
      db: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one sweep id: initlab export <sweep-id> --format csv');
    sweepId = intOption(positionals[0], 'sweep-id', 1, Number.MAX_SAFE_INTEGER)!;
    try {
      request = parseExportRequest(values.format!, values.pivot, values.reference);
    } catch (error) {
      if (!(error instanceof ExportFormatError)) throw error;
      throw new UsageError(`--${error.field} ${error.message}`);
    }
    dbFile = resolveDbFile(values.db);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`initlab export: ${error.message}\n`);
    return 2;
  }
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(dbFile, { readonly: true }); // a reader beside a running server is fine
  } catch (error) {
    io.stderr.write(`initlab export: ${describeOpenError(error, dbFile)}\n`);
    return 1;
  }
  try {
    const store = createStore(db);
    checkExportRequest(store, sweepId, request);   // a reference that is no cell of the sweep: a usage error
    await writeExport(store, sweepId, request, io.stdout);
    return 0;
  } catch (error) {
    if (error instanceof ExportFormatError) {
      io.stderr.write(`initlab export: --${error.field} ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`initlab export: ${(error as Error).message}\n`);
    return (error as { status?: number }).status === 404 ? 3 : 1;
  } finally {
    db.close();
  }
}
