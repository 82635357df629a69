import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listPresets } from '../../server/presets.js';
import { plan } from './helpers.js';

const doc = readFileSync(new URL('../../docs/sweep-spec.md', import.meta.url), 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]);

describe('docs/sweep-spec.md', () => {
  it('has JSON examples that parse and expand as pasted', () => {
    expect(jsonBlocks.length).toBeGreaterThanOrEqual(6);
    const counts = jsonBlocks.map((text) => plan(JSON.parse(text)).runs.length);
    // The counts the prose states, in the order of the examples.
    expect(counts).toEqual([12, 1, 4, 6, 3, 12, 12, 720]);
  });

  it('lists every preset with its run count', () => {
    for (const preset of listPresets()) {
      expect(doc).toMatch(new RegExp(`\\| \`${preset.name}\` \\|[^\\n]*\\| ${preset.runs} \\|`));
    }
  });
});
