// Shared option parsing for the CLI commands: errors name the option.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_QUEUE } from '../cluster/cluster-protocol.js';
import { parseRedisUrl } from '../cluster/redis-url.js';
import { BACKENDS, BackendError, parseBackendName, resolveBackend, type ResolvedBackend } from '../../workers/backend.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A name for --queue or --name (cluster mode): 1 to 100 letters, digits, ".", "-" or "_"; `fallback` when absent. */
export function nameOption(value: string | undefined, name: string, fallback: string): string {
  const chosen = value ?? fallback;
  if (!/^[\w.-]{1,100}$/.test(chosen)) throw new UsageError(`--${name} must be 1 to 100 letters, digits, ".", "-" or "_"`);
  return chosen;
}

export function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * The backend a command's runs train on by default, resolved once: `--backend`, else $INITLAB_BACKEND, else native
 * when the addon loads (on $INITLAB_CPU_PATH if set; ts otherwise, with `fallback` saying why). A bad value, or a
 * request this machine cannot meet, is a UsageError naming the option or variable it came from.
 */
export function backendOption(flag: string | undefined, env = process.env.INITLAB_BACKEND): ResolvedBackend {
  if (flag === '') throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}`);
  const named = flag !== undefined ? `--backend ${flag}` : `INITLAB_BACKEND=${env}`;
  let backend;
  try {
    backend = parseBackendName(flag ?? env, flag !== undefined ? '--backend' : 'INITLAB_BACKEND');
    return resolveBackend({ backend });
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    // parseBackendName's errors, and the default's (a bad INITLAB_CPU_PATH), already name their source.
    throw new UsageError(backend === undefined ? error.message : `${named}: ${error.message}`);
  }
}

/** Writes the default's fallback (why the native backend did not load) once, as `initlab: …` on stderr. */
export function reportFallback(resolved: ResolvedBackend, stderr: NodeJS.WritableStream): void {
  if (resolved.fallback !== null) stderr.write(`initlab: ${resolved.fallback}\n`);
}

/**
 * The per-run time limit from `--max-run-seconds`, else `$INITLAB_MAX_RUN_SECONDS`: whole seconds from 1 to a
 * week, in milliseconds; undefined (no limit) when neither is set.
 */
export function runTimeLimitOption(value: string | undefined): number | undefined {
  const fromEnv = process.env.INITLAB_MAX_RUN_SECONDS || undefined;
  const seconds = intOption(value ?? fromEnv, value !== undefined ? 'max-run-seconds' : 'max-run-seconds (INITLAB_MAX_RUN_SECONDS)', 1, 7 * 24 * 3600);
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * A job server's cluster mode (serve, sweep): the Redis URL from `--redis`, else $INITLAB_REDIS, and `--queue`;
 * undefined (local mode) without a URL. A bad URL throws parseRedisUrl's RedisUrlError, naming where it came from.
 */
export function clusterOption(values: { redis?: string; queue?: string }): { url: string; queue: string } | undefined {
  const queue = nameOption(values.queue, 'queue', DEFAULT_QUEUE);
  const redis = values.redis ?? (process.env.INITLAB_REDIS || undefined);
  if (redis === undefined) return undefined;
  return { url: parseRedisUrl(redis, values.redis !== undefined ? '--redis' : 'INITLAB_REDIS'), queue };
}
