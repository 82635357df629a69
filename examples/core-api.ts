// The training core from TypeScript: run with `npx tsx examples/core-api.ts`.
import { createNetwork, lossAndGradients, trainRun } from '../workers/core/index.js';
import { parseRunConfig } from '../workers/run-config.js';
import { runTraining } from '../workers/run.js';

// A 2-16-16-3 tanh network with Xavier weights; all parameters live in one Float32Array:
// for each layer, W (fanOut × fanIn, row-major), then its bias (fanOut).
const net = createNetwork(
  { inputs: 2, outputs: 3, hidden: [16, 16], activation: 'tanh', init: 'xavier_uniform', loss: 'cross_entropy' },
  42,
);
const inputs = new Float32Array([0.5, -1, 1, 0.25]); // a batch of 2 rows × 2 inputs
const targets = new Float32Array([1, 0, 0, 0, 0, 1]); // one-hot, 2 rows × 3 classes
const { loss, grads } = lossAndGradients(net, inputs, targets);
console.log(`params ${net.params.length}, loss ${loss.toFixed(4)}, grads ${grads.length}`);

// A whole run on synthetic data. Epoch 0 is measured before the first step.
const config = parseRunConfig({ model: { hidden: [32, 32], init: 'zeros' }, train: { epochs: 3 } });
const result = trainRun(config, (m) => {
  const distinct = m.layers.map((l) => `${l.distinctUnits}/${l.units}`).join(' ');
  console.log(`epoch ${m.epoch}: val loss ${m.valLoss.toFixed(3)}, distinct units per layer ${distinct}`);
});
console.log(result.status, result.verdicts.map((v) => v.kind).join(', '));

// iris and mnist load from their packages on the Node side: runTraining does that, then calls trainRun.
const iris = runTraining(parseRunConfig({ dataset: { name: 'iris' }, model: { hidden: [16] }, train: { epochs: 30 } }));
console.log(`iris validation accuracy ${iris.epochs.at(-1)!.valAcc.toFixed(2)}`);
