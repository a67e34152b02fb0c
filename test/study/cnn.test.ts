// A study's CNN: the trial → layer list mapping, population buckets, the study's rules and
// its cost. The engines' math for these layers is tested in test/train/.
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../src/search/catalog.ts';
import type { Params } from '../../src/search/types.ts';
import { cnnProblems, mayListLayers } from '../../src/study/cnn.ts';
import { checkStudyCost, describePopulation, studyCost } from '../../src/study/cost.ts';
import { groupIntoPopulations, trialBucket } from '../../src/study/population.ts';
import { whyStudyCannotRun } from '../../src/study/preflight.ts';
import { cnnDigitsStudy } from '../../src/study/presets.ts';
import { dataShapeOf, defaultStudy, parseStudy, type StudySpec } from '../../src/study/spec.ts';

const defaults: Params = Object.fromEntries(standardSpace().map((p) => [p.name, p.default]));
const image = { channels: 1, height: 14, width: 14 };
const digits = { task: 'classification' as const, inputs: 196, outputs: 10, image };
const cnn = (params: Params): Params => ({ ...defaults, architecture: 'cnn', ...params });

/** The default study on 14×14 digits with a CNN (its rows' defaults as given, off). */
function cnnStudy(rows: Record<string, Partial<StudySpec['space'][number]>>): StudySpec {
  const spec = defaultStudy();
  spec.data = { kind: 'digits', side: 14, count: 1000, validationFraction: 0.2, seed: 1 };
  spec.space = spec.space.map((r) =>
    r.name === 'architecture' ? { ...r, default: 'cnn' } : r.name in rows ? { ...r, ...rows[r.name] } : r,
  );
  return spec;
}

describe('CNN trials', () => {
  it('build conv blocks (filters doubling) with pooling, flatten, the hidden dense layers and dropout before the output', () => {
    const params = cnn({ convBlocks: 2, convFilters: 4, kernelSize: '5', poolMode: 'avg', dropout: 0.25 });
    expect(trialBucket(params, digits)).toEqual({
      batchSize: 32,
      hiddenLayers: 1,
      activation: 'relu',
      loss: 'softmax_cross_entropy',
      init: 'he',
      image,
      layers: [
        { kind: 'conv2d', filters: 4, kernel: 5, activation: 'relu' },
        { kind: 'pool2d', mode: 'avg' },
        { kind: 'conv2d', filters: 8, kernel: 5, activation: 'relu' },
        { kind: 'pool2d', mode: 'avg' },
        { kind: 'flatten' },
        { kind: 'dense', activation: 'relu' },
        { kind: 'dropout', rate: 0.25 },
      ],
    });
    // No dropout layer at rate 0; no hidden dense layer with 0 hidden layers.
    expect(trialBucket(cnn({ convBlocks: 1, hiddenLayers: 0, dropout: 0 }), digits).layers).toEqual([
      { kind: 'conv2d', filters: 8, kernel: 3, activation: 'relu' },
      { kind: 'pool2d', mode: 'max' },
      { kind: 'flatten' },
    ]);
  });

  it('batch norm on: each hidden dense layer turns linear and a batch norm after it applies the activation, MLP or CNN', () => {
    const spiral = { task: 'classification' as const, inputs: 2, outputs: 2 };
    expect(trialBucket({ ...defaults, batchNorm: 'on', hiddenLayers: 2, activation: 'tanh' }, spiral)).toEqual({
      batchSize: 32,
      hiddenLayers: 2,
      activation: 'tanh',
      loss: 'softmax_cross_entropy',
      init: 'xavier',
      layers: [
        { kind: 'dense', activation: 'linear' },
        { kind: 'batchnorm', activation: 'tanh' },
        { kind: 'dense', activation: 'linear' },
        { kind: 'batchnorm', activation: 'tanh' },
      ],
    });
    expect(trialBucket(cnn({ convBlocks: 1, batchNorm: 'on', dropout: 0.5 }), digits).layers).toEqual([
      { kind: 'conv2d', filters: 8, kernel: 3, activation: 'relu' },
      { kind: 'pool2d', mode: 'max' },
      { kind: 'flatten' },
      { kind: 'dense', activation: 'linear' },
      { kind: 'batchnorm', activation: 'relu' },
      { kind: 'dropout', rate: 0.5 },
    ]);
    expect(() => trialBucket({ ...defaults, batchNorm: 'maybe' }, spiral)).toThrow(
      'trial parameter batchNorm must be off or on, got maybe',
    );
    // A study that may give batch norm never trains on the WASM engine (plain MLPs only).
    const space = defaultStudy().space;
    expect(mayListLayers(space)).toBe(false);
    const searched = space.map((r) => (r.name === 'batchNorm' ? { ...r, enabled: true } : r));
    expect(mayListLayers(searched)).toBe(true);
  });

  it("an MLP's bucket is as before the CNN rows: no layers, the CNN rows ignored; a trial planned before them is an MLP", () => {
    const expected = { batchSize: 32, hiddenLayers: 1, activation: 'relu', loss: 'softmax_cross_entropy', init: 'he' };
    expect(trialBucket({ ...defaults, convFilters: 64, kernelSize: 'x' }, digits)).toEqual(expected);
    const { architecture, convBlocks, convFilters, kernelSize, poolMode, dropout, ...before } = defaults;
    expect(trialBucket(before, digits)).toEqual(expected);
  });

  it('share a population when their layer lists are the same (hidden units masked inside it), else not: filters are not masked', () => {
    const trials = [
      { id: 0, params: cnn({ convFilters: 4, hiddenUnits: 8 }) },
      { id: 1, params: cnn({ convFilters: 8, hiddenUnits: 8 }) },
      { id: 2, params: cnn({ convFilters: 4, hiddenUnits: 32 }) },
      { id: 3, params: { ...defaults } },
    ];
    const { populations, invalid } = groupIntoPopulations(trials, 1, digits);
    expect(invalid).toEqual([]);
    expect(populations.map((p) => [p.trials.map((t) => t.id), p.shape.maxHidden])).toEqual([
      [[0, 2], 32],
      [[1], 8],
      [[3], 32],
    ]);
  });

  it('that cannot be built fail with the reason: no image data, too many filters or blocks', () => {
    const spiral = { task: 'classification' as const, inputs: 2, outputs: 2 };
    const reasons = (params: Params, data: Parameters<typeof groupIntoPopulations>[2] = digits) =>
      groupIntoPopulations([{ id: 0, params }], 1, data).invalid.map((i) => i.reason);
    expect(reasons(cnn({}), spiral)).toEqual(['a CNN needs image data: only digits (14×14 or 28×28) are images']);
    expect(reasons(cnn({ convBlocks: 2, convFilters: 64 }))).toEqual([
      '2 conv blocks from 64 filters end with 128; a conv layer takes at most 64',
    ]);
    expect(reasons(cnn({ convBlocks: 4, convFilters: 4 }))[0]).toMatch(/too small for a 2×2 window/);
  });
});

describe('a study with a CNN', () => {
  it('is refused on data that is not images, naming the image data sets', () => {
    const spec = cnnStudy({});
    spec.data = defaultStudy().data;
    expect(parseStudy(spec)).toEqual({
      ok: false,
      issues: [
        'Architecture: a CNN needs image data, and spiral is not images — of the data sets only digits (14×14 or 28×28) are; choose digits, or the mlp architecture.',
      ],
    });
    // Searching the architecture on such data can give a CNN too; the MLP alone is fine.
    const searched = {
      ...spec,
      space: spec.space.map((r) => (r.name === 'architecture' ? { ...r, default: 'mlp', enabled: true } : r)),
    };
    expect(parseStudy(searched).ok).toBe(false);
    expect(parseStudy(defaultStudy()).ok).toBe(true);
  });

  it('is refused with more blocks than the image can be halved, or more filters in the last block than 64', () => {
    const blocks = cnnStudy({ convBlocks: { default: 4 } });
    expect(cnnProblems(blocks.space, image, 'digits')).toEqual([
      {
        index: blocks.space.findIndex((r) => r.name === 'convBlocks'),
        message:
          'Conv blocks: each block halves the image, so 14×14 images take at most 3 blocks, got up to 4 — lower it.',
      },
    ]);
    const filters = cnnStudy({
      convBlocks: { enabled: true, distribution: { kind: 'int', scale: 'linear', low: 1, high: 3 } },
      convFilters: { default: 32 },
    });
    expect(parseStudy(filters)).toEqual({
      ok: false,
      issues: [
        'Conv filters: the filters double per block, so the last of 3 blocks would have 128; a conv layer takes at most 64 — lower conv filters or conv blocks.',
      ],
    });
    filters.space = filters.space.map((r) => (r.name === 'convFilters' ? { ...r, default: 16 } : r));
    expect(parseStudy(filters).ok).toBe(true);
  });

  it('is costed as its largest CNN, and said so', () => {
    const spec = cnnStudy({ convFilters: { enabled: true, distribution: { kind: 'power-of-two', low: 4, high: 16 } } });
    const cost = studyCost(spec, dataShapeOf(spec.data));
    expect(cost.population).toMatchObject({ convBlocks: 2, convFilters: [16, 32] });
    expect(describePopulation(cost)).toBe(
      '16 trials at once of 2 conv blocks of 16, 32 filters, then 2 hidden layers × 16 hidden units, batch size 32',
    );
    expect(checkStudyCost(cost)).toEqual({});
    // A convolution's weights act at every pixel: far more work than an MLP of the same data.
    const mlp = studyCost({ ...spec, space: defaultStudy().space, data: spec.data }, dataShapeOf(spec.data));
    expect(cost.flopsPerTrial).toBeGreaterThan(mlp.flopsPerTrial);
  });

  it('the "CNN for digits" preset is a valid study that runs without a question, on images, searching the conv blocks', () => {
    const preset = cnnDigitsStudy();
    expect(parseStudy(preset)).toEqual({ ok: true, spec: preset });
    expect(whyStudyCannotRun(preset)).toEqual({});
    expect(preset.data).toMatchObject({ kind: 'digits', side: 14 });
    expect(preset.space.filter((r) => r.enabled).map((r) => r.name)).toEqual(['learningRate', 'convBlocks']);
  });
});
