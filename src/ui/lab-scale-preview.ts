import { css, html, LitElement, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { uniform } from '../search/random.ts';
import { type Distribution, fromUnit, validateDistribution } from '../search/space.ts';
import { logTicks } from './log-ticks.ts';
import { formatValue } from './styles.ts';

const SAMPLES = 50;
const WIDTH = 180;
const HEIGHT = 26;
const PAD = 6;
/** Seed of the preview's own draws (not the study's: the preview only shows the scale's shape). */
const PREVIEW_SEED = 0x5ca1e;

type Axis = { kind: 'linear' | 'log' | 'one-minus-log'; low: number; high: number };

/**
 * The axis a hyperparameter's values are read on, fixed by its range alone (not by the
 * chosen scale): a range spanning decades is drawn on a log axis, a range creeping up to 1
 * (like β) on a log axis of 1-x. Drawn there, log sampling looks even while linear sampling
 * piles into the top decade: the reason the learning rate is sampled on a log scale.
 */
function axisFor(low: number, high: number): Axis {
  if (low > 0 && high / low >= 100) return { kind: 'log', low, high };
  if (low > 0 && high < 1 && (1 - low) / (1 - high) >= 10) return { kind: 'one-minus-log', low, high };
  return { kind: 'linear', low, high };
}

function axisPosition(axis: Axis, x: number): number {
  const f = (v: number) =>
    axis.kind === 'log' ? Math.log10(v) : axis.kind === 'one-minus-log' ? -Math.log10(1 - v) : v;
  const span = f(axis.high) - f(axis.low);
  return span === 0 ? 0.5 : (f(x) - f(axis.low)) / span;
}

/** Decade ticks of a log axis (values; every n-th over wide ranges), or the two ends of a linear one. */
function axisTicks(axis: Axis): number[] {
  if (axis.kind === 'linear') return [axis.low, axis.high];
  if (axis.kind === 'log') return logTicks(axis.low, axis.high);
  return logTicks(1 - axis.high, 1 - axis.low)
    .map((t) => 1 - t)
    .reverse();
}

/** Where the axis's top decade starts (values above it are in the top decade), if the axis has two decades. */
function topDecadeStart(axis: Axis): number | undefined {
  if (axis.kind === 'linear') return undefined;
  // The slack absorbs log10's rounding (1-0.999).
  const top =
    axis.kind === 'log'
      ? Math.floor(Math.log10(axis.high) + 1e-9) - 1
      : Math.floor(-Math.log10(1 - axis.high) + 1e-9) - 1;
  const start = axis.kind === 'log' ? Number(`1e${top}`) : 1 - Number(`1e${-top}`);
  return start >= axis.low ? start : undefined;
}

/** A strip showing where ~50 draws of a hyperparameter's distribution land. */
@customElement('lab-scale-preview')
export class LabScalePreview extends LitElement {
  static override styles = css`
    :host { display: inline-flex; align-items: center; gap: 0.4rem; font-size: 0.72rem; color: var(--lab-muted, #5b6570); }
    svg { display: block; }
    .error { color: #b71c1c; max-width: 16rem; }
  `;

  @property({ attribute: false }) distribution?: Distribution;

  protected override render() {
    const d = this.distribution;
    if (!d) return html``;
    try {
      validateDistribution(d);
    } catch (e) {
      return html`<span class="error" role="alert">${(e as Error).message}</span>`;
    }
    const draws = Array.from({ length: SAMPLES }, (_, i) => fromUnit(d, uniform(PREVIEW_SEED, i)));
    if (d.kind === 'categorical') {
      const counts = d.choices.map((c) => draws.filter((v) => v === c).length);
      return html`<span title="where ${SAMPLES} draws land">${d.choices.map((c, i) => `${c} ${counts[i]}`).join(' · ')}</span>`;
    }
    const axis = axisFor(d.low, d.high);
    const ticks = axisTicks(axis);
    const px = (x: number) => PAD + axisPosition(axis, x) * (WIDTH - 2 * PAD);
    const topTick = topDecadeStart(axis);
    const topShare = topTick === undefined ? undefined : draws.filter((v) => (v as number) >= topTick).length / SAMPLES;
    return html`
      <svg width=${WIDTH} height=${HEIGHT} role="img" aria-label="where ${SAMPLES} draws land on a ${axis.kind} axis">
        <line x1=${PAD} x2=${WIDTH - PAD} y1=${HEIGHT - 6} y2=${HEIGHT - 6} stroke="#9aa4ae" />
        ${ticks.map((t) => svg`<line x1=${px(t)} x2=${px(t)} y1=${HEIGHT - 9} y2=${HEIGHT - 3} stroke="#9aa4ae"><title>${formatValue(t)}</title></line>`)}
        ${draws.map((v) => svg`<circle cx=${px(v as number)} cy=${HEIGHT - 14} r="2.6" fill="#1d3557" fill-opacity="0.35" />`)}
      </svg>
      ${topShare === undefined ? '' : html`<span title="share of draws in the top decade of the axis">top decade ${Math.round(topShare * 100)}%</span>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-scale-preview': LabScalePreview;
  }
}
