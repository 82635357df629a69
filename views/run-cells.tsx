// Table cells every run list shares (cell detail, compare, the sweep's runs table): the link to the run, then its
// outcome: verdicts first (what a user reads first), final validation accuracy and loss, and the process status last
// (a run can succeed as a process and still be dead or exploding). Headers and cells sit side by side.
import { StatusBadge, VerdictBadges } from './badges.js';
import { formatMetric, formatPercent } from './format.js';

export type RunVerdicts = ReadonlyArray<{ kind: string; evidence?: string }> | null;

export interface RunOutcome {
  status: string;
  finalValAcc: number | null;
  finalValLoss: number | null;
  verdicts: RunVerdicts;
}

/** "#12", linking to the run page. */
export function RunLink({ id }: { id: number }): string {
  return (<a href={`/runs/${id}`}>#{id}</a>) as string;
}

/** The four column headers matching `RunOutcomeCells`. */
export function RunOutcomeHeads(): string {
  return (
    <>
      <th scope="col">Verdicts</th>
      <th scope="col" class="num">
        Val. acc.
      </th>
      <th scope="col" class="num">
        Val. loss
      </th>
      <th scope="col">Status</th>
    </>
  ) as string;
}

/** Verdict badges, final validation accuracy, final validation loss and the status badge, one cell each. */
export function RunOutcomeCells({ run, wrap = false }: { run: RunOutcome; wrap?: boolean }): string {
  return (
    <>
      <VerdictsCell verdicts={run.verdicts} wrap={wrap} />
      {run.status === 'diverged' ? (
        // A diverged run has no final result: its stored accuracy is the untrained network's (or NaN).
        <>
          <td class="num muted" data-label="Val. acc." title="diverged: no final result">—</td>
          <td class="num muted" data-label="Val. loss" title="diverged: no final result">—</td>
        </>
      ) : (
        <>
          <td class="num" data-label="Val. acc." safe>{formatPercent(run.finalValAcc)}</td>
          <td class="num" data-label="Val. loss" safe>{formatMetric(run.finalValLoss)}</td>
        </>
      )}
      <td class="status-cell" data-label="Status">
        <StatusBadge status={run.status} />
      </td>
    </>
  ) as string;
}

/** The run's verdict badges in one cell (`wrap` lets a narrow column break them over lines). */
export function VerdictsCell({ verdicts, wrap = false }: { verdicts: RunVerdicts; wrap?: boolean }): string {
  return (
    <td class={wrap ? 'wrap verdicts-cell' : 'verdicts-cell'}>
      <VerdictBadges verdicts={verdicts} />
    </td>
  ) as string;
}
