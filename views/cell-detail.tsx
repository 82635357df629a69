// The selected heatmap cell: its runs' loss curves overlaid (one colour and dash per seed; train dashed, validation
// solid), the per-layer activation std at the last epoch, and the list of runs with a link to compare them.
import { Card } from './card.js';
import { Chart, type ChartSpec } from './chart.js';
import { RunLink, RunOutcomeCells, RunOutcomeHeads } from './run-cells.js';

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
  /** This partial's own URL: a cell with queued or running runs re-fetches it on the sweep stream's `cells-changed`
   * (in app.js, one request at a time and once more if events arrived meanwhile: hx-trigger would drop the last). */
  url: string;
}

/** Whether any of the cell's runs can still change (the panel then follows the sweep's stream). */
export function isCellLive(runs: Array<{ status: string }>): boolean {
  return runs.some((r) => r.status === 'queued' || r.status === 'running');
}

export function CellDetail(props: CellDetailProps): string {
  const ids = props.runs.map((r) => r.id);
  const title = `${props.rowAxis} ${props.row} × ${props.colAxis} ${props.col}`;
  const live = isCellLive(props.runs);
  const runsText = `${props.total} run${props.total === 1 ? '' : 's'}`;
  const liveText = live
    ? ' Live: follows the sweep as these runs train (refreshed at most twice a second).'
    : ' All runs of this cell have finished; these numbers are final.';
  return (
    <Card
      id="cell-card"
      titleId="cell-title"
      title={title}
      caption={`${runsText}; lines: one colour and dash per run, training loss thin, validation loss thick.${liveText}`}
      attrs={
        live
          ? { 'data-live': 'true', 'data-url': props.url } // app.js re-fetches it on the stream's `cells-changed`
          : { 'data-live': 'false' }
      }
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
          <Chart id="cell-loss" title="Loss over epochs" spec={props.loss} summary={`${props.runs.length} runs`} />
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
