// Before a study has results, each chart card says what it will show and when, instead of
// an empty chart; the text gives way to the usual hover hint once there is something drawn.
import { afterEach, expect, test } from 'vitest';
import type { TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import '../../src/ui/lab-best-history.ts';
import '../../src/ui/lab-loss-curves.ts';
import '../../src/ui/lab-param-scatter.ts';

const finished: TrialRecord = {
  id: 0,
  params: { learningRate: 0.01 },
  placement: {},
  state: 'COMPLETE',
  objective: 0.4,
  steps: 10,
  curve: { step: [10], trainLoss: [0.5], validationLoss: [0.4], trainAccuracy: [0.8], validationAccuracy: [0.8] },
};

afterEach(() => document.body.replaceChildren());

test.each([
  ['lab-loss-curves', 'curves-pending', /validation loss is drawn here as it trains, from its first report/],
  [
    'lab-param-scatter',
    'scatter-pending',
    /final validation loss against every searched hyperparameter appears here as the trial finishes/,
  ],
  ['lab-best-history', 'best-pending', /the first point appears when a trial finishes/],
] as const)('%s says what it will show until a trial reports', async (tag, testId, text) => {
  const view = document.createElement(tag);
  view.space = defaultStudy().space;
  document.body.append(view);
  await new Promise((resolve) => setTimeout(resolve, 50)); // views update in tasks of their own
  await view.updateComplete;
  expect(view.shadowRoot!.querySelector(`[data-testid=${testId}]`)?.textContent).toMatch(text);
  view.trials = [finished];
  if ('finishOrder' in view) view.finishOrder = [0];
  await new Promise((resolve) => setTimeout(resolve, 50));
  await view.updateComplete;
  expect(view.shadowRoot!.querySelector(`[data-testid=${testId}]`)).toBeNull();
});
