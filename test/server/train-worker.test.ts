// The training worker's side of the protocol: per run 'start', every epoch once and in order (batched), its
// outcome; then 'end'. Several runs in one task go one after the other, each on the task's clock.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import trainTask, { createTrainTask, trainRun } from '../../workers/train-worker.js';
import { createRunClock, readRunClock, type ProgressMessage, type ProgressPost, type TaskRun } from '../../workers/protocol.js';
import { parseRunConfig } from '../../workers/run-config.js';

function collect(run: (port: MessageChannel['port2']) => number) {
  const { port1, port2 } = new MessageChannel();
  const messages: ProgressMessage[] = [];
  const posts: ProgressPost[] = [];
  const done = new Promise<void>((resolve) => {
    port1.on('message', (post: ProgressPost) => {
      posts.push(post);
      messages.push(...post);
      if (post.some((m) => m.type === 'end')) resolve();
    });
  });
  const trained = run(port2);
  return done.then(() => {
    port1.close();
    return { trained, messages, posts };
  });
}

const configOf = (epochs: number, seed = 1) =>
  parseRunConfig({ dataset: { samples: 200 }, model: { hidden: [8] }, train: { epochs }, seed });

function runTask(epochs: number, backend: 'ts' | 'native') {
  return collect((port) => trainTask({ runs: [{ runId: 7, config: configOf(epochs), backend }], port, clock: createRunClock() }))
    .then(({ messages, posts }) => {
      const outcome = messages.find((m) => m.type === 'result');
      return { result: outcome?.type === 'result' ? outcome.result : null, messages, posts };
    });
}

describe('the training worker', () => {
  it.each(['ts', 'native'] as const)('sends start, every epoch once in order, then end (%s)', async (backend) => {
    const { result, messages } = await runTask(30, backend);
    expect(messages[0]).toMatchObject({ type: 'start', runId: 7 });
    expect(messages.at(-1)).toEqual({ type: 'end' });
    expect(messages.at(-2)).toMatchObject({ type: 'result', runId: 7 });
    const batches = messages.slice(1, -2);
    expect(batches.every((m) => m.type === 'epochs' && m.runId === 7)).toBe(true);
    const epochs = batches.flatMap((m) => (m.type === 'epochs' ? m.metrics.map((e) => e.epoch) : []));
    expect(epochs).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(result).toMatchObject({ status: 'succeeded', epochsCompleted: 30, backend });
  });

  it('batches a fast run into a few posts instead of one per epoch', async () => {
    const { messages, posts } = await runTask(200, 'native');
    const batches = messages.filter((m) => m.type === 'epochs');
    // epoch 0 goes out at once, then at most one batch per 50 ms: a run of ~200 ms sends a handful
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThan(50);
    // start rides with epoch 0, the outcome and 'end' with the last batch (alone only if that batch had just gone out)
    expect(posts.slice(0, -1).every((post) => post.some((m) => m.type === 'epochs'))).toBe(true);
    expect(posts.length).toBeLessThanOrEqual(batches.length + 1);
  });

  it('posts a short run twice: start with epoch 0, then the other epochs with its result and end', async () => {
    const { posts } = await runTask(2, 'native');
    expect(posts.map((post) => post.map((m) => m.type))).toEqual([['start', 'epochs'], ['epochs', 'result', 'end']]);
    expect(posts[0]![1]).toMatchObject({ metrics: [{ epoch: 0 }] });
  });

  it('trains a task of several runs in order, a throwing run failing alone, and posts them together', async () => {
    const runs: TaskRun[] = [10, 11, 12, 13].map((runId) => ({ runId, config: configOf(3, runId), backend: 'native' }));
    const clock = createRunClock();
    const starts: Array<{ index: number; startedAt: number }> = [];
    const task = createTrainTask((run, report) => {
      starts.push(readRunClock(clock));
      if (run.runId === 12) throw new RangeError('run 12 refuses');
      return trainRun(run, report);
    });
    const before = Date.now();
    const { trained, messages, posts } = await collect((port) => task({ runs, port, clock }));
    expect(trained).toBe(4);
    // each run is on the clock while it trains
    expect(starts.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(starts.every((s, i) => s.startedAt >= before && (i === 0 || s.startedAt >= starts[i - 1]!.startedAt))).toBe(true);
    const outcomes = messages.filter((m) => m.type === 'result' || m.type === 'failed');
    expect(outcomes.map((m) => [m.type, m.runId])).toEqual([['result', 10], ['result', 11], ['failed', 12], ['result', 13]]);
    expect(outcomes[2]).toEqual({ type: 'failed', runId: 12, name: 'RangeError', message: 'run 12 refuses' });
    // every epoch of each run that trained, once and in order, before its outcome; a 'start' only where it went
    // out before the result (the first run's, with its epoch 0): the result carries the same theory
    for (const runId of [10, 11, 13]) {
      const own = messages.filter((m) => 'runId' in m && m.runId === runId);
      expect(own.filter((m) => m.type === 'start')).toHaveLength(runId === 10 ? 1 : 0);
      expect(own.at(-1)).toMatchObject({ type: 'result', result: { status: 'succeeded', epochsCompleted: 3 } });
      const result = own.at(-1)!.type === 'result' ? (own.at(-1) as { result: { theoryPreVar: number[] } }).result : null;
      expect(result!.theoryPreVar.length).toBeGreaterThan(0);
      expect(own.flatMap((m) => (m.type === 'epochs' ? m.metrics.map((e) => e.epoch) : []))).toEqual([0, 1, 2, 3]);
    }
    // a task of four short runs wakes the server a few times (the first epoch 0 at once, the rest every 50 ms and
    // at the end), not twice a run
    expect(posts.length).toBeLessThanOrEqual(3);
    expect(messages.at(-1)).toEqual({ type: 'end' });
  });
});
