// The study a user describes: what the form edits, what the link carries, what the runner
// runs. One zod schema is both the type and the validator of untrusted input (a link), so
// every bound here is also a guard against a hostile link (no 1e9 trials, no 10 MB names).
import { z } from 'zod';
import { ACTIVATIONS, DECAYS, OPTIMIZERS } from '../train/types.ts';
import type { Activation, DecayKind, OptimizerKind } from '../train/types.ts';

export const STUDY_VERSION = 1;

const u32 = z.number().int().min(0).max(0xffffffff);
const fraction = z.number().min(0.05).max(0.9);
const shortText = z.string().max(200);

export const CLASSIFICATION_SETS = ['circle', 'xor', 'gauss', 'spiral', 'moons'] as const;
export const REGRESSION_SETS = ['plane', 'gaussian'] as const;
export const SYNTHETIC_SETS = [...CLASSIFICATION_SETS, ...REGRESSION_SETS] as const;
export type SyntheticSetName = (typeof SYNTHETIC_SETS)[number];

const syntheticData = z.strictObject({
  kind: z.literal('synthetic'),
  name: z.enum(SYNTHETIC_SETS),
  count: z.number().int().min(16).max(20_000),
  noise: z.number().min(0).max(1),
  validationFraction: fraction,
  seed: u32,
});

/** Handwritten digits from the mnist package, packed at build time (see src/train/data/digits.ts). */
const digitsData = z.strictObject({
  kind: z.literal('digits'),
  count: z.number().int().min(100).max(10_000),
  validationFraction: fraction,
  seed: u32,
});

/**
 * The user's own CSV. Its content cannot live in a link, so the spec names the file and
 * the columns; opening such a link asks the user for that file.
 */
const csvData = z.strictObject({
  kind: z.literal('csv'),
  fileName: shortText.min(1),
  target: shortText.min(1),
  features: z.array(shortText.min(1)).min(1).max(512),
  validationFraction: fraction,
  seed: u32,
});

export const dataSchema = z.discriminatedUnion('kind', [syntheticData, digitsData, csvData]);
export type DataSpec = z.infer<typeof dataSchema>;

/**
 * Scales of a searched hyperparameter (the search library's distributions):
 *  linear / log: floats; one_minus_log: floats in (0, 1) whose 1-x is drawn log-uniformly
 *  (momentum-like β); int / int_log: integers; pow2: powers of two; categorical: choices.
 */
export const NUMERIC_SCALES = ['linear', 'log', 'one_minus_log', 'int', 'int_log', 'pow2'] as const;
export type NumericScale = (typeof NUMERIC_SCALES)[number];

const boundedNumber = z.number().min(-1e9).max(1e9);
const numericDistribution = z.strictObject({ scale: z.enum(NUMERIC_SCALES), low: boundedNumber, high: boundedNumber });
const categoricalDistribution = z.strictObject({ scale: z.literal('categorical'), choices: z.array(shortText.min(1)).min(1).max(32) });
export const distributionSchema = z.discriminatedUnion('scale', [numericDistribution, categoricalDistribution]);
export type DistributionSpec = z.infer<typeof distributionSchema>;

/** The hyperparameters a study can search; every one has a default used while its row is off. */
export const HYPERPARAMETER_NAMES = [
  'learningRate',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
  'batchSize',
  'hiddenUnits',
  'hiddenLayers',
  'decay',
  'decayRate',
] as const;
export type HyperparameterName = (typeof HYPERPARAMETER_NAMES)[number];
export type ParamValue = number | string;
/** One trial's full set of values: searched ones sampled, the rest at their defaults. */
export type TrialParams = Record<HyperparameterName, ParamValue>;

export const spaceRowSchema = z.strictObject({
  name: z.enum(HYPERPARAMETER_NAMES),
  enabled: z.boolean(),
  distribution: distributionSchema,
  default: z.union([boundedNumber, shortText]),
});
export type SpaceRow = z.infer<typeof spaceRowSchema>;

export const SCHEDULER_KINDS = ['grid', 'random', 'quasi_random', 'coarse_to_fine', 'hierarchy'] as const;
export type SchedulerKind = (typeof SCHEDULER_KINDS)[number];

const budgetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('trials'), trials: z.number().int().min(1).max(2000) }),
  z.strictObject({ kind: z.literal('minutes'), minutes: z.number().min(0.1).max(24 * 60) }),
]);

export const PRUNER_KINDS = ['none', 'median', 'asha'] as const;
export type PrunerKind = (typeof PRUNER_KINDS)[number];

export const studySchema = z
  .strictObject({
    version: z.literal(STUDY_VERSION),
    seed: u32,
    data: dataSchema,
    /** Architecture and optimizer; hidden width and depth are rows of `space` (searchable). */
    model: z.strictObject({
      activation: z.enum(ACTIVATIONS as [Activation, ...Activation[]]),
      optimizer: z.enum(OPTIMIZERS as [OptimizerKind, ...OptimizerKind[]]),
      init: z.enum(['he', 'xavier']),
    }),
    space: z.array(spaceRowSchema).max(HYPERPARAMETER_NAMES.length),
    scheduler: z.strictObject({
      kind: z.enum(SCHEDULER_KINDS),
      budget: budgetSchema,
      /** Grid: points per searched hyperparameter. */
      gridPoints: z.number().int().min(2).max(32),
      /** Coarse-to-fine: rounds the budget is split into. */
      rounds: z.number().int().min(1).max(10),
    }),
    pruning: z.strictObject({ kind: z.enum(PRUNER_KINDS) }),
    /** Trials trained at once (the population size). */
    parallelism: z.number().int().min(1).max(256),
    training: z.strictObject({
      steps: z.number().int().min(1).max(100_000),
      /** Steps between loss read-backs (and pruning decisions). */
      reportEvery: z.number().int().min(1).max(10_000),
    }),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    for (const [i, row] of spec.space.entries()) {
      if (seen.has(row.name)) ctx.addIssue({ code: 'custom', path: ['space', i, 'name'], message: `hyperparameter "${row.name}" appears twice` });
      seen.add(row.name);
    }
    for (const name of HYPERPARAMETER_NAMES) {
      if (!seen.has(name)) ctx.addIssue({ code: 'custom', path: ['space'], message: `hyperparameter "${name}" is missing` });
    }
  });
export type StudySpec = z.infer<typeof studySchema>;

/** The task a data spec poses; a CSV's task is known only once its rows are read. */
export function dataTask(data: DataSpec): 'classification' | 'regression' | 'from-file' {
  if (data.kind === 'digits') return 'classification';
  if (data.kind === 'csv') return 'from-file';
  return (CLASSIFICATION_SETS as readonly string[]).includes(data.name) ? 'classification' : 'regression';
}

export function spaceRow(spec: StudySpec, name: HyperparameterName): SpaceRow {
  const row = spec.space.find((r) => r.name === name);
  if (!row) throw new Error(`study has no "${name}" row in its search space`);
  return row;
}

/** Rows as the defaults the lab starts from: the requirement document's defaults and scales. */
export function defaultSpace(): SpaceRow[] {
  const decays = DECAYS as readonly DecayKind[];
  return [
    { name: 'learningRate', enabled: true, distribution: { scale: 'log', low: 1e-4, high: 1 }, default: 0.01 },
    { name: 'beta1', enabled: true, distribution: { scale: 'one_minus_log', low: 0.8, high: 0.999 }, default: 0.9 },
    { name: 'beta2', enabled: false, distribution: { scale: 'one_minus_log', low: 0.9, high: 0.9999 }, default: 0.999 },
    { name: 'epsilon', enabled: false, distribution: { scale: 'log', low: 1e-10, high: 1e-4 }, default: 1e-8 },
    { name: 'weightDecay', enabled: false, distribution: { scale: 'log', low: 1e-6, high: 1e-1 }, default: 0 },
    { name: 'batchSize', enabled: false, distribution: { scale: 'pow2', low: 8, high: 256 }, default: 32 },
    { name: 'hiddenUnits', enabled: false, distribution: { scale: 'pow2', low: 4, high: 64 }, default: 16 },
    { name: 'hiddenLayers', enabled: false, distribution: { scale: 'int', low: 1, high: 4 }, default: 2 },
    { name: 'decay', enabled: false, distribution: { scale: 'categorical', choices: [...decays] }, default: 'none' },
    { name: 'decayRate', enabled: false, distribution: { scale: 'log', low: 0.01, high: 1 }, default: 0.1 },
  ];
}

/**
 * What a new user runs on first visit: 16 random trials over the learning rate (log) and
 * Adam's β1 (one-minus-log) of a 2×16 relu net on the spiral, 300 steps each, on the GPU;
 * curves appear within seconds.
 */
export function defaultStudy(): StudySpec {
  return {
    version: STUDY_VERSION,
    seed: 1,
    data: { kind: 'synthetic', name: 'spiral', count: 512, noise: 0.1, validationFraction: 0.25, seed: 1 },
    model: { activation: 'relu', optimizer: 'adam', init: 'he' },
    space: defaultSpace(),
    scheduler: { kind: 'random', budget: { kind: 'trials', trials: 16 }, gridPoints: 4, rounds: 3 },
    pruning: { kind: 'none' },
    parallelism: 16,
    training: { steps: 300, reportEvery: 10 },
  };
}

/** Validates untrusted input; the issues name the path and the rule broken. */
export function parseStudy(value: unknown): { ok: true; spec: StudySpec } | { ok: false; issues: string[] } {
  const result = studySchema.safeParse(value);
  if (result.success) return { ok: true, spec: result.data };
  return { ok: false, issues: result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`) };
}
