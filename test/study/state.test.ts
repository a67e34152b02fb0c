import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { StudyRunner } from '../../src/study/runner.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import {
  applyStudyEvent,
  curveStride,
  eventsOfState,
  foldStudyEvents,
  initialStudyState,
  keepsCurvePoint,
  MAX_CURVE_POINTS,
  type StudyState,
} from '../../src/study/state.ts';
import { createCpuEngine } from '../../src/train/cpu/engine.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';

function study(edit: (spec: StudySpec) => void = () => {}): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'spiral', count: 120, noise: 0.1, validationFraction: 0.25, seed: 5 };
  spec.scheduler.budget = { kind: 'trials', trials: 6 };
  spec.training = { steps: 30, reportEvery: 10 };
  spec.parallelism = 4;
  spec.seed = 11;
  edit(spec);
  return spec;
}

const data = makeDataset('spiral', { count: 120, noise: 0.1, validationFraction: 0.25, seed: 5 });

/** Runs `spec` on the CPU engine; `cutAfter` simulates the page going away after that many events (the runner is stopped silently). */
async function runStudy(spec: StudySpec, history?: StudyState) {
  const events: StudyEvent[] = [];
  const runner = new StudyRunner({
    spec,
    data,
    engine: createCpuEngine(),
    onEvent: (e) => events.push(e),
    ...(history ? { history } : {}),
  });
  const state = await runner.run();
  return { state, events };
}

/** What a study's trials are, without wall times (which differ between any two runs). */
const trialsOf = (state: StudyState) => [...state.trials.values()].map(({ durationMs: _, ...t }) => t);

describe('applyStudyEvent', () => {
  it('a journal replay (events structured-cloned, as IndexedDB stores them) equals the runner’s live state', async () => {
    const spec = study((s) => (s.pruning = { kind: 'median' }));
    const { state, events } = await runStudy(spec);
    const replayed = foldStudyEvents(spec, structuredClone(events));
    expect(replayed).toEqual(state);
    expect(state.status).toBe('finished');
    expect(state.bestModel?.trialId).toBe(state.bestTrialId);
  });

  it('folding in batches from a cloned mid-study state (a reopened journal) gives the same state, wherever the cut', async () => {
    const spec = study();
    const { state, events } = await runStudy(spec);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: events.length }), (cut) => {
        const first = structuredClone(foldStudyEvents(spec, events.slice(0, cut)));
        const whole = events.slice(cut).reduce(applyStudyEvent, first);
        expect(whole).toEqual(state);
      }),
      { numRuns: 25 },
    );
  });

  it('resuming after the page went away at any event gives the trials of an uninterrupted run: finished kept, in-flight retrained', async () => {
    const spec = study((s) => (s.parallelism = 3));
    const whole = await runStudy(spec);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: whole.events.length - 1 }), async (cut) => {
        const journal = structuredClone(foldStudyEvents(spec, whole.events.slice(0, cut)));
        const resumed = await runStudy(spec, journal);
        expect(trialsOf(resumed.state)).toEqual(trialsOf(whole.state));
        // Finished trials are never re-run: the resumed runner plans and trains only the rest.
        const finishedBefore = [...journal.trials.values()].filter((t) => t.state !== 'RUNNING').map((t) => t.id);
        const retrained = new Set(resumed.events.flatMap((e) => (e.type === 'progress' ? [...e.trialIds] : [])));
        for (const id of finishedBefore) expect(retrained.has(id)).toBe(false);
        // The page, folding the resumed run's events onto its journal, sees the runner's state.
        expect(resumed.events.reduce(applyStudyEvent, structuredClone(journal))).toEqual(resumed.state);
      }),
      { numRuns: 12 },
    );
  });

  it('eventsOfState gives events that fold back into the same state (an imported study gets a journal), wherever the study stands', async () => {
    const spec = study((s) => (s.pruning = { kind: 'median' }));
    const { events } = await runStudy(spec);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: events.length }), (cut) => {
        const state = foldStudyEvents(spec, events.slice(0, cut));
        expect(foldStudyEvents(spec, eventsOfState(structuredClone(state)))).toEqual(state);
      }),
      { numRuns: 30 },
    );
  });

  it('extending a finished study continues its seeded sequence: the same trials as a fresh run with the larger budget', async () => {
    const six = await runStudy(study());
    const ten = study((s) => (s.scheduler.budget = { kind: 'trials', trials: 10 }));
    const extended = await runStudy(ten, six.state);
    const fresh = await runStudy(ten);
    expect(trialsOf(extended.state)).toEqual(trialsOf(fresh.state));
    expect(
      extended.events
        .filter((e) => e.type === 'trial-planned')
        .map((e) => (e.type === 'trial-planned' ? e.trialId : -1)),
    ).toEqual([6, 7, 8, 9]);
  });

  it('a stopped study keeps STOPPED trials as partial results that compete for best', () => {
    const spec = study();
    const placement = {};
    const state = foldStudyEvents(spec, [
      { type: 'study-started', engine: { kind: 'cpu', adapter: 'test' }, task: 'classification' },
      { type: 'trial-planned', trialId: 0, params: {}, placement },
      { type: 'trial-planned', trialId: 1, params: {}, placement },
      { type: 'trial-finished', trialId: 0, state: 'COMPLETE', objective: 0.5, steps: 30 },
      {
        type: 'trial-finished',
        trialId: 1,
        state: 'STOPPED',
        objective: 0.4,
        steps: 10,
        reason: 'stopped by the user at step 10',
      },
      { type: 'study-finished', trials: 2, elapsedMs: 5, stopped: true },
    ]);
    expect(state.bestTrialId).toBe(1);
    expect(state.status).toBe('stopped');
    expect(state.trials.get(1)).toMatchObject({ state: 'STOPPED', objective: 0.4, steps: 10 });
  });
});

describe('curve resolution', () => {
  it('keeps every report of short studies and at most MAX_CURVE_POINTS (plus the last step) of long ones', () => {
    expect(curveStride({ steps: 500, reportEvery: 10 })).toBe(1);
    const long = { steps: 100_000, reportEvery: 1 };
    const stride = curveStride(long);
    expect(stride).toBe(128);
    let kept = 0;
    for (let step = 1; step <= long.steps; step++) if (keepsCurvePoint(long, step)) kept++;
    expect(kept).toBeLessThanOrEqual(MAX_CURVE_POINTS + 1);
    expect(kept).toBeGreaterThan(MAX_CURVE_POINTS / 2);
    expect(keepsCurvePoint(long, long.steps)).toBe(true);
  });

  it('a long study reporting every step sends the page (and the journal) a curve at the fixed stride, ending at the last step', async () => {
    const spec = study((s) => {
      s.training = { steps: 4000, reportEvery: 1 };
      s.scheduler.budget = { kind: 'trials', trials: 1 };
      s.parallelism = 1;
    });
    const { state, events } = await runStudy(spec);
    const points = [...state.trials.values()][0].curve.step;
    expect(points.length).toBe(4000 / curveStride(spec.training));
    expect(events.filter((e) => e.type === 'progress')).toHaveLength(points.length);
    expect(points.at(-1)).toBe(4000);
    expect(initialStudyState(spec).trials.size).toBe(0);
  });
});

describe('memory of a long study', () => {
  it('a 100,000-step study of 256 trials reporting every step folds into a bounded state (heap figure logged)', () => {
    const spec = study((s) => {
      s.training = { steps: 100_000, reportEvery: 1 };
      s.parallelism = 256;
      s.scheduler.budget = { kind: 'trials', trials: 256 };
    });
    const trialIds = Int32Array.from({ length: 256 }, (_, i) => i);
    let state = initialStudyState(spec);
    state = applyStudyEvent(state, {
      type: 'study-started',
      engine: { kind: 'cpu', adapter: 'test' },
      task: 'classification',
    });
    for (const id of trialIds)
      state = applyStudyEvent(state, { type: 'trial-planned', trialId: id, params: {}, placement: {} });
    const heapBefore = process.memoryUsage().heapUsed;
    let sent = 0;
    for (let step = 1; step <= spec.training.steps; step++) {
      if (!keepsCurvePoint(spec.training, step)) continue; // what the runner sends (see StudyRunner.train)
      const losses = new Float32Array(256).fill(1 / step);
      state = applyStudyEvent(state, {
        type: 'progress',
        step,
        trialIds,
        trainLoss: losses,
        validationLoss: losses,
        trainAccuracy: losses,
        validationAccuracy: losses,
      });
      sent++;
    }
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const points = [...state.trials.values()].reduce((n, t) => n + t.curve.step.length, 0);
    console.log(
      `[memory] 100,000 steps × 256 trials, reported every step: ${sent} progress events kept, ${points} curve points, heap grew ${grownMb.toFixed(1)} MB (bound: 64 MB)`,
    );
    expect(points).toBe(256 * sent);
    expect(sent).toBeLessThanOrEqual(MAX_CURVE_POINTS + 1);
    expect(grownMb).toBeLessThan(64);
  });
});
