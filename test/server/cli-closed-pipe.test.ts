// `initlab train run.json | head -1`: when stdout's reader goes away the command ends quietly (exit 0, nothing on
// stderr) and stops training, instead of an unhandled EPIPE stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'initlab-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('initlab train on a closed pipe', () => {
  it('exits 0 without a stack trace, and stops training, when stdout closes after the first line', async () => {
    // 5,000 epochs of a 3 × 128 net on 2,000 points: minutes of training if it ran to the end.
    const config = join(dir, 'run.json');
    writeFileSync(config, JSON.stringify({
      dataset: { name: 'spirals', samples: 2000, classes: 3 },
      model: { hidden: [128, 128, 128], activation: 'tanh' }, train: { epochs: 5000 }, seed: 1,
    }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'train', config, '--backend', 'ts'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    const deadline = (ms: number, what: string) => new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms).unref();
    });
    const firstLine = await Promise.race([
      new Promise<string>((resolve) => {
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          const end = text.indexOf('\n');
          if (end >= 0) { child.stdout.destroy(); resolve(text.slice(0, end)); } // the reader goes away, as head -1 does
        });
      }),
      deadline(30_000, 'first epoch line'),
    ]);
    try {
      expect(JSON.parse(firstLine)).toMatchObject({ epoch: 0 });
      const { code, signal } = await Promise.race([exited, deadline(30_000, 'exit after the pipe closed')]);
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
