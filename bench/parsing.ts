// Worst-case request bodies (up to the 1 MB limit) against an in-process server: milliseconds per request, wall
// and server CPU (the process's CPU less nothing: the client is idle while it waits). Target: every body answered
// within 100 ms of CPU. Runs never train (a stub executor holds them). `npm run bench -- parsing`.
import type { AddressInfo } from 'node:net';
import { createApp } from '../server/app.js';
import type { Executor } from '../server/executor.js';
import { openServices } from '../server/services.js';

const REPEATS = 5;

/** An executor that never finishes a run: parsing is what is measured. */
const stubExecutor: Executor = {
  threads: 1,
  run: (_job, _progress, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
  close: async () => {},
};

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

interface Case { name: string; path: string; type: 'json' | 'form'; body: string }

function cases(): Case[] {
  const json = (name: string, path: string, value: unknown): Case => ({ name, path, type: 'json', body: JSON.stringify(value) });
  const form = (name: string, path: string, fields: Record<string, string | string[]>): Case => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    return { name, path, type: 'form', body: params.toString() };
  };
  // 100,000 seeds × 1,000 epochs × 100 learning rates = 1e10 runs in about 790 KB
  const hugeGrid = {
    name: 'huge', base: { train: { epochs: 1 } },
    grid: { seed: range(100_000), 'train.epochs': range(1000, 1), 'train.lr': range(100).map((i) => 0.001 * (i + 1)) },
  };
  // 100,000 values on one axis: 1e5 runs, still over the default limit
  const longAxis = { name: 'long', base: { train: { epochs: 1 } }, grid: { seed: range(100_000) } };
  // The largest sweep accepted by default: 5,000 runs (validated, expanded, stored)
  const largestValid = { name: 'largest', base: { model: { hidden: [4] }, train: { epochs: 1 } }, grid: { seed: range(5000) } };
  const ranges = range(200).map((i) => `${i * 1000}-${i * 1000 + 999}`).join(' ');
  const deepJson = `{"name":"deep","base":{"train":${'{"a":'.repeat(150_000)}1${'}'.repeat(150_000)}}}`;
  const manyBaseFields = { name: 'fields', base: Object.fromEntries(range(40_000).map((i) => [`f${i}`, i])) };
  const manyAxes = { name: 'axes', grid: Object.fromEntries(range(30_000).map((i) => [`model.hidden.${i}`, [1]])) };
  const manySpace = { name: 'space', random: { samples: 1, space: Object.fromEntries(range(30_000).map((i) => [`model.hidden.${i}`, { int: [1, 2] }])) } };
  const goodForm = {
    name: 'form', dataset: 'moons', samples: '200', noise: '0.1', classes: '2', normalize: 'standard', width: '8',
    depth: '2', epochs: '3', batchSize: '16', optimizer: 'sgd', lr: '0.05', clip: 'none', clipMax: '1',
    inits: ['xavier_uniform'], activations: ['tanh'],
  };
  return [
    json('grid of 1e10 runs (790 KB), API', '/api/sweeps', hugeGrid),
    { ...json('grid of 1e10 runs, form JSON mode', '/sweeps', {}), type: 'form', body: new URLSearchParams({ mode: 'json', spec: JSON.stringify(hugeGrid) }).toString() },
    { ...json('grid of 1e10 runs, preview', '/sweeps/new/preview', {}), type: 'form', body: new URLSearchParams({ mode: 'json', spec: JSON.stringify(hugeGrid) }).toString() },
    json('one axis of 100,000 values, API', '/api/sweeps', longAxis),
    json('largest valid sweep (5,000 runs), API', '/api/sweeps', largestValid),
    form('200 seed ranges, form submit', '/sweeps', { ...goodForm, seeds: ranges }),
    form('200 seed ranges, preview', '/sweeps/new/preview', { ...goodForm, seeds: ranges }),
    { name: 'JSON 150,000 levels deep, API', path: '/api/sweeps', type: 'json', body: deepJson },
    json('40,000 base fields, API', '/api/sweeps', manyBaseFields),
    json('30,000 grid axes, API', '/api/sweeps', manyAxes),
    json('30,000 random paths, API', '/api/sweeps', manySpace),
    form('40,000 form fields, submit', '/sweeps', { ...goodForm, seeds: '1', ...Object.fromEntries(range(40_000).map((i) => [`x${i}`, 'y'])) }),
  ];
}

export async function run(): Promise<void> {
  const services = openServices({ dbFile: ':memory:', executor: stubExecutor });
  services.scheduler.start();
  const app = createApp({ store: services.store, scheduler: services.scheduler, events: services.events, threads: 1 });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    console.log('| body | bytes | status | wall ms (median) | CPU ms (median) |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const c of cases()) {
      const walls: number[] = [];
      const cpus: number[] = [];
      let status = 0;
      for (let i = 0; i < REPEATS; i++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const res = await fetch(url + c.path, {
          method: 'POST', redirect: 'manual', body: c.body,
          headers: { 'content-type': c.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
        });
        await res.arrayBuffer();
        walls.push(performance.now() - t0);
        const cpu = process.cpuUsage(cpu0);
        cpus.push((cpu.user + cpu.system) / 1000);
        status = res.status;
        for (const sweep of services.store.listSweeps()) if (sweep.status === 'running') services.scheduler.cancel(sweep.id);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      console.log(`| ${c.name} | ${c.body.length.toLocaleString('en-US')} | ${status} | ${median(walls).toFixed(1)} | ${median(cpus).toFixed(1)} |`);
    }
  } finally {
    server.closeAllConnections();
    server.close();
    await services.close();
  }
}
