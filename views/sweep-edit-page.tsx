// The sweep edit page: name, tags (comma-separated) and Markdown notes, a plain form POST (works without JavaScript);
// after an invalid submit it shows every error next to its field, with the text as typed.
import { Card } from './card.js';
import { SweepSubpage } from './sweep-subpage.js';

export interface SweepEditPageProps {
  sweepId: number;
  /** The name the sweep has now (the crumbs), which the form may be changing. */
  currentName: string;
  name: string;
  tags: string;
  notes: string;
  /** Field → message, for name, tags and notes (tags.3 and the like are reported under tags). */
  errors: Record<string, string>;
}

function FieldError({ field, errors }: { field: string; errors: Record<string, string> }): string {
  const message = errors[field];
  if (message === undefined) return '';
  return (
    <span class="field-error" id={`err-${field}`} safe>
      {message}
    </span>
  ) as string;
}

export function SweepEditPage(props: SweepEditPageProps): string {
  const { sweepId, errors } = props;
  const invalid = (field: string) => (errors[field] !== undefined ? { 'aria-invalid': 'true', 'aria-describedby': `err-${field}` } : {});
  return SweepSubpage({
    sweepId, sweepName: props.currentName, step: 'Edit', heading: 'Edit sweep',
    children: (
      <>
        <Card titleId="edit-title" title="Name, tags and notes" caption="Changes only these; runs and results stay as they are.">
          <form class="edit-form" method="post" action={`/sweeps/${sweepId}/edit`} novalidate>
            <div class="field">
              <label for="edit-name">Name</label>
              <input id="edit-name" name="name" type="text" maxlength="200" required value={props.name} {...invalid('name')} />
              <FieldError field="name" errors={errors} />
            </div>
            <div class="field">
              <label for="edit-tags">
                Tags <span class="hint">separated by commas, e.g. baseline, relu</span>
              </label>
              <input id="edit-tags" name="tags" type="text" value={props.tags} {...invalid('tags')} />
              <FieldError field="tags" errors={errors} />
            </div>
            <div class="field">
              <label for="edit-notes">
                Notes{' '}
                <span class="hint">
                  Markdown: *emphasis*, **bold**, `code`, lists with - or 1., [links](https://…); HTML shows as text
                </span>
              </label>
              <textarea id="edit-notes" name="notes" rows="10" {...invalid('notes')} safe>
                {props.notes}
              </textarea>
              <FieldError field="notes" errors={errors} />
            </div>
            <div class="btn-row">
              <button class="btn primary" type="submit">
                Save
              </button>
              <a class="btn" href={`/sweeps/${sweepId}`}>
                Cancel
              </a>
            </div>
          </form>
        </Card>
      </>
    ),
  });
}
