// The sweep page, top to bottom: title and spec summary, live progress with counts, ETA and actions, the heatmap,
// the selected cell's curves, the runs table. `SweepProgress` is the partial the sweep stream re-renders.
import { StatusBadge } from './badges.js';
import { Card } from './card.js';
import { CellDetail, CellPlaceholder, type CellDetailProps } from './cell-detail.js';
import { formatDuration, formatTime, isoTime } from './format.js';
import { HeatmapCard, type HeatmapProps } from './heatmap.js';
import { Layout } from './layout.js';
import { CountsLine, ProgressBar, type Counts } from './progress.js';
import { RunsCard, type RunsTableProps } from './runs-table.js';
import { SweepNotes, type SweepNotesProps } from './sweep-notes.js';
import { TagChips } from './tag-chips.js';

export interface SpecItem {
  label: string;
  value: string;
  /** The setting varies across the sweep (value lists the values). */
  varies?: boolean;
}

export interface SweepProgressProps {
  sweepId: number;
  status: string;
  counts: Counts;
  /** Estimated time left, null when unknown or done. */
  etaMs: number | null;
  createdAt: number;
  finishedAt: number | null;
  /** Once nothing is left to run: how long runs were training (idle gaps left out); null while active. */
  busyMs: number | null;
}

export interface SweepPageProps {
  sweep: {
    id: number; name: string; status: string; description?: string; createdAt: number; finishedAt: number | null;
    tags: string[]; archived: boolean;
  };
  notes: SweepNotesProps;
  spec: SpecItem[];
  replayOf: number | null;
  /** The replayed run was deleted (with its sweep): no link, say so. */
  replayOriginGone?: boolean;
  progress: SweepProgressProps;
  heatmap: HeatmapProps;
  cell: CellDetailProps | null;
  runs: RunsTableProps;
}

const PIVOT_METRIC = 'final_val_acc';

export function SweepProgress(props: SweepProgressProps): string {
  const { counts, sweepId } = props;
  const active = counts.queued + counts.running > 0;
  const rerunnable = counts.failed + counts.diverged + counts.cancelled;
  const ran = counts.succeeded + counts.diverged + counts.failed;
  const took = props.busyMs !== null ? formatDuration(props.busyMs) : null;
  const eta = !active
    ? counts.cancelled > 0
      ? `cancelled after ${ran} of ${counts.total} runs${took !== null && ran > 0 ? `, which trained for ${took}` : ''}`
      : props.finishedAt !== null
        ? `finished ${formatTime(props.finishedAt)} UTC, took ${took ?? formatDuration(props.finishedAt - props.createdAt)}`
        : 'nothing left to run'
    : props.etaMs === null
      ? 'ETA after the first runs finish'
      : `about ${formatDuration(props.etaMs)} left`;
  return (
    <div id="sweep-progress">
      <div class="progress-line">
        <StatusBadge status={props.status} />
        <ProgressBar counts={counts} label="Sweep progress" />
        <span class="eta" safe>{eta}</span>
      </div>
      <CountsLine counts={counts} />
      {/* The page's one spoken update: it changes only when the sweep's status does, not with every count. */}
      <span class="visually-hidden" role="status" safe>
        {active ? `Sweep ${props.status}.` : `Sweep ${props.status}: ${eta}.`}
      </span>
      <div class="btn-row" style="margin-top:10px">
        {active ? (
          <form
            class="inline-form"
            method="post"
            action={`/sweeps/${sweepId}/cancel`}
            hx-post={`/sweeps/${sweepId}/cancel`}
            hx-target="#sweep-progress"
            hx-swap="outerHTML"
            hx-confirm="Cancel this sweep? Queued runs are dropped and running ones stopped."
          >
            <button class="btn danger" type="submit">
              Cancel sweep
            </button>
          </form>
        ) : (
          ''
        )}
        {rerunnable > 0 ? (
          <form
            class="inline-form"
            method="post"
            action={`/sweeps/${sweepId}/rerun`}
          >
            <button class="btn" type="submit" safe>
              {`Re-run ${rerunnable} failed, diverged or cancelled`}
            </button>
          </form>
        ) : (
          ''
        )}
        {rerunnable > 0 && counts.diverged > 0 ? (
          <span class="note" safe>
            {`Training is deterministic: the ${counts.diverged} diverged run${counts.diverged === 1 ? '' : 's'} will diverge again when re-run with the same settings.`}
          </span>
        ) : (
          ''
        )}
        <a class="btn" href={`/sweeps/${sweepId}/parallel`} style="margin-left:auto">
          Parallel coordinates
        </a>
        <a class="btn" href={`/sweeps/${sweepId}/phase`}>
          Phase view
        </a>
        <span class="note">Export:</span>
        <a class="btn" href={`/api/sweeps/${sweepId}/export?format=csv`}>
          CSV
        </a>
        <a class="btn" href={`/api/sweeps/${sweepId}/export?format=json`}>
          JSON
        </a>
        <a class="btn" href={`/api/sweeps/${sweepId}/export?format=md`}>
          Markdown
        </a>
        <a class="btn" href={`/api/sweeps/${sweepId}/export?pivot=${PIVOT_METRIC}&format=latex`}>
          LaTeX pivot
        </a>
      </div>
    </div>
  ) as string;
}

function SpecSummary({ items }: { items: SpecItem[] }): string {
  return (
    <dl class="spec">
      {items.map((item) => (
        <div>
          <dt safe>{item.label}</dt>
          <dd>
            <span safe>{item.value}</span>
            {item.varies ? <span class="varies"> (varies)</span> : ''}
          </dd>
        </div>
      ))}
    </dl>
  ) as string;
}

export function SweepPage(props: SweepPageProps): string {
  const { sweep } = props;
  return Layout({
    title: sweep.name,
    nav: null,
    live: props.heatmap.live,
    children: (
      <>
        <div class="crumbs">
          <a href="/">Sweeps</a> / <span safe>{`#${sweep.id}`}</span>
        </div>
        <div class="page-head">
          <h1 safe>{sweep.name}</h1>
          <span class="sub">
            started{' '}
            <time datetime={isoTime(sweep.createdAt)} safe>
              {`${formatTime(sweep.createdAt)} UTC`}
            </time>
          </span>
          {props.replayOf !== null ? (
            <span class="sub">
              {props.replayOriginGone ? (
                <span safe>{`replay of run #${props.replayOf} (deleted since)`}</span>
              ) : (
                <>
                  replay of <a href={`/runs/${props.replayOf}`}>run #{props.replayOf}</a>
                </>
              )}
            </span>
          ) : (
            ''
          )}
          {sweep.archived ? <span class="badge archived">archived</span> : ''}
          <TagChips tags={sweep.tags} label="Tags" />
        </div>
        <Card titleId="progress-title" title="Progress" caption={sweep.description}>
          <SpecSummary items={props.spec} />
          <div style="margin-top:12px">
            <SweepProgress {...props.progress} />
          </div>
        </Card>
        <SweepNotes {...props.notes} />
        <HeatmapCard {...props.heatmap} />
        <div id="cell-detail">
          {props.cell ? <CellDetail {...props.cell} /> : <CellPlaceholder />}
        </div>
        <RunsCard {...props.runs} />
      </>
    ),
  });
}
