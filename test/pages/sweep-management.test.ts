// Sweep management in the dashboard: notes rendered safely, tags as chips, the edit form, archive and the show-archived
// toggle, and the delete confirmation with its counts, all as plain HTML forms.
import { describe, expect, it } from 'vitest';
import { isSafeHref, renderMarkdown } from '../../views/markdown.js';
import { settle } from '../helpers/fake-executor.js';
import { twoSeedSpec, useManagedApp } from '../helpers/managed-sweeps.js';

describe('the notes renderer', () => {
  it('renders paragraphs, emphasis, code, lists and links', () => {
    expect(renderMarkdown('One *two* **three** `x < y`\nnext line\n\n- a\n- [b](https://example.org/?q=1&r=2)\n\n1. c\n2. [d](/runs/3)'))
      .toBe('<p>One <em>two</em> <strong>three</strong> <code>x &lt; y</code><br>next line</p>'
        + '<ul><li>a</li><li><a href="https://example.org/?q=1&amp;r=2" rel="noopener noreferrer nofollow">b</a></li></ul>'
        + '<ol><li>c</li><li><a href="/runs/3" rel="noopener noreferrer nofollow">d</a></li></ol>');
  });

  it('escapes raw HTML and leaves links to other schemes as text', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)>\n[x](javascript:alert(1)) [y](JavaScript:void) [z](data:text/html,hi) [w](//evil.example)');
    expect(html).not.toMatch(/<script|<img|<a /i);
    expect(html).toContain('&lt;script>alert(1)&lt;/script> &lt;img src=x onerror=alert(1)>');
    expect(html).toContain('[y](JavaScript:void)');
  });

  it('allows http(s) and same-site paths only', () => {
    for (const ok of ['https://a.org', 'http://a.org/x', '/sweeps/3', '#notes', 'runs/4', '?page=2']) expect(isSafeHref(ok), ok).toBe(true);
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:x', 'data:text/html,x', 'vbscript:x', '//evil.example', 'https:/x', '/\\evil', 'mailto:a@b.c']) {
      expect(isSafeHref(bad), bad).toBe(false);
    }
  });
});

describe('sweep management pages', () => {
  const app = useManagedApp();
  const get = async (path: string) => fetch(app.server.url + path, { redirect: 'manual' });
  const text = async (path: string) => (await get(path)).text();
  const postForm = (path: string, fields: Record<string, string>) =>
    fetch(app.server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
  const finishedSweep = (name: string) => app.finishedSweep(name);

  it('renders hostile notes inert on the sweep page', async () => {
    const id = await finishedSweep('hostile');
    app.services.store.updateSweep(id, {
      notes: 'Look: <script>alert(1)</script>\n\n[x](javascript:alert(1)) and [ok](https://example.org)',
      tags: ['<b>bold</b>', 'relu'],
    });
    const html = await text(`/sweeps/${id}`);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('Look: &lt;script>alert(1)&lt;/script>');
    expect(html).toContain('[x](javascript:alert(1))');
    expect(html).toContain('<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>');
    expect(html).toMatch(/<li class="tag">&lt;b>bold&lt;\/b><\/li>/);
    expect(html).toContain(`href="/sweeps/${id}/edit"`);
    expect(html).toContain(`href="/sweeps/${id}/delete"`);
  });

  it('edits name, tags and notes through the form and redirects to the sweep', async () => {
    const id = await finishedSweep('to edit');
    const form = await text(`/sweeps/${id}/edit`);
    expect(form).toContain('value="to edit"');
    const res = await postForm(`/sweeps/${id}/edit`, { name: 'edited', tags: 'baseline, relu ,', notes: 'why: *because*' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/sweeps/${id}`);
    expect(app.services.store.getSweep(id)).toMatchObject({ name: 'edited', tags: ['baseline', 'relu'], notes: 'why: *because*' });
    const page = await text(`/sweeps/${id}`);
    expect(page).toContain('<h1>edited</h1>');
    expect(page).toContain('<li class="tag">baseline</li>');
    expect(page).toContain('why: <em>because</em>');
  });

  it('shows every form error beside its field and keeps what was typed', async () => {
    const id = await finishedSweep('stays');
    const res = await postForm(`/sweeps/${id}/edit`, { name: '  ', tags: `ok, ${'t'.repeat(41)}`, notes: '<i>kept</i>' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<span class="field-error" id="err-name">a sweep needs a name</span>');
    expect(html).toContain('id="err-tags">a tag: a tag has at most 40 characters');
    expect(html).toContain('&lt;i>kept&lt;/i></textarea>');
    expect(app.services.store.getSweep(id).name).toBe('stays');
  });

  it('archives, hides the sweep from the list unless archived sweeps are shown, and unarchives', async () => {
    const id = await finishedSweep('old one');
    expect(await text('/')).not.toContain('Show archived');
    const res = await postForm(`/sweeps/${id}/archive`, { archived: '1' });
    expect(res.status).toBe(303);
    expect(await text(`/sweeps/${id}`)).toContain('<span class="badge archived">archived</span>');
    const list = await text('/');
    expect(list).not.toContain(`id="sweep-row-${id}"`);
    expect(list).toContain('Show archived (1)');
    const all = await text('/?archived=1');
    expect(all).toContain(`id="sweep-row-${id}"`);
    expect(all).toContain('hx-sse:connect="/stream?archived=1"');
    await postForm(`/sweeps/${id}/archive`, { archived: '0' });
    expect(await text('/')).toContain(`id="sweep-row-${id}"`);
  });

  it('confirms a delete with the counts of what goes, then deletes on the form POST', async () => {
    const id = await finishedSweep('doomed');
    const confirm = await text(`/sweeps/${id}/delete`);
    // Two runs, epochs 0..2 each, one layer per epoch.
    expect(confirm).toContain(`Deleting sweep #${id} deletes 2 runs, 6 epoch rows, 6 layer rows.`);
    expect(confirm).toContain(`action="/sweeps/${id}/delete"`);
    const res = await postForm(`/sweeps/${id}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect((await get(`/sweeps/${id}`)).status).toBe(404);
  });

  it('keeps a replay of a deleted run working: its sweep page and run page say the original is gone', async () => {
    const originalId = await finishedSweep('original');
    const runId = app.services.store.listRuns(originalId).runs[0].id;
    const replay = app.services.scheduler.replay(runId);
    for (const id of app.executor.runningIds()) app.executor.finish(id);
    await settle();
    expect(await text(`/sweeps/${replay.id}`)).toContain(`href="/runs/${runId}"`);
    expect((await postForm(`/sweeps/${originalId}/delete`, {})).status).toBe(303);
    const page = await text(`/sweeps/${replay.id}`);
    expect(page).toContain(`replay of run #${runId} (deleted since)`);
    expect(page).not.toContain(`href="/runs/${runId}"`);
    const replayRun = app.services.store.listRuns(replay.id).runs[0].id;
    const runPage = await get(`/runs/${replayRun}`);
    expect(runPage.status).toBe(200);
    expect(await runPage.text()).toContain('the original run no longer exists.');
  });

  it('offers no delete button for a running sweep and refuses its POST with 409', async () => {
    const { id } = app.services.scheduler.submit(twoSeedSpec('busy'));
    const confirm = await text(`/sweeps/${id}/delete`);
    expect(confirm).toContain('This sweep is still running: cancel it on its page first');
    expect(confirm).not.toContain(`action="/sweeps/${id}/delete"`);
    const res = await postForm(`/sweeps/${id}/delete`, {});
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('is still running: cancel it first');
    app.services.scheduler.cancel(id);
    await settle();
  });
});
