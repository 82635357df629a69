// The spec in one glance on a sweep's page: data, network, training, clipping, normalization, initializers,
// activations and seeds, each either its one value or the values the sweep varies over.
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import type { SpecItem } from '../../views/sweep-page.js';
import { formatAxisValue, formatNumber, hiddenLabel } from './axes.js';

/** The values a sweep's spec lists for a setting, or null when the spec does not list it (a preset's form). */
function specValues(sweep: Sweep, path: string): string | null {
  const spec = sweep.spec as { grid?: Record<string, unknown[]>; random?: { space?: Record<string, unknown> } };
  const values = spec.grid?.[path];
  if (Array.isArray(values)) return values.map((v) => formatAxisValue(path, v)).join(', ');
  if (spec.random?.space && path in spec.random.space) return 'drawn at random';
  return null;
}

export function loadSpecSummary(store: Store, sweep: Sweep): SpecItem[] {
  const first = store.listRuns(sweep.id, { limit: 1 }).runs[0];
  if (!first) return [];
  const c = first.config;
  const varies = (prefix: string) => sweep.varying.some((p) => p === prefix || p.startsWith(`${prefix}.`));
  const item = (label: string, value: string, path: string): SpecItem =>
    varies(path) ? { label, value: specValues(sweep, path) ?? 'several values', varies: true } : { label, value };
  const synthetic = c.dataset.name !== 'iris' && c.dataset.name !== 'mnist';
  const data = [
    c.dataset.name,
    `${c.dataset.samples.toLocaleString('en-US')} samples`,
    synthetic ? `noise ${formatNumber(c.dataset.noise)}` : '',
    c.dataset.name === 'spirals' || c.dataset.name === 'gaussians' ? `${c.dataset.classes} classes` : '',
  ].filter(Boolean).join(' · ');
  const clip = c.train.clip.mode === 'none' ? 'none' : `${c.train.clip.mode} ≤ ${c.train.clip.max}`;
  return [
    varies('dataset.name') || varies('dataset.samples') || varies('dataset.noise')
      ? { label: 'Data', value: `${data} (some settings vary)`, varies: false }
      : { label: 'Data', value: data },
    varies('model.depth') || varies('model.width')
      ? {
        label: 'Network (depth × width)',
        value: `${varies('model.depth') ? `{${specValues(sweep, 'model.depth') ?? 'several'}}` : c.model.hidden.length} × `
          + `${varies('model.width') ? `{${specValues(sweep, 'model.width') ?? 'several'}}` : c.model.hidden[0]}`,
        varies: true,
      }
      : item('Network (depth × width)', hiddenLabel(c.model.hidden), 'model.hidden'),
    item('Epochs', String(c.train.epochs), 'train.epochs'),
    item('Batch', String(c.train.batchSize), 'train.batchSize'),
    item('Optimizer', c.train.optimizer, 'train.optimizer'),
    item('Learning rate', formatNumber(c.train.lr), 'train.lr'),
    item('Clipping', clip, 'train.clip'),
    item('Normalization', c.dataset.normalize, 'dataset.normalize'),
    item('Initializers', first.initLabel, 'model.init'),
    item('Activations', first.activationLabel, 'model.activation'),
    item('Seeds', String(c.seed), 'seed'),
  ];
}
