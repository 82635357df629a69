// Shared helpers for the sweep spec tests: the issues a spec is rejected with.
import { ConfigError, type FieldIssue } from '../../workers/run-config.js';
import { expandSweep, parseSweepSpec, type SweepExpansion } from '../../server/sweep-spec.js';

/** The issues thrown by `fn` as a ConfigError; fails the test if it returns or throws anything else. */
export function issuesOf(fn: () => unknown): FieldIssue[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** Parses and expands a spec in one go, as the scheduler does. */
export function plan(input: unknown, maxRuns?: number): SweepExpansion {
  return expandSweep(parseSweepSpec(input), { maxRuns });
}
