// `npm run figures [-- GROUP…] [--check] [--cheap] [--write]`: re-measures the figures README's "What the
// measurements show" quotes (bench/figures/measure.ts), renders the section from bench/figures/section.md, and
//   (no flag)  prints each measured group's figures and its run configs;
//   --write    measures every group and rewrites the README section;
//   --check    exits 1 when the README section disagrees with the measurement (readme.ts states the tolerance);
//   --cheap    only the groups that take seconds (what `npm test` checks); the seed-tour table is then skipped.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FIGURE_GROUPS, type Figures } from './figures/measure.js';
import { compareSection, readmeSection, renderSection, replaceSection, TOLERANCE, wrapSection } from './figures/readme.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { check: { type: 'boolean' }, cheap: { type: 'boolean' }, write: { type: 'boolean' } },
});
const known = FIGURE_GROUPS.map((g) => g.name);
for (const name of positionals) {
  if (!known.includes(name)) {
    console.error(`figures: unknown group "${name}"; groups: ${known.join(', ')}`);
    process.exit(2);
  }
}
const groups = FIGURE_GROUPS.filter((g) => (positionals.length > 0 ? positionals.includes(g.name) : !values.cheap || g.cost === 'cheap'));
if (values.write && groups.length !== FIGURE_GROUPS.length) {
  console.error('figures: --write measures every group; drop --cheap and group names');
  process.exit(2);
}

const figures: Figures = {};
for (const group of groups) {
  const started = performance.now();
  const measured = group.measure((line) => console.error(line));
  for (const [key, value] of Object.entries(measured)) figures[`${group.name}.${key}`] = value;
  console.error(`${group.name}: measured in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (!values.check && !values.write) {
    console.log(`## ${group.name} (${group.cost})`);
    for (const [key, value] of Object.entries(measured)) console.log(typeof value === 'string' && value.includes('\n') ? value : `${key} = ${value}`);
    console.log(`# runs (npx initlab train --backend ts, one config a line):`);
    for (const config of group.configs()) console.log(JSON.stringify(config));
  }
}

if (values.check || values.write) {
  const template = readFileSync(`${root}/bench/figures/section.md`, 'utf8');
  const rendered = renderSection(template, figures, new Set(groups.map((g) => g.name)));
  const readme = readFileSync(`${root}/README.md`, 'utf8');
  if (values.write) {
    writeFileSync(`${root}/README.md`, replaceSection(readme, `\n${wrapSection(rendered.trim())}\n\n`));
    console.log('README.md: "What the measurements show" rewritten');
  } else {
    const section = readmeSection(readme);
    if (section === null) {
      console.error('figures: README.md has no figures markers');
      process.exit(1);
    }
    const mismatches = compareSection(section, rendered, groups.some((g) => g.cost === 'full'));
    for (const m of mismatches) console.error(`README says ${m.found}, measured ${m.expected}: …${m.context}…`);
    const checked = Object.keys(figures).length;
    if (mismatches.length > 0) {
      console.error(`figures: ${mismatches.length} disagreement(s) beyond ${TOLERANCE * 100}% (groups: ${groups.map((g) => g.name).join(', ')})`);
      process.exit(1);
    }
    console.log(`figures: README agrees with ${checked} measured figures (${groups.map((g) => g.name).join(', ')}) within ${TOLERANCE * 100}%`);
  }
}
