import fc from 'fast-check';
import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LAYER_ROWS } from '../../src/search/hyperparameters.ts';
import { decodeStudyHash } from '../../src/study/link.ts';
import { migrateStudy, upgradeSavedStudy } from '../../src/study/migrate.ts';
import { defaultStudy, type SpaceRow, STUDY_VERSION, type StudySpec } from '../../src/study/spec.ts';
import { V1_MOMENTUM_GELU, V1_PLAIN, V1_RMSPROP } from './v1-links.ts';

const linkOf = (value: unknown) => {
  const bytes = zlibSync(new TextEncoder().encode(JSON.stringify(value)));
  return `#study=v1.${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
};

function opened(hash: string): { spec: StudySpec; notice?: string } {
  const decoded = decodeStudyHash(hash);
  if (!decoded.ok || decoded.spec === null) throw new Error(`expected a study, got ${JSON.stringify(decoded)}`);
  return decoded.notice === undefined ? { spec: decoded.spec } : { spec: decoded.spec, notice: decoded.notice };
}

const row = (spec: StudySpec, name: string): SpaceRow => {
  const found = spec.space.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name} row`);
  return found;
};

/** The study a link carries, as JSON (no migration). */
const jsonOf = (hash: string) =>
  JSON.parse(
    new TextDecoder().decode(
      unzlibSync(
        Uint8Array.from(atob(hash.slice('#study=v1.'.length).replace(/-/g, '+').replace(/_/g, '/')), (c) =>
          c.charCodeAt(0),
        ),
      ),
    ),
  );

/** The default study as version 1 wrote it (no rmspropAlpha row; its gelu is the tanh form). */
function v1Default(): Record<string, unknown> & { space: SpaceRow[] } {
  const study = jsonOf(V1_PLAIN);
  expect(study.version).toBe(1);
  return study;
}

const withRow = (study: ReturnType<typeof v1Default>, name: string, change: Partial<SpaceRow>) => ({
  ...study,
  space: study.space.map((r) => (r.name === name ? { ...r, ...change } : r)),
});

describe('study migration v1 → v2 (PyTorch conventions)', () => {
  it('is needed: this lab writes version 4 (3 added the CNN rows, 4 batch norm)', () => expect(STUDY_VERSION).toBe(4));

  it("a v1 link of the default study opens as today's default study but for its unsearched activation choices (its gelu, the tanh form), without a notice", () => {
    const expected = defaultStudy();
    expected.scheduler = { ...expected.scheduler, kind: 'random' }; // a link keeps its scheduler; 'auto' came later
    expected.space = expected.space.map((r) =>
      r.name === 'activation'
        ? {
            ...r,
            distribution: {
              kind: 'categorical',
              choices: ['relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu_tanh', 'linear'],
            },
          }
        : r,
    );
    expect(decodeStudyHash(V1_PLAIN)).toEqual({ ok: true, spec: expected });
    expect(decodeStudyHash(V1_PLAIN)).not.toHaveProperty('notice');
  });

  it("v1's gelu (the tanh form) becomes gelu_tanh, as value and as choice; momentum opens unchanged with the (1-β) notice", () => {
    const { spec, notice } = opened(V1_MOMENTUM_GELU);
    expect(row(spec, 'activation')).toMatchObject({
      default: 'gelu_tanh',
      enabled: true,
      distribution: { kind: 'categorical', choices: ['relu', 'gelu_tanh'] },
    });
    expect(row(spec, 'optimizer').default).toBe('momentum');
    expect(row(spec, 'learningRate')).toEqual(row(defaultStudy(), 'learningRate'));
    expect(notice).toContain('lr_new = lr_old·(1-β)');
    expect(notice).toContain('results will differ');
    expect(notice).not.toContain('RMSprop');
    console.log(`[migrate] momentum notice: ${notice}`);
  });

  it("a v1 study running RMSprop keeps the α it ran (β2's 0.999) in the new rmspropAlpha row and says so", () => {
    const { spec, notice } = opened(V1_RMSPROP);
    expect(row(spec, 'optimizer').distribution).toEqual({ kind: 'categorical', choices: ['adam', 'rmsprop'] });
    const alpha = row(spec, 'rmspropAlpha');
    expect(alpha).toMatchObject({
      default: 0.999,
      enabled: false,
      tier: 'fixed',
      distribution: row(spec, 'beta2').distribution,
    });
    expect(spec.space.map((r) => r.name).indexOf('rmspropAlpha')).toBe(
      spec.space.map((r) => r.name).indexOf('beta2') + 1,
    );
    expect(row(spec, 'beta2')).toEqual(row(defaultStudy(), 'beta2'));
    expect(notice).toContain('train as before');
    expect(notice).not.toContain('lr_new');
  });

  it('a v1 study that searched β2 for RMSprop is told its RMSprop results will differ; the default optimizer counts too', () => {
    const searched = withRow(withRow(v1Default(), 'optimizer', { default: 'rmsprop' }), 'beta2', {
      enabled: true,
      default: 0.995,
    });
    const { spec, notice } = opened(linkOf(searched));
    expect(row(spec, 'rmspropAlpha').default).toBe(0.995);
    expect(row(spec, 'beta2').enabled).toBe(true);
    expect(notice).toContain('its RMSprop results will differ');
  });

  it("a study that does not run RMSprop gets the catalog's row (PyTorch's 0.99); choices of a row that is off do not count", () => {
    const offChoices = withRow(v1Default(), 'optimizer', {
      enabled: false,
      distribution: { kind: 'categorical', choices: ['rmsprop', 'momentum'] },
    });
    const decoded = decodeStudyHash(linkOf(offChoices));
    expect(decoded).toMatchObject({ ok: true });
    expect(decoded).not.toHaveProperty('notice');
    if (decoded.ok && decoded.spec)
      expect(row(decoded.spec, 'rmspropAlpha')).toEqual(row(defaultStudy(), 'rmspropAlpha'));
  });

  it('copies rather than mutates, leaves other versions and non-studies alone, and never throws on any JSON', () => {
    const input = withRow(v1Default(), 'activation', { default: 'gelu' });
    const before = structuredClone(input);
    const { value } = migrateStudy(input);
    expect(input).toEqual(before);
    expect(value).toMatchObject({ version: STUDY_VERSION });
    const current = defaultStudy();
    expect(migrateStudy(current)).toEqual({ value: current });
    for (const other of [null, 3, 'x', [1], { version: 99 }, { version: 1.5 }])
      expect(migrateStudy(other)).toEqual({ value: other });
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (space, extra) => {
        const result = migrateStudy({ version: 1, space, extra });
        expect(result.value).toMatchObject({ version: STUDY_VERSION });
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('a malformed v1 study is still refused by the schema, naming the problem', () => {
    const decoded = decodeStudyHash(linkOf({ ...v1Default(), space: 'nonsense' }));
    expect(decoded).toMatchObject({ ok: false, error: { kind: 'schema' } });
  });
});

describe('study migration v2 → v3 (the CNN rows)', () => {
  /** A study as version 2 wrote it: no CNN rows. */
  function v2Of(spec: StudySpec): Record<string, unknown> {
    return {
      ...spec,
      version: 2,
      space: spec.space.filter((r) => !LAYER_ROWS.some((l) => l.name === r.name)),
    };
  }

  it("a v2 link of the default study opens as today's default study, the rows added off at their defaults, without a notice", () => {
    expect(decodeStudyHash(linkOf(v2Of(defaultStudy())))).toEqual({ ok: true, spec: defaultStudy() });
  });

  it('keeps every row the v2 study had, searched or not, and adds the MLP architecture so its trials train as before', () => {
    const spec = defaultStudy();
    spec.seed = 99;
    spec.space = spec.space.map((r) =>
      r.name === 'hiddenUnits' ? { ...r, enabled: true } : r.name === 'optimizer' ? { ...r, default: 'sgd' } : r,
    );
    const opened = decodeStudyHash(linkOf(v2Of(spec)));
    expect(opened).toEqual({ ok: true, spec });
    if (opened.ok && opened.spec)
      expect(row(opened.spec, 'architecture')).toMatchObject({ default: 'mlp', enabled: false });
  });

  it('a saved v2 study (library, export) is upgraded; a v1 one is left to the caller, which refuses its results', () => {
    expect(upgradeSavedStudy(v2Of(defaultStudy()))).toEqual(defaultStudy());
    const v1 = v1Default();
    expect(upgradeSavedStudy(v1)).toBe(v1);
  });
});

describe('study migration v3 → v4 (batch norm)', () => {
  /** A study as version 3 wrote it: no batch norm row. */
  const v3Of = (spec: StudySpec): Record<string, unknown> => ({
    ...spec,
    version: 3,
    space: spec.space.filter((r) => r.name !== 'batchNorm'),
  });

  it("a v3 link opens as today's study, batch norm added off (so its trials train as before), without a notice", () => {
    const spec = defaultStudy();
    spec.space = spec.space.map((r) => (r.name === 'hiddenUnits' ? { ...r, enabled: true } : r));
    const opened = decodeStudyHash(linkOf(v3Of(spec)));
    expect(opened).toEqual({ ok: true, spec });
    if (opened.ok && opened.spec)
      expect(row(opened.spec, 'batchNorm')).toMatchObject({ default: 'off', enabled: false });
    expect(upgradeSavedStudy(v3Of(defaultStudy()))).toEqual(defaultStudy());
  });
});
