// The Redis connections of cluster mode: one ioredis connection as BullMQ needs it, and the fail-fast check at
// start-up. Loaded only with --redis (the local mode never loads ioredis or BullMQ: about 0.25 s of start-up).
import { Redis, type RedisOptions } from 'ioredis';
import { redactSecret } from './redis-url.js';

/**
 * One ioredis connection. BullMQ needs `maxRetriesPerRequest: null` on connections it blocks on (Worker,
 * QueueEvents); commands then wait through a reconnect instead of failing.
 */
export function connectRedis(url: string, onError: (message: string) => void): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false };
  const redis = new Redis(url, options);
  let last = '';
  redis.on('error', (error: Error) => {
    const message = redactSecret(error.message, url);
    if (message !== last) onError(message); // a down Redis errors on every retry: say it once
    last = message;
  });
  redis.on('ready', () => { last = ''; });
  return redis;
}

/**
 * Connects once, pings and reads INFO (BullMQ needs it), failing fast (no retries) with the server's answer, redacted: a wrong password, an
 * unreachable host or a TLS failure is reported at start-up instead of retried forever.
 */
export async function checkRedis(url: string, timeoutMs: number): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  let cause: Error | undefined; // the server's answer ("WRONGPASS …", "ECONNREFUSED …"), not "Connection is closed"
  probe.on('error', (error: Error) => { cause ??= error; });
  try {
    await probe.connect();
    await probe.ping();
    await probe.info('server'); // BullMQ reads INFO on every connection: an ACL user without it is refused here
  } catch (error) {
    throw new Error(redactSecret((cause ?? (error as Error)).message, url), { cause: error });
  } finally {
    probe.disconnect();
  }
}
