// Study exports: the trials CSV (columns like Optuna's trials_dataframe, proper quoting) and
// the versioned JSON, whose import treats the file as hostile and round-trips every value,
// NaN and infinities included.
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { TrialState } from '../../src/train/types.ts';
import { trialSeeds } from '../../src/study/population.ts';
import { emptyCurve } from '../../src/study/record.ts';
import { defaultStudy, HYPERPARAMETER_NAMES } from '../../src/study/spec.ts';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  STUDY_STATUSES,
  exportFileName,
  objectiveAccuracy,
  parseStudyExport,
  studyExportJson,
  trialsCsv,
  type ExportedTrial,
  type StudySnapshot,
} from '../../src/study/export.ts';

const spec = defaultStudy();
const params = (learningRate: number) => ({ ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])), learningRate });

function trial(id: number, state: string, objective: number, extra: Partial<ExportedTrial> = {}): ExportedTrial {
  const curve = emptyCurve();
  curve.step.push(10, 20);
  curve.trainLoss.push(0.9, 0.5);
  curve.validationLoss.push(0.8, Number.isFinite(objective) ? objective : Number.NaN);
  curve.trainAccuracy.push(0.5, 0.7);
  curve.validationAccuracy.push(0.55, 0.75);
  return { id, params: params(0.01 * (id + 1)), placement: {}, state: state as TrialState, objective, steps: 20, curve, ...extra };
}

function snapshot(trials: ExportedTrial[]): StudySnapshot {
  return {
    spec,
    engine: { kind: 'webgpu', adapter: 'swiftshader (Google)' },
    task: 'classification',
    trials,
    bestTrialId: trials[0]?.id,
    elapsedMs: 1234.5,
    status: 'finished',
    dataShape: { task: 'classification', inputs: 2, outputs: 2, trainCount: 384, validationCount: 128 },
  };
}

describe('trialsCsv', () => {
  const trials = [
    trial(2, 'STOPPED', 0.31, { reason: 'stopped by the user', durationMs: 1500 }),
    trial(0, 'COMPLETE', 0.25),
    trial(1, 'DIVERGED', Number.NaN, { reason: '=HYPERLINK("x"), loss "NaN"\nat step 3' }),
  ];
  const text = trialsCsv(spec, trials);
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });

  it('has Optuna-like columns: number, state, value, accuracy, steps, duration, seeds, params_<name>, partial, reason', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([
      'number', 'state', 'value', 'validation_accuracy', 'steps', 'duration_s', 'init_seed', 'data_seed',
      ...spec.space.map((r) => `params_${r.name}`),
      'partial', 'reason',
    ]);
  });

  it('writes one row per trial in id order, with the seeds the engines use and every parameter', () => {
    expect(parsed.data.map((r) => r.number)).toEqual(['0', '1', '2']);
    for (const row of parsed.data) {
      const seeds = trialSeeds(spec.seed, Number(row.number));
      expect(Number(row.init_seed)).toBe(seeds.initSeed);
      expect(Number(row.data_seed)).toBe(seeds.dataSeed);
      expect(Number(row.params_learningRate)).toBe(0.01 * (Number(row.number) + 1));
      expect(row.params_optimizer).toBe('adam');
    }
  });

  it('keeps full precision, leaves NaN empty, marks STOPPED trials partial and quotes text safely', () => {
    const [complete, diverged, stopped] = parsed.data;
    expect(complete).toMatchObject({ state: 'COMPLETE', value: '0.25', validation_accuracy: '0.75', steps: '20', duration_s: '', partial: 'false' });
    expect(stopped).toMatchObject({ state: 'STOPPED', value: '0.31', duration_s: '1.5', partial: 'true', reason: 'stopped by the user' });
    expect(diverged.value).toBe('');
    expect(diverged.validation_accuracy).toBe('');
    // A formula-like text cell is defused with a leading ' (commas, quotes and newlines survive quoting).
    expect(diverged.reason).toBe('\'=HYPERLINK("x"), loss "NaN"\nat step 3');
  });

  it('takes the accuracy at the last finite validation loss (a stopped trial\'s partial result)', () => {
    const t = trial(0, 'STOPPED', 0.4);
    t.curve.validationLoss[1] = Number.NaN;
    t.curve.validationAccuracy[1] = Number.NaN;
    expect(objectiveAccuracy(t)).toBe(0.55);
    expect(objectiveAccuracy({ ...t, objective: Number.NaN })).toBeNaN();
  });
});

// ---------------------------------------------------------------------------------------

// JSON writes -0 as 0 (checked below), so the property draws +0 only.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
const metric = fc.oneof(finite, fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY), fc.constant(Number.NEGATIVE_INFINITY));
const curve = fc.integer({ min: 0, max: 6 }).chain((n) =>
  fc.record({
    step: fc.array(fc.nat({ max: 100_000 }), { minLength: n, maxLength: n }),
    trainLoss: fc.array(metric, { minLength: n, maxLength: n }),
    validationLoss: fc.array(metric, { minLength: n, maxLength: n }),
    trainAccuracy: fc.array(metric, { minLength: n, maxLength: n }),
    validationAccuracy: fc.array(metric, { minLength: n, maxLength: n }),
  }),
);
const paramValue = fc.oneof(finite, fc.string({ maxLength: 20 }));
const trialArb = (id: number) =>
  fc.record(
    {
      id: fc.constant(id),
      params: fc.dictionary(fc.constantFrom(...HYPERPARAMETER_NAMES), paramValue),
      placement: fc.record(
        {
          round: fc.nat({ max: 20 }),
          stage: fc.constantFrom('tier-1', 'tier-2', 'tier-3', 'refine' as const),
          box: fc.dictionary(fc.constantFrom(...HYPERPARAMETER_NAMES), fc.record({ low: finite, high: finite, unitLow: finite, unitHigh: finite })),
        },
        { requiredKeys: [] },
      ),
      state: fc.constantFrom(...Object.values(TrialState)),
      objective: metric,
      steps: fc.nat({ max: 100_000 }),
      reason: fc.string({ maxLength: 50 }),
      durationMs: fc.double({ min: 0, max: 1e9, noNaN: true }).map((x) => x + 0),
      curve,
    },
    { requiredKeys: ['id', 'params', 'placement', 'state', 'objective', 'steps', 'curve'] },
  );
const snapshotArb: fc.Arbitrary<StudySnapshot> = fc
  .uniqueArray(fc.nat({ max: 5000 }), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(trialArb)))
  .chain((trials) =>
    fc.record(
      {
        spec: fc.constant(spec),
        engine: fc.record({ kind: fc.constantFrom('webgpu' as const, 'cpu' as const), adapter: fc.string({ maxLength: 30 }) }),
        task: fc.constantFrom('classification' as const, 'regression' as const),
        trials: fc.constant(trials as ExportedTrial[]),
        bestTrialId: trials.length ? fc.constantFrom(...trials.map((t) => t.id)) : fc.constant(undefined),
        elapsedMs: fc.double({ min: 0, max: 1e10, noNaN: true }).map((x) => x + 0),
        status: fc.constantFrom(...STUDY_STATUSES),
        dataShape: fc.record({ task: fc.constantFrom('classification' as const, 'regression' as const), inputs: fc.integer({ min: 1, max: 512 }), outputs: fc.integer({ min: 1, max: 20 }), trainCount: fc.integer({ min: 1, max: 20_000 }), validationCount: fc.nat({ max: 20_000 }) }),
      },
      { requiredKeys: ['spec', 'task', 'trials', 'elapsedMs', 'status'] },
    ),
  )
  .map((s) => {
    if (s.bestTrialId === undefined) delete s.bestTrialId;
    return s;
  });

describe('study export JSON', () => {
  it('round-trips any study: export then parse gives the same data, NaN and ±Infinity included', () => {
    const exportedAt = new Date('2026-12-01T08:00:00.000Z');
    fc.assert(
      fc.property(snapshotArb, (study) => {
        const parsed = parseStudyExport(studyExportJson(study, exportedAt));
        if (!parsed.ok) throw new Error(parsed.error);
        const { format, version, exportedAt: at, app, ...data } = parsed.study;
        expect({ format, version, at }).toEqual({ format: EXPORT_FORMAT, version: EXPORT_VERSION, at: '2026-12-01T08:00:00.000Z' });
        expect(app.version).toMatch(/^\d+\.\d+\.\d+/);
        expect(data).toEqual(study);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('writes non-finite numbers as null / "Infinity" / "-Infinity" (JSON has no NaN); -0 reads back as 0', () => {
    const t = trial(0, 'DIVERGED', Number.NaN);
    t.curve.trainLoss[1] = Number.POSITIVE_INFINITY;
    t.curve.trainLoss[0] = -0;
    const json = studyExportJson(snapshot([t]));
    const raw = JSON.parse(json);
    expect(raw.trials[0].objective).toBeNull();
    expect(raw.trials[0].curve.trainLoss).toEqual([0, 'Infinity']);
    const parsed = parseStudyExport(json);
    expect(parsed.ok && parsed.study.trials[0].objective).toBeNaN();
    expect(parsed.ok && parsed.study.trials[0].curve.trainLoss).toEqual([0, Number.POSITIVE_INFINITY]);
  });

  const valid = () => JSON.parse(studyExportJson(snapshot([trial(0, 'COMPLETE', 0.2), trial(1, 'PRUNED', 0.5)])));
  const errorOf = (value: unknown) => {
    const parsed = parseStudyExport(typeof value === 'string' ? value : JSON.stringify(value));
    expect(parsed.ok).toBe(false);
    return parsed.ok ? '' : parsed.error;
  };

  it('says what is wrong: not JSON, not an export, a newer version, too large', () => {
    expect(errorOf('{"format": ')).toMatch(/^The file is not JSON \(.+\)\. Choose a file saved with "JSON"/);
    expect(errorOf({ hello: 1 })).toContain('not a Tuning Lab study export');
    expect(errorOf([1, 2])).toContain('not a Tuning Lab study export');
    expect(errorOf({ ...valid(), version: 2 })).toContain('exported by a newer Tuning Lab (export version 2); this lab reads version 1');
    const text = studyExportJson(snapshot([trial(0, 'COMPLETE', 0.2)]));
    const tooBig = parseStudyExport(text, 100);
    expect(tooBig).toEqual({ ok: false, error: expect.stringMatching(/^The file is \d+ KB; a study export is at most 1 KB/) });
  });

  it('names the field that breaks the schema', () => {
    const bad = valid();
    bad.trials[1].objective = 'low';
    bad.trials[0].curve.trainLoss.pop();
    bad.spec.parallelism = 0;
    const error = errorOf(bad);
    expect(error).toMatch(/^This study export is damaged or was edited/);
    expect(error).toContain('trials.1.objective:');
    expect(error).toContain('trials.0.curve: every curve series must have one entry per step');
    expect(error).toContain('spec.parallelism:');
  });

  it('refuses duplicate trial ids, a best trial that is not there, unknown keys and foreign parameter names; drops __proto__', () => {
    const dup = valid();
    dup.trials[1].id = 0;
    expect(errorOf(dup)).toContain('trials.1.id: trial 0 appears twice');
    const best = valid();
    best.bestTrialId = 7;
    expect(errorOf(best)).toContain('bestTrialId: names trial 7, which is not in the study');
    const extra = valid();
    extra.trials[0].extra = 1;
    expect(errorOf(extra)).toContain('trials.0');
    const foreign = valid();
    foreign.trials[0].params.dropout = 0.5;
    expect(errorOf(foreign)).toContain('trials.0.params');
    // zod's record drops a "__proto__" key: the parsed params are plain, nothing is polluted.
    const text = studyExportJson(snapshot([trial(0, 'COMPLETE', 0.2)])).replace('"params":{', '"params":{"__proto__":{"polluted":1},');
    expect(Object.keys(JSON.parse(text).trials[0].params)).toContain('__proto__');
    const parsed = parseStudyExport(text);
    if (!parsed.ok) throw new Error(parsed.error);
    const parsedParams = parsed.study.trials[0].params;
    expect(Object.getPrototypeOf(parsedParams)).toBe(Object.prototype);
    expect(Object.keys(parsedParams)).toEqual(Object.keys(trial(0, 'COMPLETE', 0.2).params));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws, whatever the text', () => {
    const base = studyExportJson(snapshot([trial(0, 'COMPLETE', 0.2)]));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.tuple(fc.nat({ max: base.length }), fc.string({ maxLength: 5 })).map(([at, s]) => base.slice(0, at) + s + base.slice(at + s.length))), (text) => {
        const parsed = parseStudyExport(text);
        expect(parsed.ok || parsed.error.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('exportFileName', () => {
  it('names the data and seed, with characters safe on every OS', () => {
    expect(exportFileName(spec, 'csv')).toBe('tuning-lab-spiral-seed1.csv');
    const csvSpec = { ...spec, data: { kind: 'csv' as const, fileName: 'my data/../x.CSV', target: 't', features: ['a'], validationFraction: 0.2, seed: 3 } };
    expect(exportFileName(csvSpec, 'py', 12)).toBe('tuning-lab-my_data_x-seed1-trial12.py');
  });
});
