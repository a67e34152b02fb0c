import { describe, expect, it } from 'vitest';
import { defaultStudy, paramDefault, parseStudy, spaceRow } from '../../src/study/spec.ts';

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
    expect(spec.scheduler).toMatchObject({ kind: 'random', budget: { kind: 'trials', trials: 16 } });
    expect(spaceRow(spec, 'hiddenUnits').default).toBe(16);
  });

  it('names the path and the rule of each problem', () => {
    const spec = defaultStudy();
    const bad = { ...spec, parallelism: 0, space: spec.space.slice(1), extra: 1 };
    const parsed = parseStudy(bad);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.some((i) => i.startsWith('parallelism:'))).toBe(true);
    expect(parsed.issues.some((i) => i.includes('"learningRate" is missing'))).toBe(true);
    expect(parsed.issues.some((i) => i.includes('extra'))).toBe(true);
  });

  it('rejects bad bounds with the search library\'s rule, foreign choices and oversized models', () => {
    const spec = defaultStudy();
    const space = spec.space.map((row) => {
      if (row.name === 'learningRate') return { ...row, distribution: { kind: 'float' as const, scale: 'log' as const, low: 0, high: 1 } };
      if (row.name === 'optimizer') return { ...row, default: 'lbfgs' };
      if (row.name === 'hiddenUnits') return { ...row, default: 100_000 };
      return row;
    });
    expect(parseStudy({ ...spec, space })).toEqual({
      ok: false,
      issues: [
        'space.0: learningRate: log scale needs low > 0, got low=0',
        'space.3: hiddenUnits may be at most 1024, got 100000',
        'space.10: optimizer must be one of sgd, momentum, rmsprop, adam, got "lbfgs"',
      ],
    });
  });

  it('rejects a duplicated hyperparameter row', () => {
    const spec = defaultStudy();
    const parsed = parseStudy({ ...spec, space: [spec.space[0], ...spec.space.slice(1, -1), spec.space[0]] });
    expect(parsed).toEqual({
      ok: false,
      issues: ['space.11.name: hyperparameter "learningRate" appears twice', 'space: hyperparameter "activation" is missing'],
    });
  });
});
