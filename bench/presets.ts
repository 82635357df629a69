// Whole presets end to end, native against TypeScript in the same run: the wall time of
// `initlab sweep <preset> --workers 2 --backend ts|native` on a fresh database, process start-up included.
// Runs the built CLI (`npm run build` first, so dist/ matches the sources). `npm run bench -- presets`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeCpuPaths } from '../workers/backend.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRESETS = ['seed-tour', 'deep-relu', 'mnist'];
const THREADS = 2;

function timeSweep(preset: string, backend: 'ts' | 'native'): { seconds: number; counts: string } {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-bench-'));
  try {
    const start = performance.now();
    const result = spawnSync(process.execPath, [
      join(ROOT, 'bin/initlab.js'), 'sweep', preset, '--db', join(dir, 'bench.db'),
      '--workers', String(THREADS), '--backend', backend,
    ], { encoding: 'utf8', env: { ...process.env, INITLAB_BACKEND: '' } });
    const seconds = (performance.now() - start) / 1000;
    if (result.status !== 0) throw new Error(`initlab sweep ${preset} --backend ${backend} failed: ${result.stderr}`);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { counts: Record<string, number> };
    const counts = Object.entries(summary.counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
    return { seconds, counts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  if (nativeCpuPaths().length === 0) {
    console.log('the native addon is not built: nothing to compare');
    return;
  }
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  console.log(`initlab sweep <preset> --workers ${THREADS}, wall time including start-up (native on ${nativeCpuPaths()[0]})`);
  for (const preset of PRESETS) {
    // native first, then ts, then native again: the two native passes bracket the long ts one
    const native1 = timeSweep(preset, 'native');
    const ts = timeSweep(preset, 'ts');
    const native2 = timeSweep(preset, 'native');
    const native = Math.min(native1.seconds, native2.seconds);
    console.log(
      `  ${preset.padEnd(10)} ts ${ts.seconds.toFixed(1).padStart(6)} s   native ${native1.seconds.toFixed(2)} s, ` +
      `${native2.seconds.toFixed(2)} s   native is ${(ts.seconds / native).toFixed(1)}× faster   (${native1.counts})`,
    );
  }
}
