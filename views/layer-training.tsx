// Per-layer activation mean and saturated fraction over training (Glorot & Bengio 2010, Figure 2), one line per
// hidden layer, for activations that saturate (sigmoid, tanh, softsign).
import { Card } from './card.js';
import { Chart, type ChartSpec } from './chart.js';

export interface LayerTrainingProps {
  activation: string;
  mean: ChartSpec;
  saturated: ChartSpec;
  summary: string;
  shownLayers: number;
  hiddenLayers: number;
}

export function LayerTrainingCard(props: LayerTrainingProps): string {
  const which = props.shownLayers < props.hiddenLayers ? ` (${props.shownLayers} of ${props.hiddenLayers} hidden layers, evenly spaced)` : '';
  return (
    <Card
      titleId="layer-training-title"
      title="Hidden layers over training"
      caption={`Mean activation and saturated fraction (φ′ below 5% of its maximum) of each hidden layer on the probe batch${which}, as Glorot & Bengio (2010) plot them: ${props.activation}'s top layer is the one to watch. As of page load.`}
    >
      <p class="note layer-training-summary" safe>{props.summary}</p>
      <div class="charts">
        <Chart id="chart-layer-mean" title="Mean activation per hidden layer" spec={props.mean} summary={props.summary} />
        <Chart id="chart-layer-saturated" title="Saturated fraction per hidden layer" spec={props.saturated} summary="Higher means more units stuck where φ′ ≈ 0." />
      </div>
    </Card>
  ) as string;
}
