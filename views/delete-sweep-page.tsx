// The delete confirmation: says exactly what goes (the sweep, N runs, M epoch rows, K layer rows) and that nothing
// else is touched; a plain form POST confirms. A running sweep gets no delete button, only the way to cancel it.
import { Card } from './card.js';
import { formatCount } from './format.js';
import { SweepSubpage } from './sweep-subpage.js';

/** What a delete removes (the store's DeletionCounts, mirrored: views import nothing from db/). */
export interface DeletionCounts {
  runs: number;
  epochRows: number;
  layerRows: number;
}

export interface DeleteSweepPageProps {
  sweepId: number;
  name: string;
  running: boolean;
  counts: DeletionCounts;
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "deletes 84 runs, 3,360 epoch rows, 13,440 layer rows". */
export function deletionSummary(c: DeletionCounts): string {
  return `deletes ${plural(c.runs, 'run', 'runs')}, ${plural(c.epochRows, 'epoch row', 'epoch rows')}, ${plural(c.layerRows, 'layer row', 'layer rows')}`;
}

export function DeleteSweepPage(props: DeleteSweepPageProps): string {
  const { sweepId } = props;
  return SweepSubpage({
    sweepId, sweepName: props.name, step: 'Delete', heading: `Delete “${props.name}”?`,
    children: (
      <>
        <Card titleId="delete-title" title="What goes" caption="Deleting cannot be undone.">
          <p class="delete-summary" safe>
            {`Deleting sweep #${sweepId} ${deletionSummary(props.counts)}.`}
          </p>
          <p class="note">
            Nothing else is touched: other sweeps keep their runs and metrics, and a replay of one of these runs stays,
            saying its original no longer exists. To keep the results but hide the sweep, archive it instead.
          </p>
          {props.running ? (
            <p class="field-error">This sweep is still running: cancel it on its page first, then delete it.</p>
          ) : (
            ''
          )}
          <div class="btn-row" style="margin-top:12px">
            {props.running ? (
              ''
            ) : (
              <form class="inline-form" method="post" action={`/sweeps/${sweepId}/delete`}>
                <button class="btn danger" type="submit" safe>
                  {`Delete sweep and ${plural(props.counts.runs, 'run', 'runs')}`}
                </button>
              </form>
            )}
            <a class="btn" href={`/sweeps/${sweepId}`}>
              Keep it
            </a>
          </div>
        </Card>
      </>
    ),
  });
}
