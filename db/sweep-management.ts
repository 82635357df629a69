// The store's sweep management: edit a sweep's name, notes, tags and archived mark, count what deleting it removes,
// and delete it with its runs and their epoch and layer rows in one transaction (nothing else is touched but the
// id watermarks that keep the deleted ids from being handed out again).
import type { Database } from 'better-sqlite3';
import { NotFoundError, SweepBusyError } from './errors.js';
import type { SweepDeletion, SweepEdit } from './types.js';

export interface SweepManagement {
  /** Applies the fields present in `edit`; `at` is the archived time when `archived` is true. */
  updateSweep(id: number, edit: SweepEdit, at?: number): void;
  /** What deleteSweep(id) would remove now. */
  sweepDeletePreview(id: number): SweepDeletion;
  /**
   * Deletes the sweep, its runs and their metric rows; refuses (SweepBusyError, 409) while the sweep is running or
   * any of its runs is queued or running. Sweeps that replay one of its runs keep their replay_of (no foreign key):
   * their pages say the original no longer exists.
   */
  deleteSweep(id: number): SweepDeletion;
}

export function createSweepManagement(db: Database): SweepManagement {
  const sql = {
    status: db.prepare<[number], { status: string; active: number }>(
      `SELECT status, (SELECT COUNT(*) FROM runs WHERE sweep_id = sweeps.id AND status IN ('queued', 'running')) AS active
       FROM sweeps WHERE id = ?`),
    setName: db.prepare<[string, number]>(`UPDATE sweeps SET name = ? WHERE id = ?`),
    setNotes: db.prepare<[string, number]>(`UPDATE sweeps SET notes = ? WHERE id = ?`),
    setTags: db.prepare<[string, number]>(`UPDATE sweeps SET tags = ? WHERE id = ?`),
    // Archiving an archived sweep keeps its first archived time.
    setArchived: db.prepare<[{ at: number | null; id: number }]>(
      `UPDATE sweeps SET archived_at = CASE WHEN @at IS NULL THEN NULL ELSE COALESCE(archived_at, @at) END WHERE id = @id`),
    countRows: db.prepare<[{ id: number }], SweepDeletion>(
      `SELECT (SELECT COUNT(*) FROM runs WHERE sweep_id = @id) AS runs,
              (SELECT COUNT(*) FROM epoch_metrics WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = @id)) AS epochRows,
              (SELECT COUNT(*) FROM layer_metrics WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = @id)) AS layerRows`),
    // Before the rows go: the highest ids so far, so they are never handed out again (migration 7).
    raiseWatermarks: db.prepare(
      `INSERT INTO id_watermarks (name, max_id)
         SELECT name, m FROM (SELECT 'sweeps' AS name, MAX(id) AS m FROM sweeps UNION ALL SELECT 'runs', MAX(id) FROM runs)
         WHERE m IS NOT NULL
       ON CONFLICT (name) DO UPDATE SET max_id = MAX(max_id, excluded.max_id)`),
    deleteLayers: db.prepare<[number]>(`DELETE FROM layer_metrics WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?)`),
    deleteEpochs: db.prepare<[number]>(`DELETE FROM epoch_metrics WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?)`),
    deleteRuns: db.prepare<[number]>(`DELETE FROM runs WHERE sweep_id = ?`),
    deleteSweep: db.prepare<[number]>(`DELETE FROM sweeps WHERE id = ?`),
  };

  function requireSweep(id: number): { status: string; active: number } {
    const row = sql.status.get(id);
    if (row === undefined) throw new NotFoundError('sweep', id);
    return row;
  }

  const updateSweep = db.transaction((id: number, edit: SweepEdit, at: number) => {
    requireSweep(id);
    if (edit.name !== undefined) sql.setName.run(edit.name, id);
    if (edit.notes !== undefined) sql.setNotes.run(edit.notes, id);
    if (edit.tags !== undefined) sql.setTags.run(JSON.stringify([...new Set(edit.tags)]), id);
    if (edit.archived !== undefined) sql.setArchived.run({ at: edit.archived ? at : null, id });
  });

  const deleteSweep = db.transaction((id: number): SweepDeletion => {
    const { status, active } = requireSweep(id);
    if (status === 'running' || active > 0) throw new SweepBusyError(id, 'is still running: cancel it first');
    const counts = sql.countRows.get({ id })!;
    sql.raiseWatermarks.run();
    sql.deleteLayers.run(id);
    sql.deleteEpochs.run(id);
    sql.deleteRuns.run(id);
    sql.deleteSweep.run(id);
    return counts;
  });

  return {
    updateSweep: (id, edit, at = Date.now()) => updateSweep.immediate(id, edit, at),
    sweepDeletePreview(id) {
      requireSweep(id);
      return sql.countRows.get({ id })!;
    },
    deleteSweep: (id) => deleteSweep.immediate(id),
  };
}
