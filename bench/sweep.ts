// Sweep throughput on the real pool: the same small sweep on 1 and on N threads (the ratio), the dispatch overhead
// per run (wall time per run beyond the training itself), and how long a cancel takes to stop running runs.
import { availableParallelism } from 'node:os';
import { defaultRunBackend, describeBackend, type RunBackend } from '../server/backend-choice.js';
import { openServices } from '../server/services.js';

/** 4 × `seeds` runs of a 2-64-64-2 net (1,000 spirals, 10 epochs): ~0.2 s a run in TypeScript, ~10 ms natively. */
export function smallSweep(seeds: number) {
  return {
    name: 'bench: small sweep',
    base: { dataset: { samples: 1000 }, model: { hidden: [64, 64] }, train: { epochs: 10 } },
    grid: {
      'model.init': ['xavier_uniform', 'he_normal'], 'model.activation': ['tanh', 'relu'],
      seed: Array.from({ length: seeds }, (_, i) => i + 1),
    },
  };
}

/** 16 runs of a 20-layer × 64 ReLU net on 800 moons for 20 epochs (the deep-relu preset's runs): ~0.3 s natively. */
export const deepSweep = {
  name: 'bench: deep sweep',
  base: {
    dataset: { name: 'moons', samples: 800 }, model: { hidden: new Array<number>(20).fill(64), activation: 'relu' },
    train: { epochs: 20, lr: 0.01 },
  },
  grid: { 'model.init': ['xavier_uniform', 'he_normal'], seed: [1, 2, 3, 4, 5, 6, 7, 8] },
};

export const trivialSweep = {
  name: 'bench: dispatch overhead',
  base: { dataset: { samples: 20 }, model: { hidden: [2] }, train: { epochs: 1, probeSize: 8 } },
  grid: { seed: Array.from({ length: 200 }, (_, i) => i + 1) },
};


type Services = ReturnType<typeof openServices>;

/** A pool of `threads` threads, every thread warmed (module loading and the JIT on the same kernels) on `spec`'s net. */
async function openWarm(threads: number, spec: { base: unknown }, backend: RunBackend): Promise<Services> {
  const services = openServices({ dbFile: ':memory:', threads, backend });
  services.scheduler.start();
  const seeds = Array.from({ length: threads * 2 }, (_, i) => 1000 + i);
  const warm = services.scheduler.submit({ name: 'warm-up', base: spec.base, grid: { seed: seeds } });
  await services.scheduler.waitForSweep(warm.id);
  return services;
}

async function timePass(services: Services, spec: { base: unknown }) {
  const t0 = performance.now();
  const { id, runs } = services.scheduler.submit(spec);
  await services.scheduler.waitForSweep(id);
  const wallMs = performance.now() - t0;
  const trainMs = services.store.listRuns(id, { limit: 10_000 }).runs.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
  return { runs, wallMs, trainMs };
}

function median<T>(values: T[], key: (v: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)]!;
}

/** The median of three passes: this machine's speed wanders by tens of percent from one second to the next. */
async function timeSweep(threads: number, spec: { base: unknown }, backend: RunBackend = defaultRunBackend()) {
  const services = await openWarm(threads, spec, backend);
  const passes = [];
  for (let pass = 0; pass < 3; pass++) passes.push(await timePass(services, spec));
  await services.close();
  return median(passes, (p) => p.wallMs);
}

async function cancelLatency(threads: number) {
  const services = openServices({ dbFile: ':memory:', threads });
  services.scheduler.start();
  const { id } = services.scheduler.submit({
    name: 'bench: cancel',
    base: { dataset: { samples: 2000 }, model: { hidden: [128, 128] }, train: { epochs: 10_000 } },
    grid: { seed: [1, 2, 3, 4] },
  });
  await new Promise<void>((resolve) => {
    const off = services.events.subscribe((e) => {
      if (e.type === 'run-epochs') {
        off();
        resolve();
      }
    });
  });
  const t0 = performance.now();
  services.scheduler.cancel(id);
  await services.scheduler.waitForSweep(id);
  const ms = performance.now() - t0;
  await services.close();
  return ms;
}

/**
 * 1 thread against all of them, passes interleaved (1, N, 1, N, …) so that a slow spell of the machine hits both
 * alike; the speed-up is the median of the pairs' ratios.
 */
async function throughput(label: string, spec: { base: unknown }, backend: RunBackend) {
  const n = availableParallelism();
  const single = await openWarm(1, spec, backend);
  const multi = await openWarm(n, spec, backend);
  const pairs: Array<{ one: Awaited<ReturnType<typeof timePass>>; many: Awaited<ReturnType<typeof timePass>> }> = [];
  for (let pass = 0; pass < 5; pass++) pairs.push({ one: await timePass(single, spec), many: await timePass(multi, spec) });
  await Promise.all([single.close(), multi.close()]);
  const ratios = pairs.map((p) => p.one.wallMs / p.many.wallMs).sort((a, b) => a - b);
  const one = median(pairs.map((p) => p.one), (p) => p.wallMs);
  const many = median(pairs.map((p) => p.many), (p) => p.wallMs);
  console.log(`${label}, ${describeBackend(backend)}:`);
  console.log(`  1 thread : ${(one.runs / (one.wallMs / 1000)).toFixed(2)} runs/s (median ${one.wallMs.toFixed(0)} ms)`);
  console.log(`  ${n} threads: ${(many.runs / (many.wallMs / 1000)).toFixed(2)} runs/s (median ${many.wallMs.toFixed(0)} ms)`);
  console.log(`  speed-up ${n} threads / 1 thread: ${ratios[2]!.toFixed(2)}× (median of 5 interleaved pairs; ` +
    `all: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
  // How much of the time the training threads trained (the runs' own training time over threads × wall): what
  // is left is waiting (dispatch, the sweep's start and end) or setting each run up. Slower training per run with
  // more threads (the server's thread and V8's background threads then preempt a training thread) shows as a
  // speed-up below the ratio of these.
  const busy = (pass: { wallMs: number; trainMs: number }, threads: number) => pass.trainMs / (threads * pass.wallMs);
  const perRun = (pass: { runs: number; trainMs: number }) => (pass.trainMs / pass.runs).toFixed(2);
  console.log(`  training threads busy: 1 thread ${(100 * busy(one, 1)).toFixed(0)}%, ${n} threads ` +
    `${(100 * busy(many, n)).toFixed(0)}% of the time; training per run ${perRun(one)} ms on 1 thread, ${perRun(many)} ms on ${n}`);
}

export async function run(): Promise<void> {
  const n = availableParallelism();
  const native = defaultRunBackend();
  const ts: RunBackend = { backend: 'ts', cpuPath: 'js' };
  // Passes of ~1 s or more each (the native sweep has 16× the runs of the TypeScript one): this machine's speed
  // wanders within a second, and a sweep's fixed costs (its submission, the first run's round trip, the last runs'
  // uneven end across threads) would weigh in a short pass more with more threads.
  await throughput('sweep throughput (16 runs of a 2-64-64-2 net, 1,000 samples, 10 epochs)', smallSweep(4), ts);
  if (native.backend === 'native') {
    await throughput('sweep throughput (256 runs of a 2-64-64-2 net, 1,000 samples, 10 epochs)', smallSweep(64), native);
    await throughput('sweep throughput (16 runs of a 20×64 ReLU net, 800 samples, 20 epochs)', deepSweep, native);
  }

  const trivial = await timeSweep(1, trivialSweep);
  const overhead = (trivial.wallMs - trivial.trainMs) / trivial.runs;
  console.log(`dispatch overhead per run (1 thread, ${trivial.runs} trivial runs): ${overhead.toFixed(2)} ms ` +
    `(wall ${(trivial.wallMs / trivial.runs).toFixed(2)} ms/run, training ${(trivial.trainMs / trivial.runs).toFixed(2)} ms/run)`);

  console.log(`cancel latency (2 running runs aborted, ${n} threads): ${(await cancelLatency(n)).toFixed(0)} ms`);
}
