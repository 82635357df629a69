// kill -9 at seeded random moments of a sweep (each after the database shows fresh progress, so the kill lands
// while runs train and metric transactions commit), then `sweep --resume` to the end: the database passes
// integrity_check, every run ends exactly once with every epoch stored once, and no finished run is touched again.
// One more kill lands inside the store's own metrics transaction, for certain.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../workers/core/rng.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EPOCHS = 40;
const RUNS = 40;
const KILLS = 5;
const DEADLINE_MS = 60_000;

function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

interface Progress { epochRows: number; succeeded: number; total: number }

function readProgress(file: string): Progress | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const epochRows = (db.prepare('SELECT count(*) AS n FROM epoch_metrics').get() as { n: number }).n;
      const runs = db.prepare("SELECT count(*) AS total, sum(status = 'succeeded') AS succeeded FROM runs").get() as
        { total: number; succeeded: number | null };
      return { epochRows, succeeded: runs.succeeded ?? 0, total: runs.total };
    } finally {
      db.close();
    }
  } catch {
    return null; // not created yet, or busy: ask again
  }
}

/** Polls until `ready` holds, or fails the test at the deadline. */
async function waitFor(file: string, ready: (p: Progress) => boolean, what: string): Promise<Progress> {
  const until = Date.now() + DEADLINE_MS;
  for (;;) {
    const p = readProgress(file);
    if (p !== null && ready(p)) return p;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(p)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface RunState { id: number; status: string; attempt: number; finished_at: number | null; error: string | null }

function readRuns(file: string): RunState[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, status, attempt, finished_at, error FROM runs ORDER BY id').all() as RunState[];
  } finally {
    db.close();
  }
}

describe('kill -9 at random moments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-kill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`survives ${KILLS} kills mid-sweep: integrity, exactly once, nothing finished lost or rerun`, async () => {
    const dbFile = join(dir, 'kill.db');
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({
      name: 'kill me',
      base: { dataset: { samples: 1200 }, model: { hidden: [48, 48] }, train: { epochs: EPOCHS } },
      grid: { seed: Array.from({ length: RUNS }, (_, i) => i + 1) },
    }));
    const rng = createRng(2026, 0);
    const finishedAtKill = new Map<number, RunState>();
    let kills = 0;
    for (let attempt = 0; kills < KILLS; attempt++) {
      const before = readProgress(dbFile);
      if (before !== null && before.total > 0 && before.succeeded === before.total) break;
      const child = startCli(attempt === 0
        ? ['sweep', specFile, '--db', dbFile, '--workers', '2']
        : ['sweep', '--resume', '1', '--db', dbFile, '--workers', '2']);
      const exit = exited(child);
      // fresh progress from this process: new epoch rows committed
      const startRows = before?.epochRows ?? 0;
      await waitFor(dbFile, (p) => p.epochRows > startRows + 20 || (p.total > 0 && p.succeeded === p.total), 'fresh epochs');
      await new Promise((resolve) => setTimeout(resolve, Math.floor(rng.next() * 150)));
      child.kill('SIGKILL');
      await exit;
      kills++;
      for (const run of readRuns(dbFile)) if (run.status === 'succeeded') finishedAtKill.set(run.id, run);
    }
    expect(kills).toBe(KILLS);

    // One more kill, certainly inside a metrics transaction: the store's own writeMetricsBatch, killed between its
    // first epoch row and its COMMIT (test/fixtures/kill-in-metrics-transaction.ts).
    const inTransaction = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/kill-in-metrics-transaction.ts', dbFile],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let victim = '';
    inTransaction.stdout!.on('data', (chunk) => (victim += chunk));
    const died = await new Promise<NodeJS.Signals | null>((resolve) => inTransaction.once('exit', (_code, signal) => resolve(signal)));
    expect(died).toBe('SIGKILL');
    const victimId = Number(victim.trim());
    expect(victimId).toBeGreaterThan(0);

    const last = startCli(['sweep', '--resume', '1', '--db', dbFile, '--workers', '2']);
    expect(await Promise.race([exited(last), new Promise((resolve) => setTimeout(() => resolve('timeout'), DEADLINE_MS))])).toBe(0);

    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const runs = readRuns(dbFile);
      expect(runs).toHaveLength(RUNS);
      // every run ended once: succeeded, or failed by the crash-loop cap after its third interruption
      for (const r of runs) {
        expect(r.finished_at, `run ${r.id}`).not.toBeNull();
        if (r.status !== 'succeeded') expect(r, `run ${r.id}`).toMatchObject({ status: 'failed', attempt: 3, error: expect.stringMatching(/^interrupted 3 times/) });
      }
      const succeeded = runs.filter((r) => r.status === 'succeeded').map((r) => r.id);
      // the kills landed mid-run: interrupted runs were requeued (attempt > 1) and finished later
      expect(runs.filter((r) => r.attempt > 1).length).toBeGreaterThanOrEqual(KILLS);
      // every epoch 0..EPOCHS exactly once per run, and one layer row per layer and epoch
      const epochs = db.prepare('SELECT run_id, count(*) AS n, count(DISTINCT epoch) AS distinct_n, min(epoch) AS lo, max(epoch) AS hi FROM epoch_metrics WHERE run_id IN (SELECT id FROM runs WHERE status = \'succeeded\') GROUP BY run_id').all() as
        Array<{ run_id: number; n: number; distinct_n: number; lo: number; hi: number }>;
      expect(epochs.map((e) => e.run_id)).toEqual(succeeded);
      for (const e of epochs) expect(e, `run ${e.run_id}`).toMatchObject({ n: EPOCHS + 1, distinct_n: EPOCHS + 1, lo: 0, hi: EPOCHS });
      const layerRows = (db.prepare(`SELECT count(*) AS n FROM layer_metrics WHERE run_id IN (SELECT id FROM runs WHERE status = 'succeeded')`).get() as { n: number }).n;
      expect(layerRows).toBe(succeeded.length * (EPOCHS + 1) * 3);
      // a run finished before a kill is never touched again: same attempt, same finish time
      expect(finishedAtKill.size).toBeGreaterThan(0);
      // the run killed mid-transaction was re-queued and trained again: it ended once, with its epochs once each
      expect(runs.find((r) => r.id === victimId)?.attempt).toBeGreaterThan(1);
      for (const [id, atKill] of finishedAtKill) expect(runs.find((r) => r.id === id)).toEqual(atKill);
    } finally {
      db.close();
    }
  }, 180_000);
});
