// A study leaves the lab in two forms: a CSV of its trials (one row per trial, like Optuna's
// trials_dataframe) for spreadsheets and pandas, and a versioned JSON of the whole study that
// this lab imports again. The JSON is untrusted when it comes back: its size is bounded
// before parsing, every field is checked by a schema (the spec by the link's own schema), and
// problems come back as plain text naming the field, never as an exception.
import Papa from 'papaparse';
import { version as APP_VERSION } from '../../package.json';
import { HIERARCHY_STAGES } from '../search/hierarchy.ts';
import { ACTIVATIONS, type HyperparameterRow, POOL_MODES, SHAPE_ROWS } from '../search/hyperparameters.ts';
import { layerListProblem, MAX_FILTERS, statisticsCount } from '../train/layers.ts';
import { type PopulationShape, parameterCount, TrialState } from '../train/types.ts';
import type { DataShape } from './cost.ts';
import type { StudyEvent } from './events.ts';
import { CONVENTIONS_VERSION, upgradeSavedStudy } from './migrate.ts';
import { trialSeeds } from './population.ts';
import type { TrialRecord } from './record.ts';
import { VALUE_RULES } from './spaceRules.ts';
import { dataSetName, HYPERPARAMETER_NAMES, STUDY_VERSION, type StudySpec, studySchema } from './spec.ts';
import { eventsOfState, type StudyState, type StudyStatus } from './state.ts';
import { z } from './zod.ts';

export const EXPORT_FORMAT = 'tuning-lab-study';
export const EXPORT_VERSION = 1;
/** Larger files are refused unread: a 2000-trial study with 1000-point curves is about 120 MB. */
export const MAX_EXPORT_CHARS = 256 * 1024 * 1024;

/** Every StudyStatus: an export may be taken at any of them (studyExportJson fails to compile if one is missing). */
export const STUDY_STATUSES = [
  'draft',
  'running',
  'paused',
  'finished',
  'stopped',
  'error',
  'interrupted',
] as const satisfies readonly StudyStatus[];

/**
 * Everything an export holds: a study's state (state.ts) with its trials as a list in the
 * order they were planned, plus the data's sizes, which the state does not keep.
 */
export type StudySnapshot = Omit<StudyState, 'trials'> & {
  trials: TrialRecord[];
  /** The data's sizes: needed to generate code from an imported study whose data (a CSV) is not at hand. */
  dataShape?: DataShape;
};

export interface StudyExport extends StudySnapshot {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  app: { version: string };
}

/**
 * The study as exported, with the data's sizes the runner recorded (or `dataShape`). A data
 * shape with no training rows is a CSV's before its file is read: it tells nothing, so it is not kept.
 */
export function studySnapshot(state: StudyState, dataShape: DataShape | undefined = state.dataShape): StudySnapshot {
  const { dataShape: _recorded, ...rest } = state;
  return {
    ...rest,
    trials: [...state.trials.values()],
    ...(dataShape && dataShape.trainCount >= 1 ? { dataShape } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// CSV

/** The validation accuracy at the point the objective was taken (the last finite validation loss); NaN when none. */
export function objectiveAccuracy(trial: Pick<TrialRecord, 'objective' | 'curve'>): number {
  if (!Number.isFinite(trial.objective)) return Number.NaN;
  const { validationLoss, validationAccuracy } = trial.curve;
  for (let i = validationLoss.length - 1; i >= 0; i--) {
    if (Number.isFinite(validationLoss[i])) return validationAccuracy[i];
  }
  return Number.NaN;
}

/** Hyperparameter columns: the spec's rows in order, then any other name a trial carries. */
function paramNames(spec: StudySpec, trials: readonly TrialRecord[]): string[] {
  const names = spec.space.map((row) => row.name as string);
  const extra = new Set<string>();
  for (const trial of trials) for (const name of Object.keys(trial.params)) if (!names.includes(name)) extra.add(name);
  return [...names, ...[...extra].sort()];
}

/** A number as a CSV cell: empty when not finite (pandas reads an empty cell as NaN). */
const cell = (value: number | undefined): number | '' => (value !== undefined && Number.isFinite(value) ? value : '');

/**
 * One row per trial, in id order: number, state, value (the objective: final validation
 * loss), validation_accuracy, steps, duration_s, init_seed and data_seed (the trial's own
 * seeds, derived from the study seed as the engines derive them), one params_<name> column
 * per hyperparameter, partial (true for a STOPPED trial, whose value is the last validation
 * loss it reached) and reason. Any state string is written as it is.
 */
export function trialsCsv(spec: StudySpec, trials: readonly TrialRecord[]): string {
  const params = paramNames(spec, trials);
  const fields = [
    'number',
    'state',
    'value',
    'validation_accuracy',
    'steps',
    'duration_s',
    'init_seed',
    'data_seed',
    ...params.map((p) => `params_${p}`),
    'partial',
    'reason',
  ];
  const data = [...trials]
    .sort((a, b) => a.id - b.id)
    .map((trial) => {
      const { initSeed, dataSeed } = trialSeeds(spec.seed, trial.id);
      return [
        trial.id,
        trial.state,
        cell(trial.objective),
        cell(objectiveAccuracy(trial)),
        trial.steps,
        trial.durationMs === undefined ? '' : Math.round(trial.durationMs) / 1000, // to the millisecond
        initSeed,
        dataSeed,
        ...params.map((p) => trial.params[p] ?? ''),
        trial.state === 'STOPPED',
        trial.reason ?? '',
      ];
    });
  // A text cell starting with = + - @ is prefixed with ' so a spreadsheet shows it instead of
  // running it (papaparse's own pattern, /^[=+\-@\t\r].*$/, misses cells with a newline).
  return Papa.unparse({ fields, data }, { escapeFormulae: /^[=+\-@\t\r]/, newline: '\n' });
}

// ---------------------------------------------------------------------------------------
// JSON

/** JSON has no NaN or infinities: they are written as null, "Infinity" and "-Infinity". */
function encodeNonFinite(value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return null;
  return value > 0 ? 'Infinity' : '-Infinity';
}

/** A JSON value back to the number it encodes (see encodeNonFinite); undefined when it encodes none. */
function decodeMetric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null) return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}

const metric = z
  .union([z.number(), z.null(), z.literal('Infinity'), z.literal('-Infinity')])
  .transform((v) => decodeMetric(v) as number);

/**
 * A long array checked in one plain loop: zod's per-element schemas cost microseconds a number,
 * and a study's curves hold millions (256 trials × 1000 points × 5 series took 5 s).
 */
function longArray<T>(max: number, what: { one: string; many: string }, read: (v: unknown) => T | undefined) {
  return z.unknown().transform((value, ctx): T[] => {
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: `expected an array of ${what.many}` });
      return z.NEVER;
    }
    if (value.length > max) {
      ctx.addIssue({ code: 'custom', message: `holds ${value.length} entries, at most ${max} are possible` });
      return z.NEVER;
    }
    const out = new Array<T>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = read(value[i]);
      if (v === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `expected ${what.one}, got ${String(JSON.stringify(value[i])).slice(0, 40)}`,
        });
        return z.NEVER;
      }
      out[i] = v;
    }
    return out;
  });
}

/** More reports than this cannot come from one trial (steps ≤ 100 000, one report per step at most). */
const MAX_REPORTS = 100_001;
const MAX_TRIALS = 100_000;
/** More parameters than a 256 MB file can hold; the exact count is checked against the model's shape. */
const MAX_PARAMETERS = 2 ** 27;
const count = z.number().int().min(0);
const series = longArray(MAX_REPORTS, { one: 'a number, null (NaN) or "Infinity"', many: 'metrics' }, decodeMetric);
const hyperparameterName = z.enum(HYPERPARAMETER_NAMES);

const curveSchema = z
  .strictObject({
    step: longArray(MAX_REPORTS, { one: 'a whole number of steps', many: 'step counts' }, (v) =>
      typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined,
    ),
    trainLoss: series,
    validationLoss: series,
    trainAccuracy: series,
    validationAccuracy: series,
  })
  .refine(
    (c) =>
      [c.trainLoss, c.validationLoss, c.trainAccuracy, c.validationAccuracy].every((s) => s.length === c.step.length),
    {
      message: 'every curve series must have one entry per step',
    },
  );

const boxRange = z.strictObject({ low: z.number(), high: z.number(), unitLow: z.number(), unitHigh: z.number() });

const trialSchema = z.strictObject({
  id: count,
  params: z.partialRecord(hyperparameterName, z.union([z.number(), z.string().max(200)])),
  placement: z.strictObject({
    round: count.optional(),
    stage: z.enum(HIERARCHY_STAGES as [string, ...string[]]).optional(),
    box: z.partialRecord(hyperparameterName, boxRange).optional(),
  }),
  state: z.enum(Object.values(TrialState) as [TrialState, ...TrialState[]]),
  objective: metric,
  steps: count,
  reason: z.string().max(2000).optional(),
  durationMs: z.number().min(0).optional(),
  curve: curveSchema,
  lineage: z
    .array(
      z.strictObject({
        step: count,
        from: count,
        params: z.partialRecord(hyperparameterName, z.union([z.number(), z.string().max(200)])),
      }),
    )
    .max(100_000)
    .optional(),
});

/** A shape hyperparameter's value within the values a study may give it (every numeric row has limits). */
function shapeValueSchema(row: HyperparameterRow): z.ZodType<number | string> {
  if (row.value.kind === 'choice') return z.enum(row.value.choices as [string, ...string[]]);
  const { min, max } = row.limits!;
  return (row.value.kind === 'int' ? z.number().int() : z.number()).min(min).max(max);
}

/** An image's sizes (digits: 1 × 28 × 28 at most). */
const dimsSchema = z.strictObject({
  channels: count.min(1).max(MAX_FILTERS),
  height: count.min(1).max(1024),
  width: count.min(1).max(1024),
});
const activationSchema = z.enum(ACTIVATIONS);
/** A CNN's layers before its output layer (train/layers.ts HiddenLayerSpec). */
const layerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('conv2d'),
    filters: count.min(1).max(MAX_FILTERS),
    kernel: z.union([z.literal(3), z.literal(5)]),
    activation: activationSchema,
  }),
  z.strictObject({ kind: z.literal('pool2d'), mode: z.enum(POOL_MODES) }),
  z.strictObject({ kind: z.literal('flatten') }),
  z.strictObject({ kind: z.literal('dropout'), rate: z.number().min(0).lt(1) }),
  z.strictObject({ kind: z.literal('dense'), activation: activationSchema }),
  z.strictObject({ kind: z.literal('batchnorm'), activation: activationSchema }),
]);

const shapeSchema = z
  .strictObject({
    inputs: count.min(1).max(100_000),
    outputs: count.min(1).max(100_000),
    maxHidden: count.max(VALUE_RULES.hiddenUnits.max),
    loss: z.enum(['softmax_cross_entropy', 'mse']),
    init: z.enum(['he', 'xavier']),
    ...Object.fromEntries(SHAPE_ROWS.map((row) => [row.name, shapeValueSchema(row)])),
    layers: z.array(layerSchema).max(64).optional(),
    image: dimsSchema.optional(),
  })
  .transform((shape) => shape as unknown as PopulationShape)
  .superRefine((shape, ctx) => {
    const problem = layerListProblem(shape);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const modelSchema = z
  .strictObject({
    trialId: count,
    shape: shapeSchema,
    hiddenUnits: count.min(1),
    parameters: longArray(MAX_PARAMETERS, { one: 'a number', many: 'parameters' }, (v) =>
      typeof v === 'number' ? v : undefined,
    ),
    statistics: longArray(MAX_PARAMETERS, { one: 'a number', many: 'running statistics' }, (v) =>
      typeof v === 'number' ? v : undefined,
    ).optional(),
  })
  .refine((m) => m.parameters.length === parameterCount(m.shape), { message: 'parameters do not fit the model shape' })
  .refine((m) => (m.statistics?.length ?? 0) === statisticsCount(m.shape), {
    message: "running statistics do not fit the model shape (batch norm's mean and variance per channel)",
  })
  .refine((m) => m.hiddenUnits <= m.shape.maxHidden, { message: "hiddenUnits exceeds the shape's maxHidden" })
  .transform(({ statistics, ...m }) => ({
    ...m,
    parameters: Float32Array.from(m.parameters),
    ...(statistics ? { statistics: Float32Array.from(statistics) } : {}),
  }));

const taskSchema = z.enum(['classification', 'regression']);
const message = z.string().max(5000);

const exportSchema = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_VERSION),
    exportedAt: z.string().max(64),
    app: z.strictObject({ version: z.string().max(64) }),
    spec: studySchema,
    status: z.enum(STUDY_STATUSES),
    engine: z.strictObject({ kind: z.enum(['webgpu', 'cpu']), adapter: z.string().max(500) }).optional(),
    notice: message.optional(),
    errorMessage: message.optional(),
    task: taskSchema,
    plannedTrials: count.optional(),
    trials: z.array(trialSchema).max(MAX_TRIALS),
    finishOrder: z.array(count).max(MAX_TRIALS),
    bestTrialId: count.optional(),
    bestModel: modelSchema.optional(),
    importance: z
      .strictObject({ shares: z.partialRecord(hyperparameterName, z.number()), completedTrials: count })
      .optional(),
    elapsedMs: z.number().min(0),
    dataShape: z
      .strictObject({
        task: taskSchema,
        inputs: count.min(1),
        outputs: count.min(1),
        trainCount: count.min(1),
        validationCount: count,
        image: dimsSchema.optional(),
      })
      .optional(),
  })
  .superRefine((study, ctx) => {
    const ids = new Set<number>();
    study.trials.forEach((trial, i) => {
      if (ids.has(trial.id))
        ctx.addIssue({ code: 'custom', path: ['trials', i, 'id'], message: `trial ${trial.id} appears twice` });
      ids.add(trial.id);
    });
    const finished = new Set<number>();
    study.finishOrder.forEach((id, i) => {
      const trial = study.trials.find((t) => t.id === id);
      if (!trial || trial.state === 'RUNNING' || finished.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['finishOrder', i],
          message: `trial ${id} is not a finished trial of the study, or is listed twice`,
        });
      finished.add(id);
    });
    const unlisted = study.trials.filter((t) => t.state !== 'RUNNING' && !finished.has(t.id)).map((t) => t.id);
    if (unlisted.length)
      ctx.addIssue({ code: 'custom', path: ['finishOrder'], message: `misses finished trials ${unlisted.join(', ')}` });
    for (const key of ['bestTrialId', 'bestModel'] as const) {
      const id = key === 'bestTrialId' ? study.bestTrialId : study.bestModel?.trialId;
      if (id !== undefined && !ids.has(id))
        ctx.addIssue({ code: 'custom', path: [key], message: `names trial ${id}, which is not in the study` });
    }
  });

/** JSON for a value: NaN and infinities encoded, typed arrays as plain arrays. */
function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Float32Array) return Array.from(value);
  return encodeNonFinite(value);
}

/** The versioned JSON of a whole study (curves and the best trained model included). */
export function studyExportJson(snapshot: StudySnapshot, exportedAt: Date = new Date()): string {
  const { spec, status, ...rest } = snapshot;
  const study: StudyExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: exportedAt.toISOString(),
    app: { version: APP_VERSION },
    spec,
    status: status satisfies (typeof STUDY_STATUSES)[number],
    ...rest,
  };
  return JSON.stringify(study, jsonValue);
}

export type ParsedStudyExport = { ok: true; study: StudyExport } | { ok: false; error: string };

const SHOWN_ISSUES = 6;
const megabytes = (n: number) => (n >= 2 ** 20 ? `${Math.ceil(n / 2 ** 20)} MB` : `${Math.ceil(n / 1024)} KB`);

/** The message for a file over the size bound (also shown before a large file is read). */
export function tooLarge(size: number, maxChars = MAX_EXPORT_CHARS): string {
  return `The file is ${megabytes(size)}; a study export is at most ${megabytes(maxChars)}. Choose a file saved with "JSON" in the lab.`;
}
const fail = (error: string): ParsedStudyExport => ({ ok: false, error });

/**
 * Reads a study export (the text of a file the user chose). Never throws: anything wrong
 * comes back as `error`, a message for the user that names what is wrong.
 */
export function parseStudyExport(text: string, maxChars = MAX_EXPORT_CHARS): ParsedStudyExport {
  try {
    if (text.length > maxChars) return fail(tooLarge(text.length, maxChars));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return fail(`The file is not JSON (${(e as Error).message}). Choose a file saved with "JSON" in the lab.`);
    }
    const head =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    if (head?.format !== EXPORT_FORMAT) {
      return fail(
        `This JSON is not a Tuning Lab study export (its "format" should be "${EXPORT_FORMAT}"). Choose a file saved with "JSON" in the lab.`,
      );
    }
    if (typeof head.version === 'number' && head.version > EXPORT_VERSION) {
      return fail(
        `This study was exported by a newer Tuning Lab (export version ${head.version}); this lab reads version ${EXPORT_VERSION}. Open it in the newer lab.`,
      );
    }
    const spec = head.spec;
    const specVersion =
      typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).version : undefined;
    if (typeof specVersion === 'number' && (specVersion < CONVENTIONS_VERSION || specVersion > STUDY_VERSION)) {
      // A link's spec is migrated (migrate.ts), but trials trained under other conventions cannot be.
      return fail(
        `This export holds a study of version ${specVersion}, trained under other conventions than this lab's (version ${STUDY_VERSION}), so its trials cannot be shown as results of this lab. Its share link still opens the study, to run again.`,
      );
    }
    // A spec of an earlier version under the same conventions gains the rows added since (migrate.ts).
    const result = exportSchema.safeParse({ ...head, spec: upgradeSavedStudy(spec) });
    if (result.success) return { ok: true, study: result.data as StudyExport };
    const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    const more = issues.length > SHOWN_ISSUES ? `\n…and ${issues.length - SHOWN_ISSUES} more.` : '';
    return fail(
      `This study export is damaged or was edited, so it cannot be opened:\n${issues.slice(0, SHOWN_ISSUES).join('\n')}${more}`,
    );
  } catch (e) {
    // Schema code is ours, but an input can still find a runtime limit (e.g. memory): report, never crash the page.
    return fail(`The study export could not be read: ${(e as Error).message}`);
  }
}

/** A file name for a download: `tuning-lab-<data>-seed<seed>[-trial<id>].<ext>`, safe on every OS. */
export function exportFileName(spec: StudySpec, extension: string, trialId?: number): string {
  const data = dataSetName(spec.data).replace(/\.csv$/i, '');
  const safe = data.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'data';
  return `tuning-lab-${safe}-seed${spec.seed}${trialId === undefined ? '' : `-trial${trialId}`}.${extension}`;
}

/** What a study exported while it ran becomes on import: nothing is training it any more. */
export const IMPORTED_WHILE_RUNNING =
  'This study was exported while it ran; its unfinished trials can be resumed from step 0.';

/**
 * The events that rebuild an imported study: state.ts's eventsOfState, so folded by
 * applyStudyEvent (the one reducer) they give the exported state, and the library journals
 * an import like any study. A study exported while it ran comes back interrupted (its
 * in-flight trials resumable): nothing is training it any more.
 */
export function importedEvents(study: StudySnapshot): StudyEvent[] {
  const { trials, ...rest } = study;
  const running = study.status === 'running' || study.status === 'paused';
  return eventsOfState({
    ...rest,
    trials: new Map(trials.map((t) => [t.id, t])),
    ...(running ? { status: 'interrupted' as const, notice: IMPORTED_WHILE_RUNNING } : {}),
  });
}
