// The run page: curves first (growing live while the run trains), then the per-layer picture, the verdicts with
// their evidence and a plain explanation, the full config and a replay button. `RunLive` is what the run stream
// re-renders (status line, per-layer picture and verdicts) while `epochs` events append points to the charts.
import { StatusBadge, VerdictBadges, verdictGlyph, verdictWord } from './badges.js';
import { Card } from './card.js';
import { Chart, type ChartSpec } from './chart.js';
import { explainVerdict } from './explain.js';
import { formatDuration, formatMetric, formatPercent, formatTime } from './format.js';
import { LayerPicture, type LayerPictureProps } from './layer-picture.js';
import { LayerTrainingCard, type LayerTrainingProps } from './layer-training.js';
import { Layout } from './layout.js';

export interface RunHeadProps {
  id: number;
  status: string;
  epochsCompleted: number;
  epochs: number;
  durationMs: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  finalValAcc: number | null;
  finalValLoss: number | null;
  error: string | null;
  divergence: { epoch: number; step: number; layer: number | null; quantity: string } | null;
  verdicts: Array<{ kind: string; evidence: string; value?: number }> | null;
  /** The engine that computed the run and its CPU path; null until the run finishes (and for older runs). */
  backend: string | null;
  cpuPath: string | null;
  /** Cluster mode: the worker host that trains or trained the run; null on the local pool. */
  host: string | null;
}

export interface ReplayCheck {
  originalId: number;
  /** null while the replay has not finished. */
  identical: boolean | null;
  detail: string;
}

export interface RunPageProps {
  run: RunHeadProps & {
    sweepId: number;
    sweepName: string;
    initLabel: string;
    activationLabel: string;
    seed: number;
  };
  loss: ChartSpec;
  acc: ChartSpec;
  layers: LayerPictureProps;
  /** mean activation and saturation per hidden layer over training; null unless the activation saturates */
  layerTraining?: LayerTrainingProps | null;
  config: Array<{ path: string; value: string }>;
  configJson: string;
  replay: ReplayCheck | null;
  /** The run is queued or running: the page opens its stream. */
  live: boolean;
  /** Last epoch the page's charts hold (the stream sends the ones after it). */
  lastEpoch: number;
}

export function RunHead(props: RunHeadProps): string {
  const when =
    props.startedAt === null
      ? 'waiting for a free thread'
      : props.finishedAt === null
        ? `started ${formatTime(props.startedAt)} UTC`
        : `took ${formatDuration(props.durationMs)}, finished ${formatTime(props.finishedAt)} UTC`;
  return (
    <div id="run-head">
      {/* The outcome first (verdicts, then the result); the process status is secondary. */}
      <div class="run-outcome">
        {props.verdicts && props.verdicts.length > 0 ? <VerdictBadges verdicts={props.verdicts} /> : <span class="muted">no verdict yet</span>}
        <span class="run-result" safe>
          {props.status === 'diverged'
            ? 'diverged: no final result'
            : `val. accuracy ${formatPercent(props.finalValAcc)} · val. loss ${formatMetric(props.finalValLoss)}`}
        </span>
      </div>
      {/* Spoken when the run's status changes, not with every epoch. */}
      <span class="visually-hidden" role="status" safe>{`Run ${props.status}.`}</span>
      <div class="progress-line secondary">
        <span class="muted">process</span> <StatusBadge status={props.status} />
        <span safe>{`epoch ${props.epochsCompleted} of ${props.epochs}`}</span>
        <span class="eta" safe>{when}</span>
        {props.backend !== null ? (
          <span class="eta backend" title="training backend · CPU path" safe>
            {props.cpuPath !== null ? `${props.backend} · ${props.cpuPath}` : props.backend}
          </span>
        ) : (
          ''
        )}
        {props.host !== null ? (
          <span class="eta host" title="worker host" safe>
            {`on ${props.host}`}
          </span>
        ) : (
          ''
        )}
      </div>
      {props.error ? (
        <p class="field-error" safe>
          {`Failed: ${props.error}`}
        </p>
      ) : (
        ''
      )}
      {props.divergence ? (
        <p class="note" safe>
          {`Diverged at epoch ${props.divergence.epoch}, step ${props.divergence.step}: the ${props.divergence.quantity} became non-finite` +
            (props.divergence.layer !== null ? ` (first in layer ${props.divergence.layer}).` : '.')}
        </p>
      ) : (
        ''
      )}
    </div>
  ) as string;
}

export function VerdictList({ verdicts, status }: { verdicts: RunHeadProps['verdicts']; status: string }): string {
  if (!verdicts || verdicts.length === 0) {
    return (
      <div id="run-verdicts">
        <p class="empty">
          {status === 'queued' || status === 'running' ? 'Verdicts appear when the run finishes.' : 'No verdicts recorded.'}
        </p>
      </div>
    ) as string;
  }
  return (
    <div id="run-verdicts">
      <ul class="verdict-list">
        {verdicts.map((v) => (
          <li>
            <strong>
              <span aria-hidden="true" safe>{verdictGlyph(v.kind)}</span> <span safe>{verdictWord(v.kind)}</span>
            </strong>
            <div class="evidence">
              Evidence: <span safe>{v.evidence}</span>
            </div>
            <p safe>{explainVerdict(v.kind)}</p>
          </li>
        ))}
      </ul>
    </div>
  ) as string;
}

/** Everything the run stream re-renders in one message (the ids are the swap targets). */
export function RunLive(props: { head: RunHeadProps; layers: LayerPictureProps }): string {
  return (
    <>
      <RunHead {...props.head} />
      <LayerPicture {...props.layers} />
      <VerdictList verdicts={props.head.verdicts} status={props.head.status} />
    </>
  ) as string;
}

function ReplayNote({ replay }: { replay: ReplayCheck }): string {
  const cls = replay.identical === null ? 'note' : replay.identical ? 'match-ok' : 'match-bad';
  return (
    <p class={cls}>
      Replay of <a href={`/runs/${replay.originalId}`}>run #{replay.originalId}</a>: <span safe>{replay.detail}</span>
    </p>
  ) as string;
}

export function RunPage(props: RunPageProps): string {
  const { run } = props;
  return Layout({
    title: `Run ${run.id}`,
    live: props.live,
    children: (
      <>
        <div class="crumbs">
          <a href="/">Sweeps</a> / <a href={`/sweeps/${run.sweepId}`} safe>{run.sweepName}</a> / <span safe>{`run #${run.id}`}</span>
        </div>
        <div class="page-head">
          <h1 safe>{`Run #${run.id}: ${run.initLabel} × ${run.activationLabel}`}</h1>
          <span class="sub" safe>{`seed ${run.seed}`}</span>
        </div>
        <Card titleId="status-title" title="Status" hideTitle>
          <div>
            <RunHead {...run} />
          </div>
          {props.replay ? <ReplayNote replay={props.replay} /> : ''}
        </Card>
        <Card
          titleId="curves-title"
          title="Curves"
          caption="Training (dashed) and validation (solid) loss and accuracy per epoch; epoch 0 is before any step."
        >
          <div class="charts">
            <Chart id="chart-loss" title="Loss" spec={props.loss} summary="Lower is better." />
            <Chart id="chart-acc" title="Accuracy" spec={props.acc} summary="Higher is better." />
          </div>
        </Card>
        <Card
          titleId="layers-title"
          title="Per-layer picture"
          caption={`Measured on a fixed probe batch after every epoch; activation ${props.layers.activation}.`}
        >
          <div>
            <LayerPicture {...props.layers} />
          </div>
        </Card>
        {props.layerTraining ? <LayerTrainingCard {...props.layerTraining} /> : ''}
        <Card titleId="verdicts-title" title="Verdicts" caption="What the measurements say, with the numbers behind each verdict.">
          <div>
            <VerdictList verdicts={run.verdicts} status={run.status} />
          </div>
        </Card>
        <Card
          titleId="config-title"
          title="Config"
          caption="The fully resolved run config; replaying it must give the same numbers bit for bit."
          actions={
            <>
              <a class="btn" href={`/runs/${run.id}/correlations`}>
                Correlations at init
              </a>
              <form method="post" action={`/runs/${run.id}/replay`} class="inline-form">
                <button class="btn primary" type="submit">
                  Replay this run
                </button>
              </form>
            </>
          }
        >
          <div class="table-wrap">
            <table class="config-table">
              <tbody>
                {props.config.map((item) => (
                  <tr>
                    <td safe>{item.path}</td>
                    <td safe>{item.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details style="margin-top:10px">
            <summary>As JSON</summary>
            <pre safe>{props.configJson}</pre>
          </details>
        </Card>
        {props.live ? (
          <div
            id="run-stream"
            hidden
            {...{ 'hx-sse:connect': `/runs/${run.id}/stream?after=${props.lastEpoch}`, 'hx-sse:close': 'close' }}
          ></div>
        ) : (
          ''
        )}
      </>
    ),
  });
}
