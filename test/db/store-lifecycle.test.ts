import { describe, expect, it } from 'vitest';
import { ConflictError, IllegalTransitionError, InvalidQueryError, NotFoundError } from '../../db/errors.js';
import type { Store } from '../../db/store.js';
import { createGridSweep, epochMetrics, gridRuns, memoryStore, summary, writeEpochs } from './fixtures.js';

function metricRows(store: Store, runId: number): { epochs: number; layers: number } {
  const count = (table: string) =>
    store.db.prepare(`SELECT count(*) FROM ${table} WHERE run_id = ?`).pluck().get(runId) as number;
  return { epochs: count('epoch_metrics'), layers: count('layer_metrics') };
}

function runToCompletion(store: Store, runId: number, status: 'succeeded' | 'diverged' = 'succeeded') {
  store.startRun(runId, 100);
  writeEpochs(store, runId, [epochMetrics(0), epochMetrics(1), epochMetrics(2)]);
  return store.finishRun(runId, summary({ status }));
}

describe('creating and reading sweeps', () => {
  it('inserts a sweep and its runs queued, in one transaction, in position order', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2], activations: ['tanh', 'relu'] });
    expect(runIds).toHaveLength(4);
    const sweep = store.getSweep(id);
    expect(sweep).toMatchObject({
      id, name: 'grid', status: 'running', varying: ['model.init', 'model.activation', 'seed'],
      runLimit: null, createdAt: 1000, finishedAt: null,
    });
    const runs = store.listRuns(id).runs;
    expect(runs.map((r) => r.position)).toEqual([0, 1, 2, 3]);
    expect(runs[1]).toMatchObject({
      status: 'queued', attempt: 1, seed: 2, initLabel: 'xavier_uniform', activationLabel: 'tanh',
      verdicts: null, epochsCompleted: 0, finalValAcc: null,
    });
    expect(runs[1].config).toEqual({ model: { hidden: [8, 8, 8], init: 'xavier_uniform', activation: 'tanh' },
      train: { lr: 0.05 }, seed: 2 });
  });

  it('refuses two runs with one config hash and leaves nothing behind', () => {
    const store = memoryStore();
    const runs = gridRuns({ seeds: [1, 2] });
    runs[1].hash = runs[0].hash;
    expect(() => store.createSweep({ name: 'dup', spec: {}, varying: [], runs }))
      .toThrow(ConflictError);
    expect(store.listSweeps()).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(0);
  });

  it('lists sweeps newest first with a count per status', () => {
    const store = memoryStore();
    const a = createGridSweep(store, { name: 'a', seeds: [1, 2, 3] });
    const b = createGridSweep(store, { name: 'b', seeds: [1] });
    store.startRun(a.runIds[0]);
    store.cancelRun(a.runIds[1]);
    const list = store.listSweeps();
    expect(list.map((s) => s.name)).toEqual(['b', 'a']);
    expect(list[1].counts).toEqual({ total: 3, queued: 1, running: 1, succeeded: 0, diverged: 0, failed: 0, cancelled: 1 });
    expect(list[0].counts.total).toBe(1);
    expect(store.sweepCounts(b.id)).toEqual(list[0].counts);
  });

  it('answers NotFoundError (404) for unknown sweeps and runs', () => {
    const store = memoryStore();
    expect(() => store.getSweep(9)).toThrow(NotFoundError);
    expect(() => store.sweepCounts(9)).toThrow(NotFoundError);
    expect(() => store.listRuns(9)).toThrow(NotFoundError);
    let caught: unknown;
    try {
      store.getRun(42);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'NotFoundError', code: 'not_found', status: 404, message: 'run 42 not found' });
  });

});

describe('a run through its life', () => {
  it('lists queued runs in position order and starts one', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3, 4] });
    expect(store.queuedRunIds(id, 2)).toEqual(runIds.slice(0, 2));
    expect(store.queuedRunIds(id)).toEqual(runIds);
    const started = store.startRun(runIds[0], 777);
    expect([started.id, started.status, started.startedAt]).toEqual([runIds[0], 'running', 777]);
    expect(store.queuedRunIds(id, 10)).toEqual(runIds.slice(1));
    expect(() => store.queuedRunIds(id, -1)).toThrow(InvalidQueryError);
  });

  it('starts the still-queued ones of several runs together, in the given order, skipping the others', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2, 3, 4, 5] });
    store.cancelRun(runIds[1]);
    store.startRun(runIds[3], 5);
    const started = store.startQueuedRuns([runIds[4], runIds[0], runIds[1], runIds[3], runIds[2]], 900);
    expect(started.map((r) => [r.id, r.status, r.startedAt])).toEqual([
      [runIds[4], 'running', 900], [runIds[0], 'running', 900], [runIds[2], 'running', 900],
    ]);
    expect(store.getRun(runIds[1]).status).toBe('cancelled');
    expect(store.getRun(runIds[3]).startedAt).toBe(5);
    expect(store.startQueuedRuns([runIds[0]])).toEqual([]);
  });

  it('finishes several runs in one transaction with their finals, or none of them if one may not finish', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2, 3] });
    store.startQueuedRuns(runIds, 10);
    writeEpochs(store, runIds[0], [epochMetrics(0, { trainLoss: 2 }), epochMetrics(1, { trainLoss: 0.5 })]);
    writeEpochs(store, runIds[1], [epochMetrics(0, { trainLoss: 3 })]);
    store.cancelRun(runIds[2]);
    const outcomes = [
      { runId: runIds[0], summary: summary({ durationMs: 4 }) },
      { runId: runIds[1], summary: summary({ status: 'diverged' }) },
    ];
    expect(() => store.finishRuns([...outcomes, { runId: runIds[2], summary: summary() }])).toThrow(IllegalTransitionError);
    expect(runIds.map((id) => store.getRun(id).status)).toEqual(['running', 'running', 'cancelled']);
    store.finishRuns(outcomes);
    expect(store.getRun(runIds[0])).toMatchObject({ status: 'succeeded', durationMs: 4, finalTrainLoss: 0.5, bestTrainLoss: 0.5 });
    expect(store.getRun(runIds[1])).toMatchObject({ status: 'diverged', finalTrainLoss: 3 });
  });

  it('finishes a run and derives final and best losses and accuracies from its stored epochs', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0], 100);
    writeEpochs(store, runIds[0], [
      epochMetrics(0, { trainLoss: 2.0, trainAcc: 0.3, valLoss: 2.1, valAcc: 0.25 }),
      epochMetrics(1, { trainLoss: 0.5, trainAcc: 0.9, valLoss: 0.6, valAcc: 0.85 }),
      epochMetrics(2, { trainLoss: 0.7, trainAcc: 0.8, valLoss: 0.9, valAcc: 0.8 }),
    ]);
    const run = store.finishRun(runIds[0], summary({
      verdicts: [{ kind: 'healthy', evidence: 'fine', value: Infinity }], theoryPreVar: [1, NaN, -Infinity],
    }));
    expect(run).toMatchObject({
      status: 'succeeded', startedAt: 100, finishedAt: 5000, durationMs: 1234, epochsCompleted: 3,
      finalTrainLoss: 0.7, finalTrainAcc: 0.8, finalValLoss: 0.9, finalValAcc: 0.8,
      bestTrainLoss: 0.5, bestTrainAcc: 0.9, bestValLoss: 0.6, bestValAcc: 0.85,
    });
    expect(run.verdicts).toEqual([{ kind: 'healthy', evidence: 'fine', value: Infinity }]);
    expect(run.theoryPreVar).toEqual([1, NaN, -Infinity]);
  });

  it('records the backend and CPU path a run finished on, and forgets them when the run is queued again', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    expect(store.getRun(runIds[0])).toMatchObject({ backend: null, cpuPath: null });
    store.startRun(runIds[0]);
    expect(store.getRun(runIds[0])).toMatchObject({ backend: null, cpuPath: null });
    expect(store.finishRun(runIds[0], summary({ backend: 'native', cpuPath: 'avx2' })))
      .toMatchObject({ backend: 'native', cpuPath: 'avx2' });
    store.requeueRun(runIds[0]);
    expect(store.getRun(runIds[0])).toMatchObject({ status: 'queued', backend: null, cpuPath: null });

    store.startRun(runIds[1]);
    const { backend: _b, cpuPath: _c, ...withoutBackend } = summary();
    expect(store.finishRun(runIds[1], withoutBackend)).toMatchObject({ backend: null, cpuPath: null });
  });

  it('refuses a backend name outside ts and native at the bottom', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    expect(() => store.finishRun(runIds[0], summary({ backend: 'cuda' as 'native' }))).toThrow(/CHECK constraint/);
    expect(store.getRun(runIds[0])).toMatchObject({ status: 'running', backend: null });
  });

  it('takes final values from the caller when given and records a divergence', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0]);
    const finals = { finalTrainLoss: null, finalTrainAcc: 0.1, finalValLoss: null, finalValAcc: 0.1,
      bestTrainLoss: 2, bestTrainAcc: 0.1, bestValLoss: 2, bestValAcc: 0.1 };
    const divergence = { epoch: 3, step: 31, layer: 2, quantity: 'parameter' };
    const run = store.finishRun(runIds[0], summary({ status: 'diverged', divergence, finals }));
    expect(run).toMatchObject({ status: 'diverged', divergence, ...finals });
  });

  it('records a failure with its error', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store);
    store.startRun(runIds[0], 10);
    const run = store.failRun(runIds[0], 'Error: worker exited', 20, 10);
    expect(run).toMatchObject({ status: 'failed', error: 'Error: worker exited', finishedAt: 20, durationMs: 10 });
  });

  it('refuses illegal moves with IllegalTransitionError and changes nothing', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    expect(() => store.finishRun(runIds[0], summary())).toThrow(IllegalTransitionError);   // queued → succeeded
    expect(() => store.failRun(runIds[0], 'x')).toThrow(IllegalTransitionError);           // queued → failed
    expect(() => store.requeueRun(runIds[0])).toThrow(IllegalTransitionError);             // queued → queued
    runToCompletion(store, runIds[1]);
    expect(() => store.startRun(runIds[1])).toThrow(IllegalTransitionError);               // succeeded → running
    expect(() => store.cancelRun(runIds[1])).toThrow(IllegalTransitionError);              // succeeded → cancelled
    expect(() => store.finishRun(runIds[1], summary({ status: 'diverged' }))).toThrow(/'succeeded' to 'diverged'/);
    expect(store.getRun(runIds[0]).status).toBe('queued');
    expect(store.getRun(runIds[1])).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('cancels a queued or running run and reports what it was', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    store.startRun(runIds[1]);
    expect(store.cancelRun(runIds[0], 50)).toBe('queued');
    expect(store.cancelRun(runIds[1], 60)).toBe('running');
    expect(store.getRun(runIds[1])).toMatchObject({ status: 'cancelled', finishedAt: 60 });
  });
});

describe('sweeps finishing and cancelling', () => {
  it('finishes a sweep only when nothing is queued or running', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2] });
    runToCompletion(store, runIds[0]);
    expect(store.finishSweepIfDone(id, 9000)).toBeNull();
    store.startRun(runIds[1]);
    store.failRun(runIds[1], 'boom');
    expect(store.finishSweepIfDone(id, 9000)).toBe('finished');
    expect(store.getSweep(id)).toMatchObject({ status: 'finished', finishedAt: 9000 });
    expect(store.unfinishedSweepIds()).toEqual([]);
  });

  it('cancels a whole sweep and names the running runs to abort', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3] });
    store.startRun(runIds[0]);
    runToCompletion(store, runIds[1]);
    expect(store.cancelSweep(id, 80)).toEqual({ cancelledRunIds: [runIds[2]], runningRunIds: [runIds[0]] });
    expect(store.getSweep(id)).toMatchObject({ status: 'cancelled', finishedAt: 80 });
    expect(store.sweepCounts(id)).toMatchObject({ succeeded: 1, cancelled: 2 });
    expect(store.finishSweepIfDone(id)).toBe('cancelled');
    expect(store.getSweep(id).status).toBe('cancelled');
  });

  it('moves sweep status through the sweep state machine', () => {
    const store = memoryStore();
    const { id } = createGridSweep(store);
    store.setSweepStatus(id, 'cancelled', 10);
    store.setSweepStatus(id, 'cancelled', 20);   // no-op: keeps the first time
    expect(store.getSweep(id)).toMatchObject({ status: 'cancelled', finishedAt: 10 });
    expect(() => store.setSweepStatus(id, 'finished')).toThrow(IllegalTransitionError);
    store.setSweepStatus(id, 'running', null);
    expect(store.getSweep(id)).toMatchObject({ status: 'running', finishedAt: null });
    expect(store.unfinishedSweepIds()).toEqual([id]);
  });
});

describe('re-queueing', () => {
  it('requeues runs a crash left running, deleting their partial metrics, and leaves finished runs alone', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3] });
    const done = runToCompletion(store, runIds[0]);
    store.startRun(runIds[1]);
    writeEpochs(store, runIds[1], [epochMetrics(0), epochMetrics(1)]);
    store.db.prepare(`UPDATE sweeps SET status = 'finished' WHERE id = ?`).run(id);   // as if finished too early

    expect(store.requeueInterrupted()).toBe(1);
    expect(store.getRun(runIds[1])).toMatchObject({ status: 'queued', attempt: 2, startedAt: null });
    expect(metricRows(store, runIds[1])).toEqual({ epochs: 0, layers: 0 });
    expect(store.getRun(runIds[0])).toEqual(done);
    expect(metricRows(store, runIds[0])).toEqual({ epochs: 3, layers: 12 });
    expect(store.getRun(runIds[2])).toMatchObject({ status: 'queued', attempt: 1 });
    expect(store.getSweep(id).status).toBe('running');
    expect(store.requeueInterrupted()).toBe(0);
  });

  it('fails a run interrupted three times instead of requeueing it again, saying how often', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    for (let crash = 1; crash <= 2; crash++) {
      store.startRun(runIds[0]);
      expect(store.requeueInterrupted()).toBe(1);
      expect(store.getRun(runIds[0])).toMatchObject({ status: 'queued', attempt: crash + 1 });
    }
    store.startRun(runIds[0]);
    writeEpochs(store, runIds[0], [epochMetrics(0)]);
    expect(store.requeueInterrupted()).toBe(0);
    expect(store.getRun(runIds[0])).toMatchObject({ status: 'failed', attempt: 3 });
    expect(store.getRun(runIds[0]).error).toMatch(/^interrupted 3 times/);
    expect(store.getRun(runIds[1])).toMatchObject({ status: 'queued', attempt: 1 });
  });

  it('counts interruptions afresh after a user re-runs a run, and takes the cap as a parameter', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1] });
    store.startRun(runIds[0]);
    expect(store.requeueInterrupted(1)).toBe(0);
    expect(store.getRun(runIds[0]).error).toMatch(/^interrupted 1 times/);
    expect(store.requeueRuns(id, ['failed'])).toBe(1);
    store.startRun(runIds[0]);
    expect(store.requeueInterrupted(2)).toBe(1);
    expect(store.getRun(runIds[0]).status).toBe('queued');
  });

  it('finishes the cancellation of runs left running in a cancelled sweep instead of requeueing them', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2] });
    store.startRun(runIds[0]);
    store.db.prepare(`UPDATE sweeps SET status = 'cancelled' WHERE id = ?`).run(id);
    expect(store.requeueInterrupted()).toBe(0);
    expect(store.getRun(runIds[0]).status).toBe('cancelled');
    expect(store.getSweep(id).status).toBe('cancelled');
  });

  it('re-runs failed, diverged and cancelled runs: metrics and results cleared, attempt bumped, sweep reopened', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2, 3, 4] });
    runToCompletion(store, runIds[0], 'succeeded');
    runToCompletion(store, runIds[1], 'diverged');
    store.startRun(runIds[2]);
    writeEpochs(store, runIds[2], [epochMetrics(0)]);
    store.failRun(runIds[2], 'boom');
    store.cancelRun(runIds[3]);
    expect(store.finishSweepIfDone(id)).toBe('finished');

    expect(store.requeueRuns(id)).toBe(3);
    for (const runId of runIds.slice(1)) {
      expect(store.getRun(runId)).toMatchObject({
        status: 'queued', attempt: 2, error: null, verdicts: null, finalValAcc: null, epochsCompleted: 0, finishedAt: null,
      });
      expect(metricRows(store, runId)).toEqual({ epochs: 0, layers: 0 });
    }
    expect(store.getRun(runIds[0]).status).toBe('succeeded');
    expect(store.getSweep(id)).toMatchObject({ status: 'running', finishedAt: null });
    expect(store.requeueRuns(id, ['succeeded'])).toBe(1);
    expect(store.getRun(runIds[0])).toMatchObject({ status: 'queued', attempt: 2 });
  });

  it('re-runs only finished statuses in bulk: queued and running runs are refused, untouched', () => {
    const store = memoryStore();
    const { id, runIds } = createGridSweep(store, { seeds: [1, 2] });
    store.startRun(runIds[0]);
    expect(() => store.requeueRuns(id, ['running'])).toThrow(InvalidQueryError);
    expect(() => store.requeueRuns(id, ['queued'])).toThrow(/not 'queued'/);
    expect(() => store.requeueRuns(id, ['paused' as never])).toThrow(InvalidQueryError);
    expect(store.sweepCounts(id)).toMatchObject({ running: 1, queued: 1 });
    expect(store.getRun(runIds[0]).attempt).toBe(1);
  });

  it('requeues one running run (a lost worker) and one finished run', () => {
    const store = memoryStore();
    const { runIds } = createGridSweep(store, { seeds: [1, 2] });
    store.startRun(runIds[0]);
    writeEpochs(store, runIds[0], [epochMetrics(0)]);
    expect(store.requeueRun(runIds[0])).toMatchObject({ status: 'queued', attempt: 2 });
    expect(metricRows(store, runIds[0])).toEqual({ epochs: 0, layers: 0 });
    runToCompletion(store, runIds[1]);
    expect(store.requeueRun(runIds[1])).toMatchObject({ status: 'queued', attempt: 2, finalValAcc: null });
  });
});
