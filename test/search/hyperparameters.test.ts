// The table of hyperparameters is consistent with itself: what a study may ask (limits) the
// engine accepts (domain), defaults are values it may take, and every condition names a
// choice row and some of its choices.
import { describe, expect, it } from 'vitest';
import {
  activeParams,
  conditionText,
  HYPERPARAMETERS,
  type HyperparameterRow,
  hyperparameterRow,
  inEffect,
  LAYER_ROWS,
  MODEL_ROWS,
  SHAPE_ROWS,
} from '../../src/search/hyperparameters.ts';
import { validateDistribution } from '../../src/search/space.ts';

const rows: readonly HyperparameterRow[] = HYPERPARAMETERS;

describe('table of hyperparameters', () => {
  it("has one row per name, each landing in ModelHyper, PopulationShape or the population's layer list", () => {
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    expect([...MODEL_ROWS, ...SHAPE_ROWS, ...LAYER_ROWS].map((r) => r.name).sort()).toEqual(
      rows.map((r) => r.name).sort(),
    );
  });

  it('gives every numeric row limits inside the domain the engine accepts, and its default within them', () => {
    for (const row of rows) {
      validateDistribution(row.distribution);
      if (row.value.kind === 'choice') {
        expect(row.value.choices, row.name).toContain(row.default);
        expect(row.distribution, row.name).toEqual({ kind: 'categorical', choices: row.value.choices });
        continue;
      }
      const { limits, domain } = row;
      if (!limits || !domain) throw new Error(`${row.name} has no limits or domain`);
      const accepts = (v: number) =>
        (domain.openMin ? v > domain.min : v >= domain.min) && (domain.openMax ? v < domain.max : v <= domain.max);
      expect([accepts(limits.min), accepts(limits.max)], row.name).toEqual([true, true]);
      expect(row.default as number, row.name).toBeGreaterThanOrEqual(limits.min);
      expect(row.default as number, row.name).toBeLessThanOrEqual(limits.max);
      if (row.distribution.kind !== 'categorical') {
        expect(row.distribution.low, row.name).toBeGreaterThanOrEqual(limits.min);
        expect(row.distribution.high, row.name).toBeLessThanOrEqual(limits.max);
      }
    }
  });

  it('conditions name a choice row and some of its choices', () => {
    const conditional = rows.filter((r) => r.condition);
    expect(conditional.map((r) => r.name)).toEqual([
      'beta1',
      'decayRate',
      'beta2',
      'rmspropAlpha',
      'epsilon',
      'convBlocks',
      'convFilters',
      'kernelSize',
      'poolMode',
      'dropout',
    ]);
    for (const row of conditional) {
      const on = hyperparameterRow(row.condition!.param)?.value;
      if (on?.kind !== 'choice') throw new Error(`${row.name}'s condition is on ${row.condition!.param}, not a choice`);
      for (const value of row.condition!.values) expect(on.choices, row.name).toContain(value);
    }
  });

  it('says when a hyperparameter is in effect, and in the editor words', () => {
    expect(inEffect('beta2', { optimizer: 'adam' })).toBe(true);
    expect(inEffect('beta2', { optimizer: 'rmsprop' })).toBe(false);
    expect(inEffect('decayRate', { decay: 'cosine' })).toBe(false);
    expect(inEffect('decayRate', { decay: 'step' })).toBe(true);
    expect(inEffect('learningRate', {})).toBe(true);
    // A space that does not set the optimizer (bench:search's spiral): β1 is in effect.
    expect(inEffect('beta1', { learningRate: 0.01 })).toBe(true);
    expect(activeParams({ learningRate: 0.01, beta1: 0.9 })).toEqual({ learningRate: 0.01, beta1: 0.9 });
    expect(conditionText('beta1')).toBe('only with optimizer momentum or adam');
    expect(conditionText('decayRate')).toBe('only with learning-rate decay inverse_time, exponential or step');
    expect(conditionText('learningRate')).toBe('');
    expect(inEffect('convFilters', { architecture: 'cnn' })).toBe(true);
    expect(inEffect('convFilters', { architecture: 'mlp' })).toBe(false);
    expect(conditionText('kernelSize')).toBe('only with architecture cnn');
  });
});
