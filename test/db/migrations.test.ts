import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaVersionError } from '../../db/errors.js';
import { MIGRATIONS, applyMigrations, schemaVersion, type Migration } from '../../db/migrations.js';
import { openDatabase } from '../../db/open.js';
import { createStore } from '../../db/store.js';
import { createGridSweep, summary } from './fixtures.js';

const dirs: string[] = [];
function tempFile(name = 'initlab.db'): string {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-db-'));
  dirs.push(dir);
  return join(dir, 'nested', 'folder', name);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the parent folder, turns on WAL, NORMAL sync, foreign keys and a busy timeout', () => {
    const file = tempFile();
    const db = openDatabase(file);
    expect(existsSync(file)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);   // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('records the schema version and creates every table', () => {
    const db = openDatabase(':memory:');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['epoch_metrics', 'id_watermarks', 'layer_metrics', 'runs', 'sweeps', 'writer_claim']);
    const withoutRowid = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'`)
      .pluck().all();
    expect(withoutRowid.sort()).toEqual(['epoch_metrics', 'layer_metrics']);
    db.close();
  });

  it('keeps the data and the version when an existing file is opened again', () => {
    const file = tempFile();
    const first = openDatabase(file);
    const { id, runIds } = createGridSweep(createStore(first), { seeds: [1, 2, 3] });
    first.close();

    const second = openDatabase(file);
    expect(schemaVersion(second)).toBe(MIGRATIONS.length);
    const store = createStore(second);
    expect(store.getSweep(id).name).toBe('grid');
    expect(store.listRuns(id).runs.map((r) => r.id)).toEqual(runIds);
    second.close();
  });

  it('plans queries for the pages and exports through the indexes', () => {
    const db = openDatabase(':memory:');
    const plan = (sql: string) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all()
      .map((row) => (row as { detail: string }).detail).join('; ');
    expect(plan(`SELECT id FROM runs WHERE sweep_id = 1 AND status = 'queued' ORDER BY position LIMIT 5`))
      .toMatch(/runs_by_sweep_status/);
    expect(plan(`SELECT * FROM runs WHERE sweep_id = 1 AND position > 10 ORDER BY position LIMIT 500`))
      .toMatch(/sqlite_autoindex_runs_2|USING INDEX/);
    expect(plan(`SELECT * FROM runs WHERE sweep_id = 1 AND init_label = 'x' AND activation_label = 'y'`))
      .toMatch(/runs_by_sweep_cell/);
    db.close();
  });
});

describe('applyMigrations', () => {
  const next = MIGRATIONS.length + 1;
  const extra: Migration = {
    version: next, name: 'add a note column', up: (db) => db.exec(`ALTER TABLE sweeps ADD COLUMN note TEXT`),
  };

  it('applies only the steps after the recorded version', () => {
    const file = tempFile();
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(applyMigrations(db, MIGRATIONS)).toEqual([]);
    expect(applyMigrations(db, [...MIGRATIONS, extra])).toEqual([next]);
    expect(schemaVersion(db)).toBe(next);
    const columns = db.prepare(`SELECT name FROM pragma_table_info('sweeps')`).pluck().all();
    expect(columns).toContain('note');
    db.close();
  });

  it('rolls a failing step back and leaves the version where it was', () => {
    const db = openDatabase(':memory:');
    const broken: Migration = {
      version: next, name: 'half done', up: (d) => { d.exec(`CREATE TABLE scratch (x)`); d.exec(`NOT SQL`); },
    };
    expect(() => applyMigrations(db, [...MIGRATIONS, broken])).toThrow();
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'scratch'`).pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer schema', () => {
    const db = openDatabase(':memory:');
    db.pragma('user_version = 99');
    expect(() => applyMigrations(db)).toThrow(SchemaVersionError);
    db.close();
  });

  it('refuses a migration list whose versions are out of order', () => {
    const db = openDatabase(':memory:');
    expect(() => applyMigrations(db, [{ ...extra, version: 3 }])).toThrow(/expected 1/);
    db.close();
  });
});

describe('migration 2: runs record their backend and CPU path', () => {
  it('adds backend and cpu_path to a version-1 database, leaving its finished runs NULL', () => {
    // A database as the first release left it: schema version 1, one sweep with a finished and a queued run.
    const file = tempFile('v1.db');
    mkdirSync(dirname(file), { recursive: true });
    const v1 = new BetterSqlite3(file);
    applyMigrations(v1, MIGRATIONS.slice(0, 1));
    v1.exec(`INSERT INTO sweeps (id, name, spec, created_at) VALUES (1, 'old', '{}', 1000);
      INSERT INTO runs (id, sweep_id, position, config, hash, seed, init_label, activation_label, status,
                        verdicts, started_at, finished_at, duration_ms, epochs_completed, final_val_acc)
        VALUES (1, 1, 0, '{"seed":1}', 'a', 1, 'zeros', 'tanh', 'succeeded', '[]', 10, 20, 10, 3, 0.5),
               (2, 1, 1, '{"seed":2}', 'b', 2, 'zeros', 'tanh', 'queued', NULL, NULL, NULL, NULL, 0, NULL);`);
    expect(schemaVersion(v1)).toBe(1);
    v1.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const columns = db.prepare(`SELECT name FROM pragma_table_info('runs')`).pluck().all();
    expect(columns).toEqual(expect.arrayContaining(['backend', 'cpu_path']));
    const store = createStore(db);
    expect(store.getRun(1)).toMatchObject({ status: 'succeeded', finalValAcc: 0.5, backend: null, cpuPath: null });

    // New results on the migrated file record their backend; the old run keeps NULL.
    store.startRun(2);
    store.finishRun(2, summary({ backend: 'ts', cpuPath: 'js' }));
    expect(store.getRun(2)).toMatchObject({ backend: 'ts', cpuPath: 'js' });
    expect(store.getRun(1)).toMatchObject({ backend: null, cpuPath: null });
    db.close();
  });
});

describe('migration 3: sweeps record the run they replay', () => {
  it('marks the replays an older version made, by both of their marks, and no sweep merely named like one', () => {
    const file = tempFile('v2.db');
    mkdirSync(dirname(file), { recursive: true });
    const v2 = new BetterSqlite3(file);
    applyMigrations(v2, MIGRATIONS.slice(0, 2));
    const replaySpec = JSON.stringify({ name: 'replay of run 1 (old)', description: 'Replays run 1 of sweep 1 with the same config and seed.' });
    const namedSpec = JSON.stringify({ name: 'replay of run 1 (mine)', description: 'my own sweep' });
    v2.prepare(`INSERT INTO sweeps (id, name, spec, created_at) VALUES (?, ?, ?, 1000)`).run(1, 'old', '{}');
    v2.prepare(`INSERT INTO sweeps (id, name, spec, created_at) VALUES (?, ?, ?, 1000)`).run(2, 'replay of run 1 (old)', replaySpec);
    v2.prepare(`INSERT INTO sweeps (id, name, spec, created_at) VALUES (?, ?, ?, 1000)`).run(3, 'replay of run 1 (mine)', namedSpec);
    v2.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const store = createStore(db);
    expect(store.getSweep(1).replayOf).toBeNull();
    expect(store.getSweep(2).replayOf).toBe(1);
    expect(store.getSweep(3).replayOf).toBeNull();
    db.close();
  });

  it('stores replayOf as given when a sweep is created, and null by default', () => {
    const store = createStore(openDatabase(':memory:'));
    const plain = createGridSweep(store);
    const replay = store.createSweep({ name: 'anything at all', spec: {}, varying: [], runs: [], replayOf: 7 });
    expect(store.getSweep(plain.id).replayOf).toBeNull();
    expect(store.getSweep(replay.id).replayOf).toBe(7);
    expect(store.listSweeps().find((s) => s.id === replay.id)?.replayOf).toBe(7);
  });
});
