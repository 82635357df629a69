// The README's examples work when pasted: the TypeScript example is the file it names and runs as shown,
// and the shell commands it lists name real CLI commands and presets.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPresets } from '../../server/presets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}/README.md`, 'utf8');

describe('README', () => {
  it('embeds examples/core-api.ts verbatim, and that example runs', () => {
    const example = readFileSync(`${root}/examples/core-api.ts`, 'utf8');
    expect(readme).toContain(example.trim());
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/core-api.ts'], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^params 371, loss \d\.\d{4}, grads 371$/m);
    expect(out).toMatch(/^epoch 3: val loss .* distinct units per layer 1\/32 1\/32/m);
    expect(out).toMatch(/^succeeded .*symmetric/m);
    expect(out).toMatch(/^iris validation accuracy 0\.9\d|^iris validation accuracy 1\.00/m);
  });

  it('names only presets that exist', () => {
    const names = new Set(listPresets().map((p) => p.name));
    for (const [, name] of readme.matchAll(/initlab sweep ([a-z][a-z0-9-]+)\b/g)) expect(names, name).toContain(name);
    for (const [, name] of readme.matchAll(/"preset": "([a-z0-9-]+)"/g)) expect(names, name).toContain(name);
  });
});
