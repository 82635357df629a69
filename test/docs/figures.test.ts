// README's "What the measurements show" cannot go stale: the cheap figures are re-measured here and the section
// must agree with them (`npm run figures -- --check --cheap`); the full check adds the seed-tour sweep.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FIGURE_GROUPS, type Figures } from '../../bench/figures/measure.js';
import { compareSection, formatFigure, readmeSection, renderSection } from '../../bench/figures/readme.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}/README.md`, 'utf8');
const template = readFileSync(`${root}/bench/figures/section.md`, 'utf8');

describe('npm run figures', () => {
  it('passes --check --cheap: the README agrees with freshly measured cheap figures', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/figures.ts', '--check', '--cheap'], { cwd: root });
    expect(stdout).toMatch(/^figures: README agrees with \d+ measured figures \(depth, relu-depth, selu, clipping, sigmoid-xavier, iris\)/m);
  });

  describe('the comparison', () => {
    const depth = FIGURE_GROUPS.find((g) => g.name === 'depth')!;
    const figures: Figures = {};
    for (const [key, value] of Object.entries(depth.measure(() => {}))) figures[`depth.${key}`] = value;
    const rendered = renderSection(template, figures, new Set(['depth']));
    const section = readmeSection(readme)!;

    it('accepts the README as it is, and finds every template figure of a measured group in it', () => {
      expect(compareSection(section, rendered, false)).toEqual([]);
      expect(section).toContain(`×${formatFigure(figures['depth.normal.ratio'], 'int')} end to end`);
    });

    it('reports a stale figure: the old ×2,800 where 10 × 64 tanh under N(0, 1) now measures ×4,646', () => {
      const stale = section.replace(/×[\d,]+ end to end at seed 1/, '×2,800 end to end at seed 1');
      expect(stale).not.toBe(section);
      const mismatches = compareSection(stale, rendered, false);
      expect(mismatches.map((m) => [m.found, m.expected])).toEqual([['2,800', formatFigure(figures['depth.normal.ratio'], 'int')]]);
    });

    it('allows 2% and the rounding of the last digit, not more', () => {
      const at = (text: string) => compareSection(text, rendered, false).length;
      const fixedPoint = formatFigure(figures['depth.normal.sqrtChi.steady'], 'f3'); // e.g. 2.118
      const bump = (factor: number) => section.replace(`√χ =\n  ${fixedPoint}`, `√χ =\n  ${(Number(fixedPoint) * factor).toFixed(3)}`)
        .replace(`√χ = ${fixedPoint}`, `√χ = ${(Number(fixedPoint) * factor).toFixed(3)}`);
      expect(bump(1.015)).not.toBe(section);
      expect(at(bump(1.015))).toBe(0);
      expect(at(bump(1.03))).toBe(1);
    });

    it('matches any number or word for the figures of groups it did not measure, but not changed prose', () => {
      expect(rendered).toContain('\u0001'); // seed-tour figures are wildcards here
      expect(compareSection(section.replace('ends diverged at epoch', 'ends exploded at epoch'), rendered, false)).toEqual([]);
      const changed = section.replace(/saturation\s+slows/, 'saturation stops');
      expect(changed).not.toBe(section);
      expect(compareSection(changed, rendered, false)).toHaveLength(1);
    });
  });
});
