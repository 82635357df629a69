import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseInUseError, lockDatabase } from '../../server/db-lock.js';
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

  it('takes over a lock left by a process that died', () => {
    const file = join(dir, 'b.db');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${file}.lock`, dead.stdout);
    const release = lockDatabase(file);
    release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
