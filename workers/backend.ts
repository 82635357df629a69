// Which engine trains a run: native (the C++ addon) by default when it loads, TypeScript otherwise.
// `INITLAB_BACKEND=ts|native` or `--backend` chooses explicitly; a run records the backend and CPU path it used,
// and a replay asks for the same pair.
import { BACKENDS, type BackendName, createTsEngine, type EngineFactory } from './core/engine.js';
import { loadAddon } from './native/addon.js';
import { createNativeEngineFactory } from './native/engine.js';

export { BACKENDS, type BackendName } from './core/engine.js';

/** A backend request: a name (or undefined for the default) and, for native, an optional CPU path. */
export interface BackendRequest {
  backend?: BackendName;
  cpuPath?: string;
}

export interface ResolvedBackend {
  backend: BackendName;
  cpuPath: string;
  engine: EngineFactory;
  /** Set when the default fell back to TypeScript: one line saying why. */
  fallback: string | null;
}

/** A request that cannot be met (native asked for but not built, an unknown CPU path). */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly code = 'backend_unavailable';
  readonly status = 400;
}

/** Parses a backend name from an option or environment value; errors name where it came from. */
export function parseBackendName(value: string | undefined, source: string): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new BackendError(`${source} must be one of ${BACKENDS.join(', ')}, got "${value}"`);
}

/** The CPU paths the native backend can run here, best first ([] when the addon does not load). */
export function nativeCpuPaths(): string[] {
  const { addon } = loadAddon();
  return addon === null ? [] : addon.cpuPaths();
}

/**
 * Resolves a request. Default: native on the best CPU path if the addon loads (`INITLAB_CPU_PATH` forces another
 * path, e.g. avx2 on an AVX-512 machine), else TypeScript with a fallback line. Explicit native that cannot load,
 * or a CPU path this machine cannot run, throws BackendError.
 */
export function resolveBackend(request: BackendRequest = {}): ResolvedBackend {
  if (request.backend === 'ts') {
    if (request.cpuPath !== undefined && request.cpuPath !== 'js') {
      throw new BackendError(`the ts backend runs on CPU path "js", not "${request.cpuPath}"`);
    }
    return { backend: 'ts', cpuPath: 'js', engine: createTsEngine, fallback: null };
  }
  const { addon, reason } = loadAddon();
  if (addon === null) {
    if (request.backend === 'native' || request.cpuPath !== undefined) {
      throw new BackendError(`the native backend is unavailable: ${reason}`);
    }
    return {
      backend: 'ts', cpuPath: 'js', engine: createTsEngine,
      fallback: `native backend unavailable (${reason}); training with the TypeScript backend`,
    };
  }
  const paths = addon.cpuPaths();
  const forced = process.env.INITLAB_CPU_PATH || undefined;
  const cpuPath = request.cpuPath ?? forced ?? paths[0];
  if (!paths.includes(cpuPath)) {
    const source = request.cpuPath !== undefined ? 'CPU path' : 'INITLAB_CPU_PATH';
    throw new BackendError(`${source} "${cpuPath}" is not available on this machine (it runs: ${paths.join(', ')})`);
  }
  return { backend: 'native', cpuPath, engine: createNativeEngineFactory(addon, cpuPath), fallback: null };
}
