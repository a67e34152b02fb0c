// uPlot inside an element: built after first render (one chart per task), fed with setData,
// rebuilt for new options, resized with its box, destroyed when the element leaves the page.

import type uPlot from 'uplot';
import { afterEach, expect, test } from 'vitest';
import '../../src/ui/lab-uplot.ts';
import type { LabUplot } from '../../src/ui/lab-uplot.ts';

const options = (): Omit<uPlot.Options, 'width' | 'height'> => ({
  series: [{}, { stroke: 'red' }],
  scales: { x: { time: false }, y: { distr: 3 } },
});
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
const nextTask = () => new Promise((resolve) => setTimeout(resolve));

function create(): LabUplot {
  const el = document.createElement('lab-uplot');
  el.style.width = '400px';
  el.options = options();
  el.data = [
    [1, 2, 3],
    [10, 1, 0.1],
  ];
  return el;
}

async function mount(): Promise<LabUplot> {
  const el = create();
  document.body.append(el);
  await el.updateComplete;
  await el.chartReady();
  return el;
}

afterEach(() => document.body.replaceChildren());

test('the chart is built on first render, at the element width, with a log y scale', async () => {
  const el = await mount();
  const plot = el.plot!;
  expect(plot).toBeDefined();
  expect(plot.width).toBe(400);
  expect(plot.scales.y.distr).toBe(3);
  expect(el.shadowRoot!.querySelectorAll('.uplot')).toHaveLength(1);
});

test('new data reuses the chart; new options rebuild it', async () => {
  const el = await mount();
  const first = el.plot;
  el.data = [
    [1, 2, 3, 4],
    [5, 4, 3, 2],
  ];
  await el.updateComplete;
  await el.chartReady();
  expect(el.plot).toBe(first);
  expect(el.plot!.data[1]).toEqual([5, 4, 3, 2]);
  el.options = options();
  await el.updateComplete;
  await el.chartReady();
  expect(el.plot).not.toBe(first);
  expect(el.shadowRoot!.querySelectorAll('.uplot')).toHaveLength(1);
});

test('charts given new data in one task take it in tasks of their own, one chart each', async () => {
  const [a, b] = [await mount(), await mount()];
  a.data = [
    [1, 2],
    [3, 4],
  ];
  b.data = [
    [1, 2],
    [5, 6],
  ];
  await Promise.all([a.updateComplete, b.updateComplete]);
  expect([a.plot!.data[1], b.plot!.data[1]]).toEqual([
    [10, 1, 0.1],
    [10, 1, 0.1],
  ]);
  await nextTask();
  expect([a.plot!.data[1], b.plot!.data[1]]).toEqual([
    [3, 4],
    [10, 1, 0.1],
  ]);
  await b.chartReady();
  expect(b.plot!.data[1]).toEqual([5, 6]);
});

test('the chart follows the element width', async () => {
  const el = await mount();
  el.style.width = '520px';
  // The ResizeObserver reports after layout and the chart fits in the frame after that.
  await expect.poll(() => el.plot!.width).toBe(520);
});

test('leaving the page destroys the chart; coming back builds a new one', async () => {
  const el = await mount();
  const first = el.plot;
  el.remove();
  expect(el.plot).toBeUndefined();
  expect(el.shadowRoot!.querySelectorAll('.uplot')).toHaveLength(0);
  document.body.append(el);
  await el.chartReady();
  expect(el.plot).toBeDefined();
  expect(el.plot).not.toBe(first);
});

test('charts asked for together are built one per task, each with the data current when it is built', async () => {
  const charts = [create(), create(), create()];
  document.body.append(...charts);
  await Promise.all(charts.map((c) => c.updateComplete));
  expect(charts.map((c) => c.plot !== undefined)).toEqual([false, false, false]);
  charts[2].data = [[1], [7]];
  await nextTask();
  expect(charts.map((c) => c.plot !== undefined)).toEqual([true, false, false]);
  await nextTask();
  expect(charts.map((c) => c.plot !== undefined)).toEqual([true, true, false]);
  await charts[2].chartReady();
  expect(charts[2].plot!.data).toEqual([[1], [7]]);
});

test('while a rebuild is pending the old chart stays on screen and new data waits for the new chart', async () => {
  const el = await mount();
  const first = el.plot!;
  el.options = { ...options(), series: [{}, { stroke: 'red' }, { stroke: 'blue' }] };
  el.data = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  await el.updateComplete;
  expect(el.plot).toBeUndefined();
  expect(first.data[1]).toEqual([10, 1, 0.1]);
  expect(el.shadowRoot!.querySelectorAll('.uplot')).toHaveLength(1);
  await el.chartReady();
  expect(el.plot!.series).toHaveLength(3);
  expect(el.plot!.data[2]).toEqual([5, 6]);
});

test('log axes get bounded ticks: a loss of 1e-30 and an x range down to 1e-40 draw at once, without an error', async () => {
  const errors: string[] = [];
  const onError = (e: ErrorEvent) => errors.push(e.message);
  window.addEventListener('error', onError);
  const el = document.createElement('lab-uplot');
  el.style.width = '400px';
  // No axes given: the default x and y axes get the lab's log ticks too.
  el.options = {
    series: [{}, { stroke: 'red' }],
    scales: { x: { time: false, distr: 3, range: () => [1e-40, 1] }, y: { distr: 3 } },
  };
  el.data = [
    [1e-39, 1e-20, 0.5],
    [1e-30, 1e-12, 1],
  ];
  const started = performance.now();
  document.body.append(el);
  await el.updateComplete;
  await el.chartReady();
  await nextFrame();
  console.log(
    `[uplot] log axes over 40 and 30 decades built and drawn in ${(performance.now() - started).toFixed(0)} ms`,
  );
  window.removeEventListener('error', onError);
  expect(errors).toEqual([]);
  const plot = el.plot!;
  for (const axis of [0, 1]) {
    const scale = plot.scales[axis === 0 ? 'x' : 'y'];
    const splits = plot.axes[axis].splits as (u: uPlot, axis: number, min: number, max: number) => number[];
    const ticks = splits(plot, axis, scale.min!, scale.max!);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(8);
  }
});

test('a log y scale fits its data: a loss of 2.02–2.31 fills the plot, on ticks that tell them apart', async () => {
  // uPlot's own log range rounds out to the next power of 10: 2–10, the data in its bottom tenth.
  const el = document.createElement('lab-uplot');
  el.style.width = '400px';
  el.options = options();
  el.data = [
    [1, 2, 3],
    [2.31, 2.1, 2.02],
  ];
  document.body.append(el);
  await el.updateComplete;
  await el.chartReady();
  await nextFrame();
  const { min, max } = el.plot!.scales.y;
  const share = Math.log10(2.31 / 2.02) / Math.log10(max! / min!);
  expect(share).toBeGreaterThan(0.5);
  expect(min).toBeLessThan(2.02);
  expect(max).toBeGreaterThan(2.31);
  // uPlot keeps the drawn ticks in _splits (values, on a numeric axis).
  const ticks = (el.plot!.axes[1] as { _splits?: number[] })._splits!;
  expect(ticks).toEqual([2, 2.1, 2.2, 2.3, 2.4]);
});
