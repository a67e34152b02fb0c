import { describe, expect, it } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { applyStudyEvent, initialStudyState } from '../../src/study/state.ts';
import type { RunInputs } from '../../src/worker/api.ts';
import { connectTrainer } from '../../src/worker/client.ts';

// The real worker, bundled by Vite, training on the real adapter (SwiftShader here).
function study(parallelism: number): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'spiral', count: 256, noise: 0.1, validationFraction: 0.25, seed: 3 };
  spec.scheduler.budget = { kind: 'trials', trials: 4 };
  spec.training = { steps: 60, reportEvery: 20 };
  spec.parallelism = parallelism;
  return spec;
}

/** Runs a study in the real worker and folds its events as the page does. */
async function run(spec: StudySpec, inputs: RunInputs = {}) {
  const trainer = connectTrainer();
  const events: StudyEvent[] = [];
  let state = initialStudyState(spec);
  try {
    await trainer.run(
      spec,
      (e) => {
        state = applyStudyEvent(state, e);
        events.push(e);
      },
      inputs,
    );
    return { result: { ...state, trials: [...state.trials.values()] }, events };
  } finally {
    trainer.terminate();
  }
}

const relativeDifference = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe('trainer worker in Chromium', () => {
  it('runs a study on WebGPU; parallelism 1 and 4 give the same params and curves; the CPU engine agrees', async () => {
    const four = await run(study(4), { engine: 'webgpu' });
    const started = four.events[0];
    expect(started).toMatchObject({ type: 'study-started', engine: { kind: 'webgpu' } });
    expect(started).not.toHaveProperty('fallbackNotice');
    if (started.type === 'study-started')
      console.log(`[trainer worker] engine ${started.engine.kind} on ${started.engine.adapter}`);
    expect(four.result.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE']);

    const one = await run(study(1), { engine: 'webgpu' });
    expect(one.result.trials.map((t) => t.params)).toEqual(four.result.trials.map((t) => t.params));
    expect(one.result.trials.map((t) => t.curve)).toEqual(four.result.trials.map((t) => t.curve));

    const cpu = await run(study(4), { engine: 'cpu' });
    const differences = cpu.result.trials.map((t, i) =>
      relativeDifference(t.objective, four.result.trials[i].objective),
    );
    console.log(
      `[trainer worker] GPU vs CPU final validation loss, max relative difference ${Math.max(...differences).toExponential(2)}`,
    );
    for (const d of differences) expect(d).toBeLessThan(1e-3);
  });

  it('loads the packed digits in the worker and trains on them', async () => {
    const spec = study(2);
    spec.data = { kind: 'digits', count: 300, validationFraction: 0.2, seed: 1 };
    spec.scheduler.budget = { kind: 'trials', trials: 2 };
    spec.training = { steps: 20, reportEvery: 10 };
    const { result, events } = await run(spec);
    expect(events.filter((e) => e.type === 'study-error')).toEqual([]);
    expect(result.task).toBe('classification');
    expect(result.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE']);
    // 10 classes: the first validation loss starts near ln 10.
    expect(result.trials[0].curve.validationLoss[0]).toBeGreaterThan(1);
  });
});
