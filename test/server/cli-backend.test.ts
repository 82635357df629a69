// --backend and INITLAB_BACKEND on serve, sweep and train, in-process on this machine: the flag wins over the
// variable, bad values exit 2 naming where they came from, and what ran is what the runs record. Expectations about
// this machine's default come from resolveBackend(); fixed ones use 'ts'. (cli-fallback.test.ts covers a machine
// without the native addon.)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeBackend } from '../../server/backend-choice.js';
import { main } from '../../server/cli.js';
import { nativeCpuPaths, resolveBackend } from '../../workers/backend.js';
import { capture } from '../helpers/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-backend-'));
const runFile = join(dir, 'run.json');
writeFileSync(runFile, JSON.stringify({ dataset: { samples: 64 }, model: { hidden: [4] }, train: { epochs: 1 } }));
const specFile = (name: string, spec: object) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, base: { dataset: { samples: 64 }, model: { hidden: [4] }, train: { epochs: 1 } }, grid: { seed: [1, 2] }, ...spec }));
  return file;
};

/** The JSON lines `train` printed; the last is the result. */
function trainLines(out: string): Array<Record<string, unknown>> {
  return out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(() => {
  // whatever the shell running the tests set
  vi.stubEnv('INITLAB_BACKEND', '');
  vi.stubEnv('INITLAB_CPU_PATH', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('initlab train --backend', () => {
  it('trains on the ts backend when asked, and says so in the result line', async () => {
    const c = capture();
    expect(await main(['train', runFile, '--backend', 'ts'], c.io), c.err()).toBe(0);
    const lines = trainLines(c.out());
    expect(lines.map((l) => l.epoch)).toEqual([0, 1, undefined]);
    expect(lines.at(-1)).toMatchObject({ status: 'succeeded', backend: 'ts', cpuPath: 'js', epochsCompleted: 1 });
    expect(c.err()).toBe('');
  });

  it('trains on this machine\'s default otherwise, printing why it fell back to ts (if it did) once', async () => {
    const expected = resolveBackend();
    const c = capture();
    expect(await main(['train', runFile], c.io), c.err()).toBe(0);
    expect(trainLines(c.out()).at(-1)).toMatchObject({ backend: expected.backend, cpuPath: expected.cpuPath });
    expect(c.err()).toBe(expected.fallback === null ? '' : `initlab: ${expected.fallback}\n`);
  });

  it('takes INITLAB_BACKEND when there is no flag, and the flag over it', async () => {
    vi.stubEnv('INITLAB_BACKEND', 'ts');
    const fromEnv = capture();
    expect(await main(['train', runFile], fromEnv.io)).toBe(0);
    expect(trainLines(fromEnv.out()).at(-1)).toMatchObject({ backend: 'ts', cpuPath: 'js' });

    vi.stubEnv('INITLAB_BACKEND', 'no-such-backend');
    const flagWins = capture();
    expect(await main(['train', runFile, '--backend', 'ts'], flagWins.io), flagWins.err()).toBe(0);
    expect(trainLines(flagWins.out()).at(-1)).toMatchObject({ backend: 'ts' });

    vi.stubEnv('INITLAB_BACKEND', 'ts');
    const native = capture();
    const code = await main(['train', runFile, '--backend', 'native'], native.io);
    if (nativeCpuPaths().length > 0) {
      expect(code, native.err()).toBe(0);
      expect(trainLines(native.out()).at(-1)).toMatchObject({ backend: 'native', cpuPath: nativeCpuPaths()[0] });
    } else {
      expect(code).toBe(2);
      expect(native.err()).toMatch(/^initlab train: --backend native: the native backend is unavailable: /);
    }
  });
});

describe('INITLAB_CPU_PATH', () => {
  it('puts the native default on that CPU path, and refuses one this machine does not run, naming it', async () => {
    const paths = nativeCpuPaths();
    vi.stubEnv('INITLAB_CPU_PATH', paths.at(-1) ?? 'generic');
    const lowest = capture();
    expect(await main(['train', runFile], lowest.io), lowest.err()).toBe(0);
    const result = trainLines(lowest.out()).at(-1);
    // Without the addon, the default is ts and the variable has nothing to choose.
    expect(result).toMatchObject(paths.length > 0 ? { backend: 'native', cpuPath: paths.at(-1) } : { backend: 'ts', cpuPath: 'js' });

    vi.stubEnv('INITLAB_CPU_PATH', 'avx9000');
    const bad = capture();
    const code = await main(['train', runFile], bad.io);
    if (paths.length > 0) {
      expect(code).toBe(2);
      expect(bad.err()).toBe(`initlab train: INITLAB_CPU_PATH "avx9000" is not available on this machine (it runs: ${paths.join(', ')})\n`);
    } else {
      expect(code, bad.err()).toBe(0);
    }
    const ts = capture();
    expect(await main(['train', runFile, '--backend', 'ts'], ts.io), ts.err()).toBe(0);   // ts has no CPU paths to force
  });
});

describe('bad backend values', () => {
  const db = join(dir, 'never.db');

  it.each([
    ['serve', ['serve', '--port', '0', '--db', db]],
    ['sweep', ['sweep', 'normalization', '--db', db]],
    ['train', ['train', runFile]],
  ])('%s exits 2 naming --backend or INITLAB_BACKEND, before touching a database', async (command, argv) => {
    const flag = capture();
    expect(await main([...argv, '--backend', 'tensorflow'], flag.io)).toBe(2);
    expect(flag.err()).toBe(`initlab ${command}: --backend must be one of ts, native, got "tensorflow"\n`);

    const empty = capture();
    expect(await main([...argv, '--backend='], empty.io)).toBe(2);
    expect(empty.err()).toContain('--backend must be one of ts, native');

    const missing = capture();
    expect(await main([...argv, '--backend'], missing.io)).toBe(2);
    expect(missing.err()).toContain('--backend');

    vi.stubEnv('INITLAB_BACKEND', 'TS');
    const env = capture();
    expect(await main(argv, env.io)).toBe(2);
    expect(env.err()).toBe(`initlab ${command}: INITLAB_BACKEND must be one of ts, native, got "TS"\n`);
    expect(existsSync(db)).toBe(false);
  });
});

describe('initlab sweep --backend', () => {
  it('runs every run on the ts backend when asked: the header says so and the export records it', async () => {
    const db = join(dir, 'ts.db');
    const csv = join(dir, 'ts.csv');
    const c = capture();
    expect(await main(['sweep', specFile('ts', {}), '--db', db, '--workers', '1', '--backend', 'ts', '--export', csv], c.io), c.err()).toBe(0);
    expect(c.err()).toMatch(/^initlab: sweep 1: 2 runs on 1 threads, ts backend \(js\) \(database /m);
    const rows = parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.status, r.backend, r.cpu_path])).toEqual([['succeeded', 'ts', 'js'], ['succeeded', 'ts', 'js']]);
  });

  it('runs on this machine\'s default otherwise, and on a spec\'s pin over it', async () => {
    const expected = resolveBackend();
    const db = join(dir, 'default.db');
    const csv = join(dir, 'default.csv');
    const c = capture();
    expect(await main(['sweep', specFile('default', {}), '--db', db, '--workers', '1', '--export', csv], c.io), c.err()).toBe(0);
    expect(c.err()).toContain(`runs on 1 threads, ${describeBackend(expected)} (database `);
    const fallbackLines = c.err().split('\n').filter((line) => line.includes('native backend unavailable'));
    expect(fallbackLines).toEqual(expected.fallback === null ? [] : [`initlab: ${expected.fallback}`]);
    const rows = parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[];
    for (const row of rows) expect([row.backend, row.cpu_path]).toEqual([expected.backend, expected.cpuPath]);

    const pinned = capture();
    expect(await main(['sweep', specFile('pinned', { backend: 'ts' }), '--db', db, '--workers', '1'], pinned.io), pinned.err()).toBe(0);
    expect(pinned.err()).toMatch(/^initlab: sweep 2: 2 runs on 1 threads, ts backend \(js\) \(database /m);
    const json = capture();
    expect(await main(['export', '2', '--format', 'json', '--db', db], json.io)).toBe(0);
    const exported = JSON.parse(json.out()) as Array<Record<string, unknown>>;
    expect(exported.map((r) => [r.backend, r.cpu_path])).toEqual([['ts', 'js'], ['ts', 'js']]);
  });

  it('refuses a spec pinned to a CPU path its backend cannot run, naming the field', async () => {
    const c = capture();
    expect(await main(['sweep', specFile('bad pin', { backend: 'ts', cpuPath: 'avx2' }), '--db', join(dir, 'bad.db')], c.io)).toBe(2);
    expect(c.err()).toContain('  cpuPath: the ts backend runs on CPU path "js", not "avx2"\n');
  });
});
