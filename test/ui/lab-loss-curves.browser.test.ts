// The loss curves with few reports: a curve of one point (steps ending before the first report
// interval) is drawn as a point, since uPlot draws no line through a lone point; a short run's
// step axis ticks whole steps.
import { afterEach, expect, test } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import '../../src/ui/lab-loss-curves.ts';
import type { LabUplot } from '../../src/ui/lab-uplot.ts';

afterEach(() => document.body.replaceChildren());

function trialsReportingAt(steps: number[]) {
  const spec = defaultStudy();
  const ids = [0, 1];
  const events: StudyEvent[] = [
    { type: 'study-started', engine: { kind: 'cpu', adapter: 'test' }, task: 'classification' },
    ...ids.map(
      (id): StudyEvent => ({
        type: 'trial-planned',
        trialId: id,
        params: { learningRate: 0.01 * (id + 1) },
        placement: {},
      }),
    ),
    ...steps.map(
      (step): StudyEvent => ({
        type: 'progress',
        step,
        trialIds: Int32Array.from(ids),
        trainLoss: Float32Array.from(ids, (id) => 0.5 + id),
        validationLoss: Float32Array.from(ids, (id) => 1 + id),
        trainAccuracy: Float32Array.from(ids, () => 0.5),
        validationAccuracy: Float32Array.from(ids, () => 0.5),
      }),
    ),
  ];
  return { state: foldStudyEvents(spec, events), ids };
}

/** Painted pixels (alpha > 0) in the 7×7 canvas pixels around a value. */
function paintedAround(chart: LabUplot, x: number, y: number): number {
  const plot = chart.plot!;
  const [cx, cy] = [Math.round(plot.valToPos(x, 'x', true)), Math.round(plot.valToPos(y, 'y', true))];
  const { data } = plot.ctx.getImageData(cx - 3, cy - 3, 7, 7);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}

test('a curve with one report is drawn as a point; curves with more are lines without points, on whole-step ticks', async () => {
  const { state, ids } = trialsReportingAt([10]);
  const curves = document.createElement('lab-loss-curves');
  curves.style.width = '600px';
  curves.trials = [...state.trials.values()];
  curves.space = state.spec.space;
  document.body.append(curves);
  await curves.updateComplete;
  const chart = curves.shadowRoot!.querySelector<LabUplot>('lab-uplot')!;
  await chart.updateComplete;
  await chart.chartReady();
  await expect.poll(() => chart.plot?.data[0]).toEqual([10]);
  for (const id of ids) expect(paintedAround(chart, 10, 1 + id)).toBeGreaterThan(9);
  // The step axis runs from 0 to the one step reported, not past it.
  expect([chart.plot!.scales.x.min, chart.plot!.scales.x.max]).toEqual([0, 10]);

  const many = trialsReportingAt([1, 2, 3]);
  curves.trials = [...many.state.trials.values()];
  await curves.updateComplete;
  await expect.poll(() => chart.plot?.data[0]).toEqual([1, 2, 3]);
  const plot = chart.plot!;
  for (let s = 1; s < plot.series.length; s++) {
    const show = plot.series[s].points!.show as (u: typeof plot, s: number, i0: number, i1: number) => boolean;
    expect(show(plot, s, 0, 2)).toBe(false);
  }
  // uPlot keeps the drawn ticks' data indices in _splits (values, on a numeric axis).
  const ticks = (plot.axes[0] as { _splits?: number[] })._splits!;
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  expect(ticks.filter((t) => !Number.isInteger(t))).toEqual([]);
});
