// The page's memory over a long study: a 100,000-step study of 256 trials reporting every
// step, fed to the page as the runner sends it (only the reports kept at the curve stride,
// see keepsCurvePoint) and drawn live by the loss-curve view. The page heap (after a full
// GC) must stay under a stated bound, whatever the number of steps.
import { afterEach, expect, test } from 'vitest';
import { defaultStudy } from '../../src/study/spec.ts';
import { applyStudyEvent, initialStudyState, keepsCurvePoint } from '../../src/study/state.ts';
import '../../src/ui/lab-loss-curves.ts';

/** The heap bound this test states: 256 curves of at most 1001 points, their chart and the state. */
const HEAP_BOUND_MB = 48;

afterEach(() => document.body.replaceChildren());

const heapMb = () => {
  (window as unknown as { gc: () => void }).gc();
  return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20;
};

test('a 100,000-step, 256-trial study reporting every step keeps the page heap bounded while drawn live (figure logged)', async () => {
  const spec = defaultStudy();
  spec.training = { steps: 100_000, reportEvery: 1 };
  spec.parallelism = 256;
  spec.scheduler.budget = { kind: 'trials', trials: 256 };
  const view = document.createElement('lab-loss-curves');
  view.style.width = '800px';
  view.space = spec.space;
  document.body.append(view);
  const start = heapMb();

  const trialIds = Int32Array.from({ length: 256 }, (_, i) => i);
  let state = applyStudyEvent(initialStudyState(spec), {
    type: 'study-started',
    engine: { kind: 'webgpu', adapter: 'test' },
    task: 'classification',
  });
  for (const id of trialIds)
    state = applyStudyEvent(state, {
      type: 'trial-planned',
      trialId: id,
      params: { learningRate: 10 ** (-4 + (4 * id) / 256), beta1: 0.9 },
      placement: {},
    });
  const heapAt: number[] = [];
  let kept = 0;
  for (let step = 1; step <= spec.training.steps; step++) {
    if (!keepsCurvePoint(spec.training, step)) continue;
    const loss = Float32Array.from(trialIds, (id) => 1 / (1 + step * 1e-4 * (1 + id / 256)));
    state = applyStudyEvent(state, {
      type: 'progress',
      step,
      trialIds,
      trainLoss: loss,
      validationLoss: loss,
      trainAccuracy: loss,
      validationAccuracy: loss,
    });
    if (++kept % 100 === 0) {
      // The page redraws once per frame: here once per 100 reports.
      view.trials = [...state.trials.values()];
      view.revision = kept;
      await view.updateComplete;
      await new Promise((resolve) => setTimeout(resolve, 0));
      heapAt.push(heapMb() - start);
    }
  }
  const points = [...state.trials.values()].reduce((n, t) => n + t.curve.step.length, 0);
  const grown = heapMb() - start;
  console.log(
    `[memory] page: 100,000 steps × 256 trials reported every step → ${kept} reports kept, ${points} curve points; heap grew ${grown.toFixed(1)} MB (bound ${HEAP_BOUND_MB} MB); along the way: ${heapAt.map((h) => h.toFixed(0)).join(', ')} MB`,
  );
  expect(view.shadowRoot?.querySelector('lab-uplot')?.getAttribute('data-series')).toBe('256');
  expect(grown).toBeLessThan(HEAP_BOUND_MB);
});
