// `initlab train <run.json | -> [--backend ts|native]`: one run in this process, no database. Prints one JSON line
// per evaluated epoch (the EpochMetrics, epoch 0 first), then one result line (with the backend and CPU path that
// computed it). Exit 0 when the run finished or diverged (a result), 2 for a bad command line, backend, file or
// config (each bad field named on stderr), 1 for anything else.
import { readFile } from 'node:fs/promises';
import type { ResolvedBackend } from '../../workers/backend.js';
import { ConfigError, parseRunConfig } from '../../workers/run-config.js';
import { runTraining } from '../../workers/run.js';
import type { TrainTaskResult } from '../../workers/protocol.js';
import { backendOption, parseOptions, reportFallback, UsageError } from './args.js';

export interface TrainIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where `-` reads the config from; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
}

const USAGE = 'usage: initlab train <run.json | -> [--backend ts|native]';

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Thrown from the epoch callback when stdout's reader has gone (`initlab train run.json | head -1`). */
class ReaderGone extends Error {}

/** JSON with non-finite numbers written as strings ("NaN", "Infinity"), so a diverging value stays visible. */
function toJsonLine(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
}

export async function trainCommand(args: string[], io: TrainIo): Promise<number> {
  let source: string;
  let backend: ResolvedBackend;
  try {
    const { values, positionals } = parseOptions(args, {
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stderr.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`give one run config file, or - for stdin\n${USAGE}`);
    source = positionals[0];
    backend = backendOption(values.backend);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`initlab train: ${error.message}\n`);
    return 2;
  }
  reportFallback(backend, io.stderr);
  let text: string;
  try {
    text = source === '-' ? await readStream(io.stdin ?? process.stdin) : await readFile(source, 'utf8');
  } catch (error) {
    io.stderr.write(`initlab train: cannot read ${source}: ${(error as Error).message}\n`);
    return 2;
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    io.stderr.write(`initlab train: ${source} is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  let config;
  try {
    config = parseRunConfig(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write('initlab train: invalid run config\n');
    for (const issue of error.issues) io.stderr.write(`  ${issue.path || '(root)'}: ${issue.message}\n`);
    return 2;
  }
  try {
    // A failed write (EPIPE) leaves stdout unwritable at once; stop training then instead of running to the end.
    const result = runTraining(config, (metrics) => {
      if (!io.stdout.writable) throw new ReaderGone();
      io.stdout.write(toJsonLine(metrics));
    }, undefined, { backend: backend.backend, cpuPath: backend.cpuPath });
    const { epochs, ...rest } = result;
    const summary: TrainTaskResult = { ...rest, epochsCompleted: epochs.at(-1)?.epoch ?? 0 };
    io.stdout.write(toJsonLine(summary));
    return 0;
  } catch (error) {
    if (error instanceof ReaderGone) return 0;
    io.stderr.write(`initlab train: ${(error as Error).message}\n`);
    return 1;
  }
}
