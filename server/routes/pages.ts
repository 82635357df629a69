// The dashboard's HTML routes: full pages, and the partials htmx swaps (heatmap, cell, runs table, progress, form
// preview). Thin: parse the request, load props (server/pages/), render a view.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../errors.js';
import { loadCellDetail } from '../pages/cell-detail.js';
import { loadCompare, MAX_COMPARE_RUNS, parseRunIds } from '../pages/compare.js';
import { isSweepActive } from '../pages/eta.js';
import { loadHeatmap } from '../pages/heatmap.js';
import { loadParallelPage, parseParallelQuery } from '../pages/parallel-coords.js';
import { loadPhasePage, parsePhaseQuery } from '../pages/phase.js';
import { loadCorrelationPage } from '../pages/correlations.js';
import {
  formToJsonView, jsonToFormView, presetForm, previewBody, submitNewSweep, type NewSweepContext,
} from '../pages/new-sweep.js';
import { loadRunPage } from '../pages/run-page.js';
import { loadLiveRows, loadRunsTable, parseLiveRowsQuery } from '../pages/runs-table.js';
import { formOptions } from '../pages/sweep-form.js';
import { loadSweepList } from '../pages/sweep-list.js';
import { loadSweepPage } from '../pages/sweep-page.js';
import { loadProgress } from '../pages/sweep-progress.js';
import { parseSweepQuery } from '../pages/sweep-query.js';
import { parseId } from './api.js';
import { createSweepManagementRoutes } from './sweep-management.js';
import { CellDetail } from '../../views/cell-detail.js';
import { ComparePage } from '../../views/compare-page.js';
import { ErrorFragment, ErrorPage } from '../../views/error-page.js';
import { HeatmapCard } from '../../views/heatmap.js';
import { ParallelPage } from '../../views/parallel-page.js';
import { PhasePage } from '../../views/phase-page.js';
import { CorrelationPage } from '../../views/correlation-page.js';
import { NewSweepPage, Preview, SweepForm, SweepJsonForm, type NewSweepForm } from '../../views/new-sweep.js';
import { sweepUrl, type SweepQuery } from '../../views/query.js';
import { RunPage } from '../../views/run-page.js';
import { HostsPanel } from '../../views/hosts-panel.js';
import { LiveRows, RunsCard } from '../../views/runs-table.js';
import { SweepsPage } from '../../views/sweep-list.js';
import { SweepPage, SweepProgress } from '../../views/sweep-page.js';

function isHtmx(req: Request): boolean {
  return req.get('hx-request') === 'true';
}

function sendHtml(res: Response, html: string, status = 200): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(html);
}

/** An error as a page, or as a fragment when htmx asked for a part of a page. Never a stack trace. */
export function renderErrorResponse(res: Response, status: number, message: string): void {
  const html = res.req && isHtmx(res.req) ? ErrorFragment({ status, message }) : ErrorPage({ status, message });
  sendHtml(res, html, status);
}

/** The address bar's query (HX-Current-URL) when it is this sweep's page; {} for a missing or malformed header. */
function currentQuery(req: Request, sweepId: number): Record<string, unknown> {
  const header = req.get('hx-current-url');
  if (!header || !URL.canParse(header)) return {};
  const url = new URL(header);
  return url.pathname === `/sweeps/${sweepId}` ? Object.fromEntries(url.searchParams) : {};
}

/** The sweep page state for a partial: the address bar's state with the keys this partial changes taken from the request. */
function mergedQuery(req: Request, sweepId: number, keys: Array<keyof SweepQuery>): SweepQuery {
  const merged = currentQuery(req, sweepId);
  if (keys.includes('filters')) {
    // The runs table's own keys (f.<path>, min.<metric>, max.<metric>, q, cols) come whole from the request.
    const own = (key: string) => /^(f|min|max)\./.test(key) || key === 'q' || key === 'cols';
    for (const key of Object.keys(merged)) if (own(key)) delete merged[key];
    for (const [key, value] of Object.entries(req.query)) if (own(key)) merged[key] = value;
  }
  for (const key of keys) {
    if (key in req.query) merged[key] = req.query[key];
    else delete merged[key];
  }
  return parseSweepQuery(merged);
}

function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

export function createPageRoutes(deps: AppDeps): Router {
  const { store, scheduler } = deps;
  const ctx: NewSweepContext = {
    store,
    threads: deps.threads,
    maxRunsPerSweep: scheduler.maxRunsPerSweep,
    maxRunMb: scheduler.maxRunMb,
    submit: (spec) => scheduler.submit(spec),
  };
  const router = Router();

  /** A form swapped in by htmx, or the whole new-sweep page around it. */
  function sendForm(req: Request, res: Response, form: NewSweepForm, preset: string, status = 200): void {
    if (isHtmx(req)) sendHtml(res, form.kind === 'form' ? SweepForm(form.props) : SweepJsonForm(form.props), status);
    else sendHtml(res, NewSweepPage({ form, options: formOptions(), preset }), status);
  }

  router.get('/', (req, res) => {
    const page = Number(req.query.page ?? 1);
    const hosts = deps.hosts ? HostsPanel({ hosts: deps.hosts() }) : undefined;
    const list = loadSweepList(store, Number.isSafeInteger(page) ? page : 1, req.query.archived === '1');
    sendHtml(res, SweepsPage({ ...list, hosts }));
  });

  router.get('/hosts', (_req, res) => {
    if (!deps.hosts) throw new HttpError(404, 'not_cluster', 'no worker hosts: this job server trains on its own threads (start it with --redis for cluster mode)');
    sendHtml(res, HostsPanel({ hosts: deps.hosts() }));
  });

  // ---- new sweep ----------------------------------------------------------------------------------------------

  router.get('/sweeps/new', (req, res) => {
    const preset = typeof req.query.preset === 'string' ? req.query.preset : '';
    const mode = typeof req.query.mode === 'string' ? req.query.mode : undefined;
    sendHtml(res, NewSweepPage({ form: presetForm(preset, mode, ctx), options: formOptions(), preset }));
  });

  router.post('/sweeps/new/preview', (req, res) => {
    sendHtml(res, Preview(previewBody(bodyOf(req), ctx)));
  });

  router.post('/sweeps/new/json', (req, res) => {
    const form = formToJsonView(bodyOf(req), ctx);
    sendForm(req, res, form, form.props.preset);
  });

  router.post('/sweeps/new/form', (req, res) => {
    const body = bodyOf(req);
    sendForm(req, res, jsonToFormView(body, ctx), typeof body.preset === 'string' ? body.preset : '');
  });

  router.post('/sweeps', (req, res) => {
    const body = bodyOf(req);
    const outcome = submitNewSweep(body, ctx);
    if ('created' in outcome) return redirectTo(req, res, `/sweeps/${outcome.created.id}`);
    sendForm(req, res, outcome.invalid, typeof body.preset === 'string' ? body.preset : '', 422);
  });

  // ---- sweep --------------------------------------------------------------------------------------------------

  router.get('/sweeps/:id', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const query = parseSweepQuery(req.query as Record<string, unknown>);
    sendHtml(res, SweepPage(loadSweepPage(store, sweep, query, deps.threads)));
  });

  router.get('/sweeps/:id/heatmap', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const query = mergedQuery(req, sweep.id, ['metric']);
    const counts = store.sweepCounts(sweep.id);
    const live = isSweepActive(counts) || sweep.status === 'running';
    res.set('HX-Replace-Url', sweepUrl(sweep.id, query));
    sendHtml(res, HeatmapCard(loadHeatmap(store, sweep, query, live, counts)));
  });

  router.get('/sweeps/:id/phase', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    sendHtml(res, PhasePage(loadPhasePage(store, sweep, parsePhaseQuery(req.query as Record<string, unknown>))));
  });

  router.get('/sweeps/:id/parallel', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    sendHtml(res, ParallelPage(loadParallelPage(store, sweep, parseParallelQuery(req.query as Record<string, unknown>))));
  });

  router.get('/sweeps/:id/cell', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const query = mergedQuery(req, sweep.id, ['row', 'col']);
    if (query.row === undefined || query.col === undefined) throw new HttpError(400, 'bad_query', 'row and col are required');
    const cell = loadCellDetail(store, sweep, query.row, query.col);
    if (!cell) throw new HttpError(404, 'not_found', `no runs with ${query.row} × ${query.col} in this sweep`);
    res.set('HX-Replace-Url', sweepUrl(sweep.id, query));
    sendHtml(res, CellDetail(cell));
  });

  router.get('/sweeps/:id/runs', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const query = mergedQuery(req, sweep.id, ['status', 'verdict', 'sort', 'order', 'page', 'filters']);
    const table = loadRunsTable(store, sweep, query);
    // A filter change (the form or its clear link, named by htmx's HX-Source) is a step back/forward returns to;
    // sorting and paging replace the address in place, as before.
    const source = req.get('hx-source') ?? '';
    const step = source === 'form#runs-filters' || source === 'a#runs-clear';
    res.set(step ? 'HX-Push-Url' : 'HX-Replace-Url', sweepUrl(sweep.id, table.query));
    sendHtml(res, RunsCard(table));
  });

  // Rows of the table a page shows, fetched when the sweep stream names them changed (runs-changed, app.js).
  router.get('/sweeps/:id/rows', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const { ids, cols } = parseLiveRowsQuery(req.query);
    sendHtml(res, LiveRows(loadLiveRows(store, sweep, ids, cols)));
  });

  router.post('/sweeps/:id/cancel', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    scheduler.cancel(id);
    if (!isHtmx(req)) return res.redirect(303, `/sweeps/${id}`);
    sendHtml(res, SweepProgress(loadProgress(store, store.getSweep(id), deps.threads)));
  });

  router.post('/sweeps/:id/rerun', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    store.getSweep(id);
    scheduler.rerun(id);
    redirectTo(req, res, `/sweeps/${id}`);
  });

  router.use(createSweepManagementRoutes(deps));

  // ---- runs ---------------------------------------------------------------------------------------------------

  router.get('/runs/:id', (req, res) => {
    sendHtml(res, RunPage(loadRunPage(store, parseId(req.params.id, 'run'))));
  });

  router.get('/runs/:id/correlations', (req, res) => {
    sendHtml(res, CorrelationPage(loadCorrelationPage(store, parseId(req.params.id, 'run'))));
  });

  router.post('/runs/:id/replay', (req, res) => {
    const created = scheduler.replay(parseId(req.params.id, 'run'));
    redirectTo(req, res, `/sweeps/${created.id}`);
  });

  router.get('/compare', (req, res) => {
    const ids = parseRunIds(req.query.runs);
    if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
      throw new HttpError(400, 'bad_query', 'runs must be run ids separated by commas, e.g. /compare?runs=1,2,3');
    }
    if (ids.length < 2) throw new HttpError(400, 'bad_query', 'pick at least two runs to compare (tick them in a sweep\'s runs table)');
    if (ids.length > MAX_COMPARE_RUNS) throw new HttpError(400, 'bad_query', `compare at most ${MAX_COMPARE_RUNS} runs at a time`);
    sendHtml(res, ComparePage(loadCompare(store, ids)));
  });

  return router;
}

/** After a POST: a 303 for plain forms, HX-Redirect for htmx (fetch would follow a 303 and swap the page in). */
function redirectTo(req: Request, res: Response, location: string): void {
  if (isHtmx(req)) {
    res.set('HX-Redirect', location).status(204).end();
    return;
  }
  res.redirect(303, location);
}
