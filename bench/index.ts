// `npm run bench`: every benchmark in turn, or only those named: `npm run bench -- core db`.
const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  core: () => import('./core.js'),
  db: () => import('./db.js'),
  sweep: () => import('./sweep.js'),
  pages: () => import('./pages.js'),
  presets: () => import('./presets.js'),
  parsing: () => import('./parsing.js'),
  cluster: () => import('./cluster.js'),
  load: () => import('./load.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  const suite = await load();
  await suite.run();
}
