// Population-based training in the views: the trial table shows each trial's final
// hyperparameters and whom it copied; the loss curves mark each copy (a segment from the
// copier's loss to its donor's) and the hover line names it.
import { afterEach, expect, test } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import '../../src/ui/lab-loss-curves.ts';
import '../../src/ui/lab-trial-detail.ts';
import '../../src/ui/lab-trials-table.ts';
import { trialSummary } from '../../src/ui/trial-display.ts';

afterEach(() => document.body.replaceChildren());

function pbtState() {
  const spec = defaultStudy();
  spec.scheduler.kind = 'pbt';
  const ids = [0, 1, 2, 3];
  const events: StudyEvent[] = [
    { type: 'study-started', engine: { kind: 'cpu', adapter: 'test' }, task: 'classification' },
    ...ids.map(
      (id): StudyEvent => ({
        type: 'trial-planned',
        trialId: id,
        params: { learningRate: 0.001 * (id + 1), beta1: 0.9 },
        placement: {},
      }),
    ),
  ];
  for (const step of [20, 40, 60]) {
    events.push({
      type: 'progress',
      step,
      trialIds: Int32Array.from(ids),
      trainLoss: Float32Array.from(ids, (id) => 1 / step + id / 10),
      validationLoss: Float32Array.from(ids, (id) => (step > 40 && id === 3 ? 0.3 : 1 / step + id / 10)),
      trainAccuracy: Float32Array.from(ids, () => 0.5),
      validationAccuracy: Float32Array.from(ids, () => 0.5),
    });
    if (step === 40)
      events.push({
        type: 'trial-exploited',
        trialId: 3,
        step: 40,
        fromTrialId: 0,
        params: { learningRate: 0.00125, beta1: 0.92 },
      });
  }
  return foldStudyEvents(spec, events);
}

test('the trial table and the trial detail show final hyperparameters and the lineage; the curves mark the copy', async () => {
  const state = pbtState();
  const trials = [...state.trials.values()];
  const table = document.createElement('lab-trials-table');
  table.trials = trials;
  table.space = state.spec.space;
  const curves = document.createElement('lab-loss-curves');
  curves.style.width = '600px';
  curves.trials = trials;
  curves.space = state.spec.space;
  document.body.append(table, curves);
  await table.updateComplete;
  await curves.updateComplete;

  const headers = [...table.shadowRoot!.querySelectorAll('th')].map((th) => th.textContent!.trim());
  expect(headers).toContain('copied (PBT)');
  expect(headers.some((h) => h.endsWith('(final)'))).toBe(true);
  const row = table.shadowRoot!.querySelector('[data-trial="3"]')!;
  expect(row.querySelector('[data-col=lineage]')?.textContent).toBe('#0 at step 40');
  expect(row.querySelector('[data-col=learningRate]')?.textContent).toBe('0.00125');
  expect(table.shadowRoot!.querySelector('[data-trial="0"] [data-col=lineage]')?.textContent).toBe('');

  expect(curves.shadowRoot!.querySelector('[data-testid=loss-curves]')?.getAttribute('data-jumps')).toBe('1');
  expect(curves.shadowRoot!.textContent).toContain('copied a better trial (PBT)');
  expect(trialSummary(state.trials.get(3)!, state.spec.space)).toContain('copied #0 at step 40, ending with');

  const detail = document.createElement('lab-trial-detail');
  detail.trial = state.trials.get(3);
  detail.space = state.spec.space;
  document.body.append(detail);
  await detail.updateComplete;
  expect(detail.shadowRoot!.querySelector('[data-testid=trial-lineage]')?.textContent).toBe('#0 at step 40');
  expect(detail.shadowRoot!.textContent).toContain('0.004 → 0.00125 (final) (searched)');
});
