// Exactly-once under a crash: a headless sweep is killed with SIGKILL mid-sweep, then resumed on the same file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EPOCHS = 6;

/**
 * A CLI process on the ts backend: the sweeps here are sized for its speed, so that the test sees runs finished and
 * runs still training at once; natively they can finish between two polls.
 */
function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args, '--backend', 'ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Polls the database (read-only, a second connection) until `ready` holds; the child writes meanwhile. */
async function waitFor<T>(file: string, read: (db: Database.Database) => T, ready: (value: T) => boolean): Promise<T> {
  for (;;) {
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const value = read(db);
        if (ready(value)) return value;
      } finally {
        db.close();
      }
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
    await waitFor(dbFile, readRuns, (runs) =>
      runs.filter((r) => r.status === 'succeeded').length >= 2 && runs.some((r) => r.status === 'running' && r.epochs > 0));
    first.kill('SIGKILL');
    expect(await firstExit).toBeNull();

    const atCrash = await waitFor(dbFile, readRuns, () => true);
    const finishedBefore = atCrash.filter((r) => r.status === 'succeeded');
    const interrupted = atCrash.filter((r) => r.status === 'running');
    expect(finishedBefore.length).toBeGreaterThanOrEqual(2);
    expect(interrupted.length).toBeGreaterThanOrEqual(1);

    const second = startCli(['sweep', '--resume', '1', '--db', dbFile, '--workers', '2']);
    let stderr = '';
    second.stderr!.on('data', (chunk) => (stderr += chunk));
    expect(await exited(second), stderr).toBe(0);

    const after = await waitFor(dbFile, readRuns, () => true);
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
      grid: { seed: [1, 2, 3, 4, 5, 6] },
    }));
    const first = startCli(['sweep', specFile, '--db', dbFile, '--workers', '2']);
    let stderr = '';
    first.stderr!.on('data', (chunk) => (stderr += chunk));
    const firstExit = exited(first);
    await waitFor(dbFile, readRuns, (runs) => runs.some((r) => r.status === 'succeeded'));
    first.kill('SIGINT');
    expect(await firstExit).toBe(130);
    expect(stderr).toContain('--resume 1');

    const cancelled = await waitFor(dbFile, readRuns, () => true);
    expect(cancelled.some((r) => r.status === 'cancelled')).toBe(true);
    expect(cancelled.every((r) => r.status === 'succeeded' || r.status === 'cancelled')).toBe(true);

    const second = startCli(['sweep', '--resume', '1', '--db', dbFile, '--workers', '2']);
    expect(await exited(second)).toBe(0);
    const after = await waitFor(dbFile, readRuns, () => true);
    expect(after.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    for (const run of after) expect(run.epochs).toBe(EPOCHS + 1);
  });
});
