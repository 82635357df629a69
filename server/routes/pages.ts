// The dashboard's HTML routes: full pages, and the partials htmx swaps (heatmap, cell, runs table, progress, form
// preview). Thin: parse the request, load props (page-data.ts, sweep-form.ts), render a view.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../app-deps.js';
import { HttpError } from '../errors.js';
import { getPreset } from '../presets.js';
import { parseSweepSpec } from '../sweep-spec.js';
import { ConfigError, type FieldIssue } from '../../workers/run-config.js';
import { parseId } from './api.js';
import {
  isSweepActive, loadCellDetail, loadCompare, loadHeatmap, loadProgress, loadRunPage, loadRunsTable, loadSpecSummary,
  loadSweepList, MAX_COMPARE_RUNS, parseRunIds, parseSweepQuery, replayOf,
} from './page-data.js';
import {
  defaultFormValues, formOptions, formToSpec, issuesToFields, previewSpec, readFormValues, specToFormValues,
} from './sweep-form.js';
import { CellDetail } from '../../views/cell-detail.js';
import { ComparePage } from '../../views/compare-page.js';
import { ErrorFragment, ErrorPage } from '../../views/error-page.js';
import { HeatmapCard } from '../../views/heatmap.js';
import {
  NewSweepPage, Preview, SweepForm, SweepJsonForm, type NewSweepForm, type SweepFormValues,
} from '../../views/new-sweep.js';
import { sweepUrl, type SweepQuery } from '../../views/query.js';
import { RunPage } from '../../views/run-page.js';
import { RunsCard } from '../../views/runs-table.js';
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

/**
 * The sweep page state for a partial: the address bar's current state (HX-Current-URL, when it is this sweep's
 * page) with the keys this partial changes taken from the request.
 */
function mergedQuery(req: Request, sweepId: number, keys: Array<keyof SweepQuery>): SweepQuery {
  let current: Record<string, unknown> = {};
  const header = req.get('hx-current-url');
  if (header) {
    try {
      const url = new URL(header);
      if (url.pathname === `/sweeps/${sweepId}`) current = Object.fromEntries(url.searchParams);
    } catch {
      // a malformed header only loses the rest of the state
    }
  }
  const merged: Record<string, unknown> = { ...current };
  for (const key of keys) {
    if (key in req.query) merged[key] = req.query[key];
    else delete merged[key];
  }
  return parseSweepQuery(merged);
}

/** Indented JSON, with arrays of plain values kept on one line ("hidden": [64, 64, 64]). */
function specJson(spec: unknown): string {
  return JSON.stringify(spec, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner: string) => `[${inner.split(/,\n\s*/).join(', ')}]`);
}

function jsonForm(props: { json: string; preset: string; issues: FieldIssue[]; notice?: string }, deps: AppDeps): NewSweepForm {
  let preview;
  try {
    preview = previewSpec(JSON.parse(props.json) as unknown, deps.store, deps.threads);
  } catch {
    preview = { runs: null, durationMs: null, threads: deps.threads, error: 'the spec is not valid JSON yet' };
  }
  return { kind: 'json', props: { ...props, options: formOptions(), preview } };
}

function formForm(values: SweepFormValues, deps: AppDeps, errors: Record<string, string> = {}, general: string[] = [], notice?: string): NewSweepForm {
  const { spec, errors: typeErrors } = formToSpec(values);
  const firstError = Object.entries(typeErrors)[0];
  const preview = firstError
    ? { runs: null, durationMs: null, threads: deps.threads, error: `${firstError[0]}: ${firstError[1]}` }
    : previewSpec(spec, deps.store, deps.threads);
  return { kind: 'form', props: { values, options: formOptions(), errors, general, preview, notice } };
}

function renderForm(form: NewSweepForm): string {
  return form.kind === 'form' ? SweepForm(form.props) : SweepJsonForm(form.props);
}

/** The form (or JSON view) a preset opens in; presets the form cannot express open as JSON. */
function presetForm(presetName: string, mode: string | undefined, deps: AppDeps): NewSweepForm {
  if (presetName === '') {
    const values = defaultFormValues();
    if (mode === 'json') return jsonForm({ json: specJson(parseSweepSpec(formToSpec(values).spec)), preset: '', issues: [] }, deps);
    return formForm(values, deps);
  }
  const preset = getPreset(presetName);
  const values = mode === 'json' ? null : specToFormValues(preset.spec, presetName);
  if (values) return formForm(values, deps);
  const notice = mode === 'json'
    ? undefined
    : `The "${preset.title}" preset varies settings the form cannot show, so it opens as JSON.`;
  return jsonForm({ json: specJson(preset.spec), preset: presetName, issues: [], notice }, deps);
}

export function createPageRoutes(deps: AppDeps): Router {
  const { store, scheduler } = deps;
  const router = Router();

  router.get('/', (req, res) => {
    const page = Number(req.query.page ?? 1);
    sendHtml(res, SweepsPage(loadSweepList(store, Number.isSafeInteger(page) ? page : 1)));
  });

  // ---- new sweep ----------------------------------------------------------------------------------------------

  router.get('/sweeps/new', (req, res) => {
    const preset = typeof req.query.preset === 'string' ? req.query.preset : '';
    const mode = typeof req.query.mode === 'string' ? req.query.mode : undefined;
    sendHtml(res, NewSweepPage({ form: presetForm(preset, mode, deps), options: formOptions(), preset }));
  });

  router.post('/sweeps/new/preview', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let html: string;
    if (typeof body.spec === 'string') {
      try {
        html = Preview(previewSpec(JSON.parse(body.spec) as unknown, store, deps.threads));
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        html = Preview({ runs: null, durationMs: null, threads: deps.threads, error: `not valid JSON: ${error.message}` });
      }
    } else {
      const form = formForm(readFormValues(body), deps);
      html = Preview(form.kind === 'form' ? form.props.preview : { runs: null, durationMs: null, threads: deps.threads });
    }
    sendHtml(res, html);
  });

  // Form → JSON view, keeping what was typed (fields that are not numbers yet stay out of the spec).
  router.post('/sweeps/new/json', (req, res) => {
    const values = readFormValues((req.body ?? {}) as Record<string, unknown>);
    const { spec } = formToSpec(values);
    let json = specJson(spec);
    try {
      json = specJson(parseSweepSpec(spec));
    } catch {
      // show the spec as built; its issues appear when it is launched
    }
    const form = jsonForm({ json, preset: values.preset, issues: [] }, deps);
    if (isHtmx(req)) sendHtml(res, renderForm(form));
    else sendHtml(res, NewSweepPage({ form, options: formOptions(), preset: values.preset }));
  });

  // JSON view → form, when the form can express the spec.
  router.post('/sweeps/new/form', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const json = typeof body.spec === 'string' ? body.spec : '';
    const preset = typeof body.preset === 'string' ? body.preset : '';
    let form: NewSweepForm;
    try {
      const values = specToFormValues(parseSweepSpec(JSON.parse(json) as unknown), preset);
      form = values
        ? formForm(values, deps)
        : jsonForm({ json, preset, issues: [], notice: 'This spec uses settings the form cannot show (other grid axes, random search, or fields outside the form); keep editing it as JSON.' }, deps);
    } catch (error) {
      const issues: FieldIssue[] = error instanceof ConfigError ? error.issues
        : error instanceof SyntaxError ? [{ path: '', message: `not valid JSON: ${error.message}` }] : [];
      if (issues.length === 0) throw error;
      form = jsonForm({ json, preset, issues, notice: 'Fix the spec before switching back to the form.' }, deps);
    }
    if (isHtmx(req)) sendHtml(res, renderForm(form));
    else sendHtml(res, NewSweepPage({ form, options: formOptions(), preset }));
  });

  router.post('/sweeps', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const preset = typeof body.preset === 'string' ? body.preset : '';
    const invalid = (form: NewSweepForm) => {
      if (isHtmx(req)) sendHtml(res, renderForm(form), 422);
      else sendHtml(res, NewSweepPage({ form, options: formOptions(), preset }), 422);
    };
    let specInput: unknown;
    if (body.mode === 'json') {
      const json = typeof body.spec === 'string' ? body.spec : '';
      try {
        specInput = JSON.parse(json) as unknown;
      } catch (error) {
        return invalid(jsonForm({ json, preset, issues: [{ path: '', message: `not valid JSON: ${(error as Error).message}` }] }, deps));
      }
      try {
        const created = scheduler.submit(specInput);
        return redirectTo(req, res, `/sweeps/${created.id}`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return invalid(jsonForm({ json, preset, issues: error.issues }, deps));
      }
    }
    const values = readFormValues(body);
    const { spec, errors } = formToSpec(values);
    let issues: FieldIssue[] = [];
    if (Object.keys(errors).length === 0) {
      try {
        const created = scheduler.submit(spec);
        return redirectTo(req, res, `/sweeps/${created.id}`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        issues = error.issues;
      }
    } else {
      try {
        parseSweepSpec(spec);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        issues = error.issues;
      }
    }
    const placed = issuesToFields(issues, spec);
    return invalid(formForm(values, deps, { ...placed.errors, ...errors }, placed.general));
  });

  // ---- sweep --------------------------------------------------------------------------------------------------

  router.get('/sweeps/:id', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const query = parseSweepQuery(req.query as Record<string, unknown>);
    const progress = loadProgress(store, sweep, deps.threads);
    const live = isSweepActive(progress.counts) || sweep.status === 'running';
    const cell = query.row !== undefined && query.col !== undefined ? loadCellDetail(store, sweep, query.row, query.col) : null;
    sendHtml(res, SweepPage({
      sweep: {
        id: sweep.id,
        name: sweep.name,
        status: sweep.status,
        description: (sweep.spec as { description?: string })?.description,
        createdAt: sweep.createdAt,
        finishedAt: sweep.finishedAt,
      },
      spec: loadSpecSummary(store, sweep),
      replayOf: replayOf(sweep),
      progress,
      heatmap: loadHeatmap(store, sweep, query, live, progress.counts),
      cell,
      runs: loadRunsTable(store, sweep, query),
    }));
  });

  router.get('/sweeps/:id/heatmap', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const query = mergedQuery(req, sweep.id, ['metric']);
    const counts = store.sweepCounts(sweep.id);
    const live = isSweepActive(counts) || sweep.status === 'running';
    res.set('HX-Replace-Url', sweepUrl(sweep.id, query));
    sendHtml(res, HeatmapCard(loadHeatmap(store, sweep, query, live, counts)));
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
    const query = mergedQuery(req, sweep.id, ['status', 'verdict', 'sort', 'order', 'page']);
    const table = loadRunsTable(store, sweep, query);
    res.set('HX-Replace-Url', sweepUrl(sweep.id, table.query));
    sendHtml(res, RunsCard(table));
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

  // ---- runs ---------------------------------------------------------------------------------------------------

  router.get('/runs/:id', (req, res) => {
    sendHtml(res, RunPage(loadRunPage(store, parseId(req.params.id, 'run'))));
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
