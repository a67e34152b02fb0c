import { expose, proxy, type Remote, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveBest, StudyEvent } from '../../src/study/events.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import { createCpuEngine } from '../../src/train/cpu/engine.ts';
import { EngineError, type TrainingEngine } from '../../src/train/types.ts';
import type { TrainerApi } from '../../src/worker/api.ts';
import { createTrainerApi } from '../../src/worker/trainer.ts';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** The trainer behind a real comlink channel, as the page sees the worker (GPU: none, unless a test passes one). */
function connect(
  createGpuEngine = () =>
    Promise.reject<TrainingEngine>(
      new EngineError('no-webgpu', 'This browser has no WebGPU (navigator.gpu is missing).'),
    ),
): Remote<TrainerApi> {
  const channel = new MessageChannel();
  channels.push(channel);
  expose(
    createTrainerApi({
      createGpuEngine,
      createCpuEngine,
      loadDigits: () => Promise.reject(new Error('no digits in this test')),
      loadTables: () => Promise.reject(new Error('no tables in this test')),
    }),
    channel.port1,
  );
  return wrap<TrainerApi>(channel.port2);
}

function tinyStudy(): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'circle', count: 120, noise: 0.05, validationFraction: 0.25, seed: 2 };
  spec.scheduler.budget = { kind: 'trials', trials: 3 };
  spec.training = { steps: 20, reportEvery: 10 };
  return spec;
}

/** Runs a study and folds its events, in sequence order, as the page does. */
async function run(trainer: Remote<TrainerApi>, spec: StudySpec, inputs = {}) {
  const received: Array<[number, StudyEvent]> = [];
  const { events: count } = await trainer.run(
    spec,
    proxy((seq: number, e: StudyEvent) => void received.push([seq, e])),
    inputs,
  );
  while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 5)); // the callback's channel is not ordered with the reply's
  const events = received.sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  expect(received.map(([seq]) => seq)).toEqual([...events.keys()]);
  const state = foldStudyEvents(spec, events);
  return { result: { state, trials: [...state.trials.values()] }, events };
}

describe('trainer worker API over comlink', () => {
  it('falls back to the CPU engine with a notice saying why, and runs the study there', async () => {
    const { result, events } = await run(connect(), tinyStudy());
    expect(events[0]).toEqual({
      type: 'study-started',
      engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' },
      task: 'classification',
      plannedTrials: 3,
      dataShape: { task: 'classification', inputs: 2, outputs: 2, trainCount: 90, validationCount: 30 },
      fallbackNotice:
        'Training on the CPU engine (slower, same math) because WebGPU is unavailable: This browser has no WebGPU (navigator.gpu is missing).',
    });
    expect(result.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress).toHaveLength(2);
    for (const p of progress) {
      expect(p.trainLoss).toBeInstanceOf(Float32Array);
      expect(Array.from(p.trialIds)).toEqual([0, 1, 2]);
      expect(p.validationLoss.every(Number.isFinite)).toBe(true);
    }
    // The page's events say the same as the returned records.
    expect(Array.from(progress[1].validationLoss)).toEqual(result.trials.map((t) => Math.fround(t.objective)));
    // Importance is the worker's work too: it arrives from all three trials before the end.
    expect(events.at(-2)).toMatchObject({ type: 'importance', completedTrials: 3 });
    expect(events.at(-1)).toMatchObject({ type: 'study-finished', trials: 3, stopped: false });
  });

  it("streams the best running trial's weights through their own callback, beside the study's events", async () => {
    const spec = tinyStudy();
    const lives: LiveBest[] = [];
    const received: StudyEvent[] = [];
    const trainer = connect();
    const { events } = await trainer.run(
      spec,
      proxy((_: number, e: StudyEvent) => void received.push(e)),
      { engine: 'cpu' },
      proxy((live: LiveBest) => void lives.push(live)),
    );
    // Neither callback's channel is ordered with the reply's.
    while (received.length < events || lives.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The first report of the study always streams (nothing has ended yet); the next within 500 ms do not.
    const first = lives[0];
    expect(first && 'model' in first && first).toMatchObject({ step: 10, model: { shape: { inputs: 2 } } });
    const trial = first && 'model' in first ? foldStudyEvents(spec, received).trials.get(first.trialId) : undefined;
    expect(trial?.curve.step[0]).toBe(10);
  });

  it('a GPU device lost mid-study moves the study to the CPU engine, and the next run asks for a new GPU', async () => {
    let gpus = 0;
    const lostGpu: TrainingEngine = {
      kind: 'webgpu',
      adapter: 'fake GPU',
      train: () => Promise.reject(new EngineError('device-lost', 'The GPU device was lost (test).')),
      dispose: () => {},
    };
    const trainer = connect(async () => {
      gpus++;
      return lostGpu;
    });
    const { result, events } = await run(trainer, tinyStudy(), { engine: 'webgpu' });
    expect(events[0]).toMatchObject({ type: 'study-started', engine: { kind: 'webgpu', adapter: 'fake GPU' } });
    expect(events.filter((e) => e.type === 'engine-changed')).toEqual([
      expect.objectContaining({ engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' }, restartedTrialIds: [0, 1, 2] }),
    ]);
    expect(result.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
    await run(trainer, tinyStudy(), { engine: 'webgpu' });
    expect(gpus).toBe(2);
  });

  it('asked for the CPU, runs there without a notice', async () => {
    const { events } = await run(connect(), tinyStudy(), { engine: 'cpu' });
    expect(events[0]).not.toHaveProperty('fallbackNotice');
  });

  it('a CSV study without its file, an invalid spec and missing digits end in a clear study-error', async () => {
    const trainer = connect();
    const csv = tinyStudy();
    csv.data = {
      kind: 'csv',
      fileName: 'houses.csv',
      target: 'price',
      features: ['rooms'],
      validationFraction: 0.2,
      seed: 1,
    };
    expect((await run(trainer, csv)).events).toEqual([
      {
        type: 'study-error',
        message:
          'The data could not be loaded: This study trains on the CSV file "houses.csv"; choose that file to run it.',
      },
    ]);
    const bad = { ...tinyStudy(), parallelism: -1 };
    const invalid = await run(trainer, bad);
    expect(invalid.events).toHaveLength(1);
    expect(invalid.events[0]).toMatchObject({
      type: 'study-error',
      message: expect.stringMatching(/^The study is invalid: Trials at once: must be at least 1, got -1 — raise it.$/),
    });
    const digits = tinyStudy();
    digits.data = { kind: 'digits', count: 200, validationFraction: 0.2, seed: 1 };
    expect((await run(trainer, digits)).events).toEqual([
      { type: 'study-error', message: 'The data could not be loaded: no digits in this test' },
    ]);
  });

  it('trains on the CSV the page passes', async () => {
    const spec = tinyStudy();
    spec.data = { kind: 'csv', fileName: 'line.csv', target: 'y', features: ['x'], validationFraction: 0.25, seed: 1 };
    const text = `x,y\n${Array.from({ length: 40 }, (_, i) => `${i / 10},${(i / 10) * 2 + 1 + (i % 3) / 7}`).join('\n')}`;
    const { result, events } = await run(connect(), spec, { csv: { fileName: 'line.csv', text } });
    expect(events[0]).toMatchObject({ type: 'study-started', task: 'regression' });
    expect(result.trials).toHaveLength(3);
  });

  it('refuses a second study while one runs, and stop ends the first', async () => {
    const trainer = connect();
    const long = tinyStudy();
    long.training = { steps: 4000, reportEvery: 10 };
    const first = run(trainer, long);
    const startedAt = Date.now();
    let second: Awaited<ReturnType<typeof run>>;
    do second = await run(trainer, tinyStudy());
    while (second.events.length === 0 && Date.now() - startedAt < 10_000);
    expect(second.events).toEqual([
      { type: 'study-error', message: 'A study is already running; stop it before starting another.' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await trainer.stop();
    const { result } = await first;
    expect(result.state.status).toBe('stopped');
    expect(
      result.trials.every((t) => t.state === 'STOPPED' && t.reason?.startsWith('stopped by the user at step')),
    ).toBe(true);
  });
});
