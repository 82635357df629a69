// Live updates over server-sent events, one stream per page: the sweep list (/stream), a sweep (/sweeps/:id/stream)
// and a run (/runs/:id/stream). Messages are the pages' own partials wrapped in <hx-partial> (full state, so a
// reconnect simply re-sends them), plus `epochs` JSON events for chart points, with the epoch number as event id
// so a reconnect (Last-Event-ID) resumes without gaps. A sweep's changed runs go out as their ids only (a
// `runs-changed` event): each page fetches the rows it shows (GET /sweeps/:id/rows), since a viewer's table shows
// one page of a sweep's runs. A finished sweep or run gets its final state, then a `close` event (the page's
// hx-sse:close stops the browser reconnecting), then the response ends.
import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import type { LiveEvent } from '../events.js';
import { formatIdList } from '../id-list.js';
import { createCoalescer, formatSse, lastEventId, openSse, type SseChannel, type SseMessage } from '../sse.js';
import type { EpochMetrics } from '../../workers/core/types.js';
import { parseId } from './api.js';
import { isSweepActive } from '../pages/eta.js';
import { loadHeatmap } from '../pages/heatmap.js';
import { loadLayerPicture } from '../pages/layer-picture.js';
import { liveRunHead } from '../pages/run-head.js';
import { loadSweepList } from '../pages/sweep-list.js';
import { loadProgress } from '../pages/sweep-progress.js';
import { parseSweepQuery } from '../pages/sweep-query.js';
import { HeatmapGrid } from '../../views/heatmap.js';
import { RunHead, VerdictList } from '../../views/run-page.js';
import { LayerPicture } from '../../views/layer-picture.js';
import { hxPartial as partial } from '../../views/hx-partial.js';
import { SweepList } from '../../views/sweep-list.js';
import { SweepProgress } from '../../views/sweep-page.js';

/** Re-render a partial at most this often per client. */
export const PARTIAL_INTERVAL_MS = 500;
/** The sweep list and a run's per-layer picture are heavier; at most once a second. */
export const SLOW_INTERVAL_MS = 1000;

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Chart points of epochs: [epoch, trainLoss, valLoss, trainAcc, valAcc] (null for non-finite values). */
export function epochPoints(epochs: Array<Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'valLoss' | 'trainAcc' | 'valAcc'>>) {
  return epochs.map((m) => [m.epoch, finite(m.trainLoss), finite(m.valLoss), finite(m.trainAcc), finite(m.valAcc)]);
}

function heartbeatMs(deps: AppDeps): number {
  return deps.heartbeatMs ?? 15_000;
}

/** Subscribes for the lifetime of the channel: unsubscribed (and timers cancelled) when the client goes away. */
function follow(deps: AppDeps, channel: SseChannel, listener: (event: LiveEvent) => void, cancel: Array<{ cancel(): void }>) {
  const unsubscribe = deps.events.subscribe((event) => {
    if (!channel.closed) listener(event);
  });
  channel.onClose(() => {
    unsubscribe();
    for (const c of cancel) c.cancel();
  });
}

function closeStream(channel: SseChannel): void {
  channel.send({ event: 'close', data: 'done' });
  channel.end();
}

export function createStreamRoutes(deps: AppDeps): Router {
  const { store } = deps;
  const router = Router();

  // The sweep list: any change to any sweep re-renders the list page, at most once a second. Never closes.
  router.get('/stream', (req, res) => {
    const page = Number(req.query.page ?? 1);
    const channel = openSse(req, res, { heartbeatMs: heartbeatMs(deps) });
    const showArchived = req.query.archived === '1';
    const render = () => channel.send({ data: SweepList(loadSweepList(store, Number.isSafeInteger(page) ? page : 1, showArchived)) });
    const coalescer = createCoalescer(SLOW_INTERVAL_MS, render);
    follow(deps, channel, (event) => {
      if (event.type !== 'run-epochs') coalescer.mark();
    }, [coalescer]);
    render();
  });

  /**
   * One feed per sweep and metric, shared by every client watching it: the coalescer renders each tick's update
   * once and the same message goes to each client (10 viewers cost one render, not ten). A client that connects
   * gets the full state rendered for it alone; the feed unsubscribes when its last client leaves.
   */
  interface SweepFeed {
    clients: Set<SseChannel>;
    heatmapDirty: boolean;
    /** Runs of the sweep changed (status or epochs) since the last render: an open cell panel re-fetches itself. */
    cellsDirty: boolean;
    changedRuns: Set<number>;
    version: number;
    /** When a tick last re-drew the heatmap. */
    heatmapAtMs: number;
    /**
     * The last connect render, reused until the next tick (and for one tick's time at most): whatever changed since
     * it is still marked, so the next tick brings every viewer up to date alike.
     */
    connectRender: { version: number; atMs: number; messages: SseMessage[]; active: boolean } | null;
    stop(): void;
  }
  const sweepFeeds = new Map<string, SweepFeed>();

  function openSweepFeed(sweepId: number, metric: unknown): { feed: SweepFeed; connect: () => { messages: SseMessage[]; active: boolean } } {
    const query = parseSweepQuery({ metric });
    const key = `${sweepId}:${query.metric}`;

    /**
     * The current state as messages (progress, the heatmap if it changed, the ids of changed runs); resets the marks. A tick
     * re-draws the heatmap (which reads every run of the sweep) at most once a second; the final tick always does.
     */
    const render = (feed: SweepFeed, initial: boolean, final = false): { messages: SseMessage[]; active: boolean } => {
      deps.onStreamRender?.('sweep', initial ? 'connect' : 'tick');
      const current = store.getSweep(sweepId);
      const progress = loadProgress(store, current, deps.threads);
      let html = partial('#sweep-progress', SweepProgress(progress), 'outerMorph');
      const active = isSweepActive(progress.counts) || current.status === 'running';
      const now = Date.now();
      const heatmapDue = feed.heatmapDirty && (final || !active || now - feed.heatmapAtMs >= SLOW_INTERVAL_MS);
      if (initial || heatmapDue) html += partial('#heatmap-grid', HeatmapGrid(loadHeatmap(store, current, query, true, progress.counts)));
      const messages: SseMessage[] = [];
      if (initial) {
        // A first render is the page's own state, for one client: the shared marks stay for the next tick.
        messages.push({ id: feed.version, data: html });
      } else {
        const cellsChanged = feed.cellsDirty || feed.heatmapDirty;
        if (heatmapDue) {
          feed.heatmapDirty = false;   // else it stays due, and broadcast marks another tick for it
          feed.heatmapAtMs = now;
        }
        feed.cellsDirty = false;
        messages.push({ id: ++feed.version, data: html });
        // Ids, not rows: the same few bytes for every viewer, and each page fetches only the rows it shows.
        if (feed.changedRuns.size > 0) messages.push({ event: 'runs-changed', data: formatIdList(feed.changedRuns) });
        feed.changedRuns.clear();
        if (cellsChanged) messages.push({ event: 'cells-changed', data: 'refresh' });
      }
      return { messages, active };
    };

    let feed = sweepFeeds.get(key);
    if (!feed) {
      const created: SweepFeed = {
        clients: new Set(), heatmapDirty: false, cellsDirty: false, changedRuns: new Set(), version: 0,
        heatmapAtMs: -Infinity, connectRender: null, stop: () => {},
      };
      const broadcast = (final: boolean) => {
        if (created.clients.size === 0) return;
        const { messages, active } = render(created, false, final);
        const frames = messages.map(formatSse).join(''); // formatted once, written to each client
        for (const client of [...created.clients]) {
          client.write(frames);
          if (final || !active) closeStream(client);
        }
        if (created.heatmapDirty && active && !final) coalescer.mark(); // the heatmap left for a later tick
      };
      const coalescer = createCoalescer(PARTIAL_INTERVAL_MS, () => broadcast(false));
      const unsubscribe = deps.events.subscribe((event) => {
        if (event.sweepId !== sweepId) return;
        switch (event.type) {
          case 'run-started':
          case 'run-finished':
            created.changedRuns.add(event.runId);
            created.heatmapDirty = true;
            coalescer.mark();
            break;
          case 'sweep-progress':
            created.heatmapDirty = true;
            coalescer.mark();
            break;
          case 'sweep-finished':
            coalescer.cancel();
            created.heatmapDirty = true;
            broadcast(true);
            break;
          case 'run-epochs':
            created.cellsDirty = true; // only an open cell panel's curves change
            coalescer.mark();
            break;
          default:
            break;
        }
      });
      created.stop = () => {
        unsubscribe();
        coalescer.cancel();
        sweepFeeds.delete(key);
      };
      sweepFeeds.set(key, created);
      feed = created;
    }
    const shared = feed;
    // Viewers that connect together (a page opened in many tabs, a reconnect wave) share one full-state render
    // until the next tick, which carries everything that changed since it (the marks are reset only by ticks), and
    // for one tick's time at most (its ETA and times age).
    const connect = () => {
      const now = Date.now();
      const cached = shared.connectRender;
      if (cached && cached.version === shared.version && now - cached.atMs < PARTIAL_INTERVAL_MS) return cached;
      const rendered = render(shared, true);
      shared.connectRender = { version: shared.version, atMs: now, ...rendered };
      return rendered;
    };
    return { feed: shared, connect };
  }

  router.get('/sweeps/:id/stream', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const channel = openSse(req, res, { heartbeatMs: heartbeatMs(deps) });
    const { feed, connect } = openSweepFeed(sweep.id, req.query.metric);
    feed.clients.add(channel);
    channel.onClose(() => {
      feed.clients.delete(channel);
      if (feed.clients.size === 0) feed.stop();
    });

    // On (re)connect: full state now; a reconnecting table may have missed row changes, so it reloads itself.
    const resumed = lastEventId(req) !== undefined;
    const { messages, active } = connect();
    for (const message of messages) channel.send(message);
    if (resumed) {
      channel.send({ event: 'runs-stale', data: 'reload' });
      channel.send({ event: 'cells-changed', data: 'refresh' });
    }
    if (!active) closeStream(channel);
  });

  router.get('/runs/:id/stream', (req, res) => {
    const runId = parseId(req.params.id, 'run');
    store.getRun(runId); // 404 before the stream opens
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    const resumeFrom = Number(lastEventId(req) ?? after ?? -1);
    let lastSent = Number.isFinite(resumeFrom) ? resumeFrom : -1;
    const channel = openSse(req, res, { heartbeatMs: heartbeatMs(deps) });

    const sendEpochs = (epochs: Array<Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'valLoss' | 'trainAcc' | 'valAcc'>>) => {
      const fresh = epochs.filter((m) => m.epoch > lastSent).sort((a, b) => a.epoch - b.epoch);
      if (fresh.length === 0) return;
      lastSent = fresh[fresh.length - 1].epoch;
      channel.send({ event: 'epochs', id: lastSent, data: JSON.stringify({ points: epochPoints(fresh) }) });
    };
    /** Epochs after `lastSent` that the store has (the backlog on connect, or a gap in the live feed). */
    const sendStoredEpochs = (before = Infinity) => {
      const curve = store.getRunCurves([runId])[0];
      if (!curve) return;
      const epochs = [];
      for (let i = 0; i < curve.epoch.length; i++) {
        const epoch = curve.epoch[i];
        if (epoch > lastSent && epoch < before) {
          epochs.push({ epoch, trainLoss: curve.trainLoss[i], valLoss: curve.valLoss[i], trainAcc: curve.trainAcc[i], valAcc: curve.valAcc[i] });
        }
      }
      sendEpochs(epochs);
    };
    /** Status line, per-layer picture and verdicts; returns whether the run is still queued or running. */
    const renderState = (): boolean => {
      const run = store.getRun(runId);
      const metrics = store.getRunMetrics(runId);
      const head = liveRunHead(run, metrics);
      channel.send({
        data:
          partial('#run-head', RunHead(head), 'outerMorph') +
          partial('#run-layers', LayerPicture(loadLayerPicture(run, metrics)), 'outerMorph') +
          partial('#run-verdicts', VerdictList({ verdicts: head.verdicts, status: head.status }), 'outerMorph'),
      });
      return run.status === 'queued' || run.status === 'running';
    };
    const coalescer = createCoalescer(SLOW_INTERVAL_MS, () => {
      if (!renderState()) {
        sendStoredEpochs();
        closeStream(channel);
      }
    });
    follow(deps, channel, (event) => {
      if (event.type === 'sweep-progress' || event.type === 'sweep-finished' || event.runId !== runId) return;
      if (event.type === 'run-epochs') {
        const first = Math.min(...event.epochs.map((m) => m.epoch));
        if (first > lastSent + 1) sendStoredEpochs(first); // published before we subscribed, stored since
        sendEpochs(event.epochs);
        coalescer.mark();
      } else if (event.type === 'run-started') {
        coalescer.mark();
      } else if (event.type === 'run-finished') {
        // The writer stored every epoch before the finish was announced: send whatever is still missing.
        coalescer.cancel();
        sendStoredEpochs();
        renderState();
        closeStream(channel);
      }
    }, [coalescer]);

    sendStoredEpochs();
    if (!renderState()) closeStream(channel);
  });

  return router;
}
