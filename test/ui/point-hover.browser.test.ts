// Hovering a point of the scatter or of best-so-far names its trial and parameters (as the
// loss curves' hover does): the point nearest the cursor in pixels, none when the cursor is
// more than 10 px from every point.
import { afterEach, expect, test } from 'vitest';
import type { TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import '../../src/ui/lab-best-history.ts';
import '../../src/ui/lab-param-scatter.ts';
import type { LabUplot } from '../../src/ui/lab-uplot.ts';

afterEach(() => document.body.replaceChildren());

function trial(
  id: number,
  learningRate: number,
  beta1: number,
  objective: number,
  state: TrialRecord['state'] = 'COMPLETE',
): TrialRecord {
  return {
    id,
    params: { learningRate, beta1 },
    placement: {},
    state,
    objective,
    steps: 10,
    curve: { step: [], trainLoss: [], validationLoss: [], trainAccuracy: [], validationAccuracy: [] },
  };
}

const trials = [
  trial(0, 0.001, 0.9, 0.8),
  trial(1, 0.01, 0.99, 0.3),
  trial(2, 0.1, 0.95, 0.5, 'PRUNED'),
  trial(3, 0.5, 0.92, 0.6),
];

/** Moves the mouse over the chart to the pixel of (x, y) plus an offset, and returns the hover line. */
async function hoverAt(chart: LabUplot, x: number, y: number, line: () => string, offset = 0): Promise<string> {
  const plot = chart.plot!;
  const over = plot.over;
  const rect = over.getBoundingClientRect();
  over.dispatchEvent(new MouseEvent('mouseenter', { bubbles: true, clientX: rect.left + 1, clientY: rect.top + 1 }));
  over.dispatchEvent(
    new MouseEvent('mousemove', {
      bubbles: true,
      clientX: rect.left + plot.valToPos(x, 'x') + offset,
      clientY: rect.top + plot.valToPos(y, 'y'),
    }),
  );
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  return line().replace(/\s+/g, ' ').trim();
}

async function built(chart: LabUplot): Promise<void> {
  await chart.updateComplete;
  await chart.chartReady();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}

test('hovering a scatter point names its trial and parameters; away from every point names none', async () => {
  const scatter = document.createElement('lab-param-scatter');
  scatter.style.width = '700px';
  scatter.space = defaultStudy().space;
  scatter.trials = trials;
  document.body.append(scatter);
  await scatter.updateComplete;
  const [lr, beta] = scatter.shadowRoot!.querySelectorAll<LabUplot>('lab-uplot');
  await built(lr);
  await built(beta);
  const line = () => scatter.shadowRoot!.querySelector('[data-testid=scatter-hover]')!.textContent!;
  expect(await hoverAt(lr, 0.01, 0.3, line)).toBe(
    'trial #1 · COMPLETE · learning rate α = 0.01 · momentum / Adam β1 = 0.99 · validation loss 0.3',
  );
  // The β1 chart plots 1-β on a log axis: 0.92 sits at -log10(0.08).
  expect(await hoverAt(beta, -Math.log10(1 - 0.92), 0.6, line, 4)).toBe(
    'trial #3 · COMPLETE · learning rate α = 0.5 · momentum / Adam β1 = 0.92 · validation loss 0.6',
  );
  expect(await hoverAt(lr, 0.1, 0.5, line)).toMatch(/^trial #2 · PRUNED · /);
  // A click selects the hovered trial (every view then marks it); the selected point is drawn red.
  const selected: Array<number | undefined> = [];
  scatter.addEventListener('select-trial', (e) => selected.push((e as CustomEvent).detail.trialId));
  lr.click();
  expect(selected).toEqual([2]);
  scatter.selectedTrialId = 2;
  await scatter.updateComplete;
  // Each chart takes its new data in a task of its own (and re-reads its cursor then).
  await Promise.all([lr.chartReady(), beta.chartReady()]);
  expect(lr.data[4]).toEqual([null, null, 0.5, null]);
  expect(await hoverAt(lr, 0.01, 0.3, line, 40)).toBe(
    "Hover a point to see its trial's hyperparameters; click it to select the trial (red).",
  );
  lr.click();
  expect(selected).toEqual([2]); // nothing hovered: nothing selected
});

test('hovering a best-so-far point names the trial that finished there', async () => {
  const history = document.createElement('lab-best-history');
  history.style.width = '500px';
  history.space = defaultStudy().space;
  history.trials = trials;
  history.finishOrder = [3, 0, 1, 2];
  document.body.append(history);
  await history.updateComplete;
  const chart = history.shadowRoot!.querySelector<LabUplot>('lab-uplot')!;
  await built(chart);
  const line = () => history.shadowRoot!.querySelector('[data-testid=best-hover]')!.textContent!;
  // The second trial to finish is trial 0 (loss 0.8).
  expect(await hoverAt(chart, 2, 0.8, line)).toBe(
    'trial #0 · COMPLETE · learning rate α = 0.001 · momentum / Adam β1 = 0.9 · validation loss 0.8',
  );
  expect(await hoverAt(chart, 3, 0.3, line)).toMatch(/^trial #1 · COMPLETE/);
});
