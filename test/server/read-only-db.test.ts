// A database initlab cannot write is refused at start-up with one line, before crash recovery or any request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/open.js';
import { checkWritable, ReadOnlyDatabaseError } from '../../server/services.js';

describe('a read-only database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-ro-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails the start-up write probe with ReadOnlyDatabaseError naming the file, and passes a writable one', () => {
    const file = join(dir, 'probe.db');
    openDatabase(file).close();
    const writable = openDatabase(file);
    expect(() => checkWritable(writable, file)).not.toThrow();
    writable.close();
    // SQLite opens a write-protected file read-only without an error: this connection is in that state.
    const readOnly = openDatabase(file, { readonly: true });
    try {
      expect(() => checkWritable(readOnly, file)).toThrow(ReadOnlyDatabaseError);
      expect(() => checkWritable(readOnly, file)).toThrow(`the database ${file} is read-only`);
    } finally {
      readOnly.close();
    }
  });

  it('opens a reader (export, backup) that cannot write, even as a user who could write the file', () => {
    const file = join(dir, 'reader.db');
    openDatabase(file).close();
    const reader = openDatabase(file, { readonly: true });
    try {
      expect(reader.readonly).toBe(true);
      expect(() => reader.exec('CREATE TABLE written (x)')).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
      expect(reader.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name = 'written'`).get()).toEqual({ n: 0 });
    } finally {
      reader.close();
    }
  });
});
