// The engine a study trains on, picked by measurement unless the user chose one. Engines are
// stand-ins that train on the CPU engine (so studies finish) under their own names, and the
// probe's clock is faked: each engine takes a fixed time per train() plus a time per step.
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
import type { PopulationJob, TrainingEngine } from '../../src/train/types.ts';
import type { RunInputs } from '../../src/worker/api.ts';
import { measureEngine, probeJob } from '../../src/worker/engine-choice.ts';
import { createTrainerApi } from '../../src/worker/trainer.ts';

const cpu = createCpuEngine();
const standIn = (kind: TrainingEngine['kind'], adapter: string): TrainingEngine => ({
  kind,
  adapter,
  train: (...args) => cpu.train(...args),
  dispose: () => {},
});
const GPU = standIn('webgpu', 'swiftshader (Google)');
const WASM = standIn('cpu', 'CPU (WebAssembly SIMD, 2 threads)');

/** Seconds per train() and per step of each engine. */
type Timings = Map<TrainingEngine, { fixed: number; perStep: number }>;

function study(): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'synthetic', name: 'circle', count: 120, noise: 0.05, validationFraction: 0.25, seed: 2 };
  spec.scheduler.budget = { kind: 'trials', trials: 3 };
  spec.training = { steps: 20, reportEvery: 10 };
  return spec;
}

function trainer(timings: Timings) {
  const probed: Array<{ engine: TrainingEngine; steps: number }> = [];
  const api = createTrainerApi({
    createGpuEngine: async () => GPU,
    createCpuEngine,
    createWasmEngine: async () => WASM,
    timeTraining: async (engine, job: PopulationJob) => {
      probed.push({ engine, steps: job.steps });
      const t = timings.get(engine)!;
      return t.fixed + t.perStep * job.steps;
    },
    loadDigits: () => Promise.reject(new Error('no digits in this test')),
    loadTables: () => Promise.reject(new Error('no tables in this test')),
  });
  async function run(inputs: RunInputs = {}, spec = study()): Promise<StudyEvent[]> {
    const events: StudyEvent[] = [];
    await api.run(spec, (_, event) => events.push(event), inputs);
    expect(events.at(-1)).toMatchObject({ type: 'study-finished', trials: 3 });
    return events;
  }
  return { run, probed };
}

describe('engine choice', () => {
  it('predicts trial-steps per second over the study from a warm-up and two timed probe runs (fixed cost cancels out)', async () => {
    const spec = study();
    const data = makeDataset('circle', { count: 120, noise: 0.05, validationFraction: 0.25, seed: 2 });
    const P = probeJob(spec, data, 1).models.length;
    const probe = async (fixed: number) => {
      const steps: number[] = [];
      const rate = await measureEngine(GPU, spec, data, async (_, job) => {
        steps.push(job.steps);
        return job.steps === 2 ? 9 : fixed + 0.01 * job.steps; // the warm-up's time is never used
      });
      return { steps, rate };
    };
    // A long run twice the short one: 12 steps suffice.
    const small = await probe(0.01);
    expect(small.steps).toEqual([2, 4, 12]);
    expect(small.rate).toBeCloseTo((P * 20) / (0.01 + 0.01 * 20), 9);
    // A fixed cost that hides the steps (a GPU's 4 and 12 steps in one command buffer): the long run grows 4x until it shows.
    const large = await probe(0.5);
    expect(large.steps).toEqual([2, 4, 12, 48, 192]);
    expect(large.rate).toBeCloseTo((P * 20) / (0.5 + 0.01 * 20), 9);
  });

  it('population-based training never runs on the WASM engine, which cannot copy models: WebGPU, else the TypeScript CPU engine', async () => {
    const { run, probed } = trainer(
      new Map([
        [GPU, { fixed: 0.05, perStep: 0.01 }],
        [WASM, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    const pbt = study();
    pbt.scheduler.kind = 'pbt';
    const [auto] = await run({}, pbt);
    expect(auto).toMatchObject({ type: 'study-started', engine: { adapter: GPU.adapter } });
    expect(probed).toEqual([]);
    const [asked] = await run({ engine: 'wasm' }, pbt);
    expect(asked).toMatchObject({
      engine: { adapter: 'CPU (TypeScript)' },
      fallbackNotice: expect.stringContaining('which the WASM engine cannot'),
    });
  });

  it('a study that can give a CNN never runs on the WASM engine (MLPs only): WebGPU, else the TypeScript CPU engine', async () => {
    const probed: TrainingEngine[] = [];
    const api = createTrainerApi({
      createGpuEngine: async () => GPU,
      createCpuEngine,
      createWasmEngine: async () => WASM,
      timeTraining: async (engine) => {
        probed.push(engine);
        return 0.1;
      },
      loadDigits: async () => decodeDigitsPack(inflateSync(digitsAssetBytes())),
      loadTables: () => Promise.reject(new Error('no tables in this test')),
    });
    const cnn = cnnDigitsStudy();
    cnn.data = { kind: 'digits', side: 14, count: 100, validationFraction: 0.2, seed: 1 };
    cnn.scheduler.budget = { kind: 'trials', trials: 2 };
    cnn.training = { steps: 2, reportEvery: 2 };
    const started = async (inputs: RunInputs) => {
      const events: StudyEvent[] = [];
      await api.run(cnn, (_, event) => events.push(event), inputs);
      expect(events.at(-1)).toMatchObject({ type: 'study-finished', trials: 2 });
      return events[0];
    };
    expect(await started({})).toMatchObject({ type: 'study-started', engine: { adapter: GPU.adapter } });
    expect(probed).toEqual([]);
    expect(await started({ engine: 'wasm' })).toMatchObject({
      engine: { adapter: 'CPU (TypeScript)' },
      fallbackNotice:
        'Training on the TypeScript CPU engine because the WASM engine trains MLPs only, and this study has a CNN.',
    });
  }, 60_000);

  it('the faster engine wins, and the notice says which, by how much and why', async () => {
    const { run, probed } = trainer(
      new Map([
        [GPU, { fixed: 0.05, perStep: 0.01 }],
        [WASM, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    const [started] = await run();
    expect(started).toMatchObject({ type: 'study-started', engine: { kind: 'cpu', adapter: WASM.adapter } });
    expect(started.type === 'study-started' && started.fallbackNotice).toMatch(
      /^Engine chosen by measurement: the CPU engine \(WebAssembly\) trained this study's population 2\.8x faster than WebGPU on swiftshader \(Google\) \(\d[\d,]* trial-steps\/s vs \d[\d,]* trial-steps\/s\)\. swiftshader \(Google\) is a software adapter: WebGPU runs on the CPU there\. Choose another engine beside Run to override\.$/,
    );
    expect(new Set(probed.map((p) => p.engine))).toEqual(new Set([GPU, WASM]));
    // Cached per adapter and population: the same study again is not probed again.
    const count = probed.length;
    await run();
    expect(probed).toHaveLength(count);
  });

  it('WebGPU wins when it is the faster here', async () => {
    const { run } = trainer(
      new Map([
        [GPU, { fixed: 0.05, perStep: 0.001 }],
        [WASM, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    const [started] = await run();
    expect(started).toMatchObject({ engine: { kind: 'webgpu', adapter: GPU.adapter } });
    expect(started.type === 'study-started' && started.fallbackNotice).toMatch(
      /^Engine chosen by measurement: WebGPU trained this study's population 1\.\dx faster than the CPU engine \(WebAssembly\)/,
    );
  });

  it.each([
    ['webgpu', GPU],
    ['wasm', WASM],
  ] as const)(
    "the user's choice (%s) wins over the measurement, without a probe or a notice",
    async (engine, expected) => {
      const { run, probed } = trainer(
        new Map([
          [GPU, { fixed: 0.05, perStep: engine === 'webgpu' ? 1 : 0.001 }],
          [WASM, { fixed: 0.01, perStep: engine === 'wasm' ? 1 : 0.001 }],
        ]),
      );
      const [started] = await run({ engine });
      expect(started).toMatchObject({ engine: { adapter: expected.adapter } });
      expect(started).not.toHaveProperty('fallbackNotice');
      expect(probed).toEqual([]);
    },
  );

  it('a resumed or extended study keeps the engine it ran on, without a probe', async () => {
    const { run, probed } = trainer(
      new Map([
        [GPU, { fixed: 0.05, perStep: 0.001 }],
        [WASM, { fixed: 0.01, perStep: 0.004 }],
      ]),
    );
    const first = await run({ engine: 'wasm' });
    const history = foldStudyEvents(study(), first);
    for (const engine of [undefined, 'auto'] as const) {
      // The page sends its select's value, 'auto' unless the user picked one.
      const [again] = await run({ history, ...(engine ? { engine } : {}) });
      expect(again).toMatchObject({ engine: { adapter: WASM.adapter } });
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
    expect(events[0]).toMatchObject({
      engine: { adapter: WASM.adapter },
      fallbackNotice: expect.stringContaining(
        'while WebGPU on broken GPU could not train it (out of GPU memory (test))',
      ),
    });
  });
});
