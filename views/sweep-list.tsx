// The sweeps list: one row per sweep with status, progress, counts and times. `SweepList` is the partial the
// /stream SSE messages swap into #sweep-list; `SweepsPage` wraps it in the layout.
import type { Children } from '@kitajs/html';
import { StatusBadge } from './badges.js';
import { Card } from './card.js';
import { formatCount, formatTime, isoTime } from './format.js';
import { Layout } from './layout.js';
import { CountsLine, finishedCount, ProgressBar, type Counts } from './progress.js';
import { TagChips } from './tag-chips.js';

export interface SweepListItem {
  id: number;
  name: string;
  status: string;
  counts: Counts;
  createdAt: number;
  finishedAt: number | null;
  tags?: string[];
  archived?: boolean;
}

export interface SweepListProps {
  sweeps: SweepListItem[];
  /** All sweeps the list covers (the list shows a page of them): archived ones only with showArchived. */
  total: number;
  page: number;
  pageSize: number;
  /** Archived sweeps are listed too (?archived=1). */
  showArchived?: boolean;
  /** Archived sweeps in the database, shown or not. */
  archivedCount?: number;
}

/** The list's address for a page, keeping the archived toggle. */
function listUrl(page: number, showArchived: boolean | undefined): string {
  const params = new URLSearchParams();
  if (page > 1) params.set('page', String(page));
  if (showArchived) params.set('archived', '1');
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

function streamUrl(page: number, showArchived: boolean | undefined): string {
  return `/stream${listUrl(page, showArchived).slice(1)}`;
}

function Time({ ms }: { ms: number | null }): string {
  if (ms === null) return (<span class="muted">—</span>) as string;
  return (
    <time datetime={isoTime(ms)} safe>
      {formatTime(ms)}
    </time>
  ) as string;
}

/** ", 2 failed, 1 diverged": what went wrong, for the compact progress line. */
function problems(c: Counts): string {
  const parts: string[] = [];
  if (c.running > 0) parts.push(`${c.running} running`);
  if (c.failed > 0) parts.push(`${c.failed} failed`);
  if (c.diverged > 0) parts.push(`${c.diverged} diverged`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/** "12 / 84 runs"; a sweep with cancelled runs says how many ran instead of counting the cancelled as done. */
function progressText(c: Counts, done: number): string {
  if (c.cancelled === 0) return `${formatCount(done)} / ${formatCount(c.total)} runs`;
  return `cancelled after ${formatCount(done - c.cancelled)} of ${formatCount(c.total)} runs`;
}

export function SweepRow({ sweep }: { sweep: SweepListItem }): string {
  const done = finishedCount(sweep.counts);
  return (
    <tr id={`sweep-row-${sweep.id}`}>
      <td class="wrap">
        <a href={`/sweeps/${sweep.id}`} safe>
          {sweep.name}
        </a>
        <div class="note">
          #{sweep.id}
          {sweep.archived ? <span class="badge archived">archived</span> : ''}
        </div>
        <TagChips tags={sweep.tags ?? []} label={`Tags of sweep ${sweep.id}`} />
      </td>
      <td>
        <StatusBadge status={sweep.status} />
      </td>
      <td class="progress-cell">
        <ProgressBar counts={sweep.counts} small label={`Progress of sweep ${sweep.id}`} />
        <div class="note" safe>{progressText(sweep.counts, done) + problems(sweep.counts)}</div>
      </td>
      <td class="wrap hide-narrow">
        <CountsLine counts={sweep.counts} />
      </td>
      <td class="hide-narrow">
        <Time ms={sweep.createdAt} />
      </td>
      <td class="hide-narrow">
        <Time ms={sweep.finishedAt} />
      </td>
    </tr>
  ) as string;
}

export function SweepList({ sweeps, total, page, pageSize, showArchived, archivedCount = 0 }: SweepListProps): string {
  if (total === 0 && archivedCount > 0) {
    return (
      <p class="empty">
        <span safe>{`Every sweep (${formatCount(archivedCount)}) is archived. `}</span>
        <a href="/?archived=1">Show archived sweeps</a>
      </p>
    ) as string;
  }
  if (total === 0) {
    return (
      <p class="empty">
        No sweeps yet. <a href="/sweeps/new">Start one</a>: pick a preset such as the initialization tour, and watch
        the heatmap fill in.
      </p>
    ) as string;
  }
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <>
      <div class="table-wrap">
        <table class="sweeps-table">
          <caption class="visually-hidden">Sweeps, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col" class="hide-narrow">
                Runs by status
              </th>
              <th scope="col" class="hide-narrow">
                Started (UTC)
              </th>
              <th scope="col" class="hide-narrow">
                Finished (UTC)
              </th>
            </tr>
          </thead>
          <tbody>
            {sweeps.map((sweep) => (
              <SweepRow sweep={sweep} />
            ))}
          </tbody>
        </table>
      </div>
      {pages > 1 ? (
        <nav class="pager" aria-label="Sweep pages">
          <span safe>{`Page ${page} of ${pages} · ${formatCount(total)} sweeps`}</span>
          <span class="btn-row">
            {page > 1 ? (
              <a class="btn" href={listUrl(page - 1, showArchived)}>
                ← Newer
              </a>
            ) : (
              ''
            )}
            {page < pages ? (
              <a class="btn" href={listUrl(page + 1, showArchived)}>
                Older →
              </a>
            ) : (
              ''
            )}
          </span>
        </nav>
      ) : (
        ''
      )}
    </>
  ) as string;
}

/**
 * The "show archived" switch: a link, so it works without JavaScript and the address says what is shown. Absent
 * while nothing is archived.
 */
function ArchivedToggle({ showArchived, archivedCount = 0 }: SweepListProps): string {
  if (showArchived) {
    return (
      <a class="btn" href="/" aria-pressed="true">
        Hide archived
      </a>
    ) as string;
  }
  if (archivedCount === 0) return '';
  return (
    <a class="btn" href="/?archived=1" aria-pressed="false" safe>
      {`Show archived (${formatCount(archivedCount)})`}
    </a>
  ) as string;
}

/** `hosts`: the hosts panel (cluster mode), shown above the list. */
export function SweepsPage(props: SweepListProps & { hosts?: Children }): string {
  return Layout({
    title: 'Sweeps',
    nav: 'sweeps',
    live: true,
    children: (
      <>
        <div class="page-head">
          <h1>Sweeps</h1>
          <span class="sub">Every sweep, newest first.</span>
          <a class="btn primary" href="/sweeps/new" style="margin-left:auto">
            New sweep
          </a>
        </div>
        {props.hosts ?? ''}
        <Card
          titleId="sweeps-title"
          title={props.showArchived ? 'All sweeps, archived too' : 'All sweeps'}
          caption="Progress and counts update live while sweeps run."
          actions={<ArchivedToggle {...props} />}
        >
          <div id="sweep-list" {...{ 'hx-sse:connect': streamUrl(props.page, props.showArchived) }}>
            <SweepList {...props} />
          </div>
        </Card>
      </>
    ),
  });
}
