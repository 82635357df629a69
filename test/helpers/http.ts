// Serves an app built by createApp on 127.0.0.1 with a free port, for route tests.
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../../server/app-deps.js';
import { createApp } from '../../server/app.js';
import type { Services } from '../../server/services.js';

export async function serveApp(services: Services, extra: Partial<AppDeps> = {}) {
  const app = createApp({
    store: services.store,
    scheduler: services.scheduler,
    events: services.events,
    threads: services.executor.threads,
    heartbeatMs: 1000,
    ...extra,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
