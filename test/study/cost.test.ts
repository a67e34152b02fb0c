// The cost check before Run: the default study and everyday variants run without a
// question; studies whose largest population cannot fit are refused naming the fields to
// lower; long ones ask first. The GPU figure is checked buffer by buffer against a real
// population in cost.browser.test.ts.
import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkStudyCost, dataShapeOfTrainingData, STUDY_LIMITS, studyCost } from '../../src/study/cost.ts';
import { whyStudyCannotRun } from '../../src/study/preflight.ts';
import {
  type DataSpec,
  dataShapeOf,
  defaultStudy,
  type HyperparameterName,
  SCHEDULER_KINDS,
  type StudySpec,
  SYNTHETIC_SETS,
} from '../../src/study/spec.ts';
import { digitsTrainingData } from '../../src/train/data/digits.ts';
import { decodeDigitsPack } from '../../src/train/data/digitsFormat.ts';
import { digitsAssetBytes, packMnist } from '../../src/train/data/digitsPack.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';

/** The default study with some rows' defaults changed (rows off: every trial has these values). */
function withDefaults(spec: StudySpec, defaults: Partial<Record<HyperparameterName, number>>): StudySpec {
  return {
    ...spec,
    space: spec.space.map((r) => (r.name in defaults ? { ...r, default: defaults[r.name]!, enabled: false } : r)),
  };
}

const MiB = 2 ** 20;

describe('study cost', () => {
  it('the default study and everyday variants run without a refusal or a question', () => {
    const base = defaultStudy();
    const variants: Array<[string, StudySpec]> = [['default', base]];
    for (const kind of SCHEDULER_KINDS)
      variants.push([`scheduler ${kind}`, { ...base, scheduler: { ...base.scheduler, kind } }]);
    // The catalog's whole space searched, on every data set, with its widest default ranges.
    const everything = { ...base, space: base.space.map((r) => ({ ...r, enabled: true })) };
    const data: DataSpec[] = [
      ...SYNTHETIC_SETS.map((name) => ({
        kind: 'synthetic' as const,
        name,
        count: 512,
        noise: 0.1,
        validationFraction: 0.25,
        seed: 1,
      })),
      { kind: 'digits', count: 2000, validationFraction: 0.25, seed: 1 },
      { kind: 'csv', fileName: 'a.csv', target: 'y', features: ['a', 'b', 'c'], validationFraction: 0.25, seed: 1 },
    ];
    // A CNN needs images: on other data the architecture stays the MLP (cnn.ts refuses a CNN there).
    const mlpOnly = {
      ...everything,
      space: everything.space.map((r) => (r.name === 'architecture' ? { ...r, enabled: false } : r)),
    };
    for (const d of data)
      variants.push([
        `whole space on ${d.kind === 'synthetic' ? d.name : d.kind}`,
        { ...(d.kind === 'digits' ? everything : mlpOnly), data: d },
      ]);
    variants.push([
      '100 trials of 2000 steps',
      {
        ...base,
        scheduler: { ...base.scheduler, budget: { kind: 'trials', trials: 100 } },
        training: { steps: 2000, reportEvery: 20 },
      },
    ]);
    for (const [what, spec] of variants) expect(whyStudyCannotRun(spec), what).toEqual({});
    const cost = studyCost(base, dataShapeOf(base.data));
    console.log(
      `[cost] default study: GPU ${(cost.gpuBytes / MiB).toFixed(2)} MiB, CPU ${(cost.cpuBytes / MiB).toFixed(2)} MiB, ${(cost.flopsPerTrial / 1e6).toFixed(1)} MFLOP per trial, about ${cost.seconds?.toFixed(2)} s on a laptop GPU`,
    );
  });

  it('the data shape from a spec is the shape of the data it loads', () => {
    const digits = { kind: 'digits' as const, count: 300, validationFraction: 0.2, seed: 3 };
    const pack = decodeDigitsPack(inflateSync(digitsAssetBytes()));
    expect(dataShapeOf(digits)).toEqual(dataShapeOfTrainingData(digitsTrainingData(pack, digits)));
    const digits28 = { ...digits, side: 28 as const };
    expect(dataShapeOf(digits28)).toEqual(dataShapeOfTrainingData(digitsTrainingData(packMnist(28), digits28)));
    for (const name of SYNTHETIC_SETS) {
      const spec = { kind: 'synthetic' as const, name, count: 101, noise: 0.1, validationFraction: 0.3, seed: 2 };
      expect(dataShapeOf(spec), name).toEqual(dataShapeOfTrainingData(makeDataset(name, spec)));
    }
  }, 60_000); // packing the digits from the mnist package takes seconds

  it("the largest population takes the largest value any trial can have: a range's top, the largest choice, a default while off", () => {
    const spec = defaultStudy();
    spec.space = spec.space.map((r) => {
      if (r.name === 'hiddenUnits')
        return { ...r, enabled: true, distribution: { kind: 'categorical', choices: ['8', 48, '16'] } };
      if (r.name === 'batchSize')
        return { ...r, enabled: true, distribution: { kind: 'power-of-two', low: 8, high: 64 } };
      if (r.name === 'hiddenLayers')
        return { ...r, enabled: false, default: 3, distribution: { kind: 'int', scale: 'linear', low: 1, high: 8 } };
      return r;
    });
    spec.parallelism = 40;
    expect(studyCost(spec, dataShapeOf(spec.data)).population).toEqual({
      models: 16,
      hiddenLayers: 3,
      hiddenUnits: 48,
      batchSize: 64,
      inputs: 2,
      outputs: 2,
    });
    spec.scheduler.budget = { kind: 'minutes', minutes: 1 };
    const timed = studyCost(spec, dataShapeOf(spec.data));
    expect(timed.population.models).toBe(40);
    expect(timed.seconds).toBeUndefined();
  });

  it("a study that may give batch norm is sized with it: its running statistics and each batch norm's activations", () => {
    const plain = defaultStudy();
    const withNorm = defaultStudy();
    withNorm.space = withNorm.space.map((r) => (r.name === 'batchNorm' ? { ...r, enabled: true } : r));
    const [off, on] = [plain, withNorm].map((spec) => studyCost(spec, dataShapeOf(spec.data)));
    const statistics = (cost: typeof on) => cost.gpuBuffers.find((b) => b.what === 'running statistics')?.bytes;
    // Per model a batch norm per hidden layer, per unit a mean and a variance of 4 bytes; without, an empty buffer's 16.
    const { models, hiddenLayers, hiddenUnits } = on.population;
    expect([statistics(off), statistics(on)]).toEqual([16, models * hiddenLayers * hiddenUnits * 2 * 4]);
    expect(hiddenLayers).toBeGreaterThan(0);
    expect(on.gpuBytes).toBeGreaterThan(off.gpuBytes);
  });

  it('a huge model × batch is refused for the buffer it overflows, naming the fields that grow it', () => {
    const spec = withDefaults(
      {
        ...defaultStudy(),
        parallelism: 64,
        scheduler: { ...defaultStudy().scheduler, budget: { kind: 'trials', trials: 64 } },
      },
      { hiddenUnits: 1024, hiddenLayers: 8, batchSize: 4096 },
    );
    expect(whyStudyCannotRun(spec)).toEqual({
      refuse:
        "This study's largest population (64 trials at once of 8 hidden layers × 1024 hidden units, batch size 4096) needs 1.8 GiB for its parameters in one GPU buffer; a GPU buffer holds at most 128 MiB — lower trials at once, hidden units or hidden layers.",
    });
  });

  it('many buffers each within the limit but too much in all are refused for the total, naming the fields', () => {
    const digits = { kind: 'digits' as const, count: 2000, validationFraction: 0.25, seed: 1 };
    const spec = withDefaults(
      { ...defaultStudy(), data: digits, parallelism: 8 },
      { hiddenUnits: 1024, hiddenLayers: 4, batchSize: 4096 },
    );
    const cost = studyCost(spec, dataShapeOf(digits));
    expect(Math.max(...cost.gpuBuffers.map((b) => b.bytes))).toBeLessThanOrEqual(STUDY_LIMITS.gpuBufferBytes);
    expect(cost.gpuBytes).toBeGreaterThan(STUDY_LIMITS.gpuBytes);
    expect(checkStudyCost(cost).refuse).toBe(
      `This study's largest population (8 trials at once of 4 hidden layers × 1024 hidden units, batch size 4096) needs ${(cost.gpuBytes / 2 ** 30).toFixed(1)} GiB of GPU memory; the lab allows 2.0 GiB — lower trials at once, batch size, hidden units or hidden layers.`,
    );
  });

  it("the CPU engine's memory is a limit of its own (the fallback must be able to take the study)", () => {
    const spec = {
      ...defaultStudy(),
      parallelism: 256,
      scheduler: { ...defaultStudy().scheduler, budget: { kind: 'trials' as const, trials: 256 } },
      training: { steps: 100_000, reportEvery: 1 },
    };
    const cost = studyCost(spec, dataShapeOf(spec.data));
    // 100,000 reports × 256 models × 17 bytes are kept by either engine.
    expect(cost.cpuBytes).toBeGreaterThan(100_000 * 256 * 17);
    expect(checkStudyCost(cost, { ...STUDY_LIMITS, cpuBytes: 256 * MiB }).refuse).toMatch(
      /^This study's largest population \(256 trials at once of 2 hidden layers × 16 hidden units, batch size 32\) needs \d+ MiB of memory on the CPU engine .* the lab allows 256 MiB — lower trials at once, batch size, hidden units or hidden layers, or report less often\.$/,
    );
  });

  it("a long study asks first, saying about how long; a time budget is the user's own choice and asks nothing", () => {
    const base = withDefaults(defaultStudy(), { hiddenUnits: 256, hiddenLayers: 4, batchSize: 256 });
    const long = {
      ...base,
      parallelism: 64,
      scheduler: { ...base.scheduler, budget: { kind: 'trials' as const, trials: 2000 } },
      training: { steps: 20_000, reportEvery: 100 },
    };
    const { confirm } = whyStudyCannotRun(long);
    expect(confirm).toMatch(
      /^This study is about \d+(\.\d)? (minutes|hours) of training on a laptop GPU \(2000 trials of up to [\d.]+ (MFLOP|GFLOP|TFLOP) each\); run anyway\?$/,
    );
    console.log(`[cost] ${confirm}`);
    expect(
      whyStudyCannotRun({ ...long, scheduler: { ...long.scheduler, budget: { kind: 'minutes', minutes: 600 } } }),
    ).toEqual({});
  });

  it('a CSV study is sized on its loaded data when the page passes it', () => {
    const spec: StudySpec = {
      ...withDefaults(defaultStudy(), { hiddenUnits: 1024, batchSize: 1024 }),
      parallelism: 4,
      data: { kind: 'csv', fileName: 'wide.csv', target: 'y', features: ['a'], validationFraction: 0.25, seed: 1 },
    };
    expect(whyStudyCannotRun(spec)).toEqual({});
    // Ten million rows of 8 features: the training features alone need 229 MiB in one buffer.
    const refused = whyStudyCannotRun(spec, {
      task: 'regression',
      inputs: 8,
      outputs: 1,
      trainCount: 7_500_000,
      validationCount: 2_500_000,
    });
    expect(refused.refuse).toMatch(
      /needs 229 MiB for its training features in one GPU buffer; a GPU buffer holds at most 128 MiB — lower examples\.$/,
    );
  });

  it("an invalid study is refused with its first problems in the editor's words", () => {
    const spec = defaultStudy();
    const bad = { ...spec, parallelism: 0, seed: -1, training: { steps: 0, reportEvery: 0 } };
    expect(whyStudyCannotRun(bad)).toEqual({
      refuse:
        'Study seed: must be at least 0, got -1 — raise it. Trials at once: must be at least 1, got 0 — raise it. Steps per trial: must be at least 1, got 0 — raise it. (and 1 more problem)',
    });
  });
});
