// 10,000 trials stay fluid: the whole lab page (every result view) follows a 10,000-trial
// study fed from synthetic events (100 trials at a time, 10 reports each), 210 events (about a population) per
// animation frame as the worker's batches arrive. The main-thread tasks over 50 ms are
// logged, by wall and by CPU time (a Chromium trace, see main-thread-tasks.ts; goal: none);
// what the views show at the end is checked. Timing is logged, never asserted (the team's rule:
// speed is measured, not tested; a task's CPU time grows with the machine's load too: 3 runs at
// load 12-14 gave 1, 1 and 2 tasks over 50 ms, longest 55-65 ms; at load 19, 89 ms; before the
// issue's work, 264 ms). What keeps the work split is tested structurally (lab-uplot: one chart
// update per task).
import { afterEach, expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { defaultStudy } from '../../src/study/spec.ts';
import { applyStudyEvent, hasResult, initialStudyState } from '../../src/study/state.ts';
import { StudySession } from '../../src/ui/study-session.ts';
import { describeLongTasks } from '../main-thread-tasks.ts';
import '../../src/ui/tuning-lab.ts';
import { syntheticStudyEvents } from '../study/synthetic-events.ts';

/** What the test reaches inside <tuning-lab>: the study it shows and its once-per-frame redraw (as worker events do). */
interface LabInternals {
  session?: StudySession;
  scheduleFrame(): void;
}

const TRIALS = 10_000;
const EVENTS_PER_FRAME = 210;

afterEach(() => document.body.replaceChildren());

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a 10,000-trial synthetic stream: every view follows it, capped, windowed and throttled (longest task logged)', async () => {
  const spec = defaultStudy();
  spec.scheduler.budget = { kind: 'minutes', minutes: 60 }; // a trial budget stops at 2,000
  spec.parallelism = 100;
  spec.training = { steps: 100, reportEvery: 10 };
  const events = syntheticStudyEvents(spec, { seed: 3, trials: TRIALS, parallelism: 100, reports: 10 });
  const lab = document.createElement('tuning-lab');
  document.body.append(lab);
  const internals = lab as unknown as LabInternals;
  const session = new StudySession(initialStudyState(spec));
  internals.session = session;

  await commands.startTaskTrace();
  const started = performance.now();
  let frames = 0;
  for (let i = 0; i < events.length; i += EVENTS_PER_FRAME) {
    for (const event of events.slice(i, i + EVENTS_PER_FRAME)) session.state = applyStudyEvent(session.state, event);
    internals.scheduleFrame();
    await frame();
    frames++;
  }
  await settle(1500); // throttled views catch up
  const tasks = await commands.stopTaskTrace();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `[main thread] 10,000-trial synthetic stream (${events.length} events over ${frames} frames, ${seconds.toFixed(1)} s): tasks ${describeLongTasks(tasks)} (goal: none over 50 ms)`,
  );

  const root = lab.shadowRoot!;
  const view = <K extends keyof HTMLElementTagNameMap>(tag: K) => root.querySelector(tag)!.shadowRoot!;
  expect(session.state.trials.size).toBe(TRIALS);
  // The table: every trial counted, only a window of rows in the page.
  const table = view('lab-trials-table');
  await expect
    .poll(() => table.querySelector('[data-testid=trials-table]')?.getAttribute('data-rows'), { timeout: 60_000 })
    .toBe(String(TRIALS));
  const rendered = table.querySelectorAll('[data-testid=trial-row]').length;
  expect(rendered).toBeGreaterThan(10);
  expect(rendered).toBeLessThanOrEqual(48); // 18 shown and 30 below them, at the top
  // The curves: capped, with the band for the rest.
  const curves = view('lab-loss-curves');
  const series = Number(curves.querySelector('[data-testid=loss-curves]')?.getAttribute('data-series'));
  expect(series).toBeGreaterThan(0);
  expect(series).toBeLessThanOrEqual(257);
  await expect
    .poll(() => curves.querySelector('[data-testid=curves-capped]')?.textContent, { timeout: 60_000 })
    .toMatch(new RegExp(`^\\d+ of ${TRIALS} trials drawn`));
  // Parallel coordinates and contour drew every trial with a result.
  const results = [...session.state.trials.values()].filter((t) => hasResult(t) && t.objective > 0).length;
  for (const [tag, attribute, testId] of [
    ['lab-parallel-coords', 'data-lines', 'parallel-coords'],
    ['lab-contour', 'data-points', 'contour'],
  ] as const)
    await expect
      .poll(() => view(tag).querySelector(`[data-testid=${testId}]`)?.getAttribute(attribute), { timeout: 60_000 })
      .toBe(String(results));
  expect(view('lab-run-controls').querySelector('[data-testid=trial-counts]')?.textContent).toMatch(/\d+ complete/);
}, 600_000);
