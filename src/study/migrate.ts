// Studies written by earlier versions of the lab (old share links), brought up to
// STUDY_VERSION before the schema check. A step maps the raw JSON of one version to the next
// and says in a notice what a user must know: where the same numbers now mean other math,
// the study opens as it was and the notice says how its results will differ. Input is
// untrusted, so a step only rewrites what has the shape it expects and leaves the rest for
// the schema to judge; it copies, never mutates, and adds no keys but its own.
import { standardHyperparameter } from '../search/catalog.ts';
import { LAYER_ROWS } from '../search/hyperparameters.ts';
import { STUDY_VERSION } from './spec.ts';

type Json = Record<string, unknown>;

export interface MigratedStudy {
  /** The study at STUDY_VERSION, or the input unchanged when no step applies. */
  value: unknown;
  /** What the user must know about the migration, when anything. */
  notice?: string;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The space's rows named `name` (a malformed space has none; the schema reports it). */
function rowsNamed(space: unknown[], name: string): Json[] {
  return space.filter(
    (row): row is Json => isRecord(row) && Object.getOwnPropertyDescriptor(row, 'name')?.value === name,
  );
}

/** Whether the optimizer row runs `kind`: as its value while off, or as a choice while searched. */
function runsOptimizer(space: unknown[], kind: string): boolean {
  return rowsNamed(space, 'optimizer').some((row) => {
    if (row.default === kind) return true;
    const distribution = row.distribution;
    return (
      row.enabled === true &&
      isRecord(distribution) &&
      Array.isArray(distribution.choices) &&
      distribution.choices.includes(kind)
    );
  });
}

/**
 * Version 1 → 2, the lab's adoption of PyTorch's conventions:
 *  - v1's gelu was the tanh approximation, now called gelu_tanh (same math; gelu is now exact);
 *  - RMSprop's α was read from Adam's β2 row; v2 gives it its own row, rmspropAlpha, which
 *    keeps the value v1 ran (β2's default) so RMSprop trials train as before;
 *  - momentum was the averaged form v = βv + (1-β)g, now v = βv + g: the same learning rate
 *    moves 1/(1-β) times as far, so the study's learning rates no longer mean what they did.
 */
function v1ToV2(study: Json): { study: Json; notices: string[] } {
  const notices: string[] = [];
  if (!Array.isArray(study.space)) return { study: { ...study, version: 2 }, notices };
  const space: unknown[] = study.space;
  const renameGelu = (value: unknown) => (value === 'gelu' ? 'gelu_tanh' : value);
  const migrated = space.map((row) => {
    if (!isRecord(row) || row.name !== 'activation') return row;
    const distribution = row.distribution;
    const choices =
      isRecord(distribution) && Array.isArray(distribution.choices)
        ? { ...distribution, choices: distribution.choices.map(renameGelu) }
        : distribution;
    return { ...row, default: renameGelu(row.default), distribution: choices };
  });

  const beta2 = rowsNamed(space, 'beta2')[0];
  const usesRmsprop = runsOptimizer(space, 'rmsprop');
  if (rowsNamed(space, 'rmspropAlpha').length === 0) {
    const alpha = standardHyperparameter('rmspropAlpha');
    const keep =
      usesRmsprop && beta2 && typeof beta2.default === 'number'
        ? { default: beta2.default, distribution: beta2.distribution }
        : {};
    migrated.splice(beta2 ? migrated.indexOf(beta2) + 1 : migrated.length, 0, { ...alpha, ...keep, enabled: false });
    if (usesRmsprop && beta2) {
      notices.push(
        `RMSprop's decay α was read from Adam's β2 row; it now has its own row (RMSprop α, PyTorch's alpha), set to ${String(beta2.default)}, β2's value while unsearched` +
          (beta2.enabled === true
            ? '. This study searched β2, which now applies to Adam alone, so its RMSprop results will differ.'
            : ', so its RMSprop trials train as before.'),
      );
    }
  }
  if (runsOptimizer(space, 'momentum')) {
    notices.push(
      "Its momentum learning rates were found under the old convention v = βv + (1-β)g; momentum is now PyTorch's v = βv + g, " +
        'which moves 1/(1-β) times as far at the same rate, so lr_new = lr_old·(1-β) (0.1 at β = 0.9 is now 0.01). The study opens with its values unchanged, so its results will differ.',
    );
  }
  return { study: { ...study, version: 2, space: migrated }, notices };
}

/**
 * Version 2 → 3 (the CNN rows: architecture, conv blocks and filters, kernel size, pooling,
 * dropout) and 3 → 4 (batch norm): the layer rows a study lacks, appended off, at their
 * defaults (the mlp architecture, no batch norm), so the study trains as before; draws are
 * keyed by name, so its trials are the same, bit for bit. No notice: nothing the user chose
 * means anything else.
 */
function appendLayerRows(version: number): (study: Json) => { study: Json; notices: string[] } {
  return (study) => {
    if (!Array.isArray(study.space)) return { study: { ...study, version }, notices: [] };
    const space: unknown[] = study.space;
    const added = LAYER_ROWS.filter((row) => rowsNamed(space, row.name).length === 0).map((row) => ({
      ...standardHyperparameter(row.name),
      enabled: false,
    }));
    return { study: { ...study, version, space: [...space, ...added] }, notices: [] };
  };
}

/** Steps by the version they read. */
const STEPS: Readonly<Record<number, (study: Json) => { study: Json; notices: string[] }>> = {
  1: v1ToV2,
  2: appendLayerRows(3),
  3: appendLayerRows(4),
};

/**
 * The first version whose trials trained under this lab's conventions: a saved study or an
 * export of this version or later is migrated and its results kept; earlier ones ran other math.
 */
export const CONVENTIONS_VERSION = 2;

/**
 * A study saved by this lab (the library's entry, an export's spec) at STUDY_VERSION: one of
 * CONVENTIONS_VERSION or later gains the rows added since, which change none of its trials.
 */
export function upgradeSavedStudy<T>(spec: T): T {
  if (!isRecord(spec) || typeof spec.version !== 'number' || spec.version < CONVENTIONS_VERSION) return spec;
  return migrateStudy(spec).value as T;
}

/** Applies every step from the study's version up to STUDY_VERSION; other input comes back unchanged. */
export function migrateStudy(value: unknown): MigratedStudy {
  if (!isRecord(value)) return { value };
  let study = value;
  const notices: string[] = [];
  for (
    let version = study.version;
    typeof version === 'number' && version < STUDY_VERSION && Object.hasOwn(STEPS, version);
    version = study.version
  ) {
    const step = STEPS[version](study);
    study = step.study;
    notices.push(...step.notices);
  }
  if (study === value) return { value };
  const from = String(value.version);
  return notices.length
    ? {
        value: study,
        notice: `This link was made by an earlier version of the lab (study version ${from}), which followed other conventions. ${notices.join(' ')}`,
      }
    : { value: study };
}
