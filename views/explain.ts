// Plain-language explanations of each verdict, in the terms of the initialization story: symmetry breaking,
// saturation, dead units, vanishing and exploding signals. Shown beside each verdict's measured evidence.

export const VERDICT_EXPLANATIONS: Record<string, string> = {
  healthy:
    'The signal kept a usable scale through every layer and the loss went down. Nothing in the measurements stops ' +
    'this network from learning.',
  symmetric:
    'Units of a hidden layer started out identical, and identical units compute the same thing and receive the same ' +
    'gradient, so they stay identical: the layer acts like a single unit. Random initialization exists to break this ' +
    'symmetry; zeros or a constant never do.',
  saturated:
    'Many units sit on the flat tails of their activation (sigmoid or tanh near its limits), where the slope is ' +
    'almost zero, so little gradient gets through them and they barely learn. The weights are too large for this ' +
    'activation; a smaller scale such as Xavier/Glorot keeps units in the responsive middle.',
  dead:
    'Some ReLU-family units output zero for every input. Their gradient is zero as well, so they never come back. ' +
    'Too large weights, biases or learning rates push units into this region.',
  vanishing:
    'The back-propagated gradient δ shrinks layer after layer on its way to the input, so the first layers get ' +
    'almost no learning signal and keep their initial weights. Weights too small for the depth, or a saturating ' +
    'activation, do this; an initializer matched to the activation (Xavier for tanh, He for ReLU) keeps δ steady.',
  exploding:
    'The signal or its gradient grows layer after layer, so early layers get huge updates and training turns ' +
    'unstable. The weights are too large for the activation; He/Xavier scaling or gradient clipping tame it.',
  diverged:
    'The loss or the weights became infinite or NaN: the updates blew up and training stopped. A smaller learning ' +
    'rate, gradient clipping or a better-scaled initializer usually prevents it.',
  not_learning:
    'The loss barely moved from where it started: the network is stuck, typically because of symmetric units, dead ' +
    'or saturated units, or a gradient that vanishes before it reaches the first layers.',
};

export function explainVerdict(kind: string): string {
  return VERDICT_EXPLANATIONS[kind] ?? '';
}
