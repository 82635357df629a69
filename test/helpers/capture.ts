// Captures what a CLI command writes: stdout and stderr as strings, for in-process `main(argv, io)` tests.
import { PassThrough } from 'node:stream';

export function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  return { io: { stdout, stderr }, out: () => out.join(''), err: () => err.join('') };
}
