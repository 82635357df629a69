// Test harness for cluster mode: a throwaway redis-server on a free loopback port, and `initlab serve --redis` /
// `initlab worker` as separate OS processes (node bin/initlab.js, the built CLI), like separate hosts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A child process with its output gathered, and a promise for each line that matches. */
export interface Proc {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` on stdout or stderr (now or later); rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startProc(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
  const child = spawn(command, args, { cwd: options.cwd ?? root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let out = '';
  let err = '';
  const watchers: Array<() => void> = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? null : code);
    resolve(exitCode);
    for (const watch of [...watchers]) watch();
  }));
  child.stdout!.on('data', (chunk) => { out += chunk; for (const watch of [...watchers]) watch(); });
  child.stderr!.on('data', (chunk) => { err += chunk; for (const watch of [...watchers]) watch(); });
  return {
    child,
    get stdout() { return out; },
    get stderr() { return err; },
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const watch = () => {
          const match = pattern.exec(out) ?? pattern.exec(err);
          if (match) {
            watchers.splice(watchers.indexOf(watch), 1);
            resolve(match);
          } else if (exitCode !== undefined) {
            watchers.splice(watchers.indexOf(watch), 1);
            reject(new Error(`${command} ${args.join(' ')} exited (${exitCode}) before printing ${pattern}:\n${out}\n${err}`));
          }
        };
        watchers.push(watch);
        watch();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port with no persistence, in a temp dir. A machine without redis-server
 * fails here with a message saying how to install it: the cluster tests never skip (.ci/run installs it).
 */
export async function startRedis(options: { password?: string; tls?: { cert: string; key: string } } = {}): Promise<RedisServer> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    throw new Error('redis-server is not installed: the cluster-mode tests need it (apt-get install redis-server; .ci/run installs it)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'initlab-redis-'));
  const port = await freePort();
  const listen = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const auth = options.password === undefined ? [] : ['--requirepass', options.password];
  const proc = startProc('redis-server', [
    ...listen, ...auth, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { cwd: dir });
  await proc.waitFor(/Ready to accept connections/);
  const credentials = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${credentials}127.0.0.1:${port}`,
    port,
    async stop() {
      await proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `initlab serve --redis` on a free port; resolves once it prints its dashboard address. */
export async function startServe(
  redisUrl: string, dbFile: string, queue: string, env?: NodeJS.ProcessEnv, extraArgs: string[] = [],
): Promise<Proc & { base: string }> {
  const proc = startProc(process.execPath, [
    'bin/initlab.js', 'serve', '--port', '0', '--db', dbFile, '--redis', redisUrl, '--queue', queue, ...extraArgs,
  ], { env });
  const [base] = await proc.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
  return Object.assign(proc, { base });
}

/** `initlab worker` with stalled-job detection at 2 s, so a killed host's run moves on within a test's time. */
export async function startWorker(redisUrl: string, name: string, queue: string, threads = 1, env?: NodeJS.ProcessEnv): Promise<Proc> {
  const proc = startProc(process.execPath, [
    'bin/initlab.js', 'worker', '--redis', redisUrl, '--queue', queue, '--name', name, '--workers', String(threads), '--lock-seconds', '2',
  ], { env });
  await proc.waitFor(new RegExp(`initlab worker ${name}: `));
  return proc;
}

export async function api<T = any>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, base), body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<T>;
}

/**
 * Polls `probe` (an API read) until it returns a value other than undefined. The server publishes no event a test
 * process could subscribe to more simply, so this reads state rather than sleeping a guessed time.
 */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
