// The run page's head: the outcome (verdicts, result) is what a reader meets first; the process status follows.
import { describe, expect, it } from 'vitest';
import { RunHead, type RunHeadProps } from '../../views/run-page.js';

const base: RunHeadProps = {
  id: 7, status: 'succeeded', epochsCompleted: 40, epochs: 40, durationMs: 900, startedAt: 0, finishedAt: 900,
  finalValAcc: 0.445, finalValLoss: 0.9, error: null, divergence: null,
  verdicts: [{ kind: 'dead', evidence: '' }, { kind: 'exploding', evidence: '' }], backend: 'native', cpuPath: 'avx512', host: null,
};

describe('run head', () => {
  it('puts the verdicts and result before the process status, which is neutral', () => {
    const html = RunHead(base);
    const verdict = html.indexOf('verdict-dead');
    const status = html.indexOf('status-succeeded');
    expect(verdict).toBeGreaterThan(-1);
    expect(status).toBeGreaterThan(verdict);
    expect(html.indexOf('44.5%')).toBeLessThan(status);
    expect(html).toContain('<span class="muted">process</span>');
  });

  it('gives a diverged run no final accuracy', () => {
    const html = RunHead({ ...base, status: 'diverged', finalValAcc: 0.575, epochsCompleted: 0,
      divergence: { epoch: 0, step: 3, layer: 2, quantity: 'loss' }, verdicts: [{ kind: 'diverged', evidence: '' }] });
    expect(html).toContain('diverged: no final result');
    expect(html).not.toContain('57.5%');
  });
});
