// Props of the sweep management pages: the edit form (as stored, or as typed with its errors by field) and the
// delete confirmation with what deleting would remove.
import type { Store } from '../../db/store.js';
import type { Sweep } from '../../db/types.js';
import type { DeleteSweepPageProps } from '../../views/delete-sweep-page.js';
import type { SweepEditPageProps } from '../../views/sweep-edit-page.js';
import type { FieldIssue } from '../../workers/run-config.js';

/** The edit form filled from the stored sweep. */
export function loadEditPage(sweep: Sweep): SweepEditPageProps {
  return {
    sweepId: sweep.id, currentName: sweep.name, name: sweep.name, tags: sweep.tags.join(', '), notes: sweep.notes, errors: {},
  };
}

/** The edit form as submitted, with each issue under its field ("tags.2" under tags; the first message wins). */
export function invalidEditPage(sweep: Sweep, body: Record<string, unknown>, issues: FieldIssue[]): SweepEditPageProps {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.path.split('.')[0] || 'name';
    errors[field] ??= field === 'tags' && issue.path !== 'tags' ? `a tag: ${issue.message}` : issue.message;
  }
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  return { sweepId: sweep.id, currentName: sweep.name, name: text('name'), tags: text('tags'), notes: text('notes'), errors };
}

export function loadDeletePage(store: Store, sweep: Sweep): DeleteSweepPageProps {
  return { sweepId: sweep.id, name: sweep.name, running: sweep.status === 'running', counts: store.sweepDeletePreview(sweep.id) };
}
