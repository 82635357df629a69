#!/usr/bin/env node
// initlab's command line: runs the compiled CLI from dist/ (built by `npm install`'s prepare step).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('initlab: dist/ is missing; run `npm install` (or `npm run build`) first.');
  process.exit(1);
}
const { main } = await import(compiled);
process.exitCode = await main(process.argv.slice(2));
