import { describe, expect, it } from 'vitest';
import { groupIntoPopulations } from '../../src/study/population.ts';
import { VALUE_RULES } from '../../src/study/spaceRules.ts';
import {
  defaultStudy,
  type HyperparameterName,
  paramDefault,
  parseStudy,
  type SpaceRow,
  type StudySpec,
  spaceRow,
} from '../../src/study/spec.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { validateJob } from '../../src/train/validate.ts';

describe('StudySpec schema', () => {
  it('accepts the default study and returns an equal copy (JSON round trip)', () => {
    const spec = defaultStudy();
    const parsed = parseStudy(JSON.parse(JSON.stringify(spec)));
    expect(parsed).toEqual({ ok: true, spec });
  });

  it('the default study searches learning rate (log) and β1 (one-minus-log) with 16 random trials', () => {
    const spec = defaultStudy();
    expect(spec.space.filter((r) => r.enabled).map((r) => [r.name, r.distribution])).toEqual([
      ['learningRate', { kind: 'float', scale: 'log', low: 1e-4, high: 1 }],
      ['beta1', { kind: 'float', scale: 'one-minus-log', low: 0.9, high: 0.999 }],
    ]);
    expect(paramDefault(spec, 'hiddenLayers')).toBe(2);
    expect(paramDefault(spec, 'activation')).toBe('relu');
    expect(paramDefault(spec, 'optimizer')).toBe('adam');
    expect(spec.scheduler).toMatchObject({ kind: 'auto', budget: { kind: 'trials', trials: 16 } });
    expect(spaceRow(spec, 'hiddenUnits').default).toBe(16);
  });

  it("tells each problem in the editor's words: the field, the value and the fix, no internal paths", () => {
    const spec = defaultStudy();
    const bad = {
      ...spec,
      parallelism: 0,
      scheduler: { ...spec.scheduler, budget: { kind: 'trials', trials: 3000 } },
      space: spec.space.slice(1),
      extra: 1,
    };
    const parsed = parseStudy(bad);
    expect(parsed).toEqual({
      ok: false,
      issues: [
        'Trials: must be at most 2000, got 3000 — lower it.',
        'Trials at once: must be at least 1, got 0 — raise it.',
        'The study has a field this lab does not know ("extra") — remove it.',
        'The search space has no row for learning rate α — every hyperparameter needs one (was the link cut short?).',
      ],
    });
  });

  it('words type problems too: a missing number, a fraction where a whole number belongs, an unknown kind', () => {
    const spec = defaultStudy();
    const parsed = parseStudy({
      ...spec,
      seed: 1.5,
      training: { steps: null, reportEvery: 10 },
      pruning: { kind: 'hyperband' },
      data: { ...spec.data, name: 'mnist' },
      space: spec.space.map((r) =>
        r.name === 'learningRate' ? { ...r, distribution: { ...r.distribution, low: 'small' } } : r,
      ),
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual([
      'Study seed: must be a whole number, got 1.5 — round it.',
      'Data set: must be one of "circle", "xor", "gauss", "spiral", "moons", "plane", "gaussian", got "mnist".',
      'Learning rate α, low end: needs a number, got "small" — enter one.',
      'Pruning: must be one of "none", "median", "asha", got "hyperband".',
      'Steps per trial: needs a number, got nothing — enter one.',
    ]);
  });

  it('rejects bad bounds, foreign choices and oversized models, naming the hyperparameter as the table labels it', () => {
    const spec = defaultStudy();
    const space = spec.space.map((row) => {
      if (row.name === 'learningRate')
        return { ...row, distribution: { kind: 'float' as const, scale: 'log' as const, low: 0, high: 1 } };
      if (row.name === 'optimizer') return { ...row, default: 'lbfgs' };
      if (row.name === 'hiddenUnits') return { ...row, default: 100_000 };
      if (row.name === 'beta2')
        return { ...row, distribution: { kind: 'float' as const, scale: 'linear' as const, low: 0.9, high: 0.5 } };
      return row;
    });
    expect(parseStudy({ ...spec, space })).toEqual({
      ok: false,
      issues: [
        'Learning rate α: the log range must stay within 1e-8…10 (a step size must be above 0), got 0…1 — raise the low end.',
        'Hidden units: the default must lie within 1…1024, got 100000 — change it.',
        'Adam β2: the low end must be below the high end, got 0.9…0.5 — swap them.',
        'Optimizer: the default must be one of sgd, momentum, rmsprop, adam, got "lbfgs" — pick one of those.',
      ],
    });
  });

  it('rejects a duplicated hyperparameter row', () => {
    const spec = defaultStudy();
    const parsed = parseStudy({ ...spec, space: [spec.space[0], ...spec.space.slice(1, -1), spec.space[0]] });
    expect(parsed).toEqual({
      ok: false,
      issues: [
        'The search space lists learning rate α twice — remove one of the rows.',
        'The search space has no row for batch norm — every hyperparameter needs one (was the link cut short?).',
      ],
    });
  });
});

/** The default study with one row changed. */
function withRow(name: HyperparameterName, patch: Partial<SpaceRow>): StudySpec {
  const spec = defaultStudy();
  return { ...spec, space: spec.space.map((r) => (r.name === name ? ({ ...r, ...patch } as SpaceRow) : r)) };
}

function issuesOf(value: unknown): string[] {
  const parsed = parseStudy(value);
  if (parsed.ok) throw new Error('expected the study to be refused');
  return parsed.issues;
}

describe('every value a study can produce is checked', () => {
  it('hostile classes are refused with a message naming the field, the value and the fix', () => {
    const cases: Array<[string, StudySpec, string]> = [
      [
        'a log range down to 1e-40',
        withRow('learningRate', { distribution: { kind: 'float', scale: 'log', low: 1e-40, high: 1 } }),
        'Learning rate α: the log range must stay within 1e-8…10 (a step size must be above 0), got 1e-40…1 — raise the low end.',
      ],
      [
        'a log range 1e-300…1e9',
        withRow('learningRate', { distribution: { kind: 'float', scale: 'log', low: 1e-300, high: 1e9 } }),
        'Learning rate α: the log range must stay within 1e-8…10 (a step size must be above 0), got 1e-300…1e9 — narrow it.',
      ],
      [
        'a categorical 20,000 hidden layers',
        withRow('hiddenLayers', { enabled: true, distribution: { kind: 'categorical', choices: [2, 20_000] } }),
        'Hidden layers: every choice must lie within 0…8, got 20000 — change or remove it.',
      ],
      [
        '20,000 layers typed as text in the table',
        withRow('hiddenLayers', { enabled: true, distribution: { kind: 'categorical', choices: ['2', '20000'] } }),
        'Hidden layers: every choice must lie within 0…8, got 20000 — change or remove it.',
      ],
      [
        'a huge categorical unit count',
        withRow('hiddenUnits', { enabled: true, distribution: { kind: 'categorical', choices: [16, 1e7] } }),
        'Hidden units: every choice must lie within 1…1024, got 10000000 — change or remove it.',
      ],
      [
        'a negative learning rate',
        withRow('learningRate', { distribution: { kind: 'float', scale: 'linear', low: -0.1, high: 0.5 } }),
        'Learning rate α: the range must stay within 1e-8…10 (a step size must be above 0), got -0.1…0.5 — raise the low end.',
      ],
      [
        'a negative learning rate held fixed',
        withRow('learningRate', { enabled: false, default: -0.01 }),
        'Learning rate α: the default must lie within 1e-8…10 (a step size must be above 0), got -0.01 — change it.',
      ],
      [
        'β1 = 5',
        withRow('beta1', { enabled: false, default: 5 }),
        'Momentum / Adam β1: the default must lie within 0…0.9999999 (β must stay below 1), got 5 — change it.',
      ],
      [
        'β1 = 5 as a choice',
        withRow('beta1', { distribution: { kind: 'categorical', choices: [0.9, 5] } }),
        'Momentum / Adam β1: every choice must lie within 0…0.9999999 (β must stay below 1), got 5 — change or remove it.',
      ],
      [
        'ε = 0',
        withRow('epsilon', { default: 0 }),
        'Adam ε: the default must lie within 1e-12…1 (ε must be above 0), got 0 — change it.',
      ],
      [
        'a weight decay below 0',
        withRow('weightDecay', { default: -1 }),
        'Weight decay: the default must lie within 0…1 (0 turns it off), got -1 — change it.',
      ],
      [
        'a decay rate above 1',
        withRow('decayRate', { default: 1.5 }),
        'Decay rate: the default must lie within 0.000001…1 (the share of the rate kept per epoch), got 1.5 — change it.',
      ],
      [
        'a log range over 12 decades',
        withRow('epsilon', { enabled: true, distribution: { kind: 'float', scale: 'log', low: 1e-12, high: 1 } }),
        'Adam ε: the log range may span at most 8 decades, got 1e-12…1 (12) — narrow it.',
      ],
      [
        'β sampled up to 1 - 1e-9 (1 in float32)',
        withRow('beta2', {
          enabled: true,
          distribution: { kind: 'float', scale: 'one-minus-log', low: 0.9, high: 1 - 1e-9 },
        }),
        'Adam β2: the one-minus-log range must stay within 0…0.9999999 (β must stay below 1), got 0.9…0.999999999 — lower the high end.',
      ],
      [
        'decimal hidden units',
        withRow('hiddenUnits', { enabled: true, distribution: { kind: 'float', scale: 'linear', low: 4, high: 64 } }),
        'Hidden units: takes whole numbers, but the range is of decimals — choose the int, int-log or power-of-two scale.',
      ],
      [
        'an optimizer range',
        withRow('optimizer', { distribution: { kind: 'float', scale: 'linear', low: 0, high: 1 } }),
        'Optimizer: is one of sgd, momentum, rmsprop, adam, so it needs a categorical row — list choices from those.',
      ],
    ];
    for (const [what, spec, message] of cases) expect(issuesOf(spec), what).toEqual([message]);
  });

  it('accepts the edge values themselves', () => {
    for (const spec of [
      withRow('learningRate', { distribution: { kind: 'float', scale: 'log', low: 1e-8, high: 1 } }),
      withRow('beta1', { distribution: { kind: 'float', scale: 'one-minus-log', low: 0, high: 0.9999999 } }),
      withRow('hiddenLayers', { enabled: true, distribution: { kind: 'categorical', choices: ['0', 8] }, default: 8 }),
      withRow('weightDecay', { enabled: true, distribution: { kind: 'float', scale: 'log', low: 1e-8, high: 1 } }),
    ]) {
      expect(parseStudy(spec).ok).toBe(true);
    }
  });

  it('the engine accepts every edge of every rule: the schema lets through nothing the engine refuses', () => {
    const data = makeDataset('xor', { count: 16, noise: 0, validationFraction: 0.25, seed: 1 });
    const base = Object.fromEntries(defaultStudy().space.map((r) => [r.name, r.default]));
    for (const [name, rule] of Object.entries(VALUE_RULES)) {
      for (const value of [rule.min, rule.max]) {
        const params = { ...base, [name]: value };
        const { populations, invalid } = groupIntoPopulations([{ id: 0, params }], 1, data);
        expect(invalid, `${name} = ${value}`).toEqual([]);
        const [{ shape, models }] = populations;
        expect(
          () => validateJob({ shape, models, data, steps: 1, reportEvery: 1 }),
          `${name} = ${value}`,
        ).not.toThrow();
      }
    }
  });
});
