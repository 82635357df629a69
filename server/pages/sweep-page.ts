// A sweep's page: its head, spec summary, progress, heatmap, the selected cell and the runs table.
import { NotFoundError } from '../../db/errors.js';
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import type { SweepQuery } from '../../views/query.js';
import type { SweepPageProps } from '../../views/sweep-page.js';
import { loadCellDetail } from './cell-detail.js';
import { isSweepActive } from './eta.js';
import { loadHeatmap } from './heatmap.js';
import { loadRunsTable } from './runs-table.js';
import { loadSpecSummary } from './spec-summary.js';
import { loadProgress } from './sweep-progress.js';

/** The run a replay replays may have been deleted with its sweep since. */
function runExists(store: Store, runId: number): boolean {
  try {
    store.getRun(runId);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

export function loadSweepPage(store: Store, sweep: Sweep, query: SweepQuery, threads: number): SweepPageProps {
  const progress = loadProgress(store, sweep, threads);
  const live = isSweepActive(progress.counts) || sweep.status === 'running';
  const cell = query.row !== undefined && query.col !== undefined ? loadCellDetail(store, sweep, query.row, query.col) : null;
  return {
    sweep: {
      id: sweep.id,
      name: sweep.name,
      status: sweep.status,
      description: (sweep.spec as { description?: string })?.description,
      createdAt: sweep.createdAt,
      finishedAt: sweep.finishedAt,
      tags: sweep.tags,
      archived: sweep.archivedAt !== null,
    },
    notes: { sweepId: sweep.id, notes: sweep.notes, archived: sweep.archivedAt !== null },
    spec: loadSpecSummary(store, sweep),
    replayOf: sweep.replayOf,
    replayOriginGone: sweep.replayOf !== null && !runExists(store, sweep.replayOf),
    progress,
    heatmap: loadHeatmap(store, sweep, query, live, progress.counts),
    cell,
    runs: loadRunsTable(store, sweep, query),
  };
}
