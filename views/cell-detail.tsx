// The selected heatmap cell: its runs' loss curves overlaid (one colour and dash per seed; train dashed, validation
// solid), the per-layer activation std at the last epoch, and the list of runs with a link to compare them.
import { Card } from './card.js';
import { Chart, type ChartSpec } from './chart.js';
import { RunLink, RunOutcomeCells, RunOutcomeHeads, VerdictsCell } from './run-cells.js';

export interface CellRun {
  id: number;
  seed: number;
  status: string;
  finalValAcc: number | null;
  finalValLoss: number | null;
  verdicts: Array<{ kind: string; evidence: string }> | null;
  /** Values of pooled varying settings, e.g. "lr 0.05". */
  extra: string;
}

export interface CellDetailProps {
  sweepId: number;
  rowAxis: string;
  colAxis: string;
  row: string;
  col: string;
  runs: CellRun[];
  /** Runs in the cell; the charts show at most the first few. */
  total: number;
  loss: ChartSpec | null;
  layers: ChartSpec | null;
  /** Why there is no per-layer chart, when there are epochs (e.g. every activation std is 0). */
  layersNote?: string;
}

export function CellDetail(props: CellDetailProps): string {
  const ids = props.runs.map((r) => r.id);
  const title = `${props.rowAxis} ${props.row} × ${props.colAxis} ${props.col}`;
  return (
    <Card
      titleId="cell-title"
      title={title}
      caption={`${props.total} run${props.total === 1 ? '' : 's'}; lines: one colour and dash per run, training loss thin, validation loss thick.`}
      actions={
        ids.length >= 2 ? (
          <a class="btn" href={`/compare?runs=${ids.slice(0, 8).join(',')}`}>
            Compare these runs
          </a>
        ) : undefined
      }
    >
      <div class="charts">
        {props.loss ? (
          <Chart id="cell-loss" title="Loss over epochs (log scale)" spec={props.loss} summary={`${props.runs.length} runs`} />
        ) : (
          <p class="empty">No epochs recorded yet.</p>
        )}
        {props.layers ? (
          <Chart
            id="cell-layers"
            title="Activation std per layer, last epoch (log scale)"
            spec={props.layers}
            summary="Falling lines mean the signal shrinks with depth; rising ones that it grows."
          />
        ) : props.layersNote ? (
          <p class="note" safe>
            {props.layersNote}
          </p>
        ) : (
          ''
        )}
      </div>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col" class="num">
                Seed
              </th>
              <RunOutcomeHeads />
              <th scope="col">Verdicts</th>
            </tr>
          </thead>
          <tbody>
            {props.runs.map((run) => (
              <tr>
                <td>
                  <RunLink id={run.id} /> <span class="note" safe>{run.extra}</span>
                </td>
                <td class="num">{run.seed}</td>
                <RunOutcomeCells run={run} />
                <VerdictsCell verdicts={run.verdicts} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  ) as string;
}

export function CellPlaceholder(): string {
  return (<p class="empty card">Click a heatmap cell to see its runs' loss curves and per-layer picture here.</p>) as string;
}
