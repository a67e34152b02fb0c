import { describe, expect, it } from 'vitest';
import { PARAM_LABELS, standardHyperparameter, standardSpace } from '../../src/search/catalog.ts';
import { HYPERPARAMETERS } from '../../src/search/hyperparameters.ts';
import { contains, validateSpace } from '../../src/search/space.ts';
import type { ModelHyper, PopulationShape } from '../../src/train/types.ts';

describe('standard catalog', () => {
  const space = standardSpace();
  const byName = Object.fromEntries(space.map((p) => [p.name, p]));

  it("names engine fields, in the table of hyperparameters' order, with its labels", () => {
    const modelFields: Array<keyof ModelHyper> = [
      'learningRate',
      'beta1',
      'beta2',
      'rmspropAlpha',
      'epsilon',
      'weightDecay',
      'decay',
      'decayRate',
      'hiddenUnits',
      'optimizer',
    ];
    const shapeFields: Array<keyof PopulationShape> = ['batchSize', 'hiddenLayers', 'activation'];
    // The rows that decide a CNN's or a batch-normalised MLP's layer list (PopulationShape.layers, study/cnn.ts).
    const layerFields = ['architecture', 'convBlocks', 'convFilters', 'kernelSize', 'poolMode', 'dropout', 'batchNorm'];
    expect(space.map((p) => p.name).sort()).toEqual([...modelFields, ...shapeFields, ...layerFields].sort());
    expect(space.map((p) => p.name)).toEqual(HYPERPARAMETERS.map((row) => row.name));
    expect(PARAM_LABELS).toEqual(Object.fromEntries(HYPERPARAMETERS.map((row) => [row.name, row.label])));
  });

  it("follows the seed's hierarchy and defaults", () => {
    validateSpace(space);
    expect(Object.fromEntries(space.map((p) => [p.name, p.tier]))).toEqual({
      learningRate: 1,
      beta1: 2,
      batchSize: 2,
      hiddenUnits: 2,
      hiddenLayers: 3,
      decay: 3,
      decayRate: 3,
      weightDecay: 3,
      beta2: 'fixed',
      rmspropAlpha: 'fixed',
      epsilon: 'fixed',
      optimizer: 'fixed',
      activation: 'fixed',
      architecture: 'fixed',
      convBlocks: 'fixed',
      convFilters: 'fixed',
      kernelSize: 'fixed',
      poolMode: 'fixed',
      dropout: 'fixed',
      batchNorm: 'fixed',
    });
    expect(byName.learningRate.distribution).toEqual({ kind: 'float', scale: 'log', low: 1e-4, high: 1 });
    expect(byName.beta1.distribution).toEqual({ kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 });
    expect(byName.batchSize.distribution).toEqual({ kind: 'power-of-two', low: 16, high: 512 });
    // PyTorch's defaults: SGD(momentum=0.9) is the common choice, Adam's betas=(0.9, 0.999), RMSprop's alpha=0.99, eps=1e-8.
    expect([
      byName.beta1.default,
      byName.beta2.default,
      byName.rmspropAlpha.default,
      byName.epsilon.default,
      byName.optimizer.default,
    ]).toEqual([0.9, 0.999, 0.99, 1e-8, 'adam']);
    for (const name of ['beta2', 'rmspropAlpha', 'epsilon', 'optimizer', 'activation', 'weightDecay'])
      expect(byName[name].enabled).toBe(false);
    // Every default but weightDecay's "off" lies inside its search range.
    for (const p of space) expect(contains(p.distribution, p.default), p.name).toBe(p.name !== 'weightDecay');
  });

  it('hands out fresh copies', () => {
    const a = standardHyperparameter('learningRate');
    a.enabled = false;
    expect(standardHyperparameter('learningRate').enabled).toBe(true);
    expect(standardSpace()[0].enabled).toBe(true);
  });
});
