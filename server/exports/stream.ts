// Writes a lazy sequence of string chunks to a Node writable, honouring backpressure and yielding to the event loop,
// so a 10,000-run export neither buffers the whole table nor blocks the server while it runs.

export class ExportAbortedError extends Error {
  override readonly name = 'ExportAbortedError';
  readonly code = 'export_aborted';
  readonly status = 499;   // the client went away; nothing left to answer
  constructor(options?: { cause?: unknown }) {
    super('the output closed before the export finished', options);
  }
}

/**
 * Where an export goes: any Node writable (a file stream, an HTTP response, stdout), or a bare `{ write }` object.
 * `write` returning false means "wait for 'drain'" (Node semantics); a sink without `once` is never waited on.
 */
export interface ExportSink {
  write(chunk: string): unknown;
  once?(event: 'drain' | 'close' | 'error', listener: (arg?: unknown) => void): unknown;
  removeListener?(event: 'drain' | 'close' | 'error', listener: (arg?: unknown) => void): unknown;
  destroyed?: boolean;
  writableEnded?: boolean;
}

export interface WriteChunksOptions {
  /** Pieces are joined into writes of about this many characters. Default 16 KiB. */
  chunkChars?: number;
  /** Let other work (timers, the metrics writer, requests) run after this many writes. Default 8. */
  yieldEvery?: number;
}

/** Writes every chunk; resolves after the last write was accepted. Does not end `out` (stdout must stay open). */
export async function writeChunks(
  chunks: Iterable<string>,
  out: ExportSink,
  options: WriteChunksOptions = {},
): Promise<void> {
  const chunkChars = options.chunkChars ?? 16 * 1024;
  const yieldEvery = options.yieldEvery ?? 8;
  let pending = '';
  let writes = 0;

  async function emit(text: string): Promise<void> {
    if (isClosed(out)) throw new ExportAbortedError();
    writes += 1;
    if (out.write(text) === false && out.once !== undefined) await drained(out);
    else if (writes % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= chunkChars) {
      const text = pending;
      pending = '';
      await emit(text);
    }
  }
  if (pending.length > 0) await emit(pending);
}

function isClosed(out: ExportSink): boolean {
  return out.destroyed === true || out.writableEnded === true;
}

function drained(out: ExportSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      out.removeListener?.('drain', onDrain);
      out.removeListener?.('close', onClose);
      out.removeListener?.('error', onError);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => done();
    const onClose = () => done(new ExportAbortedError());
    const onError = (cause: unknown) => done(new ExportAbortedError({ cause }));
    out.once!('drain', onDrain);
    out.once!('close', onClose);
    out.once!('error', onError);
  });
}
