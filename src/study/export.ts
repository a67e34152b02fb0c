// A study leaves the lab in two forms: a CSV of its trials (one row per trial, like Optuna's
// trials_dataframe) for spreadsheets and pandas, and a versioned JSON of the whole study that
// this lab imports again. The JSON is untrusted when it comes back: its size is bounded
// before parsing, every field is checked by a schema (the spec by the link's own schema), and
// problems come back as plain text naming the field, never as an exception.
import Papa from 'papaparse';
import { z } from 'zod';
import { version as APP_VERSION } from '../../package.json';
import { HIERARCHY_STAGES } from '../search/hierarchy.ts';
import { TrialState, type TrainingData } from '../train/types.ts';
import type { EngineInfo } from './events.ts';
import { trialSeeds } from './population.ts';
import type { TrialRecord } from './record.ts';
import { HYPERPARAMETER_NAMES, studySchema, type StudySpec } from './spec.ts';

export const EXPORT_FORMAT = 'tuning-lab-study';
export const EXPORT_VERSION = 1;
/** Larger files are refused unread: a 2000-trial study with 1000-point curves is about 120 MB. */
export const MAX_EXPORT_CHARS = 256 * 1024 * 1024;

/** The statuses a study can be in (state.ts's StudyStatus); an export may be taken at any of them. */
export const STUDY_STATUSES = ['draft', 'running', 'paused', 'finished', 'stopped', 'error', 'interrupted'] as const;
export type ExportedStudyStatus = (typeof STUDY_STATUSES)[number];

/** The sizes of the data a study trained on: what generated code needs (layer widths, epochs). */
export interface DataShape {
  task: TrainingData['task'];
  inputs: number;
  /** Classes (classification) or target columns (regression). */
  outputs: number;
  trainCount: number;
  validationCount: number;
}

export function dataShapeOf(data: TrainingData): DataShape {
  return { task: data.task, inputs: data.inputs, outputs: data.outputs, trainCount: data.train.count, validationCount: data.validation.count };
}

/** A trial as exported; `durationMs` is the wall time its population trained, where known. */
export type ExportedTrial = TrialRecord & { durationMs?: number };

/** Everything an export holds about a study, as the page has it. */
export interface StudySnapshot {
  spec: StudySpec;
  engine?: EngineInfo;
  task: TrainingData['task'];
  trials: ExportedTrial[];
  bestTrialId?: number;
  elapsedMs: number;
  status: ExportedStudyStatus;
  /** Needed to generate code from an imported study whose data (a CSV) is not at hand. */
  dataShape?: DataShape;
}

export interface StudyExport extends StudySnapshot {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** ISO 8601. */
  exportedAt: string;
  app: { version: string };
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
function paramNames(spec: StudySpec, trials: readonly ExportedTrial[]): string[] {
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
export function trialsCsv(spec: StudySpec, trials: readonly ExportedTrial[]): string {
  const params = paramNames(spec, trials);
  const fields = ['number', 'state', 'value', 'validation_accuracy', 'steps', 'duration_s', 'init_seed', 'data_seed', ...params.map((p) => `params_${p}`), 'partial', 'reason'];
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
        trial.durationMs === undefined ? '' : trial.durationMs / 1000,
        initSeed,
        dataSeed,
        ...params.map((p) => trial.params[p] ?? ''),
        String(trial.state) === 'STOPPED',
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
function encodeNonFinite(_key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return null;
  return value > 0 ? 'Infinity' : '-Infinity';
}

const metric = z.union([z.number(), z.null(), z.literal('Infinity'), z.literal('-Infinity')]).transform((v) => {
  if (v === null) return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return v;
});

/** More reports than this cannot come from one trial (steps ≤ 100 000, one report per step at most). */
const MAX_REPORTS = 100_001;
const MAX_TRIALS = 100_000;
const count = z.number().int().min(0);
const series = z.array(metric).max(MAX_REPORTS);
const hyperparameterName = z.enum(HYPERPARAMETER_NAMES);

const curveSchema = z
  .strictObject({
    step: z.array(count).max(MAX_REPORTS),
    trainLoss: series,
    validationLoss: series,
    trainAccuracy: series,
    validationAccuracy: series,
  })
  .refine((c) => [c.trainLoss, c.validationLoss, c.trainAccuracy, c.validationAccuracy].every((s) => s.length === c.step.length), {
    message: 'every curve series must have one entry per step',
  });

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
});

const exportSchema = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_VERSION),
    exportedAt: z.string().max(64),
    app: z.strictObject({ version: z.string().max(64) }),
    spec: studySchema,
    engine: z.strictObject({ kind: z.enum(['webgpu', 'cpu']), adapter: z.string().max(500) }).optional(),
    task: z.enum(['classification', 'regression']),
    trials: z.array(trialSchema).max(MAX_TRIALS),
    bestTrialId: count.optional(),
    elapsedMs: z.number().min(0),
    status: z.enum(STUDY_STATUSES),
    dataShape: z
      .strictObject({
        task: z.enum(['classification', 'regression']),
        inputs: count.min(1),
        outputs: count.min(1),
        trainCount: count.min(1),
        validationCount: count,
      })
      .optional(),
  })
  .superRefine((study, ctx) => {
    const ids = new Set<number>();
    study.trials.forEach((trial, i) => {
      if (ids.has(trial.id)) ctx.addIssue({ code: 'custom', path: ['trials', i, 'id'], message: `trial ${trial.id} appears twice` });
      ids.add(trial.id);
    });
    if (study.bestTrialId !== undefined && !ids.has(study.bestTrialId)) {
      ctx.addIssue({ code: 'custom', path: ['bestTrialId'], message: `names trial ${study.bestTrialId}, which is not in the study` });
    }
  });

/** The versioned JSON of a whole study (curves included). */
export function studyExportJson(snapshot: StudySnapshot, exportedAt: Date = new Date()): string {
  const study: StudyExport = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: exportedAt.toISOString(),
    app: { version: APP_VERSION },
    spec: snapshot.spec,
    ...(snapshot.engine ? { engine: { kind: snapshot.engine.kind, adapter: snapshot.engine.adapter } } : {}),
    task: snapshot.task,
    trials: snapshot.trials,
    ...(snapshot.bestTrialId !== undefined ? { bestTrialId: snapshot.bestTrialId } : {}),
    elapsedMs: snapshot.elapsedMs,
    status: snapshot.status,
    ...(snapshot.dataShape ? { dataShape: snapshot.dataShape } : {}),
  };
  return JSON.stringify(study, encodeNonFinite);
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
    const head = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    if (head?.format !== EXPORT_FORMAT) {
      return fail(`This JSON is not a Tuning Lab study export (its "format" should be "${EXPORT_FORMAT}"). Choose a file saved with "JSON" in the lab.`);
    }
    if (typeof head.version === 'number' && head.version > EXPORT_VERSION) {
      return fail(`This study was exported by a newer Tuning Lab (export version ${head.version}); this lab reads version ${EXPORT_VERSION}. Open it in the newer lab.`);
    }
    const result = exportSchema.safeParse(value);
    if (result.success) return { ok: true, study: result.data as StudyExport };
    const issues = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    const more = issues.length > SHOWN_ISSUES ? `\n…and ${issues.length - SHOWN_ISSUES} more.` : '';
    return fail(`This study export is damaged or was edited, so it cannot be opened:\n${issues.slice(0, SHOWN_ISSUES).join('\n')}${more}`);
  } catch (e) {
    // Schema code is ours, but an input can still find a runtime limit (e.g. memory): report, never crash the page.
    return fail(`The study export could not be read: ${(e as Error).message}`);
  }
}

/** A file name for a download: `tuning-lab-<data>-seed<seed>[-trial<id>].<ext>`, safe on every OS. */
export function exportFileName(spec: StudySpec, extension: string, trialId?: number): string {
  const data = spec.data.kind === 'synthetic' ? spec.data.name : spec.data.kind === 'csv' ? spec.data.fileName.replace(/\.csv$/i, '') : 'digits';
  const safe = data.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'data';
  return `tuning-lab-${safe}-seed${spec.seed}${trialId === undefined ? '' : `-trial${trialId}`}.${extension}`;
}
