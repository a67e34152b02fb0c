import { describe, expect, it } from 'vitest';
import { defaultStudy, parseStudy, spaceRow } from '../../src/study/spec.ts';

describe('StudySpec schema', () => {
  it('accepts the default study and returns an equal copy (JSON round trip)', () => {
    const spec = defaultStudy();
    const parsed = parseStudy(JSON.parse(JSON.stringify(spec)));
    expect(parsed).toEqual({ ok: true, spec });
  });

  it('the default study searches learning rate (log) and β1 (one-minus-log) with 16 random trials', () => {
    const spec = defaultStudy();
    expect(spec.space.filter((r) => r.enabled).map((r) => [r.name, r.distribution.scale])).toEqual([
      ['learningRate', 'log'],
      ['beta1', 'one_minus_log'],
    ]);
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

  it('rejects a duplicated hyperparameter row', () => {
    const spec = defaultStudy();
    const parsed = parseStudy({ ...spec, space: [spec.space[0], ...spec.space.slice(1, -1), spec.space[0]] });
    expect(parsed).toEqual({
      ok: false,
      issues: ['space.9.name: hyperparameter "learningRate" appears twice', 'space: hyperparameter "decayRate" is missing'],
    });
  });
});
