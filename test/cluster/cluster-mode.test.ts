// Cluster mode end to end: a real redis-server, `initlab serve --redis` and two `initlab worker` processes (separate
// OS processes, like separate hosts). Tiny nets and few epochs keep it to seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Proc, type RedisServer, startProc, startRedis, startServe, startWorker, until } from './cluster-harness.js';

interface RunRecord { id: number; position: number; status: string; host: string | null; attempt: number; epochsCompleted: number; error: string | null }

/** Six tiny runs (three seeds × two inits), a few epochs each. */
const SMALL_SWEEP = {
  name: 'cluster small',
  base: { dataset: { samples: 200 }, model: { hidden: [8, 8] }, train: { epochs: 4 } },
  grid: { seed: [1, 2, 3], 'model.init': ['xavier_uniform', 'he_normal'] },
};

/** Four runs of a few seconds each: long enough to kill a host or stop the server while they train. */
function longSweep(name: string, epochs: number, seeds = [1, 2, 3, 4]) {
  return { name, base: { dataset: { samples: 2000 }, model: { hidden: [32, 32] }, train: { epochs } }, grid: { seed: seeds } };
}

async function runsOf(base: string, sweepId: number): Promise<RunRecord[]> {
  const page = await api<{ runs: RunRecord[] } | RunRecord[]>(base, `/api/sweeps/${sweepId}/runs?limit=1000`);
  return Array.isArray(page) ? page : page.runs;
}

function finished(base: string, sweepId: number, timeoutMs = 60_000) {
  return until(async () => {
    const sweep = await api<{ status: string }>(base, `/api/sweeps/${sweepId}`);
    return sweep.status === 'running' ? undefined : sweep;
  }, `sweep ${sweepId} to finish`, timeoutMs);
}

/** Every stored epoch row of a database, keyed by run position and epoch (run ids may differ between databases). */
function epochRows(dbFile: string): Map<string, unknown> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare(`SELECT runs.position AS position, e.* FROM epoch_metrics e JOIN runs ON runs.id = e.run_id`).all() as Array<Record<string, unknown>>;
    const layers = db.prepare(`SELECT runs.position AS position, l.* FROM layer_metrics l JOIN runs ON runs.id = l.run_id`).all() as Array<Record<string, unknown>>;
    const map = new Map<string, unknown>();
    for (const { run_id: _id, ...row } of rows) map.set(`${row.position}/${row.epoch}`, row);
    for (const { run_id: _id, ...row } of layers) map.set(`${row.position}/${row.epoch}/${row.layer}`, row);
    return map;
  } finally {
    db.close();
  }
}

describe('cluster mode (BullMQ on Redis)', () => {
  let redis: RedisServer;
  let dir: string;
  const procs: Proc[] = [];
  const track = <T extends Proc>(proc: T) => { procs.push(proc); return proc; };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'initlab-cluster-'));
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(procs.map((proc) => proc.kill('SIGKILL')));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads a sweep over two worker hosts, records each run\'s host, and stores the same metrics, bit for bit, as local mode', async () => {
    const queue = 'q-spread';
    const dbFile = join(dir, 'spread.db');
    const serve = track(await startServe(redis.url, dbFile, queue));
    track(await startWorker(redis.url, 'host-a', queue));
    track(await startWorker(redis.url, 'host-b', queue));
    const hosts = await until(async () => {
      const { hosts } = await api<{ hosts: Array<{ name: string; threads: number }> }>(serve.base, '/api/hosts');
      return hosts.length === 2 ? hosts : undefined;
    }, 'both hosts to connect');
    expect(hosts.map((h) => [h.name, h.threads])).toEqual([['host-a', 1], ['host-b', 1]]);
    const panel = await (await fetch(new URL('/hosts', serve.base))).text();
    expect(panel).toContain('2 worker hosts, 2 threads');

    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', SMALL_SWEEP);
    expect((await finished(serve.base, id)).status).toBe('finished');
    const runs = await runsOf(serve.base, id);
    expect(runs).toHaveLength(6);
    expect(runs.every((run) => run.status === 'succeeded' && run.epochsCompleted === 4)).toBe(true);
    expect(new Set(runs.map((run) => run.host))).toEqual(new Set(['host-a', 'host-b']));
    expect((await api<RunRecord>(serve.base, `/api/runs/${runs[0]!.id}`)).host).toMatch(/^host-[ab]$/);
    const page = await (await fetch(new URL(`/runs/${runs[0]!.id}`, serve.base))).text();
    expect(page).toContain(`on ${runs[0]!.host}`);
    await serve.kill('SIGTERM');

    // The same spec in local mode (the headless CLI, no Redis): every epoch and layer row equal, bit for bit.
    const localDb = join(dir, 'local.db');
    const specFile = join(dir, 'small.json');
    (await import('node:fs')).writeFileSync(specFile, JSON.stringify(SMALL_SWEEP));
    const local = startProc(process.execPath, ['bin/initlab.js', 'sweep', specFile, '--db', localDb, '--workers', '1']);
    expect(await local.exited).toBe(0);
    const remote = epochRows(dbFile);
    const here = epochRows(localDb);
    expect(remote.size).toBe(6 * 5 + 6 * 5 * 3);
    expect(remote).toEqual(here);
  });
});
