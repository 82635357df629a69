import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalDatabasePath, DatabaseInUseError, lockDatabase } from '../../server/db-lock.js';
import { openServices } from '../../server/services.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';

describe('one writer per database file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second writer on the same file until the first closes', async () => {
    const file = join(dir, 'a.db');
    const first = openServices({ dbFile: file, executor: createFakeExecutor(1) });
    expect(() => openServices({ dbFile: file, executor: createFakeExecutor(1) })).toThrow(DatabaseInUseError);
    expect(() => openServices({ dbFile: file, executor: createFakeExecutor(1) })).toThrow(/in use by another initlab process \(pid \d+\)/);
    await first.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
    const second = openServices({ dbFile: file, executor: createFakeExecutor(1) });
    await second.close();
  });

  it('refuses a second writer that names the same file through a symbolic link, or a linked folder', async () => {
    const file = join(dir, 'c.db');
    const first = openServices({ dbFile: file, executor: createFakeExecutor(1) });
    symlinkSync(file, join(dir, 'c-link.db'));
    symlinkSync(dir, join(dir, 'folder-link'));
    expect(() => openServices({ dbFile: join(dir, 'c-link.db'), executor: createFakeExecutor(1) })).toThrow(DatabaseInUseError);
    expect(() => openServices({ dbFile: join(dir, 'folder-link', 'c.db'), executor: createFakeExecutor(1) }))
      .toThrow(DatabaseInUseError);
    expect(canonicalDatabasePath(join(dir, 'folder-link', 'not-yet.db'))).toBe(join(realpathSync(dir), 'not-yet.db'));
    await first.close();
  });

  it('takes over a lock left by a process that died', () => {
    const file = join(dir, 'b.db');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${file}.lock`, dead.stdout);
    const release = lockDatabase(file);
    release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
