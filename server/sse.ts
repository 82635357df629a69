// Server-sent events over an express response: headers, framed messages (a `data:` prefix on every line),
// heartbeat comments, and a coalescer that limits how often a client's partials are re-rendered.
import type { Request, Response } from 'express';

export interface SseMessage {
  /** A named event (dispatched as a DOM event by hx-sse); unnamed messages are swapped as HTML. */
  event?: string;
  id?: string | number;
  data: string;
}

export interface SseChannel {
  send(message: SseMessage): void;
  /** Writes frames already formatted by formatSse (one render shared by many clients). */
  write(frames: string): void;
  comment(text: string): void;
  /** Ends the response (the client's hx-sse:close event should come first, or the browser reconnects). */
  end(): void;
  readonly closed: boolean;
  /** Runs once, when the client goes away or end() is called. */
  onClose(fn: () => void): void;
}

export interface SseOptions {
  heartbeatMs: number;
  /** Reconnect delay the browser should use, sent with the first message. */
  retryMs?: number;
}

/** One SSE frame. Every line of data gets its own `data:` prefix; CR and CRLF count as line breaks. */
export function formatSse(message: SseMessage): string {
  let frame = '';
  if (message.event) frame += `event: ${message.event.replace(/[\r\n]/g, '')}\n`;
  if (message.id !== undefined) frame += `id: ${String(message.id).replace(/[\r\n\0]/g, '')}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** The client's last seen event id (Last-Event-ID header on reconnect), or undefined. */
export function lastEventId(req: Request): string | undefined {
  const value = req.get('last-event-id');
  return value === undefined || value === '' ? undefined : value;
}

export function openSse(req: Request, res: Response, options: SseOptions): SseChannel {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);
  res.write(`retry: ${options.retryMs ?? 1000}\n\n`);

  let closed = false;
  const closers: Array<() => void> = [];
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': ping\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();

  function close() {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of closers.splice(0)) {
      try {
        fn();
      } catch (error) {
        console.error('initlab: SSE cleanup failed:', error);
      }
    }
  }
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  return {
    send(message) {
      if (!closed) res.write(formatSse(message));
    },
    write(frames) {
      if (!closed) res.write(frames);
    },
    comment(text) {
      if (!closed) res.write(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`);
    },
    end() {
      if (closed) return;
      close();
      res.end();
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
  };
}

/**
 * Calls `flush` at most once per `intervalMs`: the first mark after a quiet period flushes on the next tick, later
 * marks within the interval are coalesced into one trailing flush. `cancel` drops a pending flush.
 */
export function createCoalescer(intervalMs: number, flush: () => void) {
  let timer: NodeJS.Timeout | null = null;
  let lastFlush = -Infinity;
  function run() {
    timer = null;
    lastFlush = Date.now();
    flush();
  }
  return {
    mark() {
      if (timer) return;
      // Never synchronously: marks come from event-bus listeners, which must return quickly.
      timer = setTimeout(run, Math.max(0, lastFlush + intervalMs - Date.now()));
    },
    /** Runs a pending flush now (e.g. before a final message). */
    flushNow() {
      if (timer) {
        clearTimeout(timer);
        run();
      }
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
