// Sweep management over the JSON API: PATCH name, notes, tags, archived; delete preview; DELETE with counts.
import { describe, expect, it } from 'vitest';
import { settle } from '../helpers/fake-executor.js';
import { twoSeedSpec, useManagedApp } from '../helpers/managed-sweeps.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}

describe('sweep management API', () => {
  const app = useManagedApp();
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(app.server.url + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const patch = (id: number, body: unknown) => send('PATCH', `/api/sweeps/${id}`, body);

  /** A finished two-run sweep, checked through the API. */
  async function finishedSweep(name: string): Promise<number> {
    const id = await app.finishedSweep(name);
    expect((await json(fetch(`${app.server.url}/api/sweeps/${id}`))).status).toBe('finished');
    return id;
  }

  it('renames a sweep and answers the sweep as GET does', async () => {
    const id = await finishedSweep('first name');
    const res = await patch(id, { name: '  second name ' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id, name: 'second name', notes: '', tags: [], archivedAt: null, counts: { total: 2 } });
    expect((await json(fetch(`${app.server.url}/api/sweeps/${id}`))).name).toBe('second name');
  });

  it('sets notes, tags and archived, each alone, leaving the others', async () => {
    const id = await finishedSweep('fields');
    expect(await json(patch(id, { notes: 'line one\r\n*two*' }))).toMatchObject({ notes: 'line one\n*two*', tags: [] });
    expect(await json(patch(id, { tags: ['relu', ' baseline ', 'relu'] }))).toMatchObject({
      notes: 'line one\n*two*', tags: ['relu', 'baseline'],
    });
    const archived = await json(patch(id, { archived: true }));
    expect(archived.archivedAt).toEqual(expect.any(Number));
    expect(archived).toMatchObject({ name: 'fields', tags: ['relu', 'baseline'] });
    const listed = (await json(fetch(`${app.server.url}/api/sweeps`))).find((s: { id: number }) => s.id === id);
    expect(listed.archivedAt).toBe(archived.archivedAt);
    expect((await json(patch(id, { archived: false }))).archivedAt).toBeNull();
  });

  it('answers invalid fields with 400 naming every one of them', async () => {
    const id = await finishedSweep('invalid');
    const res = await patch(id, { name: ' ', tags: ['ok', 'a,b', 7], archived: 'yes' });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('invalid_sweep_edit');
    const paths = body.error.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['archived', 'name', 'tags.1', 'tags.2']);
    expect(body.error.message).toContain('name: a sweep needs a name');
    expect((await json(fetch(`${app.server.url}/api/sweeps/${id}`))).name).toBe('invalid');
  });

  it('refuses unknown fields, an empty edit and a body that is not an object', async () => {
    const id = await finishedSweep('strict');
    const unknown = await json(patch(id, { name: 'x', status: 'finished' }));
    expect(unknown.error.issues).toEqual([{ path: 'status', message: 'unknown field' }]);
    expect((await json(patch(id, {}))).error.message).toContain('nothing to change');
    const notObject = await patch(id, [1]);
    expect(notObject.status).toBe(400);
    const tooLong = await json(patch(id, { notes: 'x'.repeat(20_001) }));
    expect(tooLong.error.issues[0].path).toBe('notes');
  });

  it('answers 404 for an unknown sweep on PATCH, preview and DELETE', async () => {
    for (const res of [await patch(999, { name: 'x' }), await fetch(`${app.server.url}/api/sweeps/999/delete-preview`),
      await send('DELETE', '/api/sweeps/999')]) {
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe('not_found');
    }
  });

  it('previews and deletes a sweep with its runs and metric rows, keeping the other sweeps', async () => {
    const kept = await finishedSweep('kept');
    const doomed = await finishedSweep('doomed');
    // Two runs, each epochs 0..2 with one layer.
    const preview = await json(fetch(`${app.server.url}/api/sweeps/${doomed}/delete-preview`));
    expect(preview).toEqual({ id: doomed, deletable: true, runs: 2, epochRows: 6, layerRows: 6 });
    const res = await send('DELETE', `/api/sweeps/${doomed}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: doomed, deleted: { runs: 2, epochRows: 6, layerRows: 6 } });
    expect((await fetch(`${app.server.url}/api/sweeps/${doomed}`)).status).toBe(404);
    expect((await json(fetch(`${app.server.url}/api/sweeps/${kept}/runs`))).total).toBe(2);
  });

  it('refuses to delete a running sweep with 409 saying to cancel it first, then deletes it once cancelled', async () => {
    const { id } = await json(send('POST', '/api/sweeps', twoSeedSpec('busy')));
    expect((await json(fetch(`${app.server.url}/api/sweeps/${id}/delete-preview`))).deletable).toBe(false);
    const res = await send('DELETE', `/api/sweeps/${id}`);
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error.code).toBe('sweep_running');
    expect(body.error.message).toBe(`sweep ${id} is still running: cancel it first`);
    expect((await send('POST', `/api/sweeps/${id}/cancel`)).status).toBe(200);
    await settle();
    expect((await send('DELETE', `/api/sweeps/${id}`)).status).toBe(200);
  });

  it('refuses a cross-site PATCH and DELETE like every other write', async () => {
    const id = await finishedSweep('guarded');
    const headers = { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' };
    expect((await send('PATCH', `/api/sweeps/${id}`, { name: 'pwned' }, headers)).status).toBe(403);
    expect((await send('DELETE', `/api/sweeps/${id}`, undefined, headers)).status).toBe(403);
    const sameOrigin = await send('PATCH', `/api/sweeps/${id}`, { name: 'ok' }, { origin: app.server.url, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
    expect((await json(fetch(`${app.server.url}/api/sweeps/${id}`))).name).toBe('ok');
  });
});
