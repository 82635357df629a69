// `initlab backup`: an online, consistent copy while a sweep is being written, that opens and checks clean.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli.js';
import { openServices } from '../../server/services.js';
import { capture } from '../helpers/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'initlab-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('initlab backup', () => {
  it('copies a database while a sweep trains into it; the copy passes integrity_check and holds the finished runs', async () => {
    const dbFile = join(dir, 'live.db');
    const services = openServices({ dbFile, threads: 2, backend: { backend: 'ts', cpuPath: 'js' } });
    services.scheduler.start();
    const first = services.scheduler.submit({ name: 'done before', base: { dataset: { samples: 100 }, model: { hidden: [4] }, train: { epochs: 2 } }, grid: { seed: [1, 2, 3] } });
    await services.scheduler.waitForSweep(first.id);
    services.writer.flush();
    // a second sweep trains while the copy is taken
    const second = services.scheduler.submit({ name: 'training', base: { dataset: { samples: 400 }, model: { hidden: [16, 16] }, train: { epochs: 200 } }, grid: { seed: [1, 2] } });
    const target = join(dir, 'copy.db');
    const c = capture();
    expect(await main(['backup', target, '--db', dbFile], c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/^initlab: backed up .* \(2 sweeps, 5 runs, [\d.]+ MB\)\n$/);
    expect(existsSync(`${target}.partial`)).toBe(false);
    services.scheduler.cancel(second.id);
    await services.close();

    const copy = new BetterSqlite3(target, { readonly: true, fileMustExist: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('foreign_key_check')).toEqual([]);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    const finished = copy.prepare("SELECT count(*) AS n FROM runs WHERE sweep_id = ? AND status = 'succeeded'").get(first.id) as { n: number };
    expect(finished.n).toBe(3);
    // the server's claim on its database stays behind: the copy is nobody's, so a server can open it
    expect(copy.prepare('SELECT count(*) AS n FROM writer_claim').get()).toEqual({ n: 0 });
    copy.close();
  });

  it('refuses to overwrite a file without --force, a missing database, and a bad command line (exit 2)', async () => {
    const existing = join(dir, 'exists.db');
    writeFileSync(existing, 'not a database');
    const source = join(dir, 'source.db');
    const services = openServices({ dbFile: source, threads: 1, backend: { backend: 'ts', cpuPath: 'js' } });
    await services.close();
    const run = async (args: string[]) => {
      const c = capture();
      return { code: await main(['backup', ...args], c.io), err: c.err() };
    };
    expect(await run([existing, '--db', source])).toMatchObject({ code: 2, err: expect.stringMatching(/already exists; .* --force/) });
    expect(await run([join(dir, 'x.db'), '--db', join(dir, 'missing.db')])).toMatchObject({ code: 2, err: expect.stringMatching(/does not exist/) });
    expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/give exactly one file/) });
    expect((await run([existing, '--db', source, '--force'])).code).toBe(0);
    const copy = new BetterSqlite3(existing, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.close();
  });
});
