// The sweep page's notes card: the user's Markdown notes rendered safely (views/markdown.ts), and the management
// actions: edit, archive or unarchive, delete (each a plain link or form, so they work without JavaScript).
import { Card } from './card.js';
import { Markdown } from './markdown.js';

export interface SweepNotesProps {
  sweepId: number;
  notes: string;
  archived: boolean;
}

export function SweepNotes(props: SweepNotesProps): string {
  const { sweepId } = props;
  const actions = (
    <div class="btn-row">
      <a class="btn" href={`/sweeps/${sweepId}/edit`}>
        Edit
      </a>
      <form class="inline-form" method="post" action={`/sweeps/${sweepId}/archive`}>
        <input type="hidden" name="archived" value={props.archived ? '0' : '1'} />
        <button class="btn" type="submit">
          {props.archived ? 'Unarchive' : 'Archive'}
        </button>
      </form>
      <a class="btn danger" href={`/sweeps/${sweepId}/delete`}>
        Delete…
      </a>
    </div>
  );
  return (
    <Card titleId="notes-title" title="Notes" actions={actions}>
      {props.notes.trim() === '' ? (
        <p class="empty">
          No notes yet. <a href={`/sweeps/${sweepId}/edit`}>Add some</a>: why this sweep, what you expect, what you found.
        </p>
      ) : (
        <div class="notes">
          <Markdown source={props.notes} />
        </div>
      )}
    </Card>
  ) as string;
}
