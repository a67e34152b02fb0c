// Hierarchy stages are named by what they searched in this study (the default study searches
// the learning rate and β1 only: stage 2 used to read "momentum, batch size, hidden units"),
// and a stage without trials says why instead of disappearing.
import { afterEach, expect, test } from 'vitest';
import type { HierarchyStage } from '../../src/search/types.ts';
import type { TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import type { StudyStatus } from '../../src/study/state.ts';
import '../../src/ui/lab-search-stages.ts';
import '../../src/ui/lab-trials-table.ts';

afterEach(() => document.body.replaceChildren());

function trial(id: number, stage: HierarchyStage): TrialRecord {
  return {
    id,
    params: { learningRate: 0.01 * (id + 1), beta1: 0.9 },
    placement: { stage },
    state: 'COMPLETE',
    objective: 0.5 - id / 100,
    steps: 10,
    curve: { step: [], trainLoss: [], validationLoss: [], trainAccuracy: [], validationAccuracy: [] },
  };
}

const trials = [trial(0, 'tier-1'), trial(1, 'tier-1'), trial(2, 'tier-1'), trial(3, 'tier-2'), trial(4, 'tier-2')];

async function stageLines(status: StudyStatus): Promise<string[]> {
  const view = document.createElement('lab-search-stages');
  view.trials = trials;
  view.space = defaultStudy().space;
  view.status = status;
  document.body.append(view);
  await view.updateComplete;
  const lines = [...view.shadowRoot!.querySelectorAll('[data-testid=stage-group]')].map((g) =>
    g.textContent!.replace(/\s+/g, ' ').trim(),
  );
  view.remove();
  return lines;
}

test('each stage names only the hyperparameters it searched; a stage without trials says why', async () => {
  const finished = await stageLines('finished');
  expect(finished).toEqual([
    'stage 1: learning rate α · 3/3 trials done · best validation loss 0.48',
    'stage 2: momentum / Adam β1 · 2/2 trials done · best validation loss 0.46',
    'stage 3 · nothing to search: no tier-3 hyperparameter is searched',
    'stage 4: refine around the best (learning rate α, momentum / Adam β1) · got no trials: the stages before it used the whole budget',
  ]);
  expect((await stageLines('running'))[3]).toBe(
    'stage 4: refine around the best (learning rate α, momentum / Adam β1) · starts when the stages before it have finished',
  );
  expect((await stageLines('stopped'))[3]).toBe(
    'stage 4: refine around the best (learning rate α, momentum / Adam β1) · did not start: the study ended before it',
  );
});

test("the trials table's round / stage cell shows its whole text as a tooltip", async () => {
  const table = document.createElement('lab-trials-table');
  table.style.width = '500px';
  table.trials = trials;
  table.space = defaultStudy().space;
  document.body.append(table);
  await table.updateComplete;
  const cells = [...table.shadowRoot!.querySelectorAll('td[data-col=place]')];
  expect(cells.map((c) => c.getAttribute('title'))).toEqual([
    ...Array(3).fill('stage 1: learning rate α'),
    ...Array(2).fill('stage 2: momentum / Adam β1'),
  ]);
  expect(cells.map((c) => c.textContent)).toEqual(cells.map((c) => c.getAttribute('title')));
});
