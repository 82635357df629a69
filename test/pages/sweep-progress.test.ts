// The sweep progress line: "took" counts only time when runs trained; a cancelled sweep says how far it got.
import { describe, expect, it } from 'vitest';
import { busyTimeMs } from '../../server/pages/sweep-progress.js';
import { SweepProgress, type SweepProgressProps } from '../../views/sweep-page.js';
import { SweepRow } from '../../views/sweep-list.js';

const counts = { queued: 0, running: 0, succeeded: 0, diverged: 0, failed: 0, cancelled: 0, total: 0 };

function progress(change: Partial<SweepProgressProps>): SweepProgressProps {
  return { sweepId: 4, status: 'succeeded', counts, etaMs: null, createdAt: 0, finishedAt: 430_000, busyMs: 23_000, ...change };
}

describe('sweep progress', () => {
  it('adds up the time runs trained, overlapping runs once, idle gaps not at all', () => {
    expect(busyTimeMs([], 100)).toBe(0);
    // two threads overlapping 0–15 s, then idle until a re-run at 400 s that takes 8 s
    expect(busyTimeMs([{ startedAt: 0, finishedAt: 10_000 }, { startedAt: 2_000, finishedAt: 15_000 },
      { startedAt: 400_000, finishedAt: 408_000 }], 999_999)).toBe(23_000);
    // a run still training counts up to now
    expect(busyTimeMs([{ startedAt: 1_000, finishedAt: null }], 4_000)).toBe(3_000);
  });

  it('says "took" with the training time, not the time since the sweep was created', () => {
    const html = SweepProgress(progress({ counts: { ...counts, succeeded: 84, total: 84 } }));
    expect(html).toContain('took 23 s');
    expect(html).not.toMatch(/took 7 min/);
  });

  it('says a cancelled sweep was cancelled after so many runs, not 100%', () => {
    const html = SweepProgress(progress({ status: 'cancelled', busyMs: 8_000, counts: { ...counts, succeeded: 8, cancelled: 76, total: 84 } }));
    expect(html).toContain('cancelled after 8 of 84 runs, which trained for 8 s');
    expect(html).toContain('8 of 84 ran');
    expect(html).not.toContain('100%');
    expect(html).not.toContain('took');
  });

  it('says so in the sweep list too, instead of counting cancelled runs as done', () => {
    const sweep = { id: 4, name: 'tour', status: 'cancelled', createdAt: 0, finishedAt: 8_000 };
    const cancelled = SweepRow({ sweep: { ...sweep, counts: { ...counts, succeeded: 7, diverged: 1, cancelled: 76, total: 84 } } });
    expect(cancelled).toContain('cancelled after 8 of 84 runs, 1 diverged');
    expect(cancelled).not.toContain('84 / 84');
    expect(SweepRow({ sweep: { ...sweep, status: 'running', counts: { ...counts, succeeded: 12, running: 2, queued: 70, total: 84 } } }))
      .toContain('12 / 84 runs, 2 running');
  });

  it('warns before a re-run that deterministic diverged runs diverge again', () => {
    const html = SweepProgress(progress({ counts: { ...counts, succeeded: 78, diverged: 6, total: 84 } }));
    expect(html).toContain('Re-run 6 failed, diverged or cancelled');
    expect(html).toContain('Training is deterministic: the 6 diverged runs will diverge again when re-run with the same settings.');
    expect(SweepProgress(progress({ counts: { ...counts, succeeded: 84, total: 84 } }))).not.toContain('deterministic');
  });
});
