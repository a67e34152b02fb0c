// The engine contract (src/train/types.ts) as one suite that every CPU-side engine passes:
// the plain-TypeScript CPU engine (the oracle) and the WASM engine, in Node and in Chromium.
// Each engine's test file calls describeEngineContract with a factory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predict } from '../../src/train/cpu/engine.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import type {
  ModelHyper,
  ModelWeights,
  PopulationJob,
  PopulationShape,
  ProgressReport,
  TrainingData,
  TrainingEngine,
} from '../../src/train/types.ts';
import { EngineError, parameterLayout } from '../../src/train/types.ts';
import { modelHyper } from './model-hyper.ts';

const spiral = makeDataset('spiral', { count: 512, noise: 0.05, validationFraction: 0.2, seed: 1 });
const circle = makeDataset('circle', { count: 400, noise: 0.05, validationFraction: 0.25, seed: 2 });
const plane = makeDataset('plane', { count: 300, noise: 0.05, validationFraction: 0.2, seed: 3 });

const baseShape: PopulationShape = {
  inputs: 2,
  outputs: 2,
  hiddenLayers: 2,
  maxHidden: 16,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 16,
};

const model = modelHyper;

function job(
  models: ModelHyper[],
  overrides: Partial<PopulationJob> = {},
  shape: Partial<PopulationShape> = {},
  data: TrainingData = spiral,
): PopulationJob {
  return { shape: { ...baseShape, ...shape }, models, data, steps: 60, reportEvery: 20, ...overrides };
}

/** Report fields of model m as plain arrays, one entry per report. */
function curve(reports: ProgressReport[], m: number) {
  return {
    trainLoss: reports.map((r) => r.trainLoss[m]),
    trainAccuracy: reports.map((r) => r.trainAccuracy[m]),
    validationLoss: reports.map((r) => r.validationLoss[m]),
    validationAccuracy: reports.map((r) => r.validationAccuracy[m]),
  };
}

function maxRelativeDifference(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(b[i]), 1e-12)));
}

export interface EngineUnderTest {
  /** Makes the engine (once per suite; disposed after it). */
  create: () => TrainingEngine | Promise<TrainingEngine>;
  kind: TrainingEngine['kind'];
  adapter: RegExp;
  /** What an engine that cannot copy models (population-based training) says instead; absent: it must copy them. */
  refusesCopies?: RegExp;
}

export function describeEngineContract(name: string, subject: EngineUnderTest): void {
  describe(name, () => {
    let engine: TrainingEngine;
    beforeAll(async () => {
      engine = await subject.create();
    });
    afterAll(() => engine.dispose());
    contract(() => engine, subject);
  });
}

function contract(current: () => TrainingEngine, subject: EngineUnderTest): void {
  // Each test reads the engine made by beforeAll.
  const engine = {
    train: (...args: Parameters<TrainingEngine['train']>) => current().train(...args),
  };

  it('names itself', () => {
    expect(current().kind).toBe(subject.kind);
    expect(current().adapter).toMatch(subject.adapter);
  });

  it('reports every reportEvery steps and after the last; a report is the mean of the per-step losses since the previous one', async () => {
    const models = [
      model({ optimizer: 'momentum', learningRate: 0.05 }),
      model({ hiddenUnits: 5, initSeed: 4, decay: 'cosine' }),
    ];
    const coarse = await engine.train(job(models, { steps: 12, reportEvery: 5 }));
    const fine = await engine.train(job(models, { steps: 12, reportEvery: 1 }));
    expect(coarse.reports.map((r) => r.step)).toEqual([5, 10, 12]);
    expect(fine.reports).toHaveLength(12);
    for (let m = 0; m < 2; m++) {
      const perStep = curve(fine.reports, m);
      const means = [
        [0, 5],
        [5, 10],
        [10, 12],
      ].map(([a, b]) => perStep.trainLoss.slice(a, b).reduce((s, v) => s + v, 0) / (b - a));
      expect(maxRelativeDifference(curve(coarse.reports, m).trainLoss, means)).toBeLessThan(1e-6);
      // Validation at step 10 does not depend on how often we reported.
      expect(coarse.reports[1].validationLoss[m]).toBe(fine.reports[9].validationLoss[m]);
    }
    expect(Array.from(coarse.stoppedAtStep)).toEqual([12, 12]);
  });

  it('padding never changes a model: alone with maxHidden = hiddenUnits equals inside a wider population (1e-5 relative)', async () => {
    const steps = { steps: 80, reportEvery: 20 };
    const subject = model({ hiddenUnits: 7, optimizer: 'adam', weightDecay: 1e-3, initSeed: 21, dataSeed: 22 });
    const alone = await engine.train(job([subject], steps, { maxHidden: 7 }));
    const population = await engine.train(
      job([model({ hiddenUnits: 32 }), subject, model({ hiddenUnits: 3, optimizer: 'rmsprop' })], steps, {
        maxHidden: 32,
      }),
    );
    const a = curve(alone.reports, 0);
    const p = curve(population.reports, 1);
    for (const key of ['trainLoss', 'validationLoss', 'trainAccuracy', 'validationAccuracy'] as const) {
      expect(maxRelativeDifference(p[key], a[key]), key).toBeLessThan(1e-5);
    }
    // Logical weights agree; every padded parameter is still exactly 0.
    const narrow = parameterLayout({ ...baseShape, maxHidden: 7 });
    const wide = parameterLayout({ ...baseShape, maxHidden: 32 });
    const pAlone = alone.parameters[0];
    const pPop = population.parameters[1];
    wide.forEach(({ weights, bias, rows, cols }, l) => {
      const n = narrow[l];
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const value = pPop[weights + i * cols + j];
          if (i < n.rows && j < n.cols) expect(Math.abs(value - pAlone[n.weights + i * n.cols + j])).toBeLessThan(1e-5);
          else expect(value).toBe(0);
        }
      }
      for (let j = n.cols; j < cols; j++) expect(pPop[bias + j]).toBe(0);
    });
  });

  it('freezes a diverging model (lr=50) while its neighbour (lr=0.01) trains on exactly as it would alone', async () => {
    const wild = model({ optimizer: 'sgd', learningRate: 50 });
    const calm = model({ optimizer: 'sgd', learningRate: 0.01, initSeed: 31 });
    const both = await engine.train(job([wild, calm], { steps: 100, reportEvery: 10 }));
    const alone = await engine.train(job([calm], { steps: 100, reportEvery: 10 }));
    const last = both.reports.at(-1)!;
    expect(last.diverged[0]).toBe(1);
    expect(last.diverged[1]).toBe(0);
    expect(both.stoppedAtStep[0]).toBeLessThan(100);
    expect(both.stoppedAtStep[1]).toBe(100);
    const firstDiverged = both.reports.findIndex((r) => r.diverged[0] === 1);
    for (const report of both.reports.slice(firstDiverged)) {
      expect(report.diverged[0]).toBe(1);
      expect(report.trainLoss[0]).toBeNaN();
      expect(report.validationLoss[0]).toBeNaN();
    }
    expect(curve(both.reports, 1)).toEqual(curve(alone.reports, 0));
    expect(both.parameters[1]).toEqual(alone.parameters[0]);
  });

  it('is deterministic: the same job twice gives identical curves and parameters; another seed differs', async () => {
    const models = [
      model(),
      model({ optimizer: 'rmsprop', learningRate: 3e-3, decay: 'step', decayRate: 0.5, decayEvery: 1 }),
    ];
    const first = await engine.train(job(models));
    const second = await engine.train(job(models));
    expect(second.reports).toEqual(first.reports);
    expect(second.parameters).toEqual(first.parameters);
    const reseeded = await engine.train(job([model({ dataSeed: 99 })]));
    expect(curve(reseeded.reports, 0).trainLoss).not.toEqual(curve(first.reports, 0).trainLoss);
  });

  it('learns: circle and spiral validation accuracy rise far above chance (0.5)', async () => {
    const circleRun = await engine.train(
      job([model({ learningRate: 0.01 })], { steps: 600, reportEvery: 100 }, {}, circle),
    );
    const spiralRun = await engine.train(
      job(
        [model({ hiddenUnits: 32, learningRate: 0.01 })],
        { steps: 2000, reportEvery: 500 },
        { maxHidden: 32, batchSize: 32 },
      ),
    );
    const circleAccuracy = circleRun.reports.at(-1)!.validationAccuracy[0];
    const spiralAccuracy = spiralRun.reports.at(-1)!.validationAccuracy[0];
    console.log(
      `[${current().adapter}] circle validation accuracy ${circleAccuracy.toFixed(3)} after 600 steps; spiral ${spiralAccuracy.toFixed(3)} after 2000 steps`,
    );
    expect(circleAccuracy).toBeGreaterThan(0.95);
    expect(spiralAccuracy).toBeGreaterThan(0.85);
    expect(spiralRun.reports.at(-1)!.trainLoss[0]).toBeLessThan(spiralRun.reports[0].trainLoss[0]);
  });

  it('regresses: mse on the plane falls and accuracy is NaN', async () => {
    const run = await engine.train(
      job(
        [model({ learningRate: 0.01 })],
        { steps: 300, reportEvery: 100 },
        { outputs: 1, loss: 'mse', activation: 'tanh', init: 'xavier' },
        plane,
      ),
    );
    const last = run.reports.at(-1)!;
    // The target (x+y)/2 has variance 1/6 and noise variance 0.0025: 0.006 is within 2.5×
    // the noise floor and under 4% of what predicting the mean would cost.
    expect(last.validationLoss[0]).toBeLessThan(0.006);
    expect(last.trainLoss[0]).toBeLessThan(run.reports[0].trainLoss[0]);
    expect(last.trainAccuracy[0]).toBeNaN();
    expect(last.validationAccuracy[0]).toBeNaN();
  });

  it('predict gives probabilities whose argmax reproduces the reported validation accuracy', async () => {
    const shape = { ...baseShape };
    const run = await engine.train(job([model({ hiddenUnits: 9 })], { steps: 200, reportEvery: 200 }, shape, circle));
    const { x, y, count } = circle.validation;
    const probabilities = predict(shape, 9, run.parameters[0], x, count);
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const [p0, p1] = [probabilities[2 * i], probabilities[2 * i + 1]];
      expect(p0 + p1).toBeCloseTo(1, 6);
      if ((p1 > p0 ? 1 : 0) === y[i]) correct++;
    }
    expect(correct / count).toBeCloseTo(run.reports[0].validationAccuracy[0], 6);
  });

  it('stops the models the report handler names and trains the rest on', async () => {
    const models = [model(), model({ initSeed: 5 }), model({ initSeed: 6 })];
    const seen: number[] = [];
    const run = await engine.train(job(models), (report) => {
      seen.push(report.step);
      return report.step === 20 ? [1] : undefined;
    });
    const full = await engine.train(job(models));
    expect(seen).toEqual([20, 40, 60]);
    expect(Array.from(run.stoppedAtStep)).toEqual([60, 20, 60]);
    expect(run.reports[1].trainLoss[1]).toBeNaN();
    expect(run.reports[2].validationLoss[1]).toBeNaN();
    expect(run.reports[1].diverged[1]).toBe(0);
    expect(curve(run.reports, 2)).toEqual(curve(full.reports, 2));
  });

  it('reads a model at a report: the weights a job stopped there ends with; reading changes no result', async () => {
    const models = [model(), model({ hiddenUnits: 9, optimizer: 'rmsprop', learningRate: 3e-3, initSeed: 5 })];
    const read: ModelWeights[] = [];
    const reading = await engine.train(job(models), async (report, readModel) => {
      if (report.step === 20) read.push(await readModel!(1));
    });
    const stopped = await engine.train(job(models), (report) => (report.step === 20 ? [1] : undefined));
    const plain = await engine.train(job(models));
    expect(read[0].parameters).toEqual(stopped.parameters[1]);
    expect(read[0].statistics).toEqual(stopped.statistics[1]);
    expect(read[0].parameters).not.toEqual(plain.parameters[1]);
    expect(reading.reports).toEqual(plain.reports);
    expect(reading.parameters).toEqual(plain.parameters);
  });

  if (subject.refusesCopies) {
    it('refuses to copy or retune models, saying why, and names it in cannotCopyModels', async () => {
      expect(current().cannotCopyModels).toMatch(subject.refusesCopies!);
      await expect(
        engine.train(job([model(), model({ initSeed: 5 })]), () => ({ copy: [{ from: 0, to: 1 }] })),
      ).rejects.toMatchObject({ kind: 'invalid-job', message: expect.stringMatching(subject.refusesCopies!) });
    });
  } else {
    it("copies a model (PBT's exploit): weights and optimizer state, so the copy's next steps are bit for bit its source's", async () => {
      const models = [
        model(),
        model({ hiddenUnits: 9, learningRate: 0.003, beta1: 0.8, initSeed: 5, dataSeed: 6 }),
        model({ optimizer: 'momentum', learningRate: 0.05, initSeed: 7, dataSeed: 8 }),
      ];
      const copyAt20 = (report: ProgressReport) => (report.step === 20 ? { copy: [{ from: 0, to: 1 }] } : undefined);
      const copied = await engine.train(job(models), copyAt20);
      const plain = await engine.train(job(models));
      expect(current().cannotCopyModels).toBeUndefined();
      // Until the copy, model 1 is itself; after it, Adam's moments (and everything else) are model 0's.
      expect(copied.reports[0].validationLoss[1]).toBe(plain.reports[0].validationLoss[1]);
      expect(copied.reports[1].validationLoss[1]).not.toBe(plain.reports[1].validationLoss[1]);
      expect(curve(copied.reports.slice(1), 1)).toEqual(curve(copied.reports.slice(1), 0));
      expect(copied.parameters[1]).toEqual(copied.parameters[0]);
      for (const m of [0, 2]) expect(curve(copied.reports, m)).toEqual(curve(plain.reports, m));
      // Batch norm's running statistics (which validation reads) travel with the copy too.
      const layers = [
        { kind: 'dense', activation: 'linear' } as const,
        { kind: 'batchnorm', activation: 'relu' } as const,
      ];
      const normed = await engine.train(job(models, {}, { layers }), copyAt20);
      expect(curve(normed.reports.slice(1), 1)).toEqual(curve(normed.reports.slice(1), 0));
      expect(normed.statistics[1]).toEqual(normed.statistics[0]);
      expect(normed.statistics[1].length).toBeGreaterThan(0);
    });

    it("retunes a model between steps (PBT's explore): it trains on with the new hyperparameters, its neighbours as before", async () => {
      const base = model();
      const tuned = { ...base, learningRate: 0.0125, beta1: 0.8 };
      const retune = (m: number) => (report: ProgressReport) =>
        report.step === 20 ? { retune: [{ model: m, hyper: tuned }] } : undefined;
      const pair = await engine.train(job([base, base]), retune(1));
      const alone = await engine.train(job([base]), retune(0));
      const untouched = await engine.train(job([base]));
      expect(pair.reports[0].trainLoss[1]).toBe(pair.reports[0].trainLoss[0]);
      expect(pair.reports[1].trainLoss[1]).not.toBe(pair.reports[1].trainLoss[0]);
      expect(curve(pair.reports, 0)).toEqual(curve(untouched.reports, 0));
      expect(curve(pair.reports, 1)).toEqual(curve(alone.reports, 0));
    });

    it('refuses a copy into a diverged model and a retune that changes a width, naming the model', async () => {
      const wild = model({ optimizer: 'sgd', learningRate: 50 });
      await expect(
        engine.train(job([model(), wild], { steps: 100, reportEvery: 10 }), (report) =>
          report.diverged[1] ? { copy: [{ from: 0, to: 1 }] } : undefined,
        ),
      ).rejects.toMatchObject({
        kind: 'invalid-job',
        message: expect.stringContaining('copy into model 1, but it has diverged'),
      });
      await expect(
        engine.train(job([model()]), () => ({ retune: [{ model: 0, hyper: model({ hiddenUnits: 4 }) }] })),
      ).rejects.toMatchObject({
        kind: 'invalid-job',
        message: expect.stringContaining("model 0's hiddenUnits from 16 to 4"),
      });
    });
  }

  it('rejects a stop request for a model the population does not have', async () => {
    await expect(engine.train(job([model()]), () => [3])).rejects.toMatchObject({
      kind: 'invalid-job',
      message: expect.stringContaining('stop model 3, but the population has models 0..0'),
    });
  });

  it('ends early when every model is stopped', async () => {
    const run = await engine.train(job([model()]), async () => [0]);
    expect(run.reports.map((r) => r.step)).toEqual([20]);
  });

  it('rejects with EngineError("aborted") when the signal fires', async () => {
    const before = new AbortController();
    before.abort();
    await expect(engine.train(job([model()]), undefined, before.signal)).rejects.toMatchObject({ kind: 'aborted' });
    const during = new AbortController();
    const pending = engine.train(
      job([model()], { steps: 100_000, reportEvery: 10 }),
      () => during.abort(),
      during.signal,
    );
    await expect(pending).rejects.toBeInstanceOf(EngineError);
    await expect(pending).rejects.toMatchObject({ kind: 'aborted' });
  });

  // Models as wide and deep as the GPU tests' largest population (8 hidden layers × 128 units);
  // the CPU engine trains model by model, so an abort waits for one model's step whatever the
  // population's size, and 32 of them keep the test short. The abort lands while the models
  // train, not at a report, and nothing is reported after it.
  it('sees an abort between steps of a population of large models, not only at reports', async () => {
    const P = 32;
    const large = job(
      Array.from({ length: P }, (_, i) => model({ hiddenUnits: 128, learningRate: 1e-3, initSeed: i, dataSeed: i })),
      { steps: 1000, reportEvery: 10 },
      { hiddenLayers: 8, maxHidden: 128, batchSize: 8 },
    );
    const controller = new AbortController();
    let abortedAt = 0;
    const reportSteps: number[] = [];
    const started = performance.now();
    const error = await engine
      .train(
        large,
        (report) => {
          reportSteps.push(report.step);
          if (reportSteps.length > 1) return;
          console.log(
            `[stop] first report of the ${P}-model population on ${current().adapter} after ${(performance.now() - started).toFixed(0)} ms`,
          );
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 20);
        },
        controller.signal,
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    console.log(
      `[stop] aborted a ${P}-model population on ${current().adapter} in ${(performance.now() - abortedAt).toFixed(1)} ms`,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('aborted');
    expect(abortedAt).toBeGreaterThan(0);
    // The abort fell within the second interval's 10 steps (each 32 models × 8 layers of 128,
    // about 0.2 GFLOP: far more than the 20 ms timer): no second report.
    expect(reportSteps).toEqual([10]);
  }, 60_000);

  it.each([
    ['hiddenUnits above maxHidden', job([model({ hiddenUnits: 17 })]), /hiddenUnits = 17 exceeds shape.maxHidden = 16/],
    ['no models', job([]), /no models/],
    ['batch size 0', job([model()], {}, { batchSize: 0 }), /batchSize must be an integer >= 1/],
    [
      'empty training data',
      job([model()], {}, {}, { ...spiral, train: { x: new Float32Array(0), y: new Float32Array(0), count: 0 } }),
      /data.train.count/,
    ],
    [
      'label out of range',
      job(
        [model()],
        {},
        {},
        { ...spiral, train: { ...spiral.train, y: spiral.train.y.map((v, i) => (i === 3 ? 2 : v)) } },
      ),
      /y\[3\] = 2 is not a class index in 0..1/,
    ],
    [
      'loss that does not fit the task',
      job([model()], {}, { loss: 'mse' }),
      /classification task needs loss 'softmax_cross_entropy'/,
    ],
    ['inputs mismatch', job([model()], {}, { inputs: 3 }), /build the shape from the data/],
    ['beta1 of 1', job([model({ beta1: 1 })]), /beta1 must lie in \[0, 1\)/],
    ['zero reportEvery', job([model()], { reportEvery: 0 }), /reportEvery/],
    [
      'NaN feature',
      job(
        [model()],
        {},
        {},
        { ...spiral, train: { ...spiral.train, x: spiral.train.x.map((v, i) => (i === 0 ? NaN : v)) } },
      ),
      /x\[0\] is NaN/,
    ],
  ])('rejects a job with %s as EngineError("invalid-job") saying what to fix', async (_name, bad, message) => {
    const attempt = engine.train(bad);
    await expect(attempt).rejects.toMatchObject({ kind: 'invalid-job' });
    await expect(attempt).rejects.toThrow(message);
  });

  it('trains a linear model (no hidden layers)', async () => {
    const run = await engine.train(
      job(
        [model({ hiddenUnits: 1 })],
        { steps: 200, reportEvery: 100 },
        { hiddenLayers: 0, maxHidden: 1 },
        makeDataset('gauss', { count: 200, noise: 0.05, validationFraction: 0.2, seed: 4 }),
      ),
    );
    expect(run.reports.at(-1)!.validationAccuracy[0]).toBeGreaterThan(0.95);
  });
}
