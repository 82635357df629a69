// The sweeps page: every sweep, newest first, a page at a time, with its status counts and tags. Archived sweeps
// are left out unless `showArchived`.
import type { Store } from '../../db/store.js';
import type { SweepListProps } from '../../views/sweep-list.js';

export const SWEEPS_PAGE_SIZE = 50;

export function loadSweepList(store: Store, page: number, showArchived = false): SweepListProps {
  const every = store.listSweeps();
  const all = showArchived ? every : every.filter((s) => s.archivedAt === null);
  const pages = Math.max(1, Math.ceil(all.length / SWEEPS_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const sweeps = all.slice((current - 1) * SWEEPS_PAGE_SIZE, current * SWEEPS_PAGE_SIZE).map((s) => ({
    id: s.id,
    name: s.name,
    status: s.status,
    counts: s.counts,
    createdAt: s.createdAt,
    finishedAt: s.finishedAt,
    tags: s.tags,
    archived: s.archivedAt !== null,
  }));
  return {
    sweeps, total: all.length, page: current, pageSize: SWEEPS_PAGE_SIZE, showArchived,
    archivedCount: every.length - every.filter((s) => s.archivedAt === null).length,
  };
}
