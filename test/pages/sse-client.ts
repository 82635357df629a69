// A minimal SSE client for route tests: reads frames from a fetch stream and waits for the ones a test expects.
import { parseIdList } from '../../server/id-list.js';

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** Every frame so far, in order (comments as event ":comment"). */
  events: SseEvent[];
  /** Resolves with the first frame (not yet consumed by an earlier `next`) that matches. */
  next(match?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

function parseFrame(frame: string): SseEvent | null {
  let event = '';
  let id: string | undefined;
  const data: string[] = [];
  let comment: string | null = null;
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) {
      comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && !event && id === undefined) {
    return comment === null ? null : { event: ':comment', data: comment };
  }
  return { event: event || 'message', id, data: data.join('\n') };
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  let consumed = 0;
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let done = false;
  const ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = parseFrame(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (frame) events.push(frame);
        }
        wake();
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      wake();
    }
  })();

  async function next(match: (e: SseEvent) => boolean = () => true, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (consumed < events.length) {
        const e = events[consumed++];
        if (match(e)) return e;
      }
      if (done) throw new Error(`stream ended without the expected event; got ${JSON.stringify(events.map((e) => e.event))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for an event; got ${JSON.stringify(events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return { status: res.status, headers: res.headers, events, next, ended, close: () => controller.abort() };
}

/**
 * Waits (from the next unconsumed frame on) until `runs-changed` events have named every one of `ids`, and returns
 * the last of them with the state message sent in the same tick, just before it.
 */
export async function nextChangedRuns(stream: SseStream, ids: number[], timeoutMs?: number): Promise<{ changed: SseEvent; state: SseEvent }> {
  const seen = new Set<number>();
  const changed = await stream.next((e) => {
    if (e.event !== 'runs-changed') return false;
    for (const id of parseIdList(e.data)) seen.add(id);
    return ids.every((id) => seen.has(id));
  }, timeoutMs);
  const at = stream.events.indexOf(changed);
  const state = stream.events.slice(0, at).reverse().find((e) => e.event === 'message')!;
  return { changed, state };
}
