// The per-run time limit on the command line: --max-run-seconds, else INITLAB_MAX_RUN_SECONDS; bad values exit 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runTimeLimitOption } from '../../server/commands/args.js';
import { main } from '../../server/cli.js';
import { capture } from '../helpers/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

describe('--max-run-seconds', () => {
  it('reads seconds from the flag, else the variable, as milliseconds; none means no limit', () => {
    vi.stubEnv('INITLAB_MAX_RUN_SECONDS', '');
    expect(runTimeLimitOption(undefined)).toBeUndefined();
    expect(runTimeLimitOption('90')).toBe(90_000);
    vi.stubEnv('INITLAB_MAX_RUN_SECONDS', '30');
    expect(runTimeLimitOption(undefined)).toBe(30_000);
    expect(runTimeLimitOption('5')).toBe(5_000); // the flag wins
  });

  it('refuses a bad value with exit 2, naming the flag or the variable', async () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ name: 'x', base: { dataset: { samples: 50 }, model: { hidden: [2] }, train: { epochs: 1 } } }));
    const run = async (args: string[]) => {
      const c = capture();
      return { code: await main(args, c.io), err: c.err() };
    };
    expect(await run(['sweep', spec, '--db', join(dir, 'a.db'), '--max-run-seconds', '0']))
      .toMatchObject({ code: 2, err: expect.stringContaining('--max-run-seconds must be an integer from 1 to 604800') });
    vi.stubEnv('INITLAB_MAX_RUN_SECONDS', 'soon');
    expect(await run(['serve', '--db', join(dir, 'b.db')]))
      .toMatchObject({ code: 2, err: expect.stringContaining('INITLAB_MAX_RUN_SECONDS') });
  });

  it('lets a sweep whose runs finish within the limit finish normally', async () => {
    const spec = join(dir, 'ok.json');
    writeFileSync(spec, JSON.stringify({ name: 'ok', base: { dataset: { samples: 50 }, model: { hidden: [2] }, train: { epochs: 1 } } }));
    const c = capture();
    expect(await main(['sweep', spec, '--db', join(dir, 'c.db'), '--workers', '1', '--max-run-seconds', '600', '--backend', 'ts'], c.io), c.err()).toBe(0);
    expect(JSON.parse(c.out().trim().split('\n').at(-1)!)).toMatchObject({ status: 'finished', counts: { succeeded: 1 } });
  });
});
