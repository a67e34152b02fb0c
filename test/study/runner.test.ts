import { describe, expect, it } from 'vitest';
import { importance } from '../../src/search/importance.ts';
import type { StudyEvent } from '../../src/study/events.ts';
import { StudyRunner } from '../../src/study/runner.ts';
import { defaultStudy, type HyperparameterName, type SpaceRow, type StudySpec } from '../../src/study/spec.ts';
import { createCpuEngine, predict } from '../../src/train/cpu/engine.ts';
import { initStatistics } from '../../src/train/cpu/ops.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { statisticsCount } from '../../src/train/layers.ts';
import type { TrainingEngine } from '../../src/train/types.ts';
import { EngineError } from '../../src/train/types.ts';

function smallStudy(edit: (spec: StudySpec) => void = () => {}): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'spiral', count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 };
  spec.scheduler.budget = { kind: 'trials', trials: 6 };
  spec.training = { steps: 40, reportEvery: 10 };
  spec.parallelism = 4;
  spec.seed = 77;
  edit(spec);
  return spec;
}

function setRow(spec: StudySpec, name: HyperparameterName, change: Partial<SpaceRow>): void {
  spec.space = spec.space.map((row) => (row.name === name ? ({ ...row, ...change } as SpaceRow) : row));
}

/** An engine whose validation loss depends on the learning rate alone: 1 + (log10 α + 2)², at every report. */
const learningRateOnly: TrainingEngine = {
  kind: 'cpu',
  adapter: 'learning rate only',
  async train(job, onReport) {
    const loss = Float32Array.from(job.models, (m) => 1 + (Math.log10(m.learningRate) + 2) ** 2);
    const n = job.models.length;
    const reports = [];
    for (let step = job.reportEvery; step <= job.steps; step += job.reportEvery) {
      const report = {
        step,
        trainLoss: loss.slice(),
        trainAccuracy: new Float32Array(n).fill(0.5),
        validationLoss: loss.slice(),
        validationAccuracy: new Float32Array(n).fill(0.5),
        diverged: new Uint8Array(n),
      };
      reports.push(report);
      await onReport?.(report);
    }
    return {
      reports,
      parameters: job.models.map(() => new Float32Array(0)),
      statistics: job.models.map(() => new Float32Array(0)),
      stoppedAtStep: new Int32Array(n).fill(job.steps),
    };
  },
  dispose: () => {},
};

async function runStudy(
  spec: StudySpec,
  engine: TrainingEngine = createCpuEngine(),
  control?: (runner: StudyRunner, event: StudyEvent) => void,
  clock?: () => number,
  cpuFallback?: () => TrainingEngine,
) {
  const events: StudyEvent[] = [];
  const data = makeDataset(spec.data.kind === 'synthetic' ? spec.data.name : 'spiral', {
    count: 160,
    noise: 0.1,
    validationFraction: 0.25,
    seed: 5,
  });
  const runner: StudyRunner = new StudyRunner({
    spec,
    data,
    engine,
    onEvent: (event) => {
      events.push(event);
      control?.(runner, event);
    },
    ...(clock ? { clock } : {}),
    ...(cpuFallback ? { cpuFallback } : {}),
  });
  const state = await runner.run();
  // The runner's final state, with its trials as an array (in id order) for the assertions.
  const result = { ...state, trials: [...state.trials.values()].sort((a, b) => a.id - b.id) };
  return { result, state, events };
}

describe('study runner on the CPU engine', () => {
  it('with batch norm, keeps the best model with its running statistics: its validation loss is its objective', async () => {
    const { result } = await runStudy(smallStudy((spec) => setRow(spec, 'batchNorm', { default: 'on' })));
    const model = result.bestModel!;
    const pairs = Array.from({ length: model.shape.hiddenLayers }, () => ['dense', 'batchnorm']).flat();
    expect(pairs.length).toBeGreaterThan(0);
    expect(model.shape.layers?.map((l) => l.kind)).toEqual(pairs);
    expect(model.statistics?.length).toBe(statisticsCount(model.shape));
    const validation = makeDataset('spiral', { count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 }).validation;
    const loss = (statistics?: Float32Array) => {
      const p = predict(model.shape, model.hiddenUnits, model.parameters, validation.x, validation.count, statistics);
      let sum = 0;
      for (let i = 0; i < validation.count; i++) sum -= Math.log(p[i * 2 + validation.y[i]]);
      return sum / validation.count;
    };
    const best = result.trials[result.bestTrialId ?? -1].objective;
    expect(Math.abs(loss(model.statistics) - best) / best).toBeLessThan(1e-5);
    // Without them (the initial mean 0, variance 1) the model is another one.
    expect(Math.abs(loss(initStatistics(model.shape, model)) - best) / best).toBeGreaterThan(1e-3);
  });

  it('runs a small random study to its trial budget, every trial complete with a full curve', async () => {
    const { result, events } = await runStudy(smallStudy());
    expect(result.trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const t of result.trials) {
      expect(t.state).toBe('COMPLETE');
      expect(t.curve.step).toEqual([10, 20, 30, 40]);
      expect(t.objective).toBe(t.curve.validationLoss[3]);
      expect(Number.isFinite(t.objective)).toBe(true);
    }
    const best = Math.min(...result.trials.map((t) => t.objective));
    expect(result.trials[result.bestTrialId ?? -1].objective).toBe(best);
    // The kept model is the best trial's: its validation cross-entropy is that trial's objective (to 1e-5 relative).
    const model = result.bestModel!;
    expect(model.trialId).toBe(result.bestTrialId);
    const validation = makeDataset('spiral', { count: 160, noise: 0.1, validationFraction: 0.25, seed: 5 }).validation;
    const probabilities = predict(model.shape, model.hiddenUnits, model.parameters, validation.x, validation.count);
    let crossEntropy = 0;
    for (let i = 0; i < validation.count; i++) crossEntropy -= Math.log(probabilities[i * 2 + validation.y[i]]);
    expect(Math.abs(crossEntropy / validation.count - best) / best).toBeLessThan(1e-5);
    const kinds = events.map((e) => e.type);
    expect(kinds[0]).toBe('study-started');
    expect(kinds.at(-1)).toBe('study-finished');
    expect(kinds.filter((k) => k === 'trial-planned')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'trial-finished')).toHaveLength(6);
    // Populations of at most 4: 4 + 2 trials, 4 reports each.
    expect(
      events.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? e.trialIds.length : 0)),
    ).toEqual([4, 4, 4, 4, 2, 2, 2, 2]);
    expect(events[0]).toMatchObject({
      type: 'study-started',
      engine: { kind: 'cpu' },
      plannedTrials: 6,
      task: 'classification',
    });
  });

  it('gives the same params and bit-identical curves with parallelism 1 and 4, hidden units searched too', async () => {
    const spec = (parallelism: number) =>
      smallStudy((s) => {
        s.parallelism = parallelism;
        setRow(s, 'hiddenUnits', { enabled: true, distribution: { kind: 'power-of-two', low: 4, high: 32 } });
      });
    const one = await runStudy(spec(1));
    const four = await runStudy(spec(4));
    expect(new Set(four.result.trials.map((t) => t.params.hiddenUnits)).size).toBeGreaterThan(1);
    expect(four.result.trials.map((t) => t.params)).toEqual(one.result.trials.map((t) => t.params));
    expect(four.result.trials.map((t) => t.curve)).toEqual(one.result.trials.map((t) => t.curve));
    expect(four.events.filter((e) => e.type === 'progress')).toHaveLength(8);
    expect(one.events.filter((e) => e.type === 'progress')).toHaveLength(24);
  });

  it('coarse-to-fine rounds plan the same trials (params, rounds, boxes) with parallelism 4 and 8 (both make rounds of 8)', async () => {
    const spec = (parallelism: number) =>
      smallStudy((s) => {
        s.parallelism = parallelism;
        s.scheduler = {
          ...s.scheduler,
          kind: 'coarse-to-fine',
          budget: { kind: 'trials', trials: 16 },
          trialsPerRound: 8,
        };
        s.training = { steps: 20, reportEvery: 10 };
      });
    const four = await runStudy(spec(4));
    const eight = await runStudy(spec(8));
    expect(four.result.trials.map((t) => t.placement.round)).toEqual([...Array(8).fill(0), ...Array(8).fill(1)]);
    expect(four.result.trials[8].placement.box?.learningRate).toBeDefined();
    expect(four.result.trials.map((t) => [t.params, t.placement])).toEqual(
      eight.result.trials.map((t) => [t.params, t.placement]),
    );
    expect(four.result.trials.map((t) => t.objective)).toEqual(eight.result.trials.map((t) => t.objective));
  });

  it('marks diverged trials with their reason and keeps going', async () => {
    const spec = smallStudy((s) => {
      setRow(s, 'learningRate', { distribution: { kind: 'float', scale: 'log', low: 1e-3, high: 1e4 } });
      setRow(s, 'optimizer', { default: 'sgd' });
      s.scheduler.budget = { kind: 'trials', trials: 8 };
    });
    const { result } = await runStudy(spec);
    const diverged = result.trials.filter((t) => t.state === 'DIVERGED');
    const complete = result.trials.filter((t) => t.state === 'COMPLETE');
    expect(diverged.length).toBeGreaterThan(0);
    expect(complete.length).toBeGreaterThan(0);
    expect(diverged.length + complete.length).toBe(8);
    console.log(
      `[runner] diverged lr: ${diverged.map((t) => Number(t.params.learningRate).toPrecision(2))}; complete lr: ${complete.map((t) => Number(t.params.learningRate).toPrecision(2))}`,
    );
    for (const t of diverged) {
      expect(t.reason).toMatch(
        /^(training loss became NaN\/Inf or exceeded 100× its first value before step \d+|value .* exceeds 100 × the first value)/,
      );
      expect(Number.isNaN(t.objective)).toBe(true);
    }
    // Divergence follows the learning rate: every diverged trial's rate is above every completed one's.
    expect(Math.min(...diverged.map((t) => Number(t.params.learningRate)))).toBeGreaterThan(
      Math.max(...complete.map((t) => Number(t.params.learningRate))),
    );
  });

  it('ASHA prunes trials, keeping their curve and reason', async () => {
    const spec = smallStudy((s) => {
      s.pruning = { kind: 'asha' };
      s.training = { steps: 90, reportEvery: 10 };
      s.scheduler.budget = { kind: 'trials', trials: 9 };
      s.parallelism = 3;
    });
    const { result, events } = await runStudy(spec);
    const pruned = result.trials.filter((t) => t.state === 'PRUNED');
    console.log(`[runner] ASHA: ${result.trials.map((t) => `${t.id}:${t.state}@${t.steps}`).join(' ')}`);
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) {
      expect(t.reason).toMatch(/^value .* at rung \d \(step \d+\) is not in the best 1\/3/);
      expect(t.curve.step.length).toBeGreaterThan(0);
      expect(t.curve.step.at(-1)).toBeLessThan(90);
      expect(t.objective).toBe(t.curve.validationLoss.at(-1));
    }
    const finished = events.filter((e) => e.type === 'trial-finished');
    expect(finished).toHaveLength(9);
  });

  it('records a failing population as FAILED and runs the next one', async () => {
    const cpu = createCpuEngine();
    let calls = 0;
    const flaky: TrainingEngine = {
      kind: 'cpu',
      adapter: 'flaky',
      train: (job, onReport, signal) =>
        ++calls === 1
          ? Promise.reject(new EngineError('device-lost', 'the GPU device was lost'))
          : cpu.train(job, onReport, signal),
      dispose: () => {},
    };
    const { result } = await runStudy(smallStudy(), flaky);
    expect(result.trials.map((t) => t.state)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED', 'COMPLETE', 'COMPLETE']);
    expect(result.trials[0].reason).toBe('training failed: the GPU device was lost');
  });

  it('pauses, resumes and stops: stopped trials keep their curves, no new trials start', async () => {
    let progress = 0;
    let pausedSeen = false;
    const { result, events } = await runStudy(smallStudy(), createCpuEngine(), (runner, event) => {
      if (event.type !== 'progress') return;
      progress++;
      if (progress === 1) {
        runner.pause();
        setTimeout(() => {
          pausedSeen = true;
          runner.resume();
        }, 20);
      }
      if (progress === 2) runner.stop();
    });
    expect(pausedSeen).toBe(true);
    expect(events.map((e) => e.type)).toContain('study-paused');
    expect(events.map((e) => e.type)).toContain('study-resumed');
    expect(events.at(-1)).toMatchObject({ type: 'study-finished', stopped: true, trials: 4 });
    // Stopped, not pruned: each keeps its curve and its last validation loss as a partial result.
    expect(result.trials.map((t) => [t.state, t.curve.step, t.steps])).toEqual(
      Array(4).fill(['STOPPED', [10, 20], 20]),
    );
    for (const t of result.trials) expect(t.objective).toBe(t.curve.validationLoss[1]);
    expect(result.trials[0].reason).toBe('stopped by the user at step 20');
    expect(result.status).toBe('stopped');
    expect(result.trials.find((t) => t.id === result.bestTrialId)?.objective).toBe(
      Math.min(...result.trials.map((t) => t.objective)),
    );
    // Stopped at a report, the engine returned the models as they were: the best one is kept (for its boundary).
    expect(result.bestModel?.trialId).toBe(result.bestTrialId);
  });

  it('sends importance as trials complete, the last from every completed trial just before the end, ranking the one that matters first', async () => {
    const spec = smallStudy((s) => (s.scheduler.budget = { kind: 'trials', trials: 32 }));
    const { result, events } = await runStudy(spec, learningRateOnly);
    const sent = events.filter((e) => e.type === 'importance');
    expect(sent.length).toBeGreaterThan(0);
    expect(events.at(-2)).toBe(sent.at(-1));
    const last = sent.at(-1)!;
    expect(last.completedTrials).toBe(32);
    // The worker's figure is the search library's over the same trials, exactly.
    const finished = result.trials.map((t) => ({
      id: t.id,
      params: t.params,
      state: 'COMPLETE' as const,
      objective: t.objective,
    }));
    expect(result.trials.every((t) => t.state === 'COMPLETE')).toBe(true);
    expect(last.shares).toEqual(importance(finished, spec.space));
    expect(Object.keys(last.shares).sort()).toEqual(['beta1', 'learningRate']);
    console.log(
      `[runner] importance from ${sent.map((e) => e.completedTrials).join(', ')} trials; last: ${JSON.stringify(last.shares)}`,
    );
    expect(last.shares.learningRate).toBeGreaterThan(0.95);
    expect(last.shares.learningRate + last.shares.beta1).toBeCloseTo(1, 12);
  });

  it('throttles live importance by the clock: after each population when reports take a second, else only the first and the final', async () => {
    const spec = smallStudy((s) => (s.scheduler.budget = { kind: 'trials', trials: 12 }));
    const completedAt = async (msPerReport: number) => {
      let now = 0;
      const { events } = await runStudy(
        spec,
        learningRateOnly,
        (_, e) => e.type === 'progress' && (now += msPerReport),
        () => now,
      );
      return events.flatMap((e) => (e.type === 'importance' ? [e.completedTrials] : []));
    };
    // Populations of 4 trials, 4 reports each: 4 s between populations, far over the 500 ms gap.
    await expect(completedAt(1000)).resolves.toEqual([4, 8, 12]);
    // A clock that stands still never leaves the gap: the first, then the final one.
    await expect(completedAt(0)).resolves.toEqual([4, 12]);
  });
});

describe('study runner when the GPU device is lost', () => {
  /** A "GPU" engine (the CPU engine's math) whose device is lost after the first report of its second population. */
  function losingGpu() {
    const cpu = createCpuEngine();
    let calls = 0;
    const engine: TrainingEngine = {
      kind: 'webgpu',
      adapter: 'fake GPU',
      async train(job, onReport) {
        calls++;
        if (calls === 1) return cpu.train(job, onReport);
        return cpu.train(job, async (report) => {
          await onReport?.(report);
          throw new EngineError(
            'device-lost',
            'The GPU device was lost (test). Create a new engine to train again; the CPU engine works without a GPU.',
          );
        });
      },
      dispose: () => {},
    };
    return { engine, calls: () => calls };
  }

  it('moves to the CPU engine once, retrains the interrupted population from step 0 and loses no trial', async () => {
    const spec = smallStudy((s) => (s.parallelism = 2));
    const gpu = losingGpu();
    let fallbacks = 0;
    const { result, events } = await runStudy(spec, gpu.engine, undefined, undefined, () => {
      fallbacks++;
      return createCpuEngine();
    });
    const cpuOnly = await runStudy(spec);
    expect(gpu.calls()).toBe(2);
    expect(fallbacks).toBe(1);
    const changes = events.filter((e) => e.type === 'engine-changed');
    expect(changes).toEqual([
      {
        type: 'engine-changed',
        engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' },
        notice:
          'The GPU device was lost mid-study, so training goes on on the CPU engine (slower, same math); the trials it interrupted start again from step 0. Details: The GPU device was lost (test). Create a new engine to train again; the CPU engine works without a GPU.',
        restartedTrialIds: [2, 3],
      },
    ]);
    // Trials 2 and 3 reported step 10 on the lost device before the change, then their whole curve on the CPU.
    const change = events.indexOf(changes[0]);
    expect(
      events
        .slice(0, change)
        .filter((e) => e.type === 'progress')
        .map((e) => (e.type === 'progress' ? [e.step, ...e.trialIds] : [])),
    ).toEqual([
      [10, 0, 1],
      [20, 0, 1],
      [30, 0, 1],
      [40, 0, 1],
      [10, 2, 3],
    ]);
    expect(result.trials.map((t) => t.state)).toEqual(Array(6).fill('COMPLETE'));
    for (const t of result.trials) expect(t.curve.step).toEqual([10, 20, 30, 40]);
    // Same seeds, same math: every curve and objective is bit-identical to a CPU-only run's.
    expect(result.trials.map((t) => [t.params, t.curve, t.objective])).toEqual(
      cpuOnly.result.trials.map((t) => [t.params, t.curve, t.objective]),
    );
    expect(result.engine).toEqual({ kind: 'cpu', adapter: 'CPU (TypeScript)' });
    expect(result.bestTrialId).toBe(cpuOnly.result.bestTrialId);
    expect(events.at(-1)).toMatchObject({ type: 'study-finished', trials: 6, stopped: false });
  });

  it('without a CPU fallback, the interrupted trials fail with the engine error', async () => {
    const { result, events } = await runStudy(
      smallStudy((s) => (s.parallelism = 2)),
      losingGpu().engine,
    );
    expect(events.some((e) => e.type === 'engine-changed')).toBe(false);
    expect(result.trials.slice(0, 2).map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE']);
    expect(result.trials[2].reason).toMatch(/^training failed: The GPU device was lost \(test\)/);
  });
});
