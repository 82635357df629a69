// The training worker's side of the protocol: 'start', every epoch once and in order (batched), then 'end'.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import trainTask from '../../workers/train-worker.js';
import type { ProgressMessage, ProgressPost } from '../../workers/protocol.js';
import { parseRunConfig } from '../../workers/run-config.js';

function runTask(epochs: number, backend: 'ts' | 'native') {
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
  const config = parseRunConfig({ dataset: { samples: 200 }, model: { hidden: [8] }, train: { epochs } });
  const result = trainTask({ runId: 7, config, port: port2, backend });
  return done.then(() => {
    port1.close();
    return { result, messages, posts };
  });
}

describe('the training worker', () => {
  it.each(['ts', 'native'] as const)('sends start, every epoch once in order, then end (%s)', async (backend) => {
    const { result, messages } = await runTask(30, backend);
    expect(messages[0]).toMatchObject({ type: 'start', runId: 7 });
    expect(messages.at(-1)).toEqual({ type: 'end', runId: 7 });
    const batches = messages.slice(1, -1);
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
    // start rides with epoch 0 and 'end' with the last batch (alone only if that batch had just gone out)
    expect(posts.slice(0, -1).every((post) => post.some((m) => m.type === 'epochs'))).toBe(true);
    expect(posts.length).toBeLessThanOrEqual(batches.length + 1);
  });

  it('posts a short run twice: start with epoch 0, then the other epochs with end', async () => {
    const { posts } = await runTask(2, 'native');
    expect(posts.map((post) => post.map((m) => m.type))).toEqual([['start', 'epochs'], ['epochs', 'end']]);
    expect(posts[0]![1]).toMatchObject({ metrics: [{ epoch: 0 }] });
  });
});
