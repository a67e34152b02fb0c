import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type uPlot from 'uplot';
import type { Distribution } from '../search/space.ts';
import type { TrialRecord } from '../study/record.ts';
import type { SpaceRow } from '../study/spec.ts';
import './lab-uplot.ts';
import { PARAM_LABELS, panelStyles } from './styles.ts';
import { STATE_COLORS } from './trial-display.ts';

const noLine: uPlot.Series.PathBuilder = () => null;

/** uPlot's x scale on the hyperparameter's own scale: log axes for log scales, a log axis of 1-x for one-minus-log. */
function xScale(d: Distribution): uPlot.Scale {
  if (d.kind === 'power-of-two') return { time: false, distr: 3, log: 2 };
  if ((d.kind === 'float' || d.kind === 'int') && d.scale === 'log') return { time: false, distr: 3 };
  if (d.kind === 'float' && d.scale === 'one-minus-log') {
    return { time: false, distr: 100, fwd: (v: number) => -Math.log10(1 - v), bwd: (v: number) => 1 - 10 ** -v };
  }
  return { time: false };
}

/** The x coordinate of a value: categorical choices sit at their index. */
function xOf(d: Distribution, value: number | string): number {
  return d.kind === 'categorical' ? d.choices.indexOf(value) : Number(value);
}

/**
 * The objective (final validation loss) against each searched hyperparameter, each on that
 * hyperparameter's own scale; the best trial is ringed, pruned trials are orange.
 */
@customElement('lab-param-scatter')
export class LabParamScatter extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 0.6rem; }
      h3 { font-size: 0.8rem; margin: 0; font-weight: 600; color: #333a42; }
    `,
  ];

  @property({ attribute: false }) trials: TrialRecord[] = [];
  @property({ attribute: false }) space: SpaceRow[] = [];
  @property({ type: Number }) bestTrialId?: number;
  @property({ type: Number }) revision = 0;

  private optionsCache = new Map<string, { key: string; options: Omit<uPlot.Options, 'width' | 'height'> }>();

  private options(row: SpaceRow): Omit<uPlot.Options, 'width' | 'height'> {
    const d = row.distribution as Distribution;
    const key = JSON.stringify(d);
    const cached = this.optionsCache.get(row.name);
    if (cached?.key === key) return cached.options;
    const point = (color: string, size: number, fill = color): uPlot.Series => ({ stroke: color, fill, paths: noLine, points: { show: true, size, stroke: color, fill, width: 1.5 } });
    const options: Omit<uPlot.Options, 'width' | 'height'> = {
      legend: { show: false },
      cursor: { show: false },
      scales: { x: xScale(d), y: { distr: 3 } },
      axes: [
        d.kind === 'categorical'
          ? { splits: () => d.choices.map((_, i) => i), values: (_u, splits) => splits.map((s) => String(d.choices[s] ?? '')) }
          : {},
        { size: 55 },
      ],
      series: [{}, point(STATE_COLORS.COMPLETE, 6, 'rgba(42,157,143,0.35)'), point(STATE_COLORS.PRUNED, 6, 'rgba(233,162,59,0.35)'), point('#1d3557', 13, 'rgba(0,0,0,0)')],
    };
    this.optionsCache.set(row.name, { key, options });
    return options;
  }

  private data(row: SpaceRow): uPlot.AlignedData {
    const d = row.distribution as Distribution;
    const points = this.trials
      .filter((t) => Number.isFinite(t.objective) && t.objective > 0)
      .map((t) => ({ x: xOf(d, t.params[row.name]), y: t.objective, state: t.state, best: t.id === this.bestTrialId }))
      .sort((a, b) => a.x - b.x);
    return [
      points.map((p) => p.x),
      points.map((p) => (p.state === 'PRUNED' ? null : p.y)),
      points.map((p) => (p.state === 'PRUNED' ? p.y : null)),
      points.map((p) => (p.best ? p.y : null)),
    ];
  }

  protected override render() {
    const searched = this.space.filter((r) => r.enabled);
    return html`
      <h2>Objective vs each searched hyperparameter</h2>
      <div class="grid" data-testid="param-scatter">
        ${searched.map(
          (row) => html`<div>
            <h3>${PARAM_LABELS[row.name] ?? row.name} <span class="hint">(validation loss, ${(row.distribution as Distribution).kind === 'categorical' ? 'categorical' : 'on its own scale'})</span></h3>
            <lab-uplot .options=${this.options(row)} .data=${this.data(row)} height="180"></lab-uplot>
          </div>`,
        )}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-param-scatter': LabParamScatter;
  }
}
