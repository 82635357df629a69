import { describe, expect, it } from 'vitest';
import { formatDuration, renderProgress } from '../../server/commands/progress-bar.js';

describe('progress bar', () => {
  it('shows done over total, failures and an ETA from the pace so far', () => {
    const line = renderProgress({ queued: 5, running: 1, succeeded: 3, diverged: 1, failed: 0, cancelled: 0 }, 8000, 10);
    expect(line).toContain('4/10 done');
    expect(line).toContain('1 diverged');
    expect(line).toContain('[####......]');
    // 4 done in 8 s → 2 s each → 6 left ≈ 12 s
    expect(line).toContain('ETA 12s');
  });

  it('counts each run once even when given counts that carry their total', () => {
    const counts = { queued: 1, running: 0, succeeded: 1, diverged: 0, failed: 0, cancelled: 0, total: 2 };
    expect(renderProgress(counts, 1000)).toContain('1/2 done');
  });

  it('says the ETA is unknown before the first run ends', () => {
    expect(renderProgress({ queued: 3, running: 0, succeeded: 0, diverged: 0, failed: 0, cancelled: 0 }, 1000)).toContain('ETA ?');
  });

  it('formats durations in seconds, minutes and hours', () => {
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_780_000)).toBe('1h03m');
  });
});
