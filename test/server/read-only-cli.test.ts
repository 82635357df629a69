// Read-only storage from the command line, as a user who cannot write the database (tests run as root, who can
// write any file: there the command drops to 'nobody' once its modules are loaded, so the repository itself need not
// be readable by 'nobody'): export reads a chmod 444 file and leaves it byte for byte unchanged, a read-only folder
// is one clear line, and serve refuses with one line, exit 1 and no lock file left.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openServices } from '../../server/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NOBODY = 65534;
const dropTo = process.getuid?.() === 0 ? NOBODY : -1;
const dir = mkdtempSync(join(tmpdir(), 'initlab-ro-cli-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A compiled CLI command in a child process: it loads the command's module (and SQLite's native binding) while it
 * may still read the repository (a CI checkout may sit in a folder only its owner can enter), then, under root,
 * becomes 'nobody' and runs it.
 */
const CHILD = `
const { commandFile, command, uid, args } = JSON.parse(process.env.INITLAB_TEST_CHILD);
const run = (await import(commandFile))[command];
// better-sqlite3 loads its native binding on first use: load it now, while the repository is readable
const Database = (await import('node:module')).createRequire(commandFile)('better-sqlite3');
new Database(':memory:').close();
if (uid >= 0) { process.setgid(uid); process.setuid(uid); }
process.exitCode = await run(args, { stdout: process.stdout, stderr: process.stderr });
`;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // the command's own module, called directly: after the drop, even resolving a module path may be refused
  const [name, ...rest] = args;
  const commandFile = join(root, `dist/server/commands/${name}.js`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INITLAB_TEST_CHILD: JSON.stringify({ commandFile, command: `${name}Command`, uid: dropTo, args: rest }) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** A finished one-run sweep in `folder`/name, closed cleanly (no -wal or -shm left), then write-protected. */
async function readOnlyDatabase(folder: string, name: string): Promise<string> {
  mkdirSync(folder, { recursive: true, mode: 0o777 });
  chmodSync(folder, 0o777);   // the database's folder stays writable: SQLite may create its -shm there
  const dbFile = join(folder, name);
  const services = openServices({ dbFile, threads: 1, backend: { backend: 'ts', cpuPath: 'js' } });
  services.scheduler.start();
  const { id } = services.scheduler.submit({ name: 'kept', base: { dataset: { samples: 60 }, model: { hidden: [3] }, train: { epochs: 1 } } });
  await services.scheduler.waitForSweep(id);
  await services.close();
  chmodSync(dbFile, 0o444);
  return dbFile;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a database its user cannot write', () => {
  it('is exported without a write: the export succeeds and the file is unchanged', async () => {
    const dbFile = await readOnlyDatabase(join(dir, 'export'), 'kept.db');
    const before = sha256(dbFile);
    const { code, stdout, stderr } = await cli(['export', '1', '--db', dbFile, '--format', 'csv']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[1]).toMatch(/^1,kept,1,\d+,succeeded,/);
    expect(sha256(dbFile)).toBe(before);
  }, 60_000);

  it('in a read-only folder, export says why in one line', async () => {
    const folder = join(dir, 'sealed');
    const dbFile = await readOnlyDatabase(folder, 'kept.db');
    chmodSync(folder, 0o755);   // owned by this process's user; the spawned user cannot create kept.db-shm here
    const { code, stderr } = await cli(['export', '1', '--db', dbFile]);
    expect(code).toBe(1);
    expect(stderr).toBe(`initlab export: cannot read ${dbFile}: its folder is read-only, and SQLite needs to create ${dbFile}-shm beside a WAL database (make the folder writable, or copy the database to one that is)\n`);
  }, 60_000);

  it('makes serve print one line and exit 1, leaving no lock file', async () => {
    const dbFile = await readOnlyDatabase(join(dir, 'serve'), 'kept.db');
    const before = sha256(dbFile);
    const { code, stdout, stderr } = await cli(['serve', '--port', '0', '--db', dbFile, '--workers', '1']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n').filter((line) => !line.includes('native backend unavailable'))).toEqual([
      `initlab serve: the database ${dbFile} is read-only; initlab must write to it (check the permissions of the file, its -wal and -shm files and its folder)`, '',
    ]);
    expect(existsSync(`${dbFile}.lock`)).toBe(false);
    expect(sha256(dbFile)).toBe(before);
  }, 60_000);
});
