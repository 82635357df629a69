// What the express app is built over: the services its routes use. Its own module so routes can name it without
// importing app.ts (which imports the routes).
import type { Store } from '../db/store.js';
import type { EventBus } from './events.js';
import type { Scheduler } from './scheduler.js';
import type { HostRecord } from './cluster/cluster-protocol.js';

export interface AppDeps {
  store: Store;
  scheduler: Scheduler;
  events: EventBus;
  /** Threads the executor runs on (for duration estimates). */
  threads: number;
  /** Cluster mode: the worker hosts connected now (the dashboard's hosts panel); absent on the local pool. */
  hosts?: () => readonly HostRecord[];
  /** When set, every request must present this token (required off loopback). */
  token?: string;
  /** SSE heartbeat period; tests shorten it. */
  heartbeatMs?: number;
  /** Called on each render of a live stream's state (a shared tick, or a connecting client's full state); tests count them. */
  onStreamRender?: (stream: 'sweep', kind: 'tick' | 'connect') => void;
}
