// Display names of the config settings a sweep varies: the heatmap's axis titles ("learning rate") and the short
// names the runs table's "other settings" column uses ("lr 0.05 · clip norm ≤ 1"). Unknown paths show as is.

const AXIS_NAMES: Record<string, string> = {
  'model.init': 'initializer',
  'model.activation': 'activation',
  'model.hidden': 'hidden widths',
  'model.biasInit': 'bias init',
  'train.lr': 'learning rate',
  'train.clip': 'clipping',
  'train.optimizer': 'optimizer',
  'train.batchSize': 'batch size',
  'train.epochs': 'epochs',
  'train.weightDecay': 'weight decay',
  'dataset.normalize': 'input normalization',
  'dataset.name': 'data set',
  'dataset.noise': 'noise',
  'dataset.samples': 'samples',
  seed: 'seed',
};

const SHORT_NAMES: Record<string, string> = {
  'train.lr': 'lr', 'train.clip': 'clip', 'dataset.normalize': 'inputs', 'model.hidden': 'hidden',
  'train.batchSize': 'batch', 'train.optimizer': 'opt.', 'train.weightDecay': 'wd',
};

export function axisName(path: string): string {
  return AXIS_NAMES[path] ?? path;
}

/** The name in a table cell, where space is short. */
export function shortAxisName(path: string): string {
  return SHORT_NAMES[path] ?? axisName(path);
}
