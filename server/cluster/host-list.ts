// The job server's view of connected worker hosts: it reads their heartbeat records from Redis every
// heartbeat interval and tells the scheduler when the threads they offer change.
import type { Redis } from 'ioredis';
import type { clusterKeys, HostRecord } from './cluster-protocol.js';

export interface HostList {
  /** Connected hosts, by name. */
  readonly list: readonly HostRecord[];
  /** Their training threads, summed. */
  readonly threads: number;
  onChange(listener: () => void): void;
  refresh(): Promise<void>;
  close(): void;
}

export function createHostList(redis: Redis, keys: ReturnType<typeof clusterKeys>, intervalMs: number): HostList {
  let list: HostRecord[] = [];
  let threads = 0;
  const listeners: Array<() => void> = [];
  let closed = false;

  async function refresh() {
    const names = (await redis.smembers(keys.hosts)).sort();
    const records = names.length === 0 ? [] : await redis.mget(names.map((n) => keys.host(n)));
    const next: HostRecord[] = [];
    const gone: string[] = [];
    names.forEach((name, i) => {
      const text = records[i];
      if (text == null) gone.push(name);
      else next.push(JSON.parse(text) as HostRecord);
    });
    if (gone.length > 0) await redis.srem(keys.hosts, ...gone);
    const before = threads;
    list = next;
    threads = next.reduce((sum, host) => sum + host.threads, 0);
    if (threads !== before) for (const listener of listeners) listener();
  }

  const timer = setInterval(() => {
    if (!closed) refresh().catch(() => {}); // Redis down: the connection reports it; keep the last list
  }, intervalMs);
  timer.unref();

  return {
    get list() {
      return list;
    },
    get threads() {
      return threads;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    refresh,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
