// The database's own guard against a second writer: with the lock file deleted by hand, a second `initlab serve`
// on the same database is still refused, while readers go on reading; a dead or foreign claim is taken over.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseInUseError } from '../../server/db-lock.js';
import { openServices } from '../../server/services.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'initlab-claim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serve(dbFile: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--port', '0', '--db', dbFile, '--workers', '1'], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

function readClaims(dbFile: string): Array<{ pid: number }> {
  const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT pid FROM writer_claim').all() as Array<{ pid: number }>;
  } finally {
    db.close();
  }
}

describe('the writer claim inside the database', () => {
  it('refuses a second serve after the lock file was deleted by hand; readers still read; SIGTERM releases it', async () => {
    const dbFile = join(dir, 'two.db');
    const first = serve(dbFile);
    const firstExit = exited(first);
    await new Promise<void>((resolve, reject) => {
      let out = '';
      first.stdout!.on('data', (chunk) => { out += chunk; if (out.includes('dashboard at')) resolve(); });
      first.once('exit', () => reject(new Error(`serve exited early: ${out}`)));
    });
    try {
      unlinkSync(`${dbFile}.lock`);
      const second = serve(dbFile);
      const { code, stderr } = await exited(second);
      expect(code).toBe(1);
      expect(stderr).toBe(`initlab serve: ${dbFile} is in use by another initlab process (pid ${first.pid}); stop it, or choose another file with --db\n`);
      // the refused process left the first one's claim alone, and a reader (export, backup) reads beside it
      expect(readClaims(dbFile)).toEqual([{ pid: first.pid }]);
    } finally {
      first.kill('SIGTERM');
    }
    expect((await firstExit).code).toBe(0);
    expect(readClaims(dbFile)).toEqual([]);
    expect(existsSync(`${dbFile}.lock`)).toBe(false);
  }, 60_000);

  it('refuses a second writer in one process too, and takes over a claim whose process died or came from another host', async () => {
    const dbFile = join(dir, 'one.db');
    const first = openServices({ dbFile, executor: createFakeExecutor(1) });
    unlinkSync(`${dbFile}.lock`);
    expect(() => openServices({ dbFile, executor: createFakeExecutor(1) })).toThrow(DatabaseInUseError);
    // a kill -9 leaves a claim behind whose pid no longer runs (a new token: the first's close cannot release it)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    first.db.prepare(`UPDATE writer_claim SET pid = ?, token = 'killed'`).run(Number(dead.stdout));
    await first.close();
    expect(readClaims(dbFile)).toEqual([{ pid: Number(dead.stdout) }]);
    const heir = openServices({ dbFile, executor: createFakeExecutor(1) });
    expect(readClaims(dbFile)).toEqual([{ pid: process.pid }]);
    // a live pid of another host cannot be this host's writer (WAL needs shared memory): a copy's leftover
    heir.db.prepare(`UPDATE writer_claim SET host = 'elsewhere', pid = 1, token = 'copied'`).run();
    await heir.close();
    const third = openServices({ dbFile, executor: createFakeExecutor(1) });
    expect(third.db.prepare('SELECT pid, host FROM writer_claim').get()).toEqual({ pid: process.pid, host: hostname() });
    await third.close();
    expect(readClaims(dbFile)).toEqual([]);
  });
});
