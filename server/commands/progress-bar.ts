// A one-line progress bar for the headless sweep command: done/total, failures, ETA. Redraws in place on a TTY.

import { RUN_STATUSES, type RunStatus } from '../../db/run-status.js';

export type RunCounts = Record<RunStatus, number>;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function renderProgress(counts: RunCounts, elapsedMs: number, width = 30): string {
  const total = RUN_STATUSES.reduce((sum, status) => sum + counts[status], 0);
  const done = total - counts.queued - counts.running;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const eta = done === 0 ? '?' : formatDuration((elapsedMs / done) * (total - done));
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} done` +
    ` · ${counts.running} running · ${counts.failed} failed · ${counts.diverged} diverged · ETA ${eta}`
  );
}

export function createProgressBar(out: NodeJS.WritableStream, readCounts: () => RunCounts, now: () => number = Date.now) {
  const started = now();
  const tty = (out as { isTTY?: boolean }).isTTY === true;
  let last = '';
  let lastPrinted = 0;
  return {
    update() {
      const line = renderProgress(readCounts(), now() - started);
      if (line === last) return;
      last = line;
      if (tty) out.write(`\r\x1b[2K${line}`);
      else if (now() - lastPrinted > 2000) {
        out.write(`${line}\n`);
        lastPrinted = now();
      }
    },
    done() {
      const line = renderProgress(readCounts(), now() - started);
      out.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
