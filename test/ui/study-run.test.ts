// The page's fold of worker events into a study's records: what every view reads.
import { describe, expect, test } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { StudyRun } from '../../src/ui/study-run.ts';

const params = (learningRate: number) => ({ learningRate, beta1: 0.9 });

function progress(step: number, ids: number[], validation: number[]): StudyEvent {
  return {
    type: 'progress',
    step,
    trialIds: Int32Array.from(ids),
    trainLoss: Float32Array.from(validation, (v) => v + 0.5),
    validationLoss: Float32Array.from(validation),
    trainAccuracy: Float32Array.from(ids, () => 0.5),
    validationAccuracy: Float32Array.from(ids, () => 0.25),
  };
}

function play(events: StudyEvent[]): StudyRun {
  const run = new StudyRun(defaultStudy(), 1000);
  events.forEach((e, i) => run.apply(e, 1000 + 10 * (i + 1)));
  return run;
}

const started: StudyEvent = { type: 'study-started', engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' }, fallbackNotice: 'no WebGPU', plannedTrials: 3, task: 'classification' };
const planned = [0, 1, 2].map((id): StudyEvent => ({ type: 'trial-planned', trialId: id, params: params(10 ** -(id + 1)), placement: id === 2 ? { round: 1 } : {} }));

describe('StudyRun', () => {
  test('keeps each trial curve in step order, entry by entry from the batched progress arrays', () => {
    const run = play([started, ...planned, progress(10, [0, 1, 2], [1, 2, 3]), progress(20, [0, 2], [0.5, 2.5])]);
    expect(run.status).toBe('running');
    expect(run.fallbackNotice).toBe('no WebGPU');
    expect(run.plannedTrials).toBe(3);
    expect(run.trials.get(0)?.curve).toEqual({ step: [10, 20], trainLoss: [1.5, 1], validationLoss: [1, 0.5], trainAccuracy: [0.5, 0.5], validationAccuracy: [0.25, 0.25] });
    expect(run.trials.get(1)?.curve.step).toEqual([10]);
    expect(run.trials.get(2)?.steps).toBe(20);
    expect(run.trials.get(2)?.placement).toEqual({ round: 1 });
    expect(run.finishedCount).toBe(0);
  });

  test('the best trial is the completed one with the lowest objective; pruned and diverged never win', () => {
    const run = play([
      started,
      ...planned,
      { type: 'trial-finished', trialId: 1, state: 'COMPLETE', objective: 0.7, steps: 30 },
      { type: 'trial-finished', trialId: 0, state: 'PRUNED', objective: 0.1, steps: 10, reason: 'median rule' },
      { type: 'trial-finished', trialId: 2, state: 'DIVERGED', objective: NaN, steps: 5 },
    ]);
    expect(run.bestTrialId).toBe(1);
    expect(run.finishOrder).toEqual([1, 0, 2]);
    expect(run.finishedCount).toBe(3);
    expect(run.trials.get(0)?.reason).toBe('median rule');
    expect(run.trialList.map((t) => t.state)).toEqual(['PRUNED', 'COMPLETE', 'DIVERGED']);
  });

  test('pause, resume and the end of the study set its status and end time', () => {
    const paused = play([started, { type: 'study-paused' }]);
    expect(paused.status).toBe('paused');
    expect(paused.active).toBe(true);
    const resumed = play([started, { type: 'study-paused' }, { type: 'study-resumed' }]);
    expect(resumed.status).toBe('running');
    const stopped = play([started, { type: 'study-finished', trials: 0, elapsedMs: 5, stopped: true }]);
    expect(stopped.status).toBe('stopped');
    expect(stopped.active).toBe(false);
    expect(stopped.finishedAt).toBe(1020);
    const failed = play([started, { type: 'study-error', message: 'the data could not be loaded' }]);
    expect(failed.status).toBe('error');
    expect(failed.errorMessage).toBe('the data could not be loaded');
  });

  test('keeps the latest importance the worker sent, shares and trial count as sent', () => {
    const run = play([
      started,
      { type: 'importance', shares: { learningRate: 0.5, beta1: 0.5 }, completedTrials: 2 },
      { type: 'importance', shares: { learningRate: 0.875, beta1: 0.125 }, completedTrials: 3 },
    ]);
    expect(run.importance).toEqual({ shares: { learningRate: 0.875, beta1: 0.125 }, completedTrials: 3 });
    expect(play([started]).importance).toBeUndefined();
  });

  test('an engine change drops the restarted trials\' points, keeps the others\' and shows its notice', () => {
    const gpuStarted: StudyEvent = { type: 'study-started', engine: { kind: 'webgpu', adapter: 'swiftshader (Google)' }, task: 'classification' };
    const run = play([
      gpuStarted,
      ...planned,
      progress(10, [0, 1, 2], [1, 2, 3]),
      { type: 'trial-finished', trialId: 0, state: 'COMPLETE', objective: 1, steps: 10 },
      { type: 'engine-changed', engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' }, notice: 'the GPU device was lost', restartedTrialIds: [1, 2] },
    ]);
    expect(run.engine).toEqual({ kind: 'cpu', adapter: 'CPU (TypeScript)' });
    expect(run.fallbackNotice).toBe('the GPU device was lost');
    expect(run.trials.get(0)?.curve.validationLoss).toEqual([1]);
    for (const id of [1, 2]) {
      expect(run.trials.get(id)?.curve).toEqual({ step: [], trainLoss: [], validationLoss: [], trainAccuracy: [], validationAccuracy: [] });
      expect(run.trials.get(id)?.steps).toBe(0);
    }
    // The retrained points arrive afresh, from step 10.
    run.apply(progress(10, [1, 2], [4, 5]), 2000);
    expect(run.trials.get(2)?.curve.step).toEqual([10]);
    expect(run.trials.get(2)?.curve.validationLoss).toEqual([5]);
    expect(run.status).toBe('running');
  });

  test('events about trials it never heard of change nothing', () => {
    const run = play([started, progress(10, [7], [1]), { type: 'trial-finished', trialId: 7, state: 'COMPLETE', objective: 1, steps: 10 }]);
    expect(run.trials.size).toBe(0);
    expect(run.bestTrialId).toBeUndefined();
    expect(run.finishOrder).toEqual([]);
  });
});
