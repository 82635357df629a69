import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../db/errors.js';
import { openDatabase } from '../../db/open.js';
import {
  RUN_STATUSES, RUN_TRANSITIONS, SWEEP_STATUSES, canTransitionRun, transitionRun, transitionSweep,
  type RunStatus,
} from '../../db/run-status.js';

const LEGAL: Array<[RunStatus, RunStatus]> = [
  ['queued', 'running'], ['queued', 'cancelled'],
  ['running', 'succeeded'], ['running', 'diverged'], ['running', 'failed'], ['running', 'cancelled'],
  ['running', 'queued'],
  ['succeeded', 'queued'], ['diverged', 'queued'], ['failed', 'queued'], ['cancelled', 'queued'],
];
const ALL_PAIRS = RUN_STATUSES.flatMap((from) => RUN_STATUSES.map((to) => [from, to] as [RunStatus, RunStatus]));
const isLegal = (from: RunStatus, to: RunStatus) => LEGAL.some(([f, t]) => f === from && t === to);

describe('run status transitions', () => {
  it.each(LEGAL)('allows %s → %s', (from, to) => {
    expect(canTransitionRun(from, to)).toBe(true);
    expect(transitionRun(from, to, 7)).toBe(to);
  });

  it.each(ALL_PAIRS.filter(([from, to]) => !isLegal(from, to)))('refuses %s → %s with a 409', (from, to) => {
    expect(canTransitionRun(from, to)).toBe(false);
    const error = (() => {
      try {
        transitionRun(from, to, 7);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ name: 'IllegalTransitionError', code: 'illegal_transition', status: 409, from, to });
    expect((error as Error).message).toBe(`run 7: cannot go from '${from}' to '${to}'`);
  });

  it('lists exactly the legal moves in RUN_TRANSITIONS', () => {
    const listed = Object.entries(RUN_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`));
    expect(listed.sort()).toEqual(LEGAL.map(([f, t]) => `${f}>${t}`).sort());
  });

  it('matches the CHECK constraint and the trigger in the schema, pair by pair', () => {
    const db = openDatabase(':memory:');
    db.exec(`INSERT INTO sweeps (id, name, spec, created_at) VALUES (1, 's', '{}', 0)`);
    const insert = db.prepare(`INSERT INTO runs (id, sweep_id, position, config, hash, seed, init_label,
      activation_label, status) VALUES (1, 1, 0, '{}', 'h', 1, 'i', 'a', ?)`);
    const update = db.prepare(`UPDATE runs SET status = ? WHERE id = 1`);
    for (const [from, to] of ALL_PAIRS) {
      db.exec('DELETE FROM runs');
      insert.run(from);
      const sqlAllows = (() => {
        try {
          update.run(to);
          return true;
        } catch {
          return false;
        }
      })();
      expect({ from, to, allowed: sqlAllows }).toEqual({ from, to, allowed: from === to || canTransitionRun(from, to) });
    }
    expect(() => insert.run('paused')).toThrow(/CHECK constraint/);
    db.close();
  });
});

describe('sweep status transitions', () => {
  it('finishes or cancels a running sweep and reopens a finished or cancelled one', () => {
    expect(transitionSweep('running', 'finished')).toBe('finished');
    expect(transitionSweep('running', 'cancelled')).toBe('cancelled');
    expect(transitionSweep('finished', 'running')).toBe('running');
    expect(transitionSweep('cancelled', 'running')).toBe('running');
  });

  it('treats setting the same status as a no-op and refuses finished ↔ cancelled', () => {
    for (const status of SWEEP_STATUSES) expect(transitionSweep(status, status)).toBe(status);
    expect(() => transitionSweep('finished', 'cancelled', 3)).toThrow(IllegalTransitionError);
    expect(() => transitionSweep('cancelled', 'finished', 3)).toThrow(/sweep 3: cannot go from 'cancelled' to 'finished'/);
  });

  it('mirrors the sweeps CHECK constraint', () => {
    const db = openDatabase(':memory:');
    const insert = db.prepare(`INSERT INTO sweeps (name, spec, status, created_at) VALUES ('s', '{}', ?, 0)`);
    for (const status of SWEEP_STATUSES) expect(() => insert.run(status)).not.toThrow();
    expect(() => insert.run('paused')).toThrow(/CHECK constraint/);
    db.close();
  });
});
