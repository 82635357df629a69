// Training steps per second of the core on one thread: forward + backward + SGD update on random data.
// `npx tsx bench/index.ts core`. Each case warms up first, then runs for ~2.5 s. Besides wall-clock steps/s it
// reports steps per CPU-second of this process, which stays meaningful when other processes share the cores.
import type { ActivationName, NetworkSpec } from '../workers/core/types.js';
import { createNetwork, createWorkspace, forwardBackward } from '../workers/core/network.js';
import { createOptimizer } from '../workers/core/optim.js';
import { createRng } from '../workers/core/rng.js';

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
const BATCHES = 16; // distinct random batches cycled through

interface Measurement { stepsPerSecond: number; stepsPerCpuSecond: number; steps: number; gflops: number }

function measure(c: Case): Measurement {
  const spec: NetworkSpec = {
    inputs: c.inputs, outputs: c.outputs, hidden: c.hidden, activation: c.activation,
    init: c.activation === 'relu' ? 'he_normal' : 'xavier_uniform', loss: 'cross_entropy',
  };
  const net = createNetwork(spec, 1);
  const ws = createWorkspace(net, c.batch);
  const opt = createOptimizer({
    epochs: 1, batchSize: c.batch, loss: 'cross_entropy', optimizer: 'sgd', lr: 0.01, momentum: 0, nesterov: false,
    beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: { mode: 'none' }, probeSize: c.batch,
  }, net.layout, net.numParams);
  const rng = createRng(2, 0);
  const inputs = Float32Array.from({ length: BATCHES * c.batch * c.inputs }, () => rng.normal());
  const targets = new Float32Array(BATCHES * c.batch * c.outputs);
  for (let i = 0; i < BATCHES * c.batch; i++) targets[i * c.outputs + (rng.nextU32() % c.outputs)] = 1;
  const inputViews = Array.from({ length: BATCHES }, (_, k) => inputs.subarray(k * c.batch * c.inputs, (k + 1) * c.batch * c.inputs));
  const targetViews = Array.from({ length: BATCHES }, (_, k) => targets.subarray(k * c.batch * c.outputs, (k + 1) * c.batch * c.outputs));

  let k = 0;
  const step = () => {
    forwardBackward(net, ws, inputViews[k], targetViews[k], c.batch);
    opt.step(net.params, net.grads);
    k = (k + 1) % BATCHES;
  };
  const runFor = (ms: number) => {
    let steps = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 4; i++) step();
      steps += 4;
      now = performance.now();
    }
    const cpu = process.cpuUsage(cpuStart);
    return { steps, seconds: (now - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  };
  runFor(WARMUP_MS);
  const { steps, seconds, cpuSeconds } = runFor(RUN_MS);
  const stepsPerSecond = steps / seconds;
  const stepsPerCpuSecond = steps / cpuSeconds;
  // 3 matrix products of B·fanIn·fanOut multiply-adds per layer (forward, dinp, dweight; the first layer skips dinp).
  let macs = 0;
  net.layout.forEach((l, i) => { macs += (i === 0 ? 2 : 3) * c.batch * l.fanIn * l.fanOut; });
  return { stepsPerSecond, stepsPerCpuSecond, steps, gflops: (2 * macs * stepsPerCpuSecond) / 1e9 };
}

export async function run(): Promise<void> {
  for (const c of CASES) {
    const { stepsPerSecond, stepsPerCpuSecond, steps, gflops } = measure(c);
    console.log(
      `${c.name.padEnd(42)} ${stepsPerSecond.toFixed(1).padStart(8)} steps/s wall, `
      + `${stepsPerCpuSecond.toFixed(1).padStart(8)} per CPU-second (${steps} steps, ${gflops.toFixed(2)} GFLOP per CPU-second)`,
    );
  }
}
