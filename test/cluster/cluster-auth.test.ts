// Cluster mode over a Redis that wants a password and speaks only TLS (rediss://): runs go through, and the
// password appears in no output of the job server or the worker host, not even when it is wrong.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Proc, type RedisServer, startProc, startRedis, startServe, startWorker, until } from './cluster-harness.js';

const PASSWORD = 'pw-7f3a-secret';

describe('cluster mode with a password and TLS', () => {
  let redis: RedisServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const procs: Proc[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'initlab-cluster-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    // A self-signed certificate for 127.0.0.1; the clients trust it through NODE_EXTRA_CA_CERTS, as the README says.
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr}`);
    redis = await startRedis({ password: PASSWORD, tls: { cert, key } });
    env = { NODE_EXTRA_CA_CERTS: cert };
  });
  afterAll(async () => {
    await Promise.all(procs.map((proc) => proc.kill('SIGKILL')));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains a sweep over rediss:// with a password, and prints the password nowhere', async () => {
    expect(redis.url.startsWith(`rediss://:${PASSWORD}@`)).toBe(true);
    const serve = await startServe(redis.url, join(dir, 'tls.db'), 'q-tls', env);
    procs.push(serve);
    const worker = await startWorker(redis.url, 'host-tls', 'q-tls', 1, env);
    procs.push(worker);
    const { id } = await api<{ id: number }>(serve.base, '/api/sweeps', {
      name: 'tls', base: { dataset: { samples: 200 }, model: { hidden: [8] }, train: { epochs: 2 } }, grid: { seed: [1, 2] },
    });
    await until(async () => ((await api<{ status: string }>(serve.base, `/api/sweeps/${id}`)).status === 'finished' ? true : undefined), 'the sweep');
    expect(serve.stdout).toContain('rediss://***@127.0.0.1');
    await serve.kill('SIGTERM');
    await worker.kill('SIGTERM');
    for (const text of [serve.stdout, serve.stderr, worker.stdout, worker.stderr]) expect(text).not.toContain(PASSWORD);
  });

  it('refuses to start serve or a headless sweep with a wrong password, saying so without printing it', async () => {
    const wrong = redis.url.replace(PASSWORD, 'wrong-pass-991');
    for (const args of [['serve', '--port', '0', '--db', join(dir, 'wrong.db')], ['sweep', 'seed-tour', '--db', join(dir, 'wrong-sweep.db')]]) {
      const proc = startProc(process.execPath, ['bin/initlab.js', ...args, '--redis', wrong], { env });
      procs.push(proc);
      expect(await proc.exited).toBe(1);
      expect(proc.stderr).toMatch(new RegExp(`initlab ${args[0]}: cannot reach Redis at rediss://\\*\\*\\*@127\\.0\\.0\\.1:\\d+`));
      expect(proc.stderr).toMatch(/WRONGPASS|NOAUTH|invalid/i);
      expect(proc.stdout + proc.stderr).not.toContain('wrong-pass-991');
    }
  });
});
