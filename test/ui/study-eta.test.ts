import { describe, expect, it } from 'vitest';
import { emptyCurve, type TrialRecord } from '../../src/study/record.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { initialStudyState, type StudyState } from '../../src/study/state.ts';
import type { TrialState } from '../../src/train/types.ts';
import { studyEta } from '../../src/ui/study-eta.ts';

const STEPS = 100;

/** A running study of `planned` trials with `trials` (state, steps trained) so far. */
function running(planned: number, trials: Array<[TrialState, number]>): StudyState {
  const spec = defaultStudy();
  spec.training = { ...spec.training, steps: STEPS };
  spec.scheduler.budget = { kind: 'trials', trials: planned };
  const state = initialStudyState(spec);
  state.status = 'running';
  trials.forEach(([trialState, steps], id) => {
    const record: TrialRecord = {
      id,
      params: {},
      placement: {},
      state: trialState,
      objective: Number.NaN,
      steps,
      curve: emptyCurve(),
    };
    state.trials.set(id, record);
  });
  return state;
}

describe('studyEta', () => {
  it('the steps left at the rate trained so far: 4 of 8 trials half way after 10 s leave 10 s (running) + 40 s (not started)', () => {
    const run = running(8, [
      ['RUNNING', 50],
      ['RUNNING', 50],
      ['RUNNING', 50],
      ['RUNNING', 50],
    ]);
    // 200 trial-steps in 10 s: 20 per second; left: 4 × 50 + 4 × 100 = 600 → 30 s.
    expect(studyEta(run, 10_000)).toEqual({ kind: 'estimate', ms: 30_000 });
  });

  it('trials yet to start are expected to use the share of steps the finished ones used (pruned early)', () => {
    const run = running(10, [
      ['COMPLETE', 100],
      ['PRUNED', 20],
      ['PRUNED', 30],
      ['PRUNED', 50],
    ]);
    // Finished trials used 200 of 400 steps (half); 6 not started × 100 × 0.5 = 300 left; rate 200 / 20 s.
    expect(studyEta(run, 20_000)).toEqual({ kind: 'estimate', ms: 30_000 });
  });

  it('no estimate before 5% of the expected work is done, nor in the first 3 s', () => {
    expect(studyEta(running(100, [['RUNNING', 0]]), 60_000)).toEqual({ kind: 'measuring' });
    // 4 trial-steps of 100 × 100 expected: 0.04%.
    expect(studyEta(running(100, [['RUNNING', 4]]), 60_000)).toEqual({ kind: 'measuring' });
    // Half the work done, but only 2 s in (compiling and loading weigh on the first steps).
    expect(
      studyEta(
        running(2, [
          ['RUNNING', 100],
          ['RUNNING', 0],
        ]),
        2000,
      ),
    ).toEqual({ kind: 'measuring' });
  });

  it('a time budget leaves what is left of it; a study that is not running has no estimate', () => {
    const run = running(4, [['RUNNING', 50]]);
    run.spec.scheduler.budget = { kind: 'minutes', minutes: 2 };
    expect(studyEta(run, 30_000)).toEqual({ kind: 'budget', ms: 90_000 });
    expect(studyEta(run, 150_000)).toEqual({ kind: 'budget', ms: 0 });
    run.status = 'paused';
    expect(studyEta(run, 30_000)).toBeUndefined();
  });
});
