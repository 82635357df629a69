// Training steps of the core on one thread, per backend: forward + backward + SGD over 16 cycled random batches,
// through each engine's trainEpoch (the native engine runs the whole step loop in one call, as in a real run).
// With Debian's python3-torch installed, the same trainings run in PyTorch (one thread) in the same run,
// interleaved case by case, and the ratios are printed. `npm run bench -- core`.
// Steps per CPU-second of the measuring process stay meaningful when other processes share the cores.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ActivationName, NetworkSpec, RunConfig } from '../workers/core/types.js';
import { createNetwork, createWorkspace } from '../workers/core/network.js';
import { createOptimizer } from '../workers/core/optim.js';
import { createRng } from '../workers/core/rng.js';
import type { Engine } from '../workers/core/engine.js';
import { nativeCpuPaths, resolveBackend } from '../workers/backend.js';

interface Case {
  name: string;
  inputs: number;
  hidden: number[];
  outputs: number;
  activation: ActivationName;
  batch: number;
}

const CASES: Case[] = [
  { name: 'tiny 2-64-64-64-2 tanh, batch 32', inputs: 2, hidden: [64, 64, 64], outputs: 2, activation: 'tanh', batch: 32 },
  { name: 'deep 64-(64x30)-10 relu, batch 64', inputs: 64, hidden: new Array<number>(30).fill(64), outputs: 10, activation: 'relu', batch: 64 },
  { name: 'wide 784-256-256-256-10 tanh, batch 128', inputs: 784, hidden: [256, 256, 256], outputs: 10, activation: 'tanh', batch: 128 },
];

const WARMUP_MS = 500;
const RUN_MS = 2500;
const ROUNDS = 2;  // every backend measured ROUNDS times per case, interleaved
const BATCHES = 16; // distinct random batches cycled through

interface Measurement { stepsPerSecond: number; stepsPerCpuSecond: number }

const TRAIN: RunConfig['train'] = {
  epochs: 1, batchSize: 1, loss: 'cross_entropy', optimizer: 'sgd', lr: 0.01, momentum: 0, nesterov: false,
  beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: { mode: 'none' }, probeSize: 1,
};

/** Multiply-adds of one step: forward, dinp and dW per layer (the first layer needs no dinp). */
function stepMacs(c: Case): number {
  const sizes = [c.inputs, ...c.hidden, c.outputs];
  let macs = 0;
  for (let l = 0; l + 1 < sizes.length; l++) macs += (l === 0 ? 2 : 3) * c.batch * sizes[l] * sizes[l + 1];
  return macs;
}

function measureEngine(c: Case, backend: 'ts' | 'native', cpuPath?: string): Measurement {
  const spec: NetworkSpec = {
    inputs: c.inputs, outputs: c.outputs, hidden: c.hidden, activation: c.activation,
    init: c.activation === 'relu' ? 'he_normal' : 'xavier_uniform', loss: 'cross_entropy',
  };
  const net = createNetwork(spec, 1);
  const ws = createWorkspace(net, c.batch);
  const optimizer = createOptimizer({ ...TRAIN, batchSize: c.batch }, net.layout, net.numParams);
  const engine: Engine = resolveBackend({ backend, cpuPath }).engine({ net, ws, optimizer, train: TRAIN });
  const rng = createRng(2, 0);
  const rows = BATCHES * c.batch;
  const inputs = Float32Array.from({ length: rows * c.inputs }, () => rng.normal());
  const targets = new Float32Array(rows * c.outputs);
  for (let i = 0; i < rows; i++) targets[i * c.outputs + (rng.nextU32() % c.outputs)] = 1;
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  const split = { inputs, targets, size: rows };

  let steps = 0;
  const runFor = (ms: number) => {
    let done = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      done += engine.trainEpoch(order, split, c.batch, steps + done).steps;
      now = performance.now();
    }
    const cpu = process.cpuUsage(cpuStart);
    steps += done;
    return { done, seconds: (now - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
  runFor(WARMUP_MS);
  const { done, seconds, cpuSeconds } = runFor(RUN_MS);
  return { stepsPerSecond: done / seconds, stepsPerCpuSecond: done / cpuSeconds };
}

const TORCH_SCRIPT = fileURLToPath(new URL('./torch-core.py', import.meta.url));

/** A python3 that imports torch (Debian's python3-torch lives under /usr/bin/python3), or null. */
function findTorchPython(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

function measureTorch(python: string, c: Case): Measurement | null {
  const env = { ...process.env };
  // These slow OpenBLAS down on this kind of machine (shared/NOTES.md); PyTorch gets its defaults.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  // One thread: Debian's OpenBLAS runs its own pthreads whatever torch.set_num_threads says.
  Object.assign(env, { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
  const cases = [{
    name: c.name, sizes: [c.inputs, ...c.hidden, c.outputs], activation: c.activation, batch: c.batch,
    seconds: RUN_MS / 1000,
  }];
  const result = spawnSync(python, [TORCH_SCRIPT, JSON.stringify(cases)], { env, encoding: 'utf8' });
  if (result.status !== 0) {
    console.log(`  (PyTorch failed: ${result.stderr.trim().split('\n').at(-1)})`);
    return null;
  }
  return JSON.parse(result.stdout.trim().split('\n')[0]) as Measurement;
}

function range(values: number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const digits = hi >= 100 ? 0 : 1;
  return lo.toFixed(digits) === hi.toFixed(digits) ? hi.toFixed(digits) : `${lo.toFixed(digits)}–${hi.toFixed(digits)}`;
}

export async function run(): Promise<void> {
  const paths = nativeCpuPaths();
  const backends: Array<{ label: string; measure: (c: Case) => Measurement | null }> = [
    { label: 'ts', measure: (c) => measureEngine(c, 'ts') },
    ...paths.map((p) => ({ label: `native ${p}`, measure: (c: Case) => measureEngine(c, 'native', p) })),
  ];
  const python = findTorchPython();
  if (python !== null) {
    backends.push({ label: 'pytorch', measure: (c) => measureTorch(python, c) });
    const blas = spawnSync(python, [TORCH_SCRIPT, '--blas'], { encoding: 'utf8' }).stdout.trim();
    console.log(`PyTorch's BLAS: ${blas}` + (/openblas|mkl/i.test(blas) ? '' :
      ' — the reference BLAS is ~10× slower than OpenBLAS: `apt-get install libopenblas0-pthread` for a fair comparison'));
  }
  console.log(`backends: ${backends.map((b) => b.label).join(', ')}` +
    (paths.length === 0 ? ' (native addon not built)' : '') +
    (python === null ? ' (no PyTorch: `apt-get install python3-torch` to compare)' : ''));
  console.log(`${ROUNDS} interleaved rounds of ${RUN_MS / 1000} s per case and backend; figures are min–max over rounds\n`);

  for (const c of CASES) {
    const macs = stepMacs(c);
    const results = new Map<string, Measurement[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const b of backends) {
        const m = b.measure(c);
        if (m !== null) results.set(b.label, [...(results.get(b.label) ?? []), m]);
      }
    }
    console.log(c.name);
    for (const [label, ms] of results) {
      const perCpu = ms.map((m) => m.stepsPerCpuSecond);
      console.log(
        `  ${label.padEnd(16)} ${range(ms.map((m) => m.stepsPerSecond)).padStart(13)} steps/s wall  ` +
        `${range(perCpu).padStart(13)} per CPU-second  ` +
        `${range(perCpu.map((s) => (2 * macs * s) / 1e9)).padStart(11)} GFLOP/s`,
      );
    }
    const best = (label: string) => Math.max(...(results.get(label) ?? []).map((m) => m.stepsPerCpuSecond));
    if (paths.length > 0) {
      const native = best(`native ${paths[0]}`);
      const parts = [`native ${paths[0]} / ts ${(native / best('ts')).toFixed(2)}×`];
      if (results.has('pytorch')) parts.push(`native ${paths[0]} / pytorch ${(native / best('pytorch')).toFixed(2)}×`);
      console.log(`  ratios (best per CPU-second): ${parts.join(', ')}`);
    }
    console.log('');
  }
}
