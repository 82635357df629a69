// The project's import graph, type-only and dynamic imports included: no cycles, and dependencies point the way
// README's Architecture section says (server → db, views, workers; views → workers/core; db → workers/core types).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FOLDERS = ['server', 'workers', 'views', 'db'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => join(folder, f).replace(/\\/g, '/'));
}

/** Project-relative file → the project files it imports (static, type-only, re-exports and dynamic imports). */
function importGraph(): Map<string, string[]> {
  const files = FOLDERS.flatMap(sourceFiles);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = relative(ROOT, resolve(ROOT, dirname(file), fileName)).replace(/\\/g, '/');
      const stem = base.replace(/\.js$/, '');
      const target = [`${stem}.ts`, `${stem}.tsx`, base].find((c) => known.has(c));
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every cycle's files, one list per strongly connected component of more than one file (or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  function visit(v: string) {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import graph', () => {
  const graph = importGraph();

  it('reads the project (the check is not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('server/app.ts')).toContain('server/routes/pages.ts');
  });

  it('finds a cycle when there is one', () => {
    const looped = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycles(looped)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has no cycles, type-only and dynamic imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('points one way: db and views reach only the pure core, and the core imports nothing else', () => {
    const bad: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const ok = file.startsWith('db/') ? target.startsWith('db/') || target.startsWith('workers/core/')
          : file.startsWith('views/') ? target.startsWith('views/') || target.startsWith('workers/core/')
          : file.startsWith('workers/core/') ? target.startsWith('workers/core/')
          : file.startsWith('workers/') ? target.startsWith('workers/')
          : true;
        if (!ok) bad.push(`${file} → ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
