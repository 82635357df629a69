// Redis URLs for cluster mode: validation and redaction, so a password never reaches a log. No ioredis here: the
// local mode parses its options with this file and must not load the cluster's client (redis-connection.ts does).

/** A --redis / INITLAB_REDIS value that is not a usable Redis URL. */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
  readonly code = 'redis_url_invalid';
}

/**
 * Checks a Redis URL: `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS (ioredis then
 * verifies the server's certificate against Node's CAs and NODE_EXTRA_CA_CERTS). Returns it unchanged.
 */
export function parseRedisUrl(value: string, field = '--redis'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RedisUrlError(`${field} must be a URL like redis://host:6379 or rediss://host:6380, not ${redactRedisUrl(value)}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisUrlError(`${field} must start with redis:// or rediss://, not ${url.protocol}//`);
  }
  if (url.hostname === '') throw new RedisUrlError(`${field} names no host`);
  if (url.pathname.length > 1 && !/^\/\d+$/.test(url.pathname)) {
    throw new RedisUrlError(`${field}: the path must be a database number (redis://host:6379/0), not ${url.pathname}`);
  }
  return value;
}

/** The URL with its password (and user) replaced by `***`; text that is no URL is searched for `:pass@` anyway. */
export function redactRedisUrl(value: string): string {
  return value.replace(/(rediss?:\/\/)[^@/\s]*@/gi, '$1***@').replace(/\/\/[^@/\s:]*:[^@/\s]*@/g, '//***@');
}

/** Replaces every occurrence of the URL's password in a message (ioredis errors may quote AUTH arguments). */
export function redactSecret(text: string, url: string): string {
  let out = redactRedisUrl(text);
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password.length > 0) out = out.split(password).join('***');
  } catch {
    // not a URL: nothing more to hide than redactRedisUrl found
  }
  return out;
}
