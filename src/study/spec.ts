// The study a user describes: what the form edits, what the link carries, what the runner
// runs. One zod schema is both the type and the validator of untrusted input (a link), so
// every bound here is also a guard against a hostile link (no 1e9 trials, no 10 MB names).

import { type StandardHyperparameter, standardSpace } from '../search/catalog.ts';
import { SAMPLER_KINDS, type SamplerKind } from '../search/sampler-kinds.ts';
import type { ParamValue } from '../search/space.ts';
import { DIGITS_SIDES } from '../train/data/digitsFormat.ts';
import { validationCount } from '../train/data/split.ts';
import { TABLE_NAMES, TABLES } from '../train/data/tables.ts';
import type { Dims } from '../train/layers.ts';
import { cnnProblems } from './cnn.ts';
import { checkStudyCost, type DataShape, studyCost } from './cost.ts';
import { spaceProblems } from './spaceRules.ts';
import { userIssue } from './wording.ts';
import { z } from './zod.ts';

/**
 * 2: PyTorch's conventions (momentum, RMSprop's own α, exact gelu); 3: the CNN rows
 * (architecture, conv blocks, filters, kernel size, pooling, dropout); 4: batch norm.
 * migrate.ts reads 1, 2 and 3.
 */
export const STUDY_VERSION = 4;

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

/** Handwritten digits from the mnist package, packed at build time (see src/train/data/digits.ts); 14×14 when `side` is absent (links made before 28×28). */
const digitsData = z.strictObject({
  kind: z.literal('digits'),
  side: z.union(DIGITS_SIDES.map((side) => z.literal(side))).optional(),
  count: z.number().int().min(100).max(10_000),
  validationFraction: fraction,
  seed: u32,
});

/** A classic table (iris, penguins, cars) packed at build time from its npm package (src/train/data/tables.ts). */
const tableData = z.strictObject({
  kind: z.literal('table'),
  name: z.enum(TABLE_NAMES),
  validationFraction: fraction,
  seed: u32,
});

/** What a CSV study may name, in numbers the importer states to the user. */
export const CSV_LIMITS = { features: 512, nameLength: 200, droppedRows: 1000 } as const;

/**
 * The user's own CSV. Its content cannot live in a link, so the spec names the file (and
 * pins it by its SHA-256), the columns, the task and the rows left out; opening such a
 * link asks the user for that file. Links made before task, dropRows and sha256 existed
 * lack them.
 */
const csvData = z.strictObject({
  kind: z.literal('csv'),
  fileName: shortText.min(1),
  target: shortText.min(1),
  features: z.array(shortText.min(1)).min(1).max(CSV_LIMITS.features),
  task: z.enum(['classification', 'regression']).optional(),
  /** CSV rows (the header is row 1) the user chose to leave out. */
  dropRows: z.array(z.number().int().min(2).max(1e9)).max(CSV_LIMITS.droppedRows).optional(),
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  validationFraction: fraction,
  seed: u32,
});

export const dataSchema = z.discriminatedUnion('kind', [syntheticData, digitsData, tableData, csvData]);
export type DataSpec = z.infer<typeof dataSchema>;

// The search space is the search library's SearchSpace (src/search/space.ts), row for row:
// a link carries exactly what the samplers read.
const boundedNumber = z.number().min(-1e9).max(1e9);
const distributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('float'),
    scale: z.enum(['linear', 'log', 'one-minus-log']),
    low: boundedNumber,
    high: boundedNumber,
  }),
  z.strictObject({ kind: z.literal('int'), scale: z.enum(['linear', 'log']), low: boundedNumber, high: boundedNumber }),
  z.strictObject({ kind: z.literal('power-of-two'), low: boundedNumber, high: boundedNumber }),
  z.strictObject({
    kind: z.literal('categorical'),
    choices: z
      .array(z.union([shortText.min(1), boundedNumber]))
      .min(1)
      .max(32),
  }),
]);

/** The hyperparameters a study can search (the catalog's); each has a default used while its row is off. */
export const HYPERPARAMETER_NAMES = standardSpace().map((p) => p.name) as [
  StandardHyperparameter,
  ...StandardHyperparameter[],
];
export type HyperparameterName = StandardHyperparameter;
/** One trial's full set of values: searched ones sampled, the rest at their defaults. */
export type TrialParams = Record<string, ParamValue>;

export const spaceRowSchema = z.strictObject({
  name: z.enum(HYPERPARAMETER_NAMES),
  distribution: distributionSchema,
  default: z.union([boundedNumber, shortText]),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal('fixed')]),
  enabled: z.boolean(),
});
export type SpaceRow = z.infer<typeof spaceRowSchema>;
export type DistributionSpec = SpaceRow['distribution'];

/** The table of samplers' kinds (search/sampler-kinds.ts), in the links' order. */
export const SCHEDULER_KINDS = Object.keys(SAMPLER_KINDS) as [SamplerKind, ...SamplerKind[]];
export type SchedulerKind = SamplerKind;

const budgetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('trials'), trials: z.number().int().min(1).max(2000) }),
  z.strictObject({
    kind: z.literal('minutes'),
    minutes: z
      .number()
      .min(0.1)
      .max(24 * 60),
  }),
]);

export const PRUNER_KINDS = ['none', 'median', 'asha'] as const;
export type PrunerKind = (typeof PRUNER_KINDS)[number];

export const studySchema = z
  .strictObject({
    version: z.literal(STUDY_VERSION),
    seed: u32,
    data: dataSchema,
    /**
     * Every hyperparameter, the model's too (hidden layers and units, activation, optimizer):
     * a row's default is the model's value while the row is off. The loss follows the task;
     * the init follows the activation (He for the relu family, Xavier otherwise).
     */
    space: z.array(spaceRowSchema).max(HYPERPARAMETER_NAMES.length),
    scheduler: z.strictObject({
      kind: z.enum(SCHEDULER_KINDS),
      budget: budgetSchema,
      /** Grid: points per searched numeric hyperparameter. */
      pointsPerParam: z.number().int().min(2).max(32),
      /** Coarse-to-fine: trials per round. */
      trialsPerRound: z.number().int().min(2).max(500),
      /** Population-based training: steps between exploits (absent: about a tenth of the steps, see src/study/pbt.ts). */
      pbtInterval: z.number().int().min(1).max(100_000).optional(),
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
    for (const { path, message } of spaceProblems(spec.space, HYPERPARAMETER_NAMES))
      ctx.addIssue({ code: 'custom', path: ['space', ...path], message });
    for (const { index, message } of cnnProblems(spec.space, imageOf(spec.data), dataSetName(spec.data)))
      ctx.addIssue({ code: 'custom', path: ['space', index], message });
  });
export type StudySpec = z.infer<typeof studySchema>;

/** The task a data spec poses; an older CSV link's task is known only once its rows are read. */
export function dataTask(data: DataSpec): 'classification' | 'regression' | 'from-file' {
  if (data.kind === 'digits') return 'classification';
  if (data.kind === 'csv') return data.task ?? 'from-file';
  if (data.kind === 'table') return TABLES[data.name].task;
  return (CLASSIFICATION_SETS as readonly string[]).includes(data.name) ? 'classification' : 'regression';
}

/** The data set a study trains on, in a word or two: the synthetic set's name, "digits" (at 14×14) or "digits 28×28", or the CSV's file name. */
export function dataSetName(data: DataSpec): string {
  if (data.kind === 'synthetic') return data.name;
  if (data.kind === 'digits') return (data.side ?? 14) === 14 ? 'digits' : `digits ${data.side}×${data.side}`;
  if (data.kind === 'table') return data.name;
  return data.fileName;
}

/** Each row's features as an image, for the data sets whose rows are images (digits: one grey channel); undefined for the rest. */
export function imageOf(data: DataSpec): Dims | undefined {
  if (data.kind !== 'digits') return undefined;
  const side = data.side ?? 14;
  return { channels: 1, height: side, width: side };
}

/** The value a hyperparameter has while not searched (e.g. the model's hidden units). */
export function paramDefault(spec: StudySpec, name: HyperparameterName): ParamValue {
  return spaceRow(spec, name).default;
}

export function spaceRow(spec: StudySpec, name: HyperparameterName): SpaceRow {
  const row = spec.space.find((r) => r.name === name);
  if (!row) throw new Error(`study has no "${name}" row in its search space`);
  return row;
}

/** The search library's standard space as study rows, every row off. */
export function defaultSpace(): SpaceRow[] {
  return standardSpace().map((p) => ({
    ...p,
    name: p.name as HyperparameterName,
    distribution: structuredClone(p.distribution) as SpaceRow['distribution'],
    enabled: false,
  }));
}

/**
 * What a new user runs on first visit: 16 trials chosen by `auto` (one population: 16
 * scrambled-Halton points, as TPE starts) over the learning rate (log) and
 * Adam's β1 (one-minus-log) of a 2×16 relu net on the spiral, 500 steps each (about 40
 * epochs: enough for good rates to pass 0.8 validation accuracy while bad ones visibly
 * stall), on the GPU; curves appear within seconds.
 */
export function defaultStudy(): StudySpec {
  return {
    version: STUDY_VERSION,
    seed: 1,
    data: { kind: 'synthetic', name: 'spiral', count: 512, noise: 0.1, validationFraction: 0.25, seed: 1 },
    space: defaultSpace().map((row) => {
      if (row.name === 'learningRate' || row.name === 'beta1') return { ...row, enabled: true };
      if (row.name === 'hiddenLayers') return { ...row, default: 2 };
      if (row.name === 'hiddenUnits') return { ...row, default: 16 };
      return row;
    }),
    scheduler: { kind: 'auto', budget: { kind: 'trials', trials: 16 }, pointsPerParam: 4, trialsPerRound: 8 },
    pruning: { kind: 'none' },
    parallelism: 16,
    training: { steps: 500, reportEvery: 10 },
  };
}

/**
 * Validates untrusted input (an edit, a link, the trainer's argument). Each issue is a
 * sentence for the user: the field in the editor's words, the value, the rule and the fix
 * (see wording.ts and spaceRules.ts). A valid study whose largest population cannot fit
 * (cost.ts) is refused here too, sized on what the spec says of its data (a CSV's file is
 * not known here: its own check comes with whyStudyCannotRun and the loaded data).
 */
export function parseStudy(value: unknown): { ok: true; spec: StudySpec } | { ok: false; issues: string[] } {
  const result = studySchema.safeParse(value, { reportInput: true });
  if (!result.success)
    return { ok: false, issues: lastIssuePerField(result.error.issues).map((i) => userIssue(i, value)) };
  const { refuse } = checkStudyCost(studyCost(result.data, dataShapeOf(result.data.data)));
  return refuse ? { ok: false, issues: [refuse] } : { ok: true, spec: result.data };
}

/**
 * One sentence per field: the schema's last word on it. (An integer field checks zod's
 * safe-integer bound before its own: 1e308 trials at once would be told both.)
 */
function lastIssuePerField(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const byPath = new Map<unknown, z.core.$ZodIssue>();
  for (const issue of issues) byPath.set(issue.code === 'custom' ? issue : JSON.stringify(issue.path), issue);
  return [...byPath.values()];
}

/**
 * The data's sizes as far as the spec tells them. A CSV's rows and classes are known only
 * from its file: it gives a lower bound (its feature columns, 2 classes, no rows), so that
 * checks on it refuse only what is too big whatever the file holds.
 */
export function dataShapeOf(data: DataSpec): DataShape {
  if (data.kind === 'csv')
    return { task: 'classification', inputs: data.features.length, outputs: 2, trainCount: 0, validationCount: 0 };
  if (data.kind === 'table') {
    const set = TABLES[data.name];
    const count = set.rows - set.dropped;
    const validation = validationCount(count, data.validationFraction);
    return {
      task: set.task,
      inputs: set.features.length,
      outputs: set.outputs,
      trainCount: count - validation,
      validationCount: validation,
    };
  }
  const validation = validationCount(data.count, data.validationFraction);
  const split = { trainCount: data.count - validation, validationCount: validation };
  if (data.kind === 'digits')
    return { task: 'classification', inputs: (data.side ?? 14) ** 2, outputs: 10, ...split, image: imageOf(data) };
  return dataTask(data) === 'classification'
    ? { task: 'classification', inputs: 2, outputs: 2, ...split }
    : { task: 'regression', inputs: 2, outputs: 1, ...split };
}
