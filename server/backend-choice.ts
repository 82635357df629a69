// Which backend a run trains on: its sweep's pin (spec `backend` and `cpuPath`) if it has one, else the process
// default, resolved once at start-up (--backend / INITLAB_BACKEND, else native when the addon loads). The choice
// itself, and why the default fell back, live in workers/backend.ts; this file only routes it.
import {
  BACKENDS, type BackendName, type BackendRequest, BackendError, nativeCpuPaths, resolveBackend,
} from '../workers/backend.js';
import type { FieldIssue } from '../workers/run-config.js';

/** A resolved backend as tasks carry it and runs record it: 'native' · 'avx512', 'ts' · 'js'. */
export interface RunBackend {
  backend: BackendName;
  cpuPath: string;
}

/** What a sweep pins: a backend and, optionally, the CPU path on it. */
export interface BackendPin {
  backend: BackendName;
  cpuPath?: string;
}

/** The default backend of this process (no request): native when the addon loads, else ts. */
export function defaultRunBackend(): RunBackend {
  const { backend, cpuPath } = resolveBackend();
  return { backend, cpuPath };
}

/** "native backend (avx512)"; without a CPU path, "native backend". */
export function describeBackend({ backend, cpuPath }: { backend: BackendName; cpuPath?: string }): string {
  return cpuPath === undefined ? `${backend} backend` : `${backend} backend (${cpuPath})`;
}

/**
 * Checks that a spec's `backend` and `cpuPath` can run on this machine; issues name the field. A CPU path needs
 * its backend named too (it belongs to one backend). A backend this machine cannot load is a `backend` issue; a
 * CPU path the backend cannot run is a `cpuPath` issue.
 */
export function backendPinIssues(backend: BackendName | undefined, cpuPath: string | undefined): FieldIssue[] {
  if (backend === undefined) {
    if (cpuPath === undefined) return [];
    const message = `expected "backend" too: a CPU path belongs to one backend (${BACKENDS.join(' or ')})`;
    return [{ path: 'cpuPath', message }];
  }
  try {
    resolveBackend({ backend, cpuPath });
    return [];
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    const loads = backend === 'ts' || nativeCpuPaths().length > 0;
    return [{ path: loads && cpuPath !== undefined ? 'cpuPath' : 'backend', message: error.message }];
  }
}

/** The pin a stored sweep spec carries, or null (specs are validated at submit; anything else is no pin). */
export function specPin(spec: unknown): BackendPin | null {
  const { backend, cpuPath } = (spec ?? {}) as { backend?: unknown; cpuPath?: unknown };
  if (typeof backend !== 'string' || !(BACKENDS as readonly string[]).includes(backend)) return null;
  return typeof cpuPath === 'string' ? { backend: backend as BackendName, cpuPath } : { backend: backend as BackendName };
}

/**
 * The request a run's task carries: the default unless its sweep pins another backend or CPU path. A pin without a
 * CPU path runs on the default's path when the backends agree, else on the pinned backend's best path here; when
 * that backend does not load here (a pinned sweep resumed on another machine), the worker reports why.
 */
export function runRequest(pin: BackendPin | null, defaults: RunBackend): BackendRequest & { backend: BackendName } {
  if (pin === null) return { ...defaults };
  if (pin.cpuPath !== undefined) return { backend: pin.backend, cpuPath: pin.cpuPath };
  if (pin.backend === defaults.backend) return { ...defaults };
  try {
    return { backend: pin.backend, cpuPath: resolveBackend({ backend: pin.backend }).cpuPath };
  } catch (error) {
    if (!(error instanceof BackendError)) throw error;
    return { backend: pin.backend };
  }
}
