// The stacked progress bar and its counts (done / running / queued / failed / diverged / cancelled).
import { formatCount, formatPercent } from './format.js';

export interface Counts {
  queued: number;
  running: number;
  succeeded: number;
  diverged: number;
  failed: number;
  cancelled: number;
  total: number;
}

const SEGMENTS = ['succeeded', 'diverged', 'failed', 'cancelled', 'running'] as const;

export function finishedCount(c: Counts): number {
  return c.succeeded + c.diverged + c.failed + c.cancelled;
}

export function ProgressBar({ counts, small = false, label }: { counts: Counts; small?: boolean; label: string }): string {
  const total = Math.max(1, counts.total);
  const done = finishedCount(counts);
  return (
    <div
      class={small ? 'progress small' : 'progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin="0"
      aria-valuemax={String(counts.total)}
      aria-valuenow={String(done)}
      aria-valuetext={`${done} of ${counts.total} runs finished`}
    >
      {SEGMENTS.map((s) =>
        counts[s] > 0 ? <span class={`seg-${s}`} style={`width:${((counts[s] / total) * 100).toFixed(2)}%`}></span> : '',
      )}
    </div>
  ) as string;
}

/** The counts line under a progress bar; "done" is succeeded runs, shown first. */
export function CountsLine({ counts }: { counts: Counts }): string {
  const items: Array<[string, string, number]> = [
    ['succeeded', 'done', counts.succeeded],
    ['running', 'running', counts.running],
    ['queued', 'queued', counts.queued],
    ['failed', 'failed', counts.failed],
    ['diverged', 'diverged', counts.diverged],
  ];
  if (counts.cancelled > 0) items.push(['cancelled', 'cancelled', counts.cancelled]);
  return (
    <div class="counts">
      {items.map(([key, word, n]) => (
        <span data-count={key}>
          <span class={`key key-${key}`} aria-hidden="true"></span>
          <span safe>{`${formatCount(n)} ${word}`}</span>
        </span>
      ))}
      <span class="muted" safe>
        {counts.cancelled > 0
          ? `${formatCount(finishedCount(counts) - counts.cancelled)} of ${formatCount(counts.total)} ran`
          : `${formatPercent(finishedCount(counts) / Math.max(1, counts.total), 0)} of ${formatCount(counts.total)}`}
      </span>
    </div>
  ) as string;
}
