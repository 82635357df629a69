// The CLI end to end, in-process: a preset swept headless with an export, export and presets commands, bad input.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli.js';
import { capture } from '../helpers/capture.js';

describe('initlab CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-'));
  const db = join(dir, 'cli.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sweeps a preset to completion headless and writes the CSV export', async () => {
    const csvFile = join(dir, 'normalization.csv');
    const c = capture();
    const code = await main(['sweep', 'normalization', '--db', db, '--workers', '2', '--export', csvFile], c.io);
    expect(code, c.err()).toBe(0);
    expect(c.err()).toMatch(/18\/18 done/);
    const summary = JSON.parse(c.out().trim());
    expect(summary).toMatchObject({ sweep: 1, status: 'finished' });
    const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(18);
    expect(rows[0]).toHaveProperty('dataset.normalize');
    expect(new Set(rows.map((r) => r['dataset.normalize']))).toEqual(new Set(['none', 'standard', 'minmax']));
    for (const row of rows) expect(['succeeded', 'diverged']).toContain(row.status);
  });

  it('prints the usage for --help or -h after any command, with exit 0 and nothing started', async () => {
    for (const argv of [['serve', '--help'], ['sweep', 'seed-tour', '-h'], ['export', '--help'], ['--help'], ['help']]) {
      const c = capture();
      expect(await main(argv, c.io), argv.join(' ')).toBe(0);
      expect(c.out()).toMatch(/^usage: initlab <command> \[options\]/);
      expect(c.err()).toBe('');
    }
    const c = capture();
    expect(await main(['serve', '--hlep'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--hlep/);
  });

  it('exports a finished sweep to stdout as a LaTeX pivot', async () => {
    const c = capture();
    const code = await main(['export', '1', '--format', 'latex', '--pivot', 'final_val_acc', '--db', db], c.io);
    expect(code, c.err()).toBe(0);
    expect(c.out()).toContain('\\begin{tabular}');
    expect(c.out()).toContain('\\end{tabular}');
  });

  it('rejects a bad spec with its field paths and a non-zero exit', async () => {
    const specFile = join(dir, 'bad.json');
    writeFileSync(specFile, JSON.stringify({ name: 'bad', base: { train: { epochs: 0 } } }));
    const c = capture();
    expect(await main(['sweep', specFile, '--db', db], c.io)).toBe(2);
    expect(c.err()).toContain('base.train.epochs');

    writeFileSync(specFile, JSON.stringify({ name: 'bad', grid: { 'model.init': ['zeros', 'nope'] } }));
    const d = capture();
    expect(await main(['sweep', specFile, '--db', db], d.io)).toBe(2);
    expect(d.err()).toContain('grid.model.init[1]');
  });

  it('names an unknown preset and lists the real ones', async () => {
    const c = capture();
    expect(await main(['sweep', 'no-such-preset', '--db', db], c.io)).toBe(2);
    expect(c.err()).toContain('seed-tour');
  });

  it('lists the presets with their run counts', async () => {
    const c = capture();
    expect(await main(['presets'], c.io)).toBe(0);
    expect(c.out()).toMatch(/seed-tour\s+84 runs/);
  });

  it('reports an unknown sweep id on export', async () => {
    const c = capture();
    expect(await main(['export', '99', '--format', 'csv', '--db', db], c.io)).toBe(3);
    expect(c.err()).toMatch(/99/);
  });
});

describe('initlab sweep --max-runs', () => {
  it('refuses a sweep over the configured limit, naming the count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-limit-'));
    try {
      const specFile = join(dir, 'big.json');
      writeFileSync(specFile, JSON.stringify({ name: 'too big', grid: { seed: Array.from({ length: 30 }, (_, i) => i) } }));
      const c = capture();
      expect(await main(['sweep', specFile, '--db', join(dir, 'x.db'), '--max-runs', '20'], c.io)).toBe(2);
      expect(c.err()).toMatch(/30 runs, over the limit of 20/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('initlab sweep on a database in use', () => {
  it('refuses with the owner\'s pid instead of recovering its runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-busy-'));
    const { openServices } = await import('../../server/services.js');
    const { createFakeExecutor } = await import('../helpers/fake-executor.js');
    const owner = openServices({ dbFile: join(dir, 'busy.db'), executor: createFakeExecutor(1) });
    try {
      const c = capture();
      expect(await main(['sweep', 'normalization', '--db', join(dir, 'busy.db')], c.io)).toBe(1);
      expect(c.err()).toContain(`pid ${process.pid}`);
    } finally {
      await owner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('initlab sweep errors before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-cli-errors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a missing spec file or a directory with exit 2 and a one-line message, no stack trace', async () => {
    const c = capture();
    expect(await main(['sweep', join(dir, 'missing.json'), '--db', join(dir, 'e.db')], c.io)).toBe(2);
    expect(c.err()).toMatch(/missing\.json: no such file/);
    const d = capture();
    expect(await main(['sweep', dir, '--db', join(dir, 'e.db')], d.io)).toBe(2);
    expect(d.err()).toMatch(/is a directory/);
    for (const text of [c.err(), d.err()]) expect(text).not.toMatch(/\n\s+at /);
  });

  it('refuses an export target in a folder that does not exist before running the sweep', async () => {
    const c = capture();
    expect(await main(['sweep', 'normalization', '--db', join(dir, 'e.db'), '--export', '/no/such/dir/out.csv'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--export \/no\/such\/dir\/out\.csv: no folder/);
    expect(c.err()).not.toMatch(/runs on/);   // no sweep was created
  });

  it('cancels on SIGTERM like Ctrl-C: runs left cancelled, none running, the lock file released', async () => {
    const dbFile = join(dir, 'term.db');
    const c = capture();
    let sent = false;   // the first progress line comes once the sweep is under way
    c.io.stderr.on('data', (chunk) => { if (!sent && /\/84 done/.test(String(chunk))) { sent = true; process.emit('SIGTERM'); } });
    expect(await main(['sweep', 'seed-tour', '--db', dbFile, '--workers', '1'], c.io)).toBe(143);
    expect(c.err()).toMatch(/SIGTERM: cancelling sweep 1/);
    expect(existsSync(`${dbFile}.lock`)).toBe(false);
    const db = new Database(dbFile, { readonly: true });
    try {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status IN ('running', 'queued')`).get()).toEqual({ n: 0 });
      expect(db.prepare(`SELECT status FROM sweeps WHERE id = 1`).get()).toEqual({ status: 'cancelled' });
    } finally {
      db.close();
    }
  });
});
