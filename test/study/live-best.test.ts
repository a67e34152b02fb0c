// The live best model (events.ts LiveBest): while a study trains, the runner streams the weights
// of the best running trial when it beats every ended one. It must be that trial's model at that
// step, and streaming must change no result.
import { describe, expect, it } from 'vitest';
import type { LiveBest, StudyEvent } from '../../src/study/events.ts';
import { StudyRunner } from '../../src/study/runner.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { bestTrialOf, foldStudyEvents } from '../../src/study/state.ts';
import { createCpuEngine, predict } from '../../src/train/cpu/engine.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import type { TrainingEngine } from '../../src/train/types.ts';

const data = makeDataset('spiral', { count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 });

function study(): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'spiral', count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 };
  spec.scheduler.budget = { kind: 'trials', trials: 12 };
  spec.training = { steps: 60, reportEvery: 10 };
  spec.pruning = { kind: 'median' };
  spec.parallelism = 4;
  spec.seed = 13;
  return spec;
}

type Logged = { event: StudyEvent } | { live: LiveBest };

/** Runs the study, logging its events and live bests in the order the runner sent them; the clock moves 1 s per read, so every report may stream. */
async function run(spec: StudySpec, engine: TrainingEngine, live: boolean): Promise<Logged[]> {
  const log: Logged[] = [];
  let now = 0;
  await new StudyRunner({
    spec,
    data,
    engine,
    clock: () => (now += 1000),
    onEvent: (event) => log.push({ event }),
    ...(live ? { onLiveBest: (best: LiveBest) => log.push({ live: best }) } : {}),
  }).run();
  return log;
}

const eventsOf = (log: Logged[]) => log.flatMap((entry) => ('event' in entry ? [entry.event] : []));

function validationLoss(model: Extract<LiveBest, { model: unknown }>['model']): number {
  const { x, y, count } = data.validation;
  const p = predict(model.shape, model.hiddenUnits, model.parameters, x, count, model.statistics);
  let sum = 0;
  for (let i = 0; i < count; i++) sum -= Math.log(p[i * 2 + y[i]]);
  return sum / count;
}

describe('live best model', () => {
  it("streams the best running trial's weights at a report: lowest validation loss then, below every ended trial's, and its loss reproduced from them (1e-5 relative)", async () => {
    const spec = study();
    const log = await run(spec, createCpuEngine(), true);
    let checked = 0;
    for (const [at, entry] of log.entries()) {
      if (!('live' in entry) || !entry.live || !('model' in entry.live)) continue;
      const { trialId, step, model } = entry.live;
      const state = foldStudyEvents(spec, eventsOf(log.slice(0, at)));
      const trial = state.trials.get(trialId)!;
      expect(trial.state).toBe('RUNNING');
      expect(trial.curve.step.at(-1)).toBe(step);
      const loss = trial.curve.validationLoss.at(-1)!;
      for (const other of state.trials.values())
        if (other.state === 'RUNNING' && other.id !== trialId)
          expect(loss).toBeLessThanOrEqual(other.curve.validationLoss.at(-1)!);
      const ended = bestTrialOf(state.trials.values());
      if (ended) expect(loss).toBeLessThan(ended.objective);
      expect(model.trialId).toBe(trialId);
      expect(Math.abs(validationLoss(model) - loss) / loss).toBeLessThan(1e-5);
      checked++;
    }
    // 3 populations of 4 trials, 5 reports each before the last: the first population's are all live bests.
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(log.some((entry) => 'live' in entry && entry.live === null)).toBe(true);
  });

  it('changes no result: the same study without the live view gives identical events (durations aside)', async () => {
    const spec = study();
    const withLive = eventsOf(await run(spec, createCpuEngine(), true));
    const without = eventsOf(await run(spec, createCpuEngine(), false));
    const stable = (events: StudyEvent[]) =>
      events.map((e) =>
        e.type === 'trial-finished'
          ? { ...e, durationMs: 0 }
          : e.type === 'study-finished'
            ? { ...e, elapsedMs: 0 }
            : e,
      );
    expect(withLive.length).toBe(without.length);
    expect(stable(withLive)).toEqual(stable(without));
  });

  it('says once why there is no live view when the engine cannot read a model mid-run', async () => {
    const cpu = createCpuEngine();
    const blind: TrainingEngine = {
      ...cpu,
      adapter: 'blind',
      train: (job, onReport, signal) => cpu.train(job, onReport && ((report) => onReport(report)), signal),
    };
    const lives = (await run(study(), blind, true)).flatMap((entry) => ('live' in entry ? [entry.live] : []));
    expect(lives).toEqual([{ unavailable: 'the engine (blind) cannot read a model while it trains' }]);
  });
});
