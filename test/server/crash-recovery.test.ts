// Exactly-once under a crash: a headless sweep is killed with SIGKILL mid-sweep, then resumed on the same file.
// The kill lands at a state read from the database (runs finished, and a run still training with at least half of
// its epochs to go), never at a guessed time; every wait has a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// ~45 ms an epoch on the ts backend here (1,500 points, 2 × 48): a run trains for ~1.4 s, so once the database
// shows a run at epoch ≤ HALF (metrics are flushed every 200 ms) it has ≥ 0.6 s of training left, far more than the
// few ms between that read and the signal.
const EPOCHS = 30;
const HALF = EPOCHS / 2;
const DEADLINE_MS = 60_000;

/** A CLI process on the ts backend, whose speed the sweeps here are sized for. */
function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args, '--backend', 'ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Rejects with `what` when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Polls the database (read-only, a second connection) until `ready` holds, or fails at the deadline. */
async function waitFor<T>(file: string, read: (db: Database.Database) => T, ready: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + DEADLINE_MS;
  let last: T | undefined;
  for (;;) {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        last = read(db);
        if (ready(last)) return last;
      } finally {
        db.close();
      }
    } catch {
      // not created yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last read ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads the database once (the writer has exited). */
function readOnce<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** A run that has stored some epochs and still has at least half of them to train. */
const earlyInRun = (r: RunRow) => r.status === 'running' && r.epochs >= 1 && r.epochs <= HALF;

interface RunRow { id: number; status: string; attempt: number; finished_at: number | null; epochs: number }

function readRuns(db: Database.Database): RunRow[] {
  return db.prepare(
    `SELECT r.id, r.status, r.attempt, r.finished_at,
            (SELECT COUNT(*) FROM epoch_metrics e WHERE e.run_id = r.id) AS epochs
     FROM runs r ORDER BY r.id`,
  ).all() as RunRow[];
}

describe('crash recovery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('after kill -9 mid-sweep and a restart, every run ends exactly once and no finished run is lost or rerun', async () => {
    const dbFile = join(dir, 'crash.db');
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({
      name: 'crash me',
      base: { dataset: { samples: 1500 }, model: { hidden: [48, 48] }, train: { epochs: EPOCHS } },
      grid: { seed: [1, 2, 3, 4, 5, 6, 7, 8] },
    }));

    const first = startCli(['sweep', specFile, '--db', dbFile, '--workers', '2']);
    const firstExit = exited(first);
    try {
      await waitFor(dbFile, readRuns, (runs) => runs.filter((r) => r.status === 'succeeded').length >= 2 && runs.some(earlyInRun),
        'two runs finished and one early in training');
    } finally {
      first.kill('SIGKILL');
    }
    expect(await within(firstExit, 'the killed sweep to exit')).toBeNull();

    const atCrash = readOnce(dbFile, readRuns);
    const finishedBefore = atCrash.filter((r) => r.status === 'succeeded');
    const interrupted = atCrash.filter((r) => r.status === 'running');
    expect(finishedBefore.length).toBeGreaterThanOrEqual(2);
    expect(interrupted.length).toBeGreaterThanOrEqual(1);

    const second = startCli(['sweep', '--resume', '1', '--db', dbFile, '--workers', '2']);
    let stderr = '';
    second.stderr!.on('data', (chunk) => (stderr += chunk));
    expect(await within(exited(second), 'the resumed sweep to finish', 2 * DEADLINE_MS), stderr).toBe(0);

    const after = readOnce(dbFile, readRuns);
    expect(after).toHaveLength(8);
    for (const run of after) {
      expect(run.status).toBe('succeeded');
      expect(run.epochs).toBe(EPOCHS + 1); // no duplicated or missing epochs
    }
    for (const before of finishedBefore) {
      const now = after.find((r) => r.id === before.id)!;
      expect(now.finished_at).toBe(before.finished_at); // not run again
      expect(now.attempt).toBe(before.attempt);
    }
    for (const run of interrupted) {
      expect(after.find((r) => r.id === run.id)!.attempt).toBe(run.attempt + 1);
    }
  });

  it('Ctrl-C cancels a headless sweep cleanly, and --resume finishes it', async () => {
    const dbFile = join(dir, 'sigint.db');
    const specFile = join(dir, 'sigint.json');
    writeFileSync(specFile, JSON.stringify({
      name: 'interrupt me',
      base: { dataset: { samples: 1500 }, model: { hidden: [48, 48] }, train: { epochs: EPOCHS } },
      grid: { seed: [1, 2, 3, 4] },
    }));
    const first = startCli(['sweep', specFile, '--db', dbFile, '--workers', '2']);
    let stderr = '';
    first.stderr!.on('data', (chunk) => (stderr += chunk));
    const firstExit = exited(first);
    try {
      await waitFor(dbFile, readRuns, (runs) => runs.some((r) => r.status === 'succeeded') && runs.some(earlyInRun),
        'a run finished and one early in training');
      first.kill('SIGINT');
      expect(await within(firstExit, 'the interrupted sweep to exit')).toBe(130);
    } finally {
      first.kill('SIGKILL'); // a no-op once it has exited
    }
    expect(stderr).toContain('--resume 1');

    const cancelled = readOnce(dbFile, readRuns);
    expect(cancelled.some((r) => r.status === 'cancelled')).toBe(true);
    expect(cancelled.every((r) => r.status === 'succeeded' || r.status === 'cancelled')).toBe(true);

    const second = startCli(['sweep', '--resume', '1', '--db', dbFile, '--workers', '2']);
    expect(await within(exited(second), 'the resumed sweep to finish', 2 * DEADLINE_MS)).toBe(0);
    const after = readOnce(dbFile, readRuns);
    expect(after.map((r) => r.status)).toEqual(Array(4).fill('succeeded'));
    for (const run of after) expect(run.epochs).toBe(EPOCHS + 1);
  });
});
