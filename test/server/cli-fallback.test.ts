// The command lines on a machine without the native addon (the addon loader is replaced by a test double, so this
// holds whatever this machine has built): the default falls back to ts and says why once on stderr; asking for native
// exits 2 naming --backend, INITLAB_BACKEND or the spec's field.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../server/cli.js';
import { capture } from '../helpers/capture.js';

vi.mock('../../workers/native/addon.js', () => ({
  loadAddon: () => ({ addon: null, reason: 'build/Release/initlab_native.node was not built (test double)' }),
}));

const FALLBACK = 'initlab: native backend unavailable (build/Release/initlab_native.node was not built (test double)); '
  + 'training with the TypeScript backend\n';

const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-fallback-'));
const runFile = join(dir, 'run.json');
writeFileSync(runFile, JSON.stringify({ dataset: { samples: 64 }, model: { hidden: [4] }, train: { epochs: 1 } }));
const specFile = (name: string, spec: object = {}) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, base: { dataset: { samples: 64 }, model: { hidden: [4] }, train: { epochs: 1 } }, grid: { seed: [1, 2] }, ...spec }));
  return file;
};
const occurrences = (text: string, part: string) => text.split(part).length - 1;

beforeEach(() => {
  vi.stubEnv('INITLAB_BACKEND', '');
  vi.stubEnv('INITLAB_CPU_PATH', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('without the native addon', () => {
  it('train falls back to ts, says why once on stderr, and records ts in its result line', async () => {
    const c = capture();
    expect(await main(['train', runFile], c.io), c.err()).toBe(0);
    expect(c.err()).toBe(FALLBACK);
    const result = JSON.parse(c.out().trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ backend: 'ts', cpuPath: 'js' });
  });

  it('train ignores INITLAB_CPU_PATH when it falls back to ts', async () => {
    vi.stubEnv('INITLAB_CPU_PATH', 'avx2');
    const c = capture();
    expect(await main(['train', runFile], c.io), c.err()).toBe(0);
    expect(c.err()).toBe(FALLBACK);
    expect(JSON.parse(c.out().trim().split('\n').at(-1)!)).toMatchObject({ backend: 'ts', cpuPath: 'js' });
  });

  it('train with an explicit ts says nothing about the addon', async () => {
    const c = capture();
    expect(await main(['train', runFile, '--backend', 'ts'], c.io)).toBe(0);
    expect(c.err()).toBe('');
  });

  it('sweep falls back to ts, says why once, and its header names the ts backend', async () => {
    const c = capture();
    expect(await main(['sweep', specFile('fallback'), '--db', join(dir, 'fallback.db'), '--workers', '2'], c.io), c.err()).toBe(0);
    expect(occurrences(c.err(), FALLBACK)).toBe(1);
    expect(c.err().indexOf(FALLBACK)).toBe(0);
    expect(c.err()).toMatch(/^initlab: sweep 1: 2 runs on 2 threads, ts backend \(js\) \(database /m);
  });

  it.each([
    ['serve', ['serve', '--port', '0']],
    ['sweep', ['sweep', 'normalization']],
    ['train', ['train', runFile]],
  ])('%s --backend native exits 2 naming the flag and why; so does INITLAB_BACKEND=native', async (command, argv) => {
    const db = join(dir, `${command}.db`);
    const withDb = command === 'train' ? argv : [...argv, '--db', db];
    const flag = capture();
    expect(await main([...withDb, '--backend', 'native'], flag.io)).toBe(2);
    expect(flag.err()).toBe(`initlab ${command}: --backend native: the native backend is unavailable: `
      + 'build/Release/initlab_native.node was not built (test double)\n');

    vi.stubEnv('INITLAB_BACKEND', 'native');
    const env = capture();
    expect(await main(withDb, env.io)).toBe(2);
    expect(env.err()).toMatch(new RegExp(`^initlab ${command}: INITLAB_BACKEND=native: the native backend is unavailable: `));

    const flagWins = capture();
    expect(await main([...withDb, '--backend', 'bogus'], flagWins.io)).toBe(2);
    expect(flagWins.err()).toContain('--backend must be one of ts, native, got "bogus"');
    expect(existsSync(db)).toBe(false);
  });

  it('sweep refuses a spec pinned to native, naming its backend field', async () => {
    const c = capture();
    expect(await main(['sweep', specFile('native pin', { backend: 'native' }), '--db', join(dir, 'pin.db')], c.io)).toBe(2);
    expect(c.err()).toContain('initlab sweep: invalid sweep spec\n  backend: the native backend is unavailable: ');
  });
});
