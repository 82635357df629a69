// A stored run's config reads back as RunConfig (db/rows.ts decodes it once), so nothing in the server casts it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('typed run configs', () => {
  it('leaves no "as RunConfig" cast in server/ or views/', () => {
    const casts: string[] = [];
    for (const folder of ['server', 'views']) {
      for (const file of readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })) {
        if (!/\.tsx?$/.test(file)) continue;
        const text = readFileSync(join(ROOT, folder, file), 'utf8');
        if (/\bas RunConfig\b/.test(text)) casts.push(`${folder}/${file}`);
      }
    }
    expect(casts).toEqual([]);
  });
});
