// The engine a study trains on, picked by measurement unless the user chose one. Engines are
// stand-ins that train on the CPU engine (so studies finish) under their own names (the
// TypeScript CPU engine is itself), and the probe's clock is faked: each engine, by adapter,
// takes a fixed time per train() plus a time per step. A study is measured only from 100
// population-steps (10x the probe's 5 on each of two engines): the measured studies here have 100.
import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { StudyEvent } from '../../src/study/events.ts';
import { cnnDigitsStudy } from '../../src/study/presets.ts';
import { defaultStudy, type StudySpec } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import { createCpuEngine } from '../../src/train/cpu/engine.ts';
import { decodeDigitsPack } from '../../src/train/data/digitsFormat.ts';
import { digitsAssetBytes } from '../../src/train/data/digitsPack.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { EngineError, type PopulationJob, type TrainingEngine } from '../../src/train/types.ts';
import type { RunInputs } from '../../src/worker/api.ts';
import {
  guessWithoutProbe,
  measureEngine,
  PROBE_BUDGET_SECONDS,
  PROBE_STEPS,
  probeJob,
  STUDY_PER_PROBE,
  studyPopulationSteps,
} from '../../src/worker/engine-choice.ts';
import { createTrainerApi } from '../../src/worker/trainer.ts';

const cpu = createCpuEngine();
const standIn = (kind: TrainingEngine['kind'], adapter: string): TrainingEngine => ({
  kind,
  adapter,
  train: (...args) => cpu.train(...args),
  dispose: () => {},
});
const GPU = standIn('webgpu', 'swiftshader (Google)');
const HARDWARE_GPU = standIn('webgpu', 'nvidia (ampere)');
const WASM = standIn('cpu', 'CPU (WebAssembly SIMD, 2 threads)');
const TS = cpu.adapter; // 'CPU (TypeScript)'

/** Seconds per train() and per step of each engine, by adapter. */
type Timings = Map<string, { fixed: number; perStep: number }>;

/** Population-steps from which a study of two candidate engines is measured. */
const MEASURED = STUDY_PER_PROBE * PROBE_STEPS * 2;

/** 3 trials at once of `steps` steps: `steps` population-steps (measured by default; 20 where the engine is chosen). */
function study(steps = MEASURED): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'circle', count: 120, noise: 0.05, validationFraction: 0.25, seed: 2 };
  spec.scheduler.budget = { kind: 'trials', trials: 3 };
  spec.training = { steps, reportEvery: 10 };
  return spec;
}

/** A small CNN study on 14-pixel digits, one trial at a time: 2 trials of 50 steps (measured), or of 2. */
function cnnStudy(steps = MEASURED / 2): StudySpec {
  const spec = cnnDigitsStudy();
  spec.data = { kind: 'digits', side: 14, count: 100, validationFraction: 0.2, seed: 1 };
  spec.scheduler.budget = { kind: 'trials', trials: 2 };
  spec.parallelism = 1;
  spec.training = { steps, reportEvery: steps };
  return spec;
}

/** The default study with batch norm on in every trial. */
function batchNormStudy(): StudySpec {
  const spec = study();
  spec.space = spec.space.map((row) => (row.name === 'batchNorm' ? { ...row, default: 'on' } : row));
  return spec;
}

function pbtStudy(): StudySpec {
  const spec = study();
  spec.scheduler.kind = 'pbt';
  return spec;
}

function trainer(timings: Timings, gpu = GPU) {
  const probed: Array<{ adapter: string; job: PopulationJob }> = [];
  const api = createTrainerApi({
    createGpuEngine: async () => gpu,
    createCpuEngine,
    createWasmEngine: async () => WASM,
    timeTraining: async (engine, job: PopulationJob) => {
      probed.push({ adapter: engine.adapter, job });
      const t = timings.get(engine.adapter)!;
      return t.fixed + t.perStep * job.steps;
    },
    loadDigits: async () => decodeDigitsPack(inflateSync(digitsAssetBytes())),
    loadTables: () => Promise.reject(new Error('no tables in this test')),
  });
  /** The study's events; its first is 'study-started' unless the engines were measured. */
  async function run(inputs: RunInputs = {}, spec = study()): Promise<StudyEvent[]> {
    const events: StudyEvent[] = [];
    await api.run(spec, (_, event) => events.push(event), inputs);
    expect(events.at(-1)).toMatchObject({
      type: 'study-finished',
      trials: spec.scheduler.budget.kind === 'trials' ? spec.scheduler.budget.trials : 0,
    });
    return events;
  }
  /** The 'study-started' event of a run. */
  const started = async (inputs: RunInputs = {}, spec = study()) =>
    (await run(inputs, spec)).find((e) => e.type === 'study-started')!;
  return { api, run, started, probed, adapters: () => new Set(probed.map((p) => p.adapter)) };
}

const SOFTWARE = 'swiftshader \\(Google\\) is a software adapter: WebGPU runs on the CPU there\\.';
const OVERRIDE = 'Choose another engine beside Run to override\\.';

describe('engine choice', () => {
  const spec = study();
  const data = makeDataset('circle', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 2 });
  const P = probeJob(spec, data, 1).models.length;
  /** Probes with a faked clock: the first run (the warm-up) takes `warmUp`, the others fixed + perStep × steps. */
  const probe = async (warmUp: number, fixed: number, perStep: number) => {
    const steps: number[] = [];
    const rate = await measureEngine(GPU, spec, data, async (_, job) => {
      steps.push(job.steps);
      return steps.length === 1 ? warmUp : fixed + perStep * job.steps;
    });
    const seconds = steps.reduce((sum, n, i) => sum + (i === 0 ? warmUp : fixed + perStep * n), 0);
    return { steps, rate, seconds };
  };

  it('predicts trial-steps per second over the study from a warm-up and two timed probe runs (fixed cost cancels out)', async () => {
    // A long run twice the short one: 3 steps suffice (the warm-up's time is never used in the rate).
    const small = await probe(3, 0.005, 0.01);
    expect(small.steps).toEqual([1, 1, 3]);
    expect(small.rate).toBeCloseTo((P * MEASURED) / (0.005 + 0.01 * MEASURED), 9);
    // A fixed cost that hides the steps (a GPU's few steps in one command buffer): the long run grows 4x until it shows.
    const large = await probe(3, 0.5, 0.01);
    expect(large.steps).toEqual([1, 1, 3, 12, 48, 192]);
    expect(large.rate).toBeCloseTo((P * MEASURED) / (0.5 + 0.01 * MEASURED), 9);
    // A second a step (a CNN on a software adapter): still two timed runs within the budget.
    const second = await probe(2, 0.2, 1);
    expect(second.steps).toEqual([1, 1, 3]);
    expect(second.rate).toBeCloseTo((P * MEASURED) / (0.2 + 1 * MEASURED), 9);
  });

  it(`a slow engine is probed for 5 steps (warm-up, 1 and 3), fixed cost apart; longer runs only within ${PROBE_BUDGET_SECONDS} s`, async () => {
    // Seconds of fixed cost per train() and per step (a CNN population on a software adapter): no run past the 3-step one.
    const slow = await probe(10, 5, 1.5);
    expect(slow.steps).toEqual([1, 1, 3]);
    expect(slow.rate).toBeCloseTo((P * MEASURED) / (5 + 1.5 * MEASURED), 9);
    expect(slow.seconds).toBeCloseTo(10 + 6.5 + 9.5, 9);
    // A fixed cost that hides the steps grows the long run only while the next one surely fits (48 steps take at most 4 runs of 12).
    const fixedBound = await probe(1, 2, 0.001);
    expect(fixedBound.steps).toEqual([1, 1, 3, 12]);
    expect(fixedBound.seconds).toBeLessThanOrEqual(PROBE_BUDGET_SECONDS);
    expect(fixedBound.rate).toBeCloseTo((P * MEASURED) / (2 + 0.001 * MEASURED), 6);
  });

  it('probes the CNN the study trains: the probe job has its largest conv layers', async () => {
    const { started, probed } = trainer(
      new Map([
        [GPU.adapter, { fixed: 0.1, perStep: 0.2 }],
        [TS, { fixed: 0.1, perStep: 0.1 }],
      ]),
    );
    await started({}, cnnStudy());
    const { shape } = probed[0].job;
    expect(shape.image).toEqual({ channels: 1, height: 14, width: 14 });
    expect(shape.layers?.filter((l) => l.kind === 'conv2d').map((l) => l.kind === 'conv2d' && l.filters)).toEqual([
      8, 16,
    ]);
    expect(shape.loss).toBe('softmax_cross_entropy');
  }, 60_000);

  it.each([
    ['a CNN', cnnStudy, 'the WASM engine trains MLPs only, and this study has a CNN'],
    ['batch norm', batchNormStudy, 'the WASM engine trains plain MLPs only, and this study has batch norm'],
    [
      'population-based training',
      pbtStudy,
      'population-based training copies models inside the engine, which the WASM engine cannot',
    ],
  ] as const)(
    'a study the WASM engine cannot train (%s) measures WebGPU against the TypeScript CPU engine, never WASM: the faster wins',
    async (_, make, why) => {
      const cpuFaster = trainer(
        new Map([
          [GPU.adapter, { fixed: 0, perStep: 0.7 }],
          [TS, { fixed: 0, perStep: 0.3 }],
          [WASM.adapter, { fixed: 0.01, perStep: 0.001 }],
        ]),
      );
      const events = await cpuFaster.run({}, make());
      expect(events[0]).toEqual({
        type: 'engine-measuring',
        notice: `Measuring which engine trains this study faster here, WebGPU and the CPU engine (TypeScript), a few steps each: WebGPU now (1 of 2).`,
      });
      expect(events[1]).toMatchObject({
        type: 'engine-measuring',
        notice: expect.stringContaining('the CPU engine (TypeScript) now (2 of 2)'),
      });
      const started = events.find((e) => e.type === 'study-started');
      expect(started).toMatchObject({ engine: { kind: 'cpu', adapter: TS } });
      expect(started?.type === 'study-started' && started.fallbackNotice).toMatch(
        new RegExp(
          `^Engine chosen by measurement: the CPU engine \\(TypeScript\\) trained this study's population 2\\.3x faster than WebGPU on swiftshader \\(Google\\) \\(\\d[\\d,.]* trial-steps/s vs \\d[\\d,.]* trial-steps/s\\)\\. ${SOFTWARE} Not measured: ${why.replace(/[()]/g, '\\$&')}\\. ${OVERRIDE}$`,
        ),
      );
      expect(cpuFaster.adapters()).toEqual(new Set([GPU.adapter, TS]));

      const gpuFaster = trainer(
        new Map([
          [GPU.adapter, { fixed: 0.05, perStep: 0.1 }],
          [TS, { fixed: 0.05, perStep: 0.3 }],
          [WASM.adapter, { fixed: 0.01, perStep: 0.001 }],
        ]),
      );
      const gpuStarted = await gpuFaster.started({}, make());
      expect(gpuStarted).toMatchObject({ engine: { kind: 'webgpu', adapter: GPU.adapter } });
      expect(gpuStarted.type === 'study-started' && gpuStarted.fallbackNotice).toMatch(
        /^Engine chosen by measurement: WebGPU trained this study's population [23]\.\dx faster than the CPU engine \(TypeScript\) on CPU \(TypeScript\)/,
      );
      expect(gpuFaster.adapters()).toEqual(new Set([GPU.adapter, TS]));
    },
    60_000,
  );

  it('asked for the WASM engine, a study it cannot train runs on the TypeScript CPU engine, saying why, without a probe', async () => {
    const { started, probed } = trainer(new Map());
    expect(await started({ engine: 'wasm' }, pbtStudy())).toMatchObject({
      engine: { adapter: TS },
      fallbackNotice: expect.stringContaining('which the WASM engine cannot'),
    });
    expect(await started({ engine: 'wasm' }, cnnStudy())).toMatchObject({
      engine: { adapter: TS },
      fallbackNotice:
        'Training on the TypeScript CPU engine because the WASM engine trains MLPs only, and this study has a CNN.',
    });
    expect(probed).toEqual([]);
  }, 60_000);

  it('a GPU lost mid-study moves a study to the loaded WASM engine, but a population-based one to the TypeScript CPU engine, where it goes on copying models', async () => {
    /** The GPU stand-in, its device lost at its first report. */
    const losing: TrainingEngine = {
      ...GPU,
      train: (job, onReport, signal) =>
        GPU.train(
          job,
          async (report, readModel) => {
            await onReport?.(report, readModel);
            throw new EngineError('device-lost', 'The GPU device was lost (test).');
          },
          signal,
        ),
    };
    const api = createTrainerApi({
      createGpuEngine: async () => losing,
      createCpuEngine,
      createWasmEngine: async () => WASM,
      loadDigits: () => Promise.reject(new Error('no digits in this test')),
      loadTables: () => Promise.reject(new Error('no tables in this test')),
    });
    const afterLoss = async (spec: StudySpec) => {
      const events: StudyEvent[] = [];
      await api.run(spec, (_, event) => events.push(event), { engine: 'webgpu' });
      expect(events[0]).toMatchObject({ type: 'study-started', engine: { adapter: GPU.adapter } });
      expect(events.at(-1)).toMatchObject({ type: 'study-finished', stopped: false });
      return { events, changed: events.findIndex((e) => e.type === 'engine-changed') };
    };
    const plain = await afterLoss(study(20));
    expect(plain.events[plain.changed]).toMatchObject({ type: 'engine-changed', engine: { adapter: WASM.adapter } });
    // One population of four under PBT: its worst trial copies its best at step 10, on the CPU engine too.
    const pbt = study(20);
    pbt.scheduler = { ...pbt.scheduler, kind: 'pbt', budget: { kind: 'trials', trials: 4 }, pbtInterval: 10 };
    const { events, changed } = await afterLoss(pbt);
    expect(events[changed]).toMatchObject({
      type: 'engine-changed',
      engine: { kind: 'cpu', adapter: TS },
      restartedTrialIds: [0, 1, 2, 3],
    });
    expect(events.slice(changed).filter((e) => e.type === 'trial-exploited')).toEqual([
      expect.objectContaining({ step: 10 }),
    ]);
    const trials = [...foldStudyEvents(pbt, events).trials.values()];
    expect(trials.map((t) => t.state)).toEqual(Array(4).fill('COMPLETE'));
  });

  it('an MLP study measures WebGPU against the WASM engine; the faster wins, and the notice says which, by how much and why', async () => {
    const { run, probed, adapters } = trainer(
      new Map([
        [GPU.adapter, { fixed: 0.05, perStep: 0.01 }],
        [WASM.adapter, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    const events = await run();
    const started = events.find((e) => e.type === 'study-started');
    expect(started).toMatchObject({ engine: { kind: 'cpu', adapter: WASM.adapter } });
    expect(started?.type === 'study-started' && started.fallbackNotice).toMatch(
      new RegExp(
        `^Engine chosen by measurement: the CPU engine \\(WebAssembly\\) trained this study's population 2\\.6x faster than WebGPU on swiftshader \\(Google\\) \\(\\d[\\d,]* trial-steps/s vs \\d[\\d,]* trial-steps/s\\)\\. ${SOFTWARE} ${OVERRIDE}$`,
      ),
    );
    expect(adapters()).toEqual(new Set([GPU.adapter, WASM.adapter]));
    // Cached per adapter and population: the same study again is neither probed nor announced
    // again, and its notice says the figures are an earlier study's.
    const count = probed.length;
    expect((await run())[0]).toMatchObject({
      type: 'study-started',
      fallbackNotice: expect.stringMatching(
        /^Engine chosen by a measurement made for an earlier study on this page whose population has this one's shape, steps and data size: the CPU engine \(WebAssembly\) trained it 2\.6x faster than WebGPU/,
      ),
    });
    expect(probed).toHaveLength(count);
  });

  it('WebGPU wins when it is the faster here', async () => {
    const { started } = trainer(
      new Map([
        [GPU.adapter, { fixed: 0.05, perStep: 0.002 }],
        [WASM.adapter, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    const event = await started();
    expect(event).toMatchObject({ engine: { kind: 'webgpu', adapter: GPU.adapter } });
    expect(event.type === 'study-started' && event.fallbackNotice).toMatch(
      /^Engine chosen by measurement: WebGPU trained this study's population 1\.\dx faster than the CPU engine \(WebAssembly\)/,
    );
  });

  const unmeasuredNotice = (label: string, steps: number, trials: number, models: number, why: string) =>
    `Training on ${label}, not measured: this study trains ${steps} population-steps (${trials} trials of ${steps / Math.ceil(trials / models)} steps, ${models} at once), and measuring pays off only from 100 (10x the 5 it trains on each engine). ${why} Choose another engine beside Run to override.`;
  const SOFTWARE_GUESS =
    'swiftshader (Google) is a software adapter: WebGPU runs on the CPU there, so the CPU engine is the better guess.';

  it('a study too short for the probe to pay off is not measured: on a software adapter it trains on the CPU engine that can train it, and the notice says why', async () => {
    const mlp = trainer(new Map());
    const events = await mlp.run({}, study(20));
    expect(events[0]).toMatchObject({
      type: 'study-started',
      engine: { adapter: WASM.adapter },
      fallbackNotice: unmeasuredNotice('the CPU engine (WebAssembly)', 20, 3, 3, SOFTWARE_GUESS),
    });
    const cnn = trainer(new Map());
    expect(await cnn.started({}, cnnStudy(2))).toMatchObject({
      engine: { adapter: TS },
      fallbackNotice: unmeasuredNotice(
        'the CPU engine (TypeScript)',
        4,
        2,
        1,
        `${SOFTWARE_GUESS} It is the TypeScript one because the WASM engine trains MLPs only, and this study has a CNN.`,
      ),
    });
    expect([...mlp.probed, ...cnn.probed]).toEqual([]);
  }, 60_000);

  it('a study too short for the probe to pay off trains on WebGPU on a hardware adapter, unmeasured', async () => {
    const { started, probed } = trainer(new Map(), HARDWARE_GPU);
    for (const make of [() => study(20), () => cnnStudy(2)]) {
      const event = await started({}, make());
      expect(event).toMatchObject({ engine: { kind: 'webgpu', adapter: HARDWARE_GPU.adapter } });
      expect(event.type === 'study-started' && event.fallbackNotice).toMatch(
        /^Training on WebGPU, not measured: .* nvidia \(ampere\) is not a software adapter, so WebGPU is the better guess\. Choose another engine beside Run to override\.$/,
      );
    }
    expect(probed).toEqual([]);
  }, 60_000);

  it(`the boundary: a study of ${MEASURED} population-steps (10x the probe's ${PROBE_STEPS} on each of 2 engines) is measured, one of fewer is not`, async () => {
    const timings: Timings = new Map([
      [GPU.adapter, { fixed: 0.05, perStep: 0.01 }],
      [WASM.adapter, { fixed: 0.01, perStep: 0.004 }],
    ]);
    const data = makeDataset('circle', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 2 });
    const candidates = [
      { label: 'WebGPU', engine: GPU },
      { label: 'the CPU engine (WebAssembly)', engine: WASM },
    ];
    /** 3 trials at once, in populations of `parallelism`. */
    const sized = (steps: number, parallelism: number) => {
      const spec = study(steps);
      spec.parallelism = parallelism;
      return spec;
    };
    // Populations of the largest size: 3 trials 2 at once are 2 populations.
    expect(studyPopulationSteps(sized(50, 2), data)).toEqual({ populationSteps: MEASURED, trials: 3, atOnce: 2 });
    expect(studyPopulationSteps(sized(49, 2), data)?.populationSteps).toBe(MEASURED - 2);
    expect(guessWithoutProbe(candidates, sized(50, 2), data)).toBeUndefined();
    expect(guessWithoutProbe(candidates, sized(MEASURED - 1, 3), data)?.engine).toBe(WASM);
    // A time budget's steps are not known before it runs: it is measured.
    const timed = study(1);
    timed.scheduler.budget = { kind: 'minutes', minutes: 0.1 };
    expect(studyPopulationSteps(timed, data)).toBeUndefined();
    expect(guessWithoutProbe(candidates, timed, data)).toBeUndefined();

    const at = trainer(timings);
    expect((await at.run({}, sized(50, 2)))[0]).toMatchObject({ type: 'engine-measuring' });
    expect(at.adapters()).toEqual(new Set([GPU.adapter, WASM.adapter]));
    const below = trainer(timings);
    expect((await below.run({}, study(MEASURED - 1)))[0]).toMatchObject({
      type: 'study-started',
      fallbackNotice: expect.stringMatching(
        /^Training on the CPU engine \(WebAssembly\), not measured: this study trains 99 /,
      ),
    });
    expect(below.probed).toEqual([]);
  });

  it('a short study caches nothing: a longer one on the same adapter is measured; a measurement already cached is used for a short one', async () => {
    const { run, probed } = trainer(
      new Map([
        [GPU.adapter, { fixed: 0.05, perStep: 0.01 }],
        [WASM.adapter, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    /** Trials in populations of 3, 40 steps: `trials` / 3 × 40 population-steps. */
    const spec = (trials: number) => {
      const s = study(40);
      s.scheduler.budget = { kind: 'trials', trials };
      s.parallelism = 3;
      return s;
    };
    expect((await run({}, spec(3)))[0]).toMatchObject({ type: 'study-started' });
    expect(probed).toEqual([]);
    const long = await run({}, spec(9));
    expect(long[0]).toMatchObject({ type: 'engine-measuring' });
    const count = probed.length;
    expect(count).toBeGreaterThan(0);
    const again = await run({}, spec(3));
    expect(again[0]).toMatchObject({
      type: 'study-started',
      fallbackNotice: expect.stringMatching(/^Engine chosen by a measurement made for an earlier study on this page/),
    });
    expect(probed).toHaveLength(count);
  }, 60_000);

  it.each([
    ['webgpu', GPU.adapter, study],
    ['wasm', WASM.adapter, study],
    ['cpu', TS, cnnStudy],
    ['webgpu', GPU.adapter, cnnStudy],
  ] as const)(
    "the user's choice (%s) wins over the measurement, without a probe or a notice",
    async (engine, expected, make) => {
      const { started, probed } = trainer(new Map());
      const event = await started({ engine }, make());
      expect(event).toMatchObject({ engine: { adapter: expected } });
      expect(event).not.toHaveProperty('fallbackNotice');
      expect(probed).toEqual([]);
    },
    60_000,
  );

  it('a resumed or extended study keeps the engine it ran on, without a probe', async () => {
    const { run, probed } = trainer(new Map());
    for (const [engine, adapter] of [
      ['wasm', WASM.adapter],
      ['cpu', TS],
    ] as const) {
      const first = await run({ engine });
      const history = foldStudyEvents(study(), first);
      for (const asked of [undefined, 'auto'] as const) {
        // The page sends its select's value, 'auto' unless the user picked one.
        const again = await run({ history, ...(asked ? { engine: asked } : {}) });
        expect(again[0]).toMatchObject({ type: 'study-started', engine: { adapter } });
      }
    }
    expect(probed).toEqual([]);
  });

  it('a probe that fails leaves the other engine, and the notice says why', async () => {
    const broken = standIn('webgpu', 'broken GPU');
    const api = createTrainerApi({
      createGpuEngine: async () => broken,
      createCpuEngine,
      createWasmEngine: async () => WASM,
      timeTraining: async (engine) => {
        if (engine === broken) throw new Error('out of GPU memory (test)');
        return 0.1;
      },
      loadDigits: () => Promise.reject(new Error('no digits in this test')),
      loadTables: () => Promise.reject(new Error('no tables in this test')),
    });
    const events: StudyEvent[] = [];
    await api.run(study(), (_, event) => events.push(event));
    expect(events.find((e) => e.type === 'study-started')).toMatchObject({
      engine: { adapter: WASM.adapter },
      fallbackNotice: expect.stringContaining(
        'while WebGPU on broken GPU could not train it (out of GPU memory (test))',
      ),
    });
  });

  it('Stop while the engines are measured ends the study before any trial trains; a second run meanwhile is refused', async () => {
    let api: ReturnType<typeof createTrainerApi> | undefined;
    const second: StudyEvent[] = [];
    const probed: string[] = [];
    api = createTrainerApi({
      createGpuEngine: async () => GPU,
      createCpuEngine,
      createWasmEngine: async () => WASM,
      timeTraining: async (engine) => {
        probed.push(engine.adapter);
        await api?.run(study(), (_, event) => second.push(event));
        api?.stop();
        return 5;
      },
      loadDigits: () => Promise.reject(new Error('no digits in this test')),
      loadTables: () => Promise.reject(new Error('no tables in this test')),
    });
    const events: StudyEvent[] = [];
    await api.run(study(), (_, event) => events.push(event));
    expect(second).toEqual([
      { type: 'study-error', message: 'A study is already running; stop it before starting another.' },
    ]);
    expect(probed).toEqual([GPU.adapter]);
    expect(events.map((e) => e.type)).toEqual(['engine-measuring', 'study-started', 'study-finished']);
    expect(events.at(-1)).toMatchObject({ stopped: true, trials: 0 });
  });
});
