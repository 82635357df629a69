// How many runs a spec makes and roughly how long they take: the form's live preview. Counts over the server's
// per-sweep limit are refused here as submit would refuse them.
import type { Store } from '../../db/store.js';
import { ConfigError } from '../../workers/run-config.js';
import { checkRunMemory } from '../run-memory.js';
import { countRuns, countSpecRuns, estimateRunCost, expandSweep, parseSweepSpec, type SweepSpec } from '../sweep-spec.js';
import type { PreviewProps } from '../../views/new-sweep.js';
import { calibrate, predictRunMs, type Calibration } from './calibration.js';
import { resolvedBase } from './spec-to-form.js';

/** What a preview needs of the server: the store (for the calibrated speed), threads and the per-sweep limit. */
export interface PreviewContext {
  store: Store;
  threads: number;
  maxRunsPerSweep: number;
  /** The per-run memory budget in MB (the scheduler's). */
  maxRunMb: number;
}

/** A duration with the range the calibration's measured error gives it, and what it was measured on. */
function estimateOf(calibration: Calibration, durationMs: number): Pick<PreviewProps, 'durationMs' | 'rangeMs' | 'basis'> {
  return {
    durationMs,
    rangeMs: [durationMs * calibration.low, durationMs * calibration.high],
    basis: calibration.runs === 0
      ? 'a default speed: nothing has been timed on this machine yet'
      : `from ${calibration.runs} ${calibration.backend ?? ''} run${calibration.runs === 1 ? '' : 's'} timed on this machine`,
  };
}

/** How many runs a spec makes and roughly how long they take on `threads` threads. */
export function previewSpec(specInput: unknown, { store, threads, maxRunsPerSweep, maxRunMb }: PreviewContext): PreviewProps {
  const overLimit = (count: number) => ({
    runs: count, durationMs: null, threads,
    error: `${count.toLocaleString('en-US')} runs: over the limit of ${maxRunsPerSweep.toLocaleString('en-US')} per sweep`,
  });
  const rawCount = countSpecRuns(specInput); // count first: a huge grid's values are never validated
  if (rawCount > maxRunsPerSweep) return overLimit(rawCount);
  let spec: SweepSpec;
  try {
    spec = parseSweepSpec(specInput, { maxRuns: maxRunsPerSweep });
  } catch (error) {
    if (error instanceof ConfigError) {
      const first = error.issues[0];
      const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
      return { runs: null, durationMs: null, threads, error: `${first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid spec'}${more}` };
    }
    throw error;
  }
  const count = countRuns(spec);
  if (count > maxRunsPerSweep) return overLimit(count);
  const calibration = calibrate(store, spec.backend);
  const estimate = (runMs: number) => estimateOf(calibration, runMs / Math.max(1, threads));
  try {
    if (count <= 2000) {
      const plan = expandSweep(spec);
      checkRunMemory(spec, plan.runs, maxRunMb);
      const runMs = plan.runs.reduce((sum, r) => sum + predictRunMs(calibration, estimateRunCost(r.config)), 0);
      return { runs: plan.runs.length, ...estimate(runMs), threads, duplicates: plan.duplicates };
    }
    const base = resolvedBase(spec); // a large grid: the base stands for every run, as it does for the duration
    checkRunMemory(spec, [{ config: base }], maxRunMb);
    return { runs: count, ...estimate(count * predictRunMs(calibration, estimateRunCost(base))), threads };
  } catch (error) {
    if (error instanceof ConfigError) {
      const first = error.issues[0];
      return { runs: null, durationMs: null, threads, error: first ? `${first.path}: ${first.message}` : 'invalid spec' };
    }
    throw error;
  }
}
