// `initlab serve` as a user starts it: a real process on a free port, a page and the API, then a clean stop.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBackend } from '../../server/backend-choice.js';
import { backendOption } from '../../server/commands/args.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('initlab serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the dashboard and API on loopback, creates its database, and stops on SIGTERM', async () => {
    // The child resolves its default as this process does (same machine, same INITLAB_BACKEND).
    const backend = backendOption(undefined);
    const dbFile = join(dir, 'nested', 'serve.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--port', '0', '--db', dbFile, '--workers', '1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let out = '';
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (match && out.endsWith('\n')) resolve(match[0]);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${out}`)));
    });
    try {
      // The startup line names the backend and CPU path runs train on; a fallback to ts says why, once, on stderr.
      expect(out).toMatch(new RegExp(`^initlab: dashboard at .*, 1 training threads, ${describeBackend(backend).replace(/[()]/g, '\\$&')}\\)\n`));
      expect(await (await fetch(`${url}healthz`)).json() as object).toMatchObject({ ok: true });
      const home = await fetch(url);
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toContain('text/html');
      const htmx = await fetch(`${url}assets/vendor/htmx.min.js`);
      expect(htmx.status).toBe(200);
      const created = await fetch(`${url}api/sweeps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'smoke', base: { model: { hidden: [4] }, train: { epochs: 1 } } }),
      });
      expect(created.status).toBe(201);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    const fallbackLines = stderr.split('\n').filter((line) => line.includes('native backend unavailable'));
    expect(fallbackLines).toEqual(backend.fallback === null ? [] : [`initlab: ${backend.fallback}`]);
  });

  it('refuses a non-loopback host without an access token', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', '--host', '0.0.0.0', '--port', '0', '--db', join(dir, 'x.db')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INITLAB_TOKEN: '' },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('INITLAB_TOKEN');
  });
});
