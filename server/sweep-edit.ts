// Sweep edits as the JSON API and the dashboard's edit form take them: one zod schema for name, notes, tags and
// archived; every bad field is named, unknown fields are refused. The form's comma-separated tags become a list.
import { z } from 'zod';
import type { SweepEdit } from '../db/types.js';
import { toFieldIssues, type FieldIssue } from '../workers/run-config.js';

export const MAX_NAME_CHARS = 200;
export const MAX_NOTES_CHARS = 20_000;
export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 40;

/** A sweep edit that failed validation; `issues` names every bad field. Answered as 400 invalid_sweep_edit. */
export class SweepEditError extends Error {
  override readonly name = 'SweepEditError';
  readonly code = 'invalid_sweep_edit';
  readonly status = 400;
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid sweep edit: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`);
  }
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const tagSchema = z.string().trim()
  .min(1, 'a tag cannot be empty')
  .max(MAX_TAG_CHARS, `a tag has at most ${MAX_TAG_CHARS} characters`)
  .refine((tag) => !tag.includes(',') && !CONTROL.test(tag) && !/[\r\n\t]/.test(tag), 'a tag cannot contain commas, tabs, line breaks or control characters');

const sweepEditSchema = z.strictObject({
  name: z.string('expected text').trim()
    .min(1, 'a sweep needs a name')
    .max(MAX_NAME_CHARS, `a name has at most ${MAX_NAME_CHARS} characters`)
    .refine((name) => !CONTROL.test(name) && !/[\r\n]/.test(name), 'a name is one line without control characters')
    .optional(),
  notes: z.string('expected text').max(MAX_NOTES_CHARS, `notes have at most ${MAX_NOTES_CHARS} characters`)
    .refine((notes) => !CONTROL.test(notes), 'notes cannot contain control characters').optional(),
  tags: z.array(tagSchema, 'expected a list of tags').max(MAX_TAGS, `at most ${MAX_TAGS} tags`).optional(),
  archived: z.boolean('expected true or false').optional(),
});

/** The API's PATCH body as a SweepEdit; SweepEditError names every bad field. An edit that changes nothing is refused. */
export function parseSweepEdit(body: unknown): SweepEdit {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SweepEditError([{ path: '', message: 'the body must be a JSON object with any of name, notes, tags, archived' }]);
  }
  const parsed = sweepEditSchema.safeParse(body);
  if (!parsed.success) throw new SweepEditError(toFieldIssues(parsed.error));
  const edit = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as SweepEdit;
  if (Object.keys(edit).length === 0) {
    throw new SweepEditError([{ path: '', message: 'nothing to change: give any of name, notes, tags, archived' }]);
  }
  if (edit.notes !== undefined) edit.notes = edit.notes.replace(/\r\n?/g, '\n');
  if (edit.tags !== undefined) edit.tags = [...new Set(edit.tags)];
  return edit;
}

/** "a, b ,c" → ["a", "b", "c"]: the edit form's tags field; empty pieces are dropped. */
export function splitTags(text: string): string[] {
  return text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
}

/** The edit form's fields (name, notes, tags as comma-separated text) as a SweepEdit; SweepEditError as above. */
export function parseSweepEditForm(body: Record<string, unknown>): SweepEdit {
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  return parseSweepEdit({ name: text('name'), notes: text('notes'), tags: splitTags(text('tags')) });
}
