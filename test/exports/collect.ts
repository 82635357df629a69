// A Writable that records what an export writes; optionally slow, to exercise backpressure.
import { Writable } from 'node:stream';

export interface Collected {
  stream: Writable;
  chunks: string[];
  text(): string;
}

export function collect(options: { highWaterMark?: number; slow?: boolean; onWrite?: (chunk: string) => void } = {}): Collected {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      chunks.push(text);
      options.onWrite?.(text);
      if (options.slow) setImmediate(callback);
      else callback();
    },
  });
  return { stream, chunks, text: () => chunks.join('') };
}
