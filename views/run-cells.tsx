// Table cells every run list shares (cell detail, compare, the sweep's runs table): the link to the run, its status,
// final validation accuracy and loss, and its verdicts. Headers and cells sit side by side so columns stay aligned.
import { StatusBadge, VerdictBadges } from './badges.js';
import { formatMetric, formatPercent } from './format.js';

export interface RunOutcome {
  status: string;
  finalValAcc: number | null;
  finalValLoss: number | null;
}

export type RunVerdicts = ReadonlyArray<{ kind: string; evidence?: string }> | null;

/** "#12", linking to the run page. */
export function RunLink({ id }: { id: number }): string {
  return (<a href={`/runs/${id}`}>#{id}</a>) as string;
}

/** The three column headers matching `RunOutcomeCells`. */
export function RunOutcomeHeads(): string {
  return (
    <>
      <th scope="col">Status</th>
      <th scope="col" class="num">
        Val. acc.
      </th>
      <th scope="col" class="num">
        Val. loss
      </th>
    </>
  ) as string;
}

/** Status badge, final validation accuracy and final validation loss, one cell each. */
export function RunOutcomeCells({ run }: { run: RunOutcome }): string {
  return (
    <>
      <td>
        <StatusBadge status={run.status} />
      </td>
      {run.status === 'diverged' ? (
        // A diverged run has no final result: its stored accuracy is the untrained network's (or NaN).
        <>
          <td class="num muted" title="diverged: no final result">—</td>
          <td class="num muted" title="diverged: no final result">—</td>
        </>
      ) : (
        <>
          <td class="num" safe>{formatPercent(run.finalValAcc)}</td>
          <td class="num" safe>{formatMetric(run.finalValLoss)}</td>
        </>
      )}
    </>
  ) as string;
}

/** The run's verdict badges in one cell (`wrap` lets a narrow column break them over lines). */
export function VerdictsCell({ verdicts, wrap = false }: { verdicts: RunVerdicts; wrap?: boolean }): string {
  return (
    <td class={wrap ? 'wrap' : undefined}>
      <VerdictBadges verdicts={verdicts} />
    </td>
  ) as string;
}
