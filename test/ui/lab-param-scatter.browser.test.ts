// The scatter draws a hyperparameter on its own log scale whatever the range: a range down
// to 1e-40 or 1e-300…1e9 (and a loss of 1e-30) used to send uPlot's log ticks into an
// endless loop (a minute of frozen tab, then "RangeError: Invalid array length").
import { afterEach, expect, test } from 'vitest';
import type { TrialRecord } from '../../src/study/record.ts';
import { defaultStudy, type SpaceRow } from '../../src/study/spec.ts';
import '../../src/ui/lab-param-scatter.ts';
import type { LabUplot } from '../../src/ui/lab-uplot.ts';

function trial(id: number, learningRate: number, objective: number): TrialRecord {
  return {
    id,
    params: { learningRate },
    placement: {},
    state: 'COMPLETE',
    objective,
    steps: 10,
    curve: { step: [], trainLoss: [], validationLoss: [], trainAccuracy: [], validationAccuracy: [] },
  };
}

afterEach(() => document.body.replaceChildren());

/** A 600-px scatter of `trials` against one hyperparameter, built and drawn: its chart. */
async function drawnScatter(row: SpaceRow, trials: TrialRecord[]): Promise<LabUplot> {
  const scatter = document.createElement('lab-param-scatter');
  scatter.style.width = '600px';
  scatter.space = [row];
  scatter.trials = trials;
  document.body.append(scatter);
  await scatter.updateComplete;
  const chart = scatter.shadowRoot!.querySelector<LabUplot>('lab-uplot')!;
  await chart.updateComplete;
  await chart.chartReady();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  return chart;
}

test.each([
  [1e-40, 1],
  [1e-300, 1e9],
])('a learning rate searched over %s…%s is drawn, with objectives from 1e-30 to 5', async (low, high) => {
  const errors: string[] = [];
  const onError = (e: ErrorEvent) => errors.push(e.message);
  window.addEventListener('error', onError);
  const row: SpaceRow = {
    ...defaultStudy().space[0],
    enabled: true,
    distribution: { kind: 'float', scale: 'log', low, high },
  };
  const started = performance.now();
  const chart = await drawnScatter(row, [
    trial(0, low, 1e-30),
    trial(1, Math.sqrt(low) * Math.sqrt(high), 0.5),
    trial(2, high, 5),
  ]);
  console.log(
    `[scatter] log x ${low}…${high}: chart built and drawn in ${(performance.now() - started).toFixed(0)} ms`,
  );
  window.removeEventListener('error', onError);
  expect(errors).toEqual([]);
  expect(chart.plot?.scales.x.min).toBe(low);
  expect(chart.plot?.scales.x.max).toBe(high);
  expect(chart.plot?.data[0]).toHaveLength(3);
});

test('an integer hyperparameter on a linear scale ticks whole values', async () => {
  // Conv blocks 1–2 (the CNN preset) ticked 1.1, 1.2, …, 1.9 before.
  const row: SpaceRow = {
    ...defaultStudy().space[0],
    name: 'convBlocks',
    enabled: true,
    distribution: { kind: 'int', scale: 'linear', low: 1, high: 2 },
  };
  const chart = await drawnScatter(
    row,
    [0, 1, 2].map((id) => ({ ...trial(id, 0, 2 + id / 10), params: { convBlocks: 1 + (id % 2) } })),
  );
  // uPlot keeps the drawn ticks in _splits (values, on a numeric axis).
  const ticks = (chart.plot!.axes[0] as { _splits?: number[] })._splits!;
  expect(ticks).toEqual([1, 2]);
});
