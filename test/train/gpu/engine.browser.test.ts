// The WebGPU population engine against the CPU engine (the oracle) on whole training runs,
// and its promises: padding never changes a model's math, a diverging model is frozen
// without touching its neighbours, the same seeds give bit-identical curves, and failures
// (a bad job, a lost device, an abort) reject with a typed EngineError instead of hanging.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import { makeDataset } from '../../../src/train/data/synthetic.ts';
import { createGpuEngine } from '../../../src/train/gpu/engine.ts';
import type {
  ModelHyper,
  ModelWeights,
  PopulationJob,
  PopulationResult,
  TrainingData,
} from '../../../src/train/types.ts';
import { EngineError } from '../../../src/train/types.ts';
import { MIXED, model, plane, shapeFor, spiral } from '../mixed-population.ts';
import {
  destroyAfterSubmit,
  destroyDuringReadBack,
  relativeError,
  requestTestDevice,
  withDevice,
} from './gpu-test-device.ts';

/** Every report's four metric curves of model m, flattened. */
function curves(result: PopulationResult, m: number): number[] {
  return result.reports.flatMap((r) => [
    r.trainLoss[m],
    r.trainAccuracy[m],
    r.validationLoss[m],
    r.validationAccuracy[m],
  ]);
}

function expectCurvesClose(
  what: string,
  actual: PopulationResult,
  expected: PopulationResult,
  tolerance: number,
): void {
  expect(actual.reports.map((r) => r.step)).toEqual(expected.reports.map((r) => r.step));
  expected.reports[0].trainLoss.forEach((_, m) => {
    for (const metric of ['trainLoss', 'validationLoss', 'trainAccuracy', 'validationAccuracy'] as const) {
      const a = actual.reports.map((r) => r[metric][m]);
      const e = expected.reports.map((r) => r[metric][m]);
      const { maxAbs, relative } = relativeError(a, e);
      console.log(
        `[engine] ${what} model ${m} ${metric}: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`,
      );
      if (metric.endsWith('Accuracy')) {
        // One row flipping across a decision boundary moves an accuracy by 1/rows.
        expect(maxAbs, `${what} model ${m} ${metric}`).toBeLessThanOrEqual(1 / 16 + 1e-6);
      } else {
        expect(relative, `${what} model ${m} ${metric}`).toBeLessThanOrEqual(tolerance);
      }
    }
  });
}

describe('GPU engine against the CPU engine', () => {
  it('trains a mixed classification population for 200 steps like the CPU (losses within 1e-3 relative)', () =>
    withDevice(async (device) => {
      const job: PopulationJob = {
        shape: shapeFor(spiral, { activation: 'tanh' }),
        // The first quad of the shared mixed population: one model per optimizer and schedule.
        models: MIXED.slice(0, 4),
        data: spiral,
        steps: 200,
        reportEvery: 50,
      };
      const gpu = await createGpuEngine({ device });
      expect(gpu.kind).toBe('webgpu');
      console.log(`[webgpu adapter] engine runs on ${gpu.adapter}`);
      const actual = await gpu.train(job);
      const expected = await createCpuEngine().train(job);
      expectCurvesClose('classification', actual, expected, 1e-3);
      actual.parameters.forEach((p, m) =>
        expect(relativeError(p, expected.parameters[m]).relative).toBeLessThanOrEqual(1e-3),
      );
      expect(Array.from(actual.stoppedAtStep)).toEqual([200, 200, 200, 200]);
      gpu.dispose();
    }));

  it('trains a regression population with gelu and relu like the CPU (mean squared error within 1e-3 relative)', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      for (const activation of ['gelu', 'relu'] as const) {
        const job: PopulationJob = {
          shape: shapeFor(plane, { activation, hiddenLayers: 1, maxHidden: 6, init: 'he', batchSize: 8 }),
          models: [
            model({ hiddenUnits: 6, learningRate: 0.01 }),
            model({ hiddenUnits: 2, optimizer: 'sgd', learningRate: 0.05, initSeed: 4 }),
          ],
          data: plane,
          steps: 60,
          reportEvery: 20,
        };
        const actual = await gpu.train(job);
        const expected = await createCpuEngine().train(job);
        expectCurvesClose(`regression ${activation}`, actual, expected, 1e-3);
        expect(
          actual.reports.every((r) => Number.isNaN(r.trainAccuracy[0]) && Number.isNaN(r.validationAccuracy[0])),
        ).toBe(true);
      }
      gpu.dispose();
    }));

  it('trains a linear model (no hidden layer) with an empty validation split like the CPU', () =>
    withDevice(async (device) => {
      const data: TrainingData = {
        ...spiral,
        validation: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
      };
      const job: PopulationJob = {
        shape: shapeFor(data, { hiddenLayers: 0, maxHidden: 1 }),
        models: [
          model({ hiddenUnits: 1, learningRate: 0.05 }),
          model({ hiddenUnits: 1, optimizer: 'momentum', learningRate: 0.1, initSeed: 2 }),
        ],
        data,
        steps: 30,
        reportEvery: 10,
      };
      const gpu = await createGpuEngine({ device });
      const actual = await gpu.train(job);
      expectCurvesClose('linear model', actual, await createCpuEngine().train(job), 1e-4);
      expect(actual.reports.every((r) => Number.isNaN(r.validationLoss[0]) && Number.isFinite(r.trainLoss[0]))).toBe(
        true,
      );
      gpu.dispose();
    }));
});

describe('population semantics', () => {
  const base = (models: ModelHyper[], maxHidden: number, steps = 60, data = spiral): PopulationJob => ({
    shape: shapeFor(data, { maxHidden, activation: 'sigmoid' }),
    models,
    data,
    steps,
    reportEvery: 20,
  });

  it('gives a model the same losses alone as inside a padded population (within 1e-5 relative)', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const subject = model({ hiddenUnits: 5, optimizer: 'momentum', learningRate: 0.1 });
      const alone = await gpu.train(base([subject], 5));
      const padded = await gpu.train(
        base([model({ hiddenUnits: 12, initSeed: 3 }), subject, model({ hiddenUnits: 1, dataSeed: 9 })], 12),
      );
      const { maxAbs, relative } = relativeError(curves(padded, 1), curves(alone, 0));
      console.log(
        `[engine] padding invariance: max abs diff ${maxAbs.toExponential(2)}, relative ${relative.toExponential(2)}`,
      );
      expect(relative).toBeLessThanOrEqual(1e-5);
      gpu.dispose();
    }));

  it('freezes a regression model that diverges (lr=50) and trains its neighbour (lr=0.01) exactly as alone', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const wild = model({ optimizer: 'sgd', learningRate: 50, initSeed: 1 });
      const calm = model({ optimizer: 'sgd', learningRate: 0.01, initSeed: 2 });
      const job = base([wild, calm], 8, 100, plane);
      const together = await gpu.train(job);
      const alone = await gpu.train(base([calm], 8, 100, plane));
      const cpu = await createCpuEngine().train(job);
      const last = together.reports[together.reports.length - 1];
      expect(last.diverged[0]).toBe(1);
      expect(last.diverged[1]).toBe(0);
      expect(Number.isNaN(last.trainLoss[0])).toBe(true);
      expect(together.stoppedAtStep[0]).toBeLessThan(100);
      expect(Array.from(together.stoppedAtStep)).toEqual(Array.from(cpu.stoppedAtStep));
      expect(curves(together, 1)).toEqual(curves(alone, 0));
      gpu.dispose();
    }));

  it('gives bit-identical curves and parameters for the same seeds, different ones for another seed', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const job = base(
        [model({ hiddenUnits: 6 }), model({ hiddenUnits: 8, optimizer: 'rmsprop', learningRate: 0.003 })],
        8,
        40,
      );
      const first = await gpu.train(job);
      const second = await gpu.train(job);
      expect(curves(second, 0)).toEqual(curves(first, 0));
      expect(curves(second, 1)).toEqual(curves(first, 1));
      expect(Array.from(second.parameters[1])).toEqual(Array.from(first.parameters[1]));
      const reseeded = await gpu.train({ ...job, models: [model({ hiddenUnits: 6, dataSeed: 23 }), job.models[1]] });
      expect(curves(reseeded, 0)).not.toEqual(curves(first, 0));
      gpu.dispose();
    }));

  it('gives bit-identical curves and parameters whether each dispatch is submitted alone or many steps together', () =>
    withDevice(async (device) => {
      const job = base(
        [model({ hiddenUnits: 6 }), model({ hiddenUnits: 8, optimizer: 'momentum', learningRate: 0.05 })],
        8,
        40,
      );
      const together = await (await createGpuEngine({ device })).train(job);
      const alone = await (await createGpuEngine({ device, submitTargetMs: 0 })).train(job);
      expect(curves(alone, 0)).toEqual(curves(together, 0));
      expect(curves(alone, 1)).toEqual(curves(together, 1));
      expect(Array.from(alone.parameters[1])).toEqual(Array.from(together.parameters[1]));
    }));

  it('stops the models the report handler names, like the CPU, and ends early once none is left', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const job = base([model({}), model({ initSeed: 5 })], 8, 100);
      const handler = (report: { step: number }) => (report.step === 20 ? [0] : report.step === 60 ? [1] : []);
      const result = await gpu.train(job, handler);
      const cpu = await createCpuEngine().train(job, handler);
      expect(Array.from(result.stoppedAtStep)).toEqual([20, 60]);
      expect(result.reports.map((r) => r.step)).toEqual(cpu.reports.map((r) => r.step));
      expect(Number.isNaN(result.reports[1].trainLoss[0])).toBe(true);
      expect(Number.isFinite(result.reports[1].trainLoss[1])).toBe(true);
      gpu.dispose();
    }));

  it('reads a model at a report (the live best): the weights a job stopped there ends with; reading changes no result', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const job = base([model({ hiddenUnits: 6 }), model({ hiddenUnits: 8, initSeed: 5 })], 8);
      const read: ModelWeights[] = [];
      const reading = await gpu.train(job, async (report, readModel) => {
        if (report.step === 20) read.push(await readModel!(1));
      });
      const stopped = await gpu.train(job, (report) => (report.step === 20 ? [1] : undefined));
      const plain = await gpu.train(job);
      expect(Array.from(read[0].parameters)).toEqual(Array.from(stopped.parameters[1]));
      expect(Array.from(read[0].parameters)).not.toEqual(Array.from(plain.parameters[1]));
      for (const m of [0, 1]) expect(curves(reading, m)).toEqual(curves(plain, m));
      expect(reading.parameters.map((p) => Array.from(p))).toEqual(plain.parameters.map((p) => Array.from(p)));
      gpu.dispose();
    }));

  it("copies a model on the GPU (PBT's exploit) bit for bit, Adam's moments included, and retunes one, like the CPU", () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const source = model({ hiddenUnits: 8 });
      const job = base(
        [
          source,
          model({ hiddenUnits: 5, learningRate: 0.003, beta1: 0.8, initSeed: 5, dataSeed: 6 }),
          model({ optimizer: 'momentum', learningRate: 0.05, initSeed: 7, dataSeed: 8 }),
        ],
        8,
      );
      const copyAt20 = (report: { step: number }) => (report.step === 20 ? { copy: [{ from: 0, to: 1 }] } : undefined);
      const copied = await gpu.train(job, copyAt20);
      const plain = await gpu.train(job);
      expect(curves(copied, 1).slice(0, 4)).toEqual(curves(plain, 1).slice(0, 4));
      expect(curves(copied, 1).slice(4)).toEqual(curves(copied, 0).slice(4));
      expect(Array.from(copied.parameters[1])).toEqual(Array.from(copied.parameters[0]));
      expect(Array.from(copied.parameters[1])).not.toEqual(Array.from(plain.parameters[1]));
      for (const m of [0, 2]) expect(curves(copied, m)).toEqual(curves(plain, m));
      expectCurvesClose('copy', copied, await createCpuEngine().train(job, copyAt20), 1e-3);
      // Batch norm's running statistics (which validation reads) travel with the copy too.
      const layers = [
        { kind: 'dense', activation: 'linear' } as const,
        { kind: 'batchnorm', activation: 'relu' } as const,
      ];
      const normed = await gpu.train({ ...job, shape: { ...job.shape, layers } }, copyAt20);
      expect(curves(normed, 1).slice(4)).toEqual(curves(normed, 0).slice(4));
      expect(Array.from(normed.statistics[1])).toEqual(Array.from(normed.statistics[0]));
      expect(normed.statistics[1].length).toBeGreaterThan(0);

      const explore = (report: { step: number }) =>
        report.step === 20
          ? {
              copy: [{ from: 0, to: 1 }],
              retune: [{ model: 1, hyper: { ...source, learningRate: 0.0125, beta1: 0.8 } }],
            }
          : undefined;
      const retuned = await gpu.train(job, explore);
      expect(curves(retuned, 1).slice(4)).not.toEqual(curves(retuned, 0).slice(4));
      expectCurvesClose('copy and retune', retuned, await createCpuEngine().train(job, explore), 1e-3);
      gpu.dispose();
    }));
});

it('trains in a dedicated Web Worker exactly as in the page', () =>
  withDevice(async (device) => {
    const job: PopulationJob = {
      shape: shapeFor(spiral, {}),
      models: [model({}), model({ hiddenUnits: 3, initSeed: 8 })],
      data: spiral,
      steps: 20,
      reportEvery: 10,
    };
    const worker = new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' });
    try {
      const reply = new Promise<{ adapter?: string; trainLoss?: number[][]; error?: string }>((resolve) =>
        worker.addEventListener('message', (e) => resolve(e.data)),
      );
      worker.postMessage(job);
      const fromWorker = await reply;
      expect(fromWorker.error).toBeUndefined();
      const gpu = await createGpuEngine({ device });
      const inPage = await gpu.train(job);
      expect(fromWorker.adapter).toBe(gpu.adapter);
      expect(fromWorker.trainLoss).toEqual(inPage.reports.map((r) => Array.from(r.trainLoss)));
      gpu.dispose();
    } finally {
      worker.terminate();
    }
  }));

describe('failures are typed EngineErrors', () => {
  const job = (): PopulationJob => ({
    shape: shapeFor(spiral, {}),
    models: [model({})],
    data: spiral,
    steps: 400,
    reportEvery: 10,
  });

  it('rejects a bad job with invalid-job and a message naming the field', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const bad = { ...job(), models: [model({ hiddenUnits: 9 })] };
      await expect(gpu.train(bad)).rejects.toMatchObject({
        name: 'EngineError',
        kind: 'invalid-job',
        message: expect.stringContaining('hiddenUnits'),
      });
      gpu.dispose();
    }));

  it('refuses a population too big for the device with out-of-memory, before allocating', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const huge = {
        ...job(),
        shape: shapeFor(spiral, { maxHidden: 4096, batchSize: 1024 }),
        models: Array.from({ length: 64 }, () => model({})),
      };
      await expect(gpu.train(huge)).rejects.toMatchObject({
        kind: 'out-of-memory',
        message: expect.stringContaining('train fewer models at once'),
      });
      gpu.dispose();
    }));

  it('rejects with aborted when the AbortSignal fires', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const controller = new AbortController();
      const run = gpu.train(job(), () => controller.abort(), controller.signal);
      await expect(run).rejects.toMatchObject({ kind: 'aborted' });
      gpu.dispose();
    }));

  it('rejects the pending train() with aborted when the engine is disposed mid-run, and every later one', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const run = gpu.train(job(), () => gpu.dispose());
      await expect(run).rejects.toMatchObject({ kind: 'aborted', message: expect.stringContaining('disposed') });
      await expect(gpu.train(job())).rejects.toMatchObject({ kind: 'aborted' });
    }));

  it('rejects the pending train() with device-lost when the device is destroyed mid-run', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    expect(adapter, 'no WebGPU adapter').not.toBeNull();
    const device = await adapter!.requestDevice();
    const gpu = await createGpuEngine({ device });
    let reports = 0;
    const run = gpu.train(job(), () => {
      reports++;
      if (reports === 2) device.destroy();
    });
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('device-lost');
    expect((error as EngineError).message).toMatch(/lost/);
    await expect(gpu.train(job())).rejects.toMatchObject({ kind: 'device-lost' });
    gpu.dispose();
  });
});

describe('a lost device is a device loss, whenever it is lost', () => {
  const job = (): PopulationJob => ({
    shape: shapeFor(spiral, {}),
    models: [model({}), model({ hiddenUnits: 4, initSeed: 5 })],
    data: spiral,
    steps: 200,
    reportEvery: 20,
  });

  /** What train() on a fresh device settles with once `sabotage` has had its way with the device. */
  async function outcome(sabotage: (device: GPUDevice) => void | Promise<void>): Promise<unknown> {
    const device = await requestTestDevice();
    const gpu = await createGpuEngine({ device });
    try {
      await sabotage(device);
      return await gpu.train(job()).catch((error: unknown) => error);
    } finally {
      gpu.dispose();
      device.destroy();
    }
  }

  const destroyed: Array<[string, (device: GPUDevice) => void | Promise<void>]> = [
    [
      'before train(), its loss already reported',
      async (device) => {
        device.destroy();
        await device.lost;
      },
    ],
    ['just before train(), its loss not yet reported', (device) => device.destroy()],
    ...[1, 3, 9].map((n): [string, (device: GPUDevice) => void] => [
      `right after submit ${n}`,
      (device) => destroyAfterSubmit(device, n),
    ]),
    ...[1, 6, 11].map((n): [string, (device: GPUDevice) => void] => [
      `during read-back ${n} of 11`,
      (device) => destroyDuringReadBack(device, n),
    ]),
    ...[0, 150].map((ms): [string, (device: GPUDevice) => void] => [
      `${ms} ms into train()`,
      (device) => void setTimeout(() => device.destroy(), ms),
    ]),
  ];

  let reference: PopulationResult;
  beforeAll(async () => {
    reference = (await outcome(() => undefined)) as PopulationResult;
  });

  it.each(destroyed)(
    "rejects with device-lost, not the failed operation's own error, for a device destroyed %s",
    async (when, sabotage) => {
      const started = performance.now();
      const error = await outcome(sabotage);
      console.log(
        `[device loss] destroyed ${when}: ${(error as Error).name} ${(error as EngineError).kind} after ${(performance.now() - started).toFixed(0)} ms`,
      );
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).kind, (error as Error).message).toBe('device-lost');
      expect((error as EngineError).message).toMatch(/GPU device was lost.*CPU engine/);
    },
  );

  it('trains on a fresh device after those losses exactly as before them', async () => {
    const after = (await outcome(() => undefined)) as PopulationResult;
    expect(reference.reports).toHaveLength(10);
    expect(curves(after, 0)).toEqual(curves(reference, 0));
    expect(curves(after, 1)).toEqual(curves(reference, 1));
  });
});

describe('an abort stops the run promptly, however large the population', () => {
  it('checks the signal between submits, not only at reports', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      // One report, at the end: nothing but the submits themselves can notice the abort.
      const job: PopulationJob = {
        shape: shapeFor(spiral, { maxHidden: 32 }),
        models: Array.from({ length: 16 }, (_, i) => model({ hiddenUnits: 32, initSeed: i })),
        data: spiral,
        steps: 5000,
        reportEvery: 5000,
      };
      const controller = new AbortController();
      let queuedAtAbort = -1;
      let abortedAt = 0;
      const unfinished = new Set<number>();
      const submit = device.queue.submit.bind(device.queue);
      let submits = 0;
      device.queue.submit = (buffers) => {
        submit(buffers);
        const id = submits++;
        unfinished.add(id);
        void device.queue.onSubmittedWorkDone().then(() => unfinished.delete(id));
        if (submits === 30) {
          queuedAtAbort = unfinished.size;
          abortedAt = performance.now();
          controller.abort();
        }
      };
      let reports = 0;
      const error = await gpu
        .train(job, () => void reports++, controller.signal)
        .then(
          () => null,
          (e: unknown) => e,
        );
      const rejectedAt = performance.now();
      await device.queue.onSubmittedWorkDone();
      const idleAt = performance.now();
      console.log(
        `[stop] 16-model population: aborted after submit ${submits} with ${queuedAtAbort} command buffers unfinished; rejected ${(rejectedAt - abortedAt).toFixed(1)} ms after abort(), GPU idle after ${(idleAt - abortedAt).toFixed(1)} ms`,
      );
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).kind).toBe('aborted');
      expect(reports).toBe(0);
      // Nothing submitted after the abort (all 5000 steps used to be submitted before the first wait).
      expect(submits).toBe(30);
      gpu.dispose();
    }));

  // The parameters of 256 models × 8 hidden layers × 128 units (116,228 floats each, 119 MB in
  // all) nearly fill the 128 MiB a storage binding may hold by default: the largest population
  // at the size limits' parallelism and depth. A larger batch only makes each step slower.
  it('aborts the largest population that fits (256 models × 8 × 128 units) after its first report', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const P = 256;
      const job: PopulationJob = {
        shape: shapeFor(spiral, { hiddenLayers: 8, maxHidden: 128, batchSize: 8, activation: 'relu', init: 'he' }),
        models: Array.from({ length: P }, (_, i) =>
          model({ hiddenUnits: 128, learningRate: 1e-3, initSeed: i, dataSeed: i }),
        ),
        data: spiral,
        steps: 1000,
        reportEvery: 1,
      };
      const controller = new AbortController();
      let abortedAt = 0;
      let reports = 0;
      const started = performance.now();
      const error = await gpu
        .train(
          job,
          () => {
            if (reports++ > 0) return;
            console.log(
              `[stop] first report of the ${P}-model population after ${(performance.now() - started).toFixed(0)} ms`,
            );
            // Stop arrives as a task of its own while the next steps run, as the user's click does.
            setTimeout(() => {
              abortedAt = performance.now();
              controller.abort();
            }, 50);
          },
          controller.signal,
        )
        .then(
          () => null,
          (e: unknown) => e,
        );
      const rejectedAt = performance.now();
      await device.queue.onSubmittedWorkDone();
      console.log(
        `[stop] aborted a ${P}-model population in ${(rejectedAt - abortedAt).toFixed(1)} ms (GPU idle ${(performance.now() - abortedAt).toFixed(0)} ms after abort(), ${reports} reports)`,
      );
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).kind).toBe('aborted');
      expect(abortedAt).toBeGreaterThan(0);
      gpu.dispose();
    }));

  it('aborts during a long validation pass, which is cut into command buffers like a slow step', () =>
    withDevice(async (device) => {
      const gpu = await createGpuEngine({ device });
      const P = 64;
      // 1024 validation rows: a forward pass about 40 times a step's work for 64 models of 8 × 128 units.
      const data = makeDataset('spiral', { count: 2048, noise: 0.05, validationFraction: 0.5, seed: 6 });
      const job: PopulationJob = {
        shape: shapeFor(data, { hiddenLayers: 8, maxHidden: 128, batchSize: 8, activation: 'relu', init: 'he' }),
        models: Array.from({ length: P }, (_, i) =>
          model({ hiddenUnits: 128, learningRate: 1e-3, initSeed: i, dataSeed: i }),
        ),
        data,
        steps: 100,
        reportEvery: 2,
      };
      const controller = new AbortController();
      let abortedAt = 0;
      let validationBuffers = 0;
      const createCommandEncoder = device.createCommandEncoder.bind(device);
      device.createCommandEncoder = (descriptor) => {
        const encoder = createCommandEncoder(descriptor);
        const beginComputePass = encoder.beginComputePass.bind(encoder);
        encoder.beginComputePass = (pass) => {
          if (pass?.label?.startsWith('validation') && ++validationBuffers === 2) {
            setTimeout(() => {
              abortedAt = performance.now();
              controller.abort();
            });
          }
          return beginComputePass(pass);
        };
        return encoder;
      };
      let reports = 0;
      const error = await gpu
        .train(job, () => void reports++, controller.signal)
        .then(
          () => null,
          (e: unknown) => e,
        );
      const rejectedAt = performance.now();
      await device.queue.onSubmittedWorkDone();
      console.log(
        `[stop] aborted a ${P}-model population's 1024-row validation pass in ${(rejectedAt - abortedAt).toFixed(1)} ms (GPU idle ${(performance.now() - abortedAt).toFixed(0)} ms after abort(), ${validationBuffers} validation command buffers recorded)`,
      );
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).kind).toBe('aborted');
      expect(reports).toBe(0);
      expect(validationBuffers).toBeGreaterThanOrEqual(2);
      gpu.dispose();
    }));
});
