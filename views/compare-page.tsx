// Compare runs side by side: curves overlaid (one colour and dash per run), each run's per-layer maps next to each
// other, and the config with the settings that differ highlighted and listed first.
import { Card } from './card.js';
import { Chart, seriesStyle, type ChartSpec } from './chart.js';
import { runLine } from './chart-styles.js';
import { LayerMap, type LayerMatrix, type LayerRow } from './layer-picture.js';
import { Layout } from './layout.js';
import { RunLink, RunOutcomeCells, RunOutcomeHeads } from './run-cells.js';

export interface CompareRun {
  id: number;
  label: string;
  sweepId: number;
  sweepName: string;
  status: string;
  finalValAcc: number | null;
  finalValLoss: number | null;
  verdicts: Array<{ kind: string; evidence: string }> | null;
  actStd: LayerMatrix;
  deltaNorm: LayerMatrix;
  rows: LayerRow[];
}

export interface ConfigDiffRow {
  path: string;
  values: string[];
  differs: boolean;
}

export interface ComparePageProps {
  /** Whether any run is queued or running: the page body then re-fetches itself every POLL_SECONDS. */
  live: boolean;
  /** This page's own URL, for the re-fetch. */
  url: string;
  runs: CompareRun[];
  loss: ChartSpec;
  acc: ChartSpec;
  config: ConfigDiffRow[];
}

function Swatch({ index }: { index: number }): string {
  const style = seriesStyle(index);
  const dash = runLine(index).dash ?? style.dash; // as the charts draw the run
  return (
    <svg width="28" height="8" viewBox="0 0 28 8" aria-hidden="true">
      <line x1="1" y1="4" x2="27" y2="4" stroke={style.color} style={`stroke:var(--series-${style.palette})`} stroke-width="3" stroke-dasharray={dash.join(' ') || undefined} />
    </svg>
  ) as string;
}

/** How often a live compare page re-fetches its body. */
export const POLL_SECONDS = 2;

/** htmx polling of the page's own URL, keeping only #compare-body; a final body carries none, so polling stops. */
function pollAttributes(props: ComparePageProps): Record<string, string> {
  if (!props.live) return {};
  return { 'hx-get': props.url, 'hx-trigger': `every ${POLL_SECONDS}s`, 'hx-select': '#compare-body', 'hx-swap': 'outerHTML' };
}

export function ComparePage(props: ComparePageProps): string {
  const differing = props.config.filter((r) => r.differs);
  const same = props.config.filter((r) => !r.differs);
  return Layout({
    title: `Compare runs ${props.runs.map((r) => `#${r.id}`).join(', ')}`,
    children: (
      <>
        <div class="page-head">
          <h1 safe>{`Compare ${props.runs.length} runs`}</h1>
          <span class="sub" safe>{props.runs.map((r) => `#${r.id}`).join(' · ')}</span>
        </div>
        <div id="compare-body" data-poll={props.live ? 'live' : 'final'} data-every={`${POLL_SECONDS} s`} {...pollAttributes(props)}>
        <Card
          titleId="cmp-runs"
          title="Runs"
          caption={`Each run keeps its line style in every chart below. ${props.live
            ? `Live: runs are still training, so this page refreshes itself every ${POLL_SECONDS} s.`
            : 'Every run has finished; these numbers are final.'}`}
        >
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Run</th>
                  <th scope="col">Sweep</th>
                  <RunOutcomeHeads />
                </tr>
              </thead>
              <tbody>
                {props.runs.map((run, i) => (
                  <tr>
                    <td>
                      <Swatch index={i} />
                    </td>
                    <td>
                      <RunLink id={run.id} /> <span safe>{run.label}</span>
                    </td>
                    <td>
                      <a href={`/sweeps/${run.sweepId}`} safe>
                        {run.sweepName}
                      </a>
                    </td>
                    <RunOutcomeCells run={run} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        <Card titleId="cmp-curves" title="Curves" caption="Validation loss (log scale unless switched; the y axis says which) and validation accuracy per epoch.">
          <div class="charts">
            <Chart id="cmp-loss" title="Validation loss" spec={props.loss} summary="Lower is better." />
            <Chart id="cmp-acc" title="Validation accuracy" spec={props.acc} summary="Higher is better." />
          </div>
        </Card>
        <Card
          titleId="cmp-layers"
          title="Per-layer pictures"
          caption="Activation std and δ norm, layer × epoch, log colour scale (each map has its own range)."
        >
          <div class="side-by-side">
            {props.runs.map((run, i) => (
              <div>
                <h3 style="font-size:0.95rem;margin:0 0 6px">
                  <Swatch index={i} /> <RunLink id={run.id} /> <span safe>{run.label}</span>
                </h3>
                <LayerMap id={`cmp-act-${run.id}`} title="Activation std" caption="log scale" matrix={run.actStd} rows={run.rows} />
                <LayerMap id={`cmp-delta-${run.id}`} title="δ norm" caption="log scale" matrix={run.deltaNorm} rows={run.rows} />
              </div>
            ))}
          </div>
        </Card>
        <Card
          titleId="cmp-config"
          title="Config differences"
          caption={
            differing.length === 0
              ? 'The configs are identical.'
              : `${differing.length} setting${differing.length === 1 ? ' differs' : 's differ'} (highlighted); the rest are the same.`
          }
        >
          <div class="table-wrap">
            <table class="config-table">
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  {props.runs.map((run) => (
                    <th scope="col">#{run.id}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {differing.map((row) => (
                  <tr class="differs">
                    <td>
                      <span safe>{row.path}</span> <span class="visually-hidden">(differs)</span>
                    </td>
                    {row.values.map((v) => (
                      <td safe>{v}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {same.length > 0 ? (
            <details style="margin-top:8px">
              <summary safe>{`${same.length} settings that are the same`}</summary>
              <table class="config-table">
                <tbody>
                  {same.map((row) => (
                    <tr>
                      <td safe>{row.path}</td>
                      <td safe>{row.values[0] ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          ) : (
            ''
          )}
        </Card>
        </div>
      </>
    ),
  });
}
