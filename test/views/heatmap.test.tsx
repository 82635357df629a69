// The heatmap partial from fixture props: cells, colours, pending and failed cells, verdict mode, escaping.
import { describe, expect, it } from 'vitest';
import { HeatmapCard, HeatmapGrid, type HeatCell, type HeatmapProps } from '../../views/heatmap.js';
import { DEFAULT_SWEEP_QUERY } from '../../views/query.js';

function stat(values: number[]) {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : null;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean!) ** 2, 0) / (n - 1)) : null;
  return { n, mean, sd, values };
}

function cell(row: string, col: string, acc: number[], loss: number[], extra: Partial<HeatCell> = {}): HeatCell {
  const done = acc.length;
  return {
    row,
    col,
    counts: { queued: 0, running: 0, succeeded: done, diverged: 0, failed: 0, cancelled: 0, total: done },
    acc: stat(acc),
    loss: stat(loss),
    verdicts: { healthy: done },
    ...extra,
  };
}

function props(cells: HeatCell[], change: Partial<HeatmapProps> = {}): HeatmapProps {
  return {
    sweepId: 3,
    query: DEFAULT_SWEEP_QUERY,
    rowAxis: 'initializer',
    colAxis: 'activation',
    rows: [...new Set(cells.map((c) => c.row))],
    cols: [...new Set(cells.map((c) => c.col))],
    cells,
    pooled: [],
    live: false,
    ...change,
  };
}

const good = cell('he_normal', 'relu', [0.95, 0.97, 0.96], [0.1, 0.09, 0.12]);
const bad = cell('zeros', 'relu', [0.5, 0.5, 0.5], [0.69, 0.69, 0.7], { verdicts: { symmetric: 3, not_learning: 3 } });

function background(html: string, label: string): string {
  const match = new RegExp(`style="background:(#[0-9a-f]{6});color:[^"]+"[^>]*title="initializer ${label}`).exec(html);
  if (!match) throw new Error(`no coloured cell for ${label}`);
  return match[1];
}

describe('heatmap', () => {
  it('shows mean ± sd, a dot per seed and the dominant verdicts in each cell', () => {
    const html = HeatmapGrid(props([good, bad]));
    expect(html).toContain('96.0%');
    expect(html).toContain('± 1.0%');
    expect((html.match(/class="dot"/g) ?? []).length).toBe(6);
    expect(html).toContain('symmetric');
    expect(html).toContain('×3');
    expect(html).toContain('Bright yellow is better');
  });

  it('colours the better cell brighter (viridis: yellow end good), for accuracy and for loss', () => {
    const byAcc = HeatmapGrid(props([good, bad]));
    expect(background(byAcc, 'zeros')).toBe('#440154'); // the purple end: chance level
    expect(background(byAcc, 'he_normal')).toMatch(/^#[a-f0-9]{2}e[0-9a-f]{3}$/); // near the yellow end (green ≥ 0xe0)
    expect(byAcc).toMatch(/color:#111111"[^>]*title="initializer he_normal/); // dark text on a bright cell
    const byLoss = HeatmapGrid(props([good, bad], { query: { ...DEFAULT_SWEEP_QUERY, metric: 'loss' } }));
    expect(background(byLoss, 'he_normal')).not.toBe(background(byLoss, 'zeros'));
    expect(byLoss).toContain('log scale, high loss on the left');
  });

  it('shows queued and running cells without a colour, and marks failures and divergences', () => {
    const pending = cell('xavier_uniform', 'tanh', [], [], {
      counts: { queued: 2, running: 1, succeeded: 0, diverged: 0, failed: 0, cancelled: 0, total: 3 },
      verdicts: {},
    });
    const mixed = cell('normal', 'relu', [0.6], [1.2], {
      counts: { queued: 0, running: 0, succeeded: 1, diverged: 1, failed: 1, cancelled: 0, total: 3 },
      verdicts: { exploding: 2, diverged: 1 },
    });
    const html = HeatmapGrid(props([pending, mixed]));
    expect(html).toMatch(/class="cell pending"[^>]*>.*running/);
    expect(html).toContain('0/3 done');
    expect(html).toContain('✕ 1 diverged');
    expect(html).toContain('! 1 failed');
    expect(html).toMatch(/<span>n=1<\/span>/); // one result; the other two runs are marked, not averaged
  });

  it('in verdict mode labels each cell with its most frequent verdict, word and glyph', () => {
    const html = HeatmapGrid(props([good, bad], { query: { ...DEFAULT_SWEEP_QUERY, metric: 'verdict' } }));
    expect(html).toContain('✓ healthy');
    expect(html).toContain('≡ symmetric');
    expect(html).toContain('100% healthy');
    expect(html).toContain('0% healthy');
  });

  it('links each cell to its detail partial and marks the selected one', () => {
    const html = HeatmapGrid(props([good, bad], { query: { ...DEFAULT_SWEEP_QUERY, row: 'zeros', col: 'relu' } }));
    expect(html).toContain('hx-get="/sweeps/3/cell?row=he_normal&col=relu"');
    expect(html).toMatch(/title="initializer zeros[^"]*"[^>]*aria-current="true"/);
    expect(html.match(/aria-current="true"/g)).toHaveLength(1);
    // without JavaScript, a cell is a link to the page with its runs open
    expect(html).toContain('href="/sweeps/3?row=he_normal&col=relu#cell-detail"');
    // its accessible name says where it is before its value
    expect(html).toMatch(/<a class="cell"[^>]*data-row="he_normal"[^>]*><span class="visually-hidden">initializer he_normal, activation relu: <\/span>/);
  });

  it('opens the live stream only while the sweep runs, with the chosen metric', () => {
    expect(HeatmapCard(props([good]))).not.toContain('hx-sse:connect');
    const live = HeatmapCard(props([good], { live: true, query: { ...DEFAULT_SWEEP_QUERY, metric: 'loss' } }));
    expect(live).toContain('hx-sse:connect="/sweeps/3/stream?metric=loss"');
    expect(live).toContain('hx-sse:close="close"');
  });

  it('escapes axis labels', () => {
    const evil = cell('<img src=x onerror=alert(1)>', 'tanh', [0.9], [0.2]);
    const html = HeatmapGrid(props([evil]));
    const outsideAttributes = html.replace(/="[^"]*"/g, '=""');
    expect(outsideAttributes).not.toContain('<img');
    expect(html).toContain('<th scope="row"><span>&lt;img');
  });
});

describe('heatmap: diverged runs have no result', () => {
  const counts = { queued: 0, running: 0, succeeded: 0, diverged: 3, failed: 0, cancelled: 0, total: 3 };
  const allDiverged = cell('normal', 'tanh', [], [], { counts, verdicts: { diverged: 3, exploding: 3 } });
  const oneDiverged = cell('he_normal', 'tanh', [0.9, 0.92], [0.2, 0.21], {
    counts: { ...counts, succeeded: 2, diverged: 1 },
    verdicts: { healthy: 2, diverged: 1 },
  });

  it('shows a cell whose runs all diverged as "diverged" with the count, hatched off the colour scale', () => {
    const html = HeatmapGrid(props([good, allDiverged, oneDiverged]));
    const button = /<a class[^>]*title="initializer normal[^"]*"[^>]*>[\s\S]*?<\/a>/.exec(html)![0];
    expect(button).toContain('class="cell pending diverged"');
    expect(button).not.toContain('style="background');
    expect(button).toContain('✕ diverged');
    expect(button).toContain('3 of 3 diverged');
    expect(button).not.toMatch(/\d+(\.\d+)?%/);
  });

  it('keeps the mean of a cell with some diverged runs over the others, and says how many were left out', () => {
    const html = HeatmapGrid(props([good, allDiverged, oneDiverged]));
    const button = /<a class[^>]*title="initializer he_normal, activation tanh[^"]*"[^>]*>[\s\S]*?<\/a>/.exec(html)![0];
    expect(button).toContain('91.0%');
    expect(button).toContain('n=2');
    expect(button).toContain('mean without 1 diverged');
    expect(button).toContain('1 diverged: no final result, left out of the means');
    expect(html).toContain('Diverged runs have no final result');
  });

  it('spans the loss scale over runs that did not diverge, and says so', () => {
    const html = HeatmapGrid(props([good, bad, allDiverged], { query: { ...DEFAULT_SWEEP_QUERY, metric: 'loss' } }));
    expect(html).toContain('log scale, high loss on the left; it spans the losses of runs that did not diverge');
    // the ends are the finite losses of good (0.09) and bad (0.7) runs, widened to a decade: nothing from 3.65e4
    const ends = /<span class="legend-ends"><span>([^<]+)<\/span><span>([^<]+)<\/span>/.exec(html)!;
    expect(Number(ends[1])).toBeLessThan(2);
    expect(Number(ends[2])).toBeGreaterThan(0.01);
  });
});
