import { css, html, LitElement, type PropertyValues, unsafeCSS } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';
import { themeColors } from './canvas-view.ts';
import { isLogRange, logAxis, logRange } from './log-ticks.ts';
import { formatValue } from './styles.ts';
import { inOwnTask } from './task-queue.ts';

type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

const isBase10Log = (scale: uPlot.Scale | undefined) => scale?.distr === 3 && (scale.log ?? 10) === 10;

/** uPlot's range for a scale with no data yet (or none a log axis can show): its own. */
const fittedLogRange: uPlot.Range.Function = (_u, min, max) =>
  isLogRange(min, max) ? logRange(min, max) : uPlot.rangeLog(min, max, 10, false);

/**
 * The options with the lab's log axes wherever the caller chose no ticks or range of its own:
 * bounded ticks on every base-10 log axis (uPlot's log splits loop without end below ~1e-16,
 * see log-ticks.ts, so a loss that reaches 1e-20 must not be left to them), and a range fitted
 * to the data (uPlot's rounds out to the next power of 10). The caller's own fields win.
 */
function withBoundedLogAxes(options: ChartOptions): ChartOptions {
  const axes = options.axes ?? [{}, {}];
  const scales = Object.fromEntries(
    Object.entries(options.scales ?? {}).map(([key, scale]) => [
      key,
      isBase10Log(scale) && !scale.range ? { ...scale, range: fittedLogRange } : scale,
    ]),
  );
  return {
    ...options,
    scales,
    axes: axes.map((axis, i) => {
      const scale = options.scales?.[axis.scale ?? (i === 0 ? 'x' : 'y')];
      return isBase10Log(scale) && !axis.splits ? { ...logAxis(formatValue), ...axis } : axis;
    }),
  };
}

/**
 * Tick steps of 1, 2, 5 × 10ᵏ for an axis of whole numbers (trials, steps): uPlot's own steps
 * put 1.5, 2.5, … on a short axis.
 */
export const WHOLE_NUMBER_INCRS = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [1, 2, 5].map((m) => m * 10 ** k));

/**
 * A PNG of a drawn canvas over an opaque background (a chart's canvas is transparent, so
 * its axes would vanish in a dark image viewer). Works for any canvas, the decision
 * boundary's too.
 */
export async function canvasPng(canvas: HTMLCanvasElement, background = '#ffffff'): Promise<Blob> {
  const image = document.createElement('canvas');
  image.width = canvas.width;
  image.height = canvas.height;
  const ctx = image.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw a 2D canvas, so no PNG can be made');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.drawImage(canvas, 0, 0);
  return new Promise((resolve, reject) =>
    image.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the chart as PNG'))),
      'image/png',
    ),
  );
}

/**
 * One uPlot chart inside an element. The chart is built after first render, rebuilt when
 * `options` changes identity (series added, scale switched), fed with `setData` when only
 * `data` changes, resized by a ResizeObserver and destroyed on disconnect. A build costs
 * 10–30 ms and a redraw with new data up to ~20 ms (10,000 points), so both are queued, one
 * chart per task (task-queue.ts): a view with several charts no longer updates them all in
 * one task. Until a rebuild happens the previous chart stays on screen. The element fires `chart-built` after each
 * build, before the chart's first draw (which uPlot does in a microtask). Callers pass
 * options without width/height: the element's own box decides them.
 */
@customElement('lab-uplot')
export class LabUplot extends LitElement {
  static override styles = [
    unsafeCSS(uPlotCss),
    css`
      :host { display: block; position: relative; min-height: 160px; }
      .plot { width: 100%; height: 100%; }
      .u-legend { font-size: 12px; }
    `,
  ];

  @property({ attribute: false }) options?: ChartOptions;
  @property({ attribute: false }) data: uPlot.AlignedData = [[]];
  /** Chart height in CSS pixels (the width follows the element). */
  @property({ type: Number }) height = 220;

  @query('.plot') private container!: HTMLDivElement;
  private chart?: uPlot;
  private builtFrom?: this['options'];
  private resizeObserver?: ResizeObserver;
  private buildQueued = false;
  private dataQueued = false;
  private waitingForBuild: Array<() => void> = [];

  /** The live chart, once it reflects the current `options` (a pending rebuild gives undefined). */
  get plot(): uPlot | undefined {
    return this.builtFrom === this.options ? this.chart : undefined;
  }

  /**
   * The chart as a PNG at device resolution: plot and axes (uPlot draws both on one canvas).
   * The legend and title are page text, not drawn, so they are not in it; uPlot has no SVG output.
   */
  async png(): Promise<Blob> {
    await this.chartReady();
    await new Promise((resolve) => setTimeout(resolve)); // uPlot draws in a microtask after a build or setData
    const canvas = this.plot?.ctx.canvas;
    if (!canvas) throw new Error('the chart has nothing drawn yet');
    return canvasPng(canvas);
  }

  /** Resolves once no build or data update is pending (the chart reflects the current options and data). */
  chartReady(): Promise<void> {
    return this.buildQueued || this.dataQueued
      ? new Promise((resolve) => this.waitingForBuild.push(resolve))
      : Promise.resolve();
  }

  /** Redraws the chart (after its series were restyled), unless new data is queued: its update draws them. */
  redraw(): void {
    if (!this.dataQueued) this.plot?.redraw(true);
  }

  protected override render() {
    return html`<div class="plot"></div>`;
  }

  protected override firstUpdated(): void {
    this.requestBuild();
    // Resized in the next frame, as MDN advises: resizing inside the callback can change this
    // element's own size again and end the frame in a "ResizeObserver loop" error.
    this.resizeObserver = new ResizeObserver(() => requestAnimationFrame(() => this.fit()));
    this.resizeObserver.observe(this);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.hasUpdated || !this.container) return;
    if (changed.has('options') || changed.has('height')) this.requestBuild();
    else if (changed.has('data')) this.requestData();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-attached after a move: rebuild what disconnect destroyed.
    if (this.hasUpdated && !this.chart) {
      this.requestBuild();
      this.resizeObserver?.observe(this);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.chart?.destroy();
    this.chart = undefined;
  }

  /** A pending build uses the options and data current when it runs. */
  private requestBuild(): void {
    if (this.buildQueued) return;
    this.buildQueued = true;
    inOwnTask(() => {
      this.buildQueued = false;
      if (this.isConnected) this.build();
      this.settled();
    });
  }

  /** A pending data update uses the data current when it runs (a build queued meanwhile takes it instead). */
  private requestData(): void {
    if (this.dataQueued || this.buildQueued) return;
    this.dataQueued = true;
    inOwnTask(() => {
      this.dataQueued = false;
      if (!this.buildQueued) this.plot?.setData(this.data);
      this.settled();
    });
  }

  private settled(): void {
    if (this.buildQueued || this.dataQueued) return;
    for (const resolve of this.waitingForBuild.splice(0)) resolve();
  }

  private build(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.builtFrom = this.options;
    if (!this.options) return;
    const width = Math.max(200, this.clientWidth || 400);
    const options = withBoundedLogAxes(this.options);
    // Axis text and grid in the theme's colours (uPlot draws them black on its canvas, unreadable in dark mode).
    const { ink, faint } = themeColors(this);
    const axes = (options.axes ?? [{}, {}]).map((axis) => ({
      stroke: ink,
      ...axis,
      grid: { stroke: faint, width: 1, ...axis.grid },
      ticks: { stroke: faint, width: 1, ...axis.ticks },
    }));
    this.chart = new uPlot({ ...options, axes, width, height: this.height }, this.data, this.container);
    this.dispatchEvent(new Event('chart-built'));
  }

  private fit(): void {
    const width = Math.max(200, this.clientWidth);
    if (this.chart && width !== this.chart.width) this.chart.setSize({ width, height: this.height });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lab-uplot': LabUplot;
  }
}
