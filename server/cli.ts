// initlab's command line: `initlab <command> [options]`. Each command lives in server/commands/ and is loaded
// only when asked for, so `train` starts without the web server's modules.
import type { CliIo } from './commands/io.js';

const USAGE = `usage: initlab <command> [options]

commands:
  serve                     the dashboard and JSON API   [--port 3000] [--host 127.0.0.1] [--db FILE] [--workers N]
                            [--max-runs N] [--max-run-mb MB] [--max-run-seconds S] [--backend ts|native]
                            [--redis URL [--queue NAME]] cluster mode: runs go to a BullMQ queue for worker hosts
  worker --redis URL        a cluster worker host: trains the queue's runs   [--workers N] [--name NAME] [--queue NAME]
                            [--lock-seconds 30]
  sweep <spec.json|preset>  run a sweep to completion, headless   [--db FILE] [--workers N] [--export FILE]
                            [--max-runs N] [--max-run-mb MB] [--max-run-seconds S] [--backend ts|native]
                            [--redis URL [--queue NAME]]
  sweep --resume <id>       continue a cancelled or interrupted sweep
  export <sweep-id>         print a result table   --format csv|json|md|latex [--pivot METRIC]
                            [--reference 'INIT × ACTIVATION'] [--db FILE]
  presets                   list the shipped sweep presets
  train <run.json | ->      one run; one JSON line per epoch, then the result   [--backend ts|native]
  backup <file>             an online, consistent copy of the database   [--db FILE] [--force]
  <command> --help          this text

The database defaults to $INITLAB_DB or ./data/initlab.db; --max-runs (or $INITLAB_MAX_RUNS, default 5000)
caps the runs one sweep may expand to; --max-run-mb (or $INITLAB_MAX_RUN_MB; default half the memory per training
thread) refuses a run estimated larger; --max-run-seconds (or $INITLAB_MAX_RUN_SECONDS) fails a run still
training after that long (off by default). --backend (or $INITLAB_BACKEND) picks the training backend; by default
native when its addon is built, else ts. --redis (or $INITLAB_REDIS) takes redis:// or rediss:// (TLS) URLs, with
a password as redis://:PASSWORD@HOST:6379; the password is never printed.`;

/** A reader that goes away (`initlab train run.json | head -1`) closes stdout: end quietly, as `yes | head` does. */
function endOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (io.stdout === process.stdout && !process.stdout.listeners('error').includes(endOnClosedPipe)) process.stdout.on('error', endOnClosedPipe);
  const [command, ...args] = argv;
  // `initlab serve --help` (any command): the usage, not an "unknown option" error. train has its own.
  if (command !== 'train' && command !== undefined && (args.includes('--help') || args.includes('-h'))) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  switch (command) {
    case 'serve':
      return (await import('./commands/serve.js')).serveCommand(args, io);
    case 'sweep':
      return (await import('./commands/sweep.js')).sweepCommand(args, io);
    case 'export':
      return (await import('./commands/export.js')).exportCommand(args, io);
    case 'presets':
      return (await import('./commands/presets.js')).presetsCommand(args, io);
    case 'train':
      return (await import('./commands/train.js')).trainCommand(args, io);
    case 'worker':
      return (await import('./commands/worker.js')).workerCommand(args, io);
    case 'backup':
      return (await import('./commands/backup.js')).backupCommand(args, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`initlab: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

// Run directly under tsx during development: `npx tsx server/cli.ts serve`.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  process.exitCode = await main(process.argv.slice(2));
}
