// The JSON API: thin handlers that parse, call the store or scheduler, and answer JSON.
import { Router, type Request } from 'express';
import type { AppDeps } from '../app-deps.js';
import { HttpError, NotFoundError } from '../errors.js';
import {
  ExportAbortedError, ExportFormatError, checkExportRequest, parseExportRequest, writeExport, type ExportRequest,
} from '../exports/index.js';
import { importanceJson, parseMetric } from '../pages/parallel-coords.js';
import { getPreset, listPresets } from '../presets.js';
import { parseSweepEdit } from '../sweep-edit.js';

const EXPORT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  latex: 'application/x-latex; charset=utf-8',
};

/** Parses a positive integer id from the path; anything else is a 404 for `what`. */
export function parseId(raw: string | undefined, what: string): number {
  const id = Number(raw);
  if (!raw || !/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id <= 0) throw new NotFoundError(what, raw ?? '');
  return id;
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value !== undefined && typeof value !== 'string') {
    throw new HttpError(400, 'bad_query', `query parameter "${name}" must be given once, as plain text`);
  }
  return value === '' ? undefined : value;
}

function queryInt(req: Request, name: string, fallback: number, max: number): number {
  const raw = queryString(req, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new HttpError(400, 'bad_query', `query parameter "${name}" must be an integer from 0 to ${max}`);
  }
  return value;
}

export function createApiRouter(deps: AppDeps): Router {
  const { store, scheduler } = deps;
  const router = Router();

  /** A sweep with its counts per run status (and their total). */
  const sweepDetail = (id: number) => ({ ...store.getSweep(id), counts: store.sweepCounts(id) });

  // Each preset with its full spec, so a client can change it and POST it back.
  router.get('/presets', (_req, res) => {
    res.json(listPresets().map((preset) => ({ ...preset, spec: getPreset(preset.name).spec })));
  });

  // Body: a sweep spec, or {"preset": "<name>"}.
  router.post('/sweeps', (req, res) => {
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpError(400, 'bad_request', 'the body must be a JSON object: a sweep spec or {"preset": "<name>"}');
    }
    // An empty body (or {}) is a mistake, not a request for the default one-run sweep.
    if (Object.keys(body).length === 0) {
      throw new HttpError(400, 'bad_request', 'the body is empty: give a sweep spec or {"preset": "<name>"}');
    }
    const preset = (body as { preset?: unknown }).preset;
    const spec = typeof preset === 'string' ? getPreset(preset).spec : body;
    const created = scheduler.submit(spec);
    res.status(201).location(`/api/sweeps/${created.id}`).json(created);
  });

  router.get('/sweeps', (_req, res) => {
    res.json(store.listSweeps());
  });

  router.get('/sweeps/:id', (req, res) => {
    res.json(sweepDetail(parseId(req.params.id, 'sweep')));
  });

  // Body: any of {"name", "notes", "tags", "archived"}; answers the sweep as GET does.
  router.patch('/sweeps/:id', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    store.getSweep(id);
    store.updateSweep(id, parseSweepEdit(req.body));
    res.json(sweepDetail(id));
  });

  // What DELETE would remove now, and whether it may (a running sweep must be cancelled first).
  router.get('/sweeps/:id/delete-preview', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    const sweep = store.getSweep(id);
    res.json({ id, deletable: sweep.status !== 'running', ...store.sweepDeletePreview(id) });
  });

  router.delete('/sweeps/:id', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    res.json({ id, deleted: scheduler.deleteSweep(id) });
  });

  router.post('/sweeps/:id/cancel', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    scheduler.cancel(id);
    res.json(sweepDetail(id));
  });

  router.post('/sweeps/:id/rerun', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    store.getSweep(id);
    const requeued = scheduler.rerun(id);
    res.json({ id, requeued });
  });

  router.get('/sweeps/:id/runs', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    store.getSweep(id);
    const order = queryString(req, 'order');
    res.json(
      store.listRuns(id, {
        status: queryString(req, 'status'),
        verdict: queryString(req, 'verdict'),
        sortBy: queryString(req, 'sort'),
        order: order === 'desc' ? 'desc' : 'asc',
        limit: queryInt(req, 'limit', 100, 10_000),
        offset: queryInt(req, 'offset', 0, Number.MAX_SAFE_INTEGER),
      }),
    );
  });

  // How much of the final metric's variance each varied setting explains (η²), as the parallel view's table shows it.
  router.get('/sweeps/:id/importance', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    res.json(importanceJson(store, sweep, parseMetric(queryString(req, 'metric'))));
  });

  router.get('/sweeps/:id/export', async (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    const sweep = store.getSweep(id);
    let request: ExportRequest;
    try {
      request = parseExportRequest(
        queryString(req, 'format') ?? 'csv', queryString(req, 'pivot'), queryString(req, 'reference'));
      checkExportRequest(store, id, request);
    } catch (error) {
      if (!(error instanceof ExportFormatError)) throw error;
      throw new HttpError(400, 'bad_query', `query parameter "${error.field}" ${error.message}`);
    }
    const ext = request.format === 'latex' ? 'tex' : request.format;
    const base = `initlab-sweep-${sweep.id}${request.kind === 'pivot' ? `-pivot-${request.metric}` : ''}.${ext}`;
    res.type(EXPORT_TYPES[request.format]!).attachment(base);
    try {
      await writeExport(store, id, request, res);
    } catch (error) {
      if (error instanceof ExportAbortedError) return; // the client went away mid-download
      throw error;
    }
    res.end();
  });

  router.get('/hosts', (_req, res) => {
    res.json({ cluster: deps.hosts !== undefined, hosts: deps.hosts?.() ?? [] });
  });

  router.get('/runs/:id', (req, res) => {
    res.json(store.getRun(parseId(req.params.id, 'run')));
  });

  router.get('/runs/:id/metrics', (req, res) => {
    const id = parseId(req.params.id, 'run');
    store.getRun(id);
    res.json(store.getRunMetrics(id));
  });

  router.post('/runs/:id/replay', (req, res) => {
    const id = parseId(req.params.id, 'run');
    const created = scheduler.replay(id);
    res.status(201).location(`/api/sweeps/${created.id}`).json(created);
  });

  // Anything else under /api is a JSON 404.
  router.use((req, _res, next) => next(new NotFoundError('endpoint', req.path)));
  return router;
}
