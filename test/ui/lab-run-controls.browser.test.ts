// The run controls' elapsed time: the page's clock from Run to the end, the same while the
// study runs and after it; the study's own elapsedMs (training time, without the engine's
// measuring or pauses) only for a study this page did not train.
import { afterEach, expect, test } from 'vitest';
import { defaultStudy } from '../../src/study/spec.ts';
import { initialStudyState, type StudyState } from '../../src/study/state.ts';
import '../../src/ui/lab-run-controls.ts';

afterEach(() => document.body.replaceChildren());

async function progress(
  run: StudyState,
  times: { startedAt?: number; endedAt?: number; elapsedBefore?: number; now?: number },
) {
  const controls = document.createElement('lab-run-controls');
  controls.run = run;
  Object.assign(controls, times);
  document.body.append(controls);
  await controls.updateComplete;
  return controls.shadowRoot!.querySelector('[data-testid=progress]')!.textContent!.replace(/\s+/g, ' ');
}

const ran = (status: StudyState['status'], elapsedMs: number): StudyState => ({
  ...initialStudyState(defaultStudy()),
  status,
  elapsedMs,
});

test('a study trained here shows the time from Run to its end, not the shorter training time it recorded', async () => {
  // 3 s on the page (the engine measured first); the runner recorded 1 s of training.
  expect(await progress(ran('running', 0), { startedAt: 1000, now: 4000 })).toContain('elapsed 3s');
  expect(await progress(ran('finished', 1000), { startedAt: 1000, endedAt: 4000, now: 4000 })).toContain('elapsed 3s');
});

test("a resumed study adds its earlier sessions' time; one opened from the library shows its recorded time", async () => {
  expect(
    await progress(ran('finished', 62_000), { elapsedBefore: 60_000, startedAt: 0, endedAt: 5000, now: 5000 }),
  ).toContain('elapsed 1m 05s');
  expect(await progress(ran('finished', 62_000), {})).toContain('elapsed 1m 02s');
});
