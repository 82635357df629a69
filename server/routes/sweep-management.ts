// The dashboard's sweep management routes, plain form POSTs that work without JavaScript: the edit page (name,
// tags, notes), archive / unarchive, and the delete confirmation page and its POST. Same rules as the JSON API.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../app-deps.js';
import { loadDeletePage, invalidEditPage, loadEditPage } from '../pages/sweep-manage.js';
import { parseSweepEditForm, SweepEditError } from '../sweep-edit.js';
import { parseId } from './api.js';
import { DeleteSweepPage } from '../../views/delete-sweep-page.js';
import { SweepEditPage } from '../../views/sweep-edit-page.js';

function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

export function createSweepManagementRoutes(deps: AppDeps): Router {
  const { store, scheduler } = deps;
  const router = Router();
  const html = (res: Response, body: string, status = 200) =>
    res.status(status).type('html').set('Cache-Control', 'no-store').send(body);

  router.get('/sweeps/:id/edit', (req, res) => {
    html(res, SweepEditPage(loadEditPage(store.getSweep(parseId(req.params.id, 'sweep')))));
  });

  router.post('/sweeps/:id/edit', (req, res) => {
    const sweep = store.getSweep(parseId(req.params.id, 'sweep'));
    const body = bodyOf(req);
    try {
      store.updateSweep(sweep.id, parseSweepEditForm(body));
    } catch (error) {
      if (!(error instanceof SweepEditError)) throw error;
      return html(res, SweepEditPage(invalidEditPage(sweep, body, error.issues)), 422);
    }
    res.redirect(303, `/sweeps/${sweep.id}`);
  });

  // Body: archived=1 archives, archived=0 unarchives.
  router.post('/sweeps/:id/archive', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    store.updateSweep(id, { archived: bodyOf(req).archived !== '0' });
    res.redirect(303, `/sweeps/${id}`);
  });

  router.get('/sweeps/:id/delete', (req, res) => {
    html(res, DeleteSweepPage(loadDeletePage(store, store.getSweep(parseId(req.params.id, 'sweep')))));
  });

  router.post('/sweeps/:id/delete', (req, res) => {
    const id = parseId(req.params.id, 'sweep');
    scheduler.deleteSweep(id);
    res.redirect(303, '/');
  });

  return router;
}
