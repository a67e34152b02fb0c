// A selected trial's boundary is drawn from its model trained again on the CPU engine: it must
// be the model the study trained (the best one exactly; any trial's validation loss is its objective).
import { describe, expect, it } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { StudyRunner } from '../../src/study/runner.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import { createCpuEngine, predict } from '../../src/train/cpu/engine.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { retrainTrial } from '../../src/ui/trial-model.ts';

describe('retrainTrial', () => {
  it("gives the best trial's kept parameters bit for bit, and every trial (pruned ones too) its own objective", async () => {
    const spec = defaultStudy();
    spec.data = { kind: 'synthetic', name: 'spiral', count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 };
    spec.scheduler.budget = { kind: 'trials', trials: 8 };
    spec.training = { steps: 60, reportEvery: 10 };
    spec.pruning = { kind: 'median' };
    spec.parallelism = 8;
    spec.seed = 31;
    const data = makeDataset('spiral', { count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 });
    const events: StudyEvent[] = [];
    await new StudyRunner({ spec, data, engine: createCpuEngine(), onEvent: (e) => events.push(e) }).run();
    const state = foldStudyEvents(spec, events);
    const best = state.trials.get(state.bestTrialId!)!;
    const kept = state.bestModel!;
    const again = await retrainTrial(spec, best, data);
    expect(again.shape).toEqual({ ...kept.shape, maxHidden: again.shape.maxHidden });
    expect(again.hiddenUnits).toBe(kept.hiddenUnits);
    expect(Array.from(again.parameters)).toEqual(Array.from(kept.parameters).slice(0, again.parameters.length));

    const { validation } = data;
    const states = new Set<string>();
    for (const trial of state.trials.values()) {
      if (!Number.isFinite(trial.objective)) continue;
      states.add(trial.state);
      const model = await retrainTrial(spec, trial, data);
      const p = predict(model.shape, model.hiddenUnits, model.parameters, validation.x, validation.count);
      let crossEntropy = 0;
      for (let i = 0; i < validation.count; i++) crossEntropy -= Math.log(p[i * 2 + validation.y[i]]);
      expect(Math.abs(crossEntropy / validation.count - trial.objective) / trial.objective).toBeLessThan(1e-5);
    }
    expect(states).toEqual(new Set(['COMPLETE', 'PRUNED']));
  });
});
