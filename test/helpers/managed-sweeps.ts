// The sweep management tests' shared setup: an app over an in-memory database and a fake executor, served for the
// whole file, and a two-seed sweep trained to the end (2 runs, epochs 0..2, one layer each: 6 epoch and 6 layer rows).
import { afterAll, beforeAll } from 'vitest';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor, settle } from './fake-executor.js';
import { serveApp } from './http.js';

export function twoSeedSpec(name: string) {
  return { name, base: { model: { hidden: [4] }, train: { epochs: 2 } }, grid: { seed: [1, 2] } };
}

export interface ManagedApp {
  services: Services;
  executor: ReturnType<typeof createFakeExecutor>;
  server: Awaited<ReturnType<typeof serveApp>>;
  /** Submits twoSeedSpec(name) and finishes its runs; returns the sweep id. */
  finishedSweep(name: string): Promise<number>;
}

/** Registers beforeAll / afterAll that build and close the app; read the fields inside tests. */
export function useManagedApp(): ManagedApp {
  const app = {} as ManagedApp;
  app.finishedSweep = async (name) => {
    const { id } = app.services.scheduler.submit(twoSeedSpec(name));
    for (let round = 0; round < 10 && app.executor.runningIds().length > 0; round++) {
      for (const runId of app.executor.runningIds()) app.executor.finish(runId);
      await settle();
    }
    return id;
  };
  beforeAll(async () => {
    app.executor = createFakeExecutor(2);
    app.services = openServices({ dbFile: ':memory:', executor: app.executor });
    app.services.scheduler.start();
    app.server = await serveApp(app.services);
  });
  afterAll(async () => {
    await app.server?.close();
    await app.services?.close();
  });
  return app;
}
