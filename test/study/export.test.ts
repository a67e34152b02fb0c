// Study exports: the trials CSV (columns like Optuna's trials_dataframe, proper quoting) and
// the versioned JSON, whose import treats the file as hostile and round-trips every value,
// NaN and infinities included.
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { LAYER_ROWS } from '../../src/search/hyperparameters.ts';
import type { StudyEvent } from '../../src/study/events.ts';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  exportFileName,
  IMPORTED_WHILE_RUNNING,
  importedEvents,
  objectiveAccuracy,
  parseStudyExport,
  STUDY_STATUSES,
  type StudySnapshot,
  studyExportJson,
  studySnapshot,
  trialsCsv,
} from '../../src/study/export.ts';
import { trialBucket, trialSeeds } from '../../src/study/population.ts';
import { emptyCurve, type TrialRecord } from '../../src/study/record.ts';
import { defaultStudy, HYPERPARAMETER_NAMES, STUDY_VERSION } from '../../src/study/spec.ts';
import { foldStudyEvents } from '../../src/study/state.ts';
import { type PopulationShape, parameterCount, TrialState } from '../../src/train/types.ts';

const spec = defaultStudy();
const params = (learningRate: number) => ({
  ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])),
  learningRate,
});

function trial(id: number, state: string, objective: number, extra: Partial<TrialRecord> = {}): TrialRecord {
  const curve = emptyCurve();
  curve.step.push(10, 20);
  curve.trainLoss.push(0.9, 0.5);
  curve.validationLoss.push(0.8, Number.isFinite(objective) ? objective : Number.NaN);
  curve.trainAccuracy.push(0.5, 0.7);
  curve.validationAccuracy.push(0.55, 0.75);
  return {
    id,
    params: params(0.01 * (id + 1)),
    placement: {},
    state: state as TrialState,
    objective,
    steps: 20,
    curve,
    ...extra,
  };
}

function snapshot(trials: TrialRecord[]): StudySnapshot {
  return {
    spec,
    engine: { kind: 'webgpu', adapter: 'swiftshader (Google)' },
    task: 'classification',
    trials,
    finishOrder: trials.filter((t) => t.state !== 'RUNNING').map((t) => t.id),
    bestTrialId: trials[0]?.id,
    elapsedMs: 1234.5,
    status: 'finished',
    dataShape: { task: 'classification', inputs: 2, outputs: 2, trainCount: 384, validationCount: 128 },
  };
}

describe('trialsCsv', () => {
  const trials = [
    trial(2, 'STOPPED', 0.31, { reason: 'stopped by the user', durationMs: 1500.2049999943 }),
    trial(0, 'COMPLETE', 0.25),
    trial(1, 'DIVERGED', Number.NaN, { reason: '=HYPERLINK("x"), loss "NaN"\nat step 3' }),
  ];
  const text = trialsCsv(spec, trials);
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });

  it('has Optuna-like columns: number, state, value, accuracy, steps, duration, seeds, params_<name>, partial, reason', () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([
      'number',
      'state',
      'value',
      'validation_accuracy',
      'steps',
      'duration_s',
      'init_seed',
      'data_seed',
      ...spec.space.map((r) => `params_${r.name}`),
      'partial',
      'reason',
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

  it('keeps full precision (durations to the millisecond), leaves NaN empty, marks STOPPED trials partial and quotes text safely', () => {
    const [complete, diverged, stopped] = parsed.data;
    expect(complete).toMatchObject({
      state: 'COMPLETE',
      value: '0.25',
      validation_accuracy: '0.75',
      steps: '20',
      duration_s: '',
      partial: 'false',
    });
    expect(stopped).toMatchObject({
      state: 'STOPPED',
      value: '0.31',
      duration_s: '1.5',
      partial: 'true',
      reason: 'stopped by the user',
    });
    expect(diverged.value).toBe('');
    expect(diverged.validation_accuracy).toBe('');
    // A formula-like text cell is defused with a leading ' (commas, quotes and newlines survive quoting).
    expect(diverged.reason).toBe('\'=HYPERLINK("x"), loss "NaN"\nat step 3');
  });

  it("takes the accuracy at the last finite validation loss (a stopped trial's partial result)", () => {
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
const metric = fc.oneof(
  finite,
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(Number.NEGATIVE_INFINITY),
);
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
          box: fc.dictionary(
            fc.constantFrom(...HYPERPARAMETER_NAMES),
            fc.record({ low: finite, high: finite, unitLow: finite, unitHigh: finite }),
          ),
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
const model = (trialId: number) => {
  const shape = {
    inputs: 2,
    outputs: 2,
    hiddenLayers: 1,
    maxHidden: 4,
    activation: 'relu' as const,
    loss: 'softmax_cross_entropy' as const,
    init: 'he' as const,
    batchSize: 32,
  };
  return fc
    .array(
      fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => x + 0),
      { minLength: parameterCount(shape), maxLength: parameterCount(shape) },
    )
    .map((p) => ({ trialId, shape, hiddenUnits: 3, parameters: Float32Array.from(p) }));
};
const snapshotArb: fc.Arbitrary<StudySnapshot> = fc
  .uniqueArray(fc.nat({ max: 5000 }), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(trialArb)))
  .chain((trials) => {
    const ids = trials.map((t) => t.id);
    const finished = trials.filter((t) => t.state !== 'RUNNING').map((t) => t.id);
    return fc.record(
      {
        spec: fc.constant(spec),
        status: fc.constantFrom(...STUDY_STATUSES),
        engine: fc.record({
          kind: fc.constantFrom('webgpu' as const, 'cpu' as const),
          adapter: fc.string({ maxLength: 30 }),
        }),
        notice: fc.string({ maxLength: 30 }),
        errorMessage: fc.string({ maxLength: 30 }),
        task: fc.constantFrom('classification' as const, 'regression' as const),
        plannedTrials: fc.nat({ max: 2000 }),
        trials: fc.constant(trials as TrialRecord[]),
        finishOrder: fc.shuffledSubarray(finished, { minLength: finished.length, maxLength: finished.length }),
        bestTrialId: ids.length ? fc.constantFrom(...ids) : fc.constant(undefined),
        bestModel: ids.length ? fc.constantFrom(...ids).chain(model) : fc.constant(undefined),
        importance: fc.record({
          shares: fc.dictionary(fc.constantFrom(...HYPERPARAMETER_NAMES), finite),
          completedTrials: fc.nat({ max: 2000 }),
        }),
        elapsedMs: fc.double({ min: 0, max: 1e10, noNaN: true }).map((x) => x + 0),
        dataShape: fc.record({
          task: fc.constantFrom('classification' as const, 'regression' as const),
          inputs: fc.integer({ min: 1, max: 512 }),
          outputs: fc.integer({ min: 1, max: 20 }),
          trainCount: fc.integer({ min: 1, max: 20_000 }),
          validationCount: fc.nat({ max: 20_000 }),
        }),
      },
      { requiredKeys: ['spec', 'status', 'task', 'trials', 'finishOrder', 'elapsedMs'] },
    );
  })
  .map((s) => {
    for (const key of ['bestTrialId', 'bestModel'] as const) if (s[key] === undefined) delete s[key];
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
        expect({ format, version, at }).toEqual({
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          at: '2026-12-01T08:00:00.000Z',
        });
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

  it('leaves out a data shape with no training rows (a CSV study before its file is read): the export still imports', () => {
    const state = foldStudyEvents(spec, [
      { type: 'study-started', engine: { kind: 'cpu', adapter: 'CPU' }, task: 'classification' },
    ]);
    const json = studyExportJson(
      studySnapshot(state, { task: 'classification', inputs: 3, outputs: 2, trainCount: 0, validationCount: 0 }),
    );
    const parsed = parseStudyExport(json);
    expect(parsed.ok && parsed.study.dataShape).toBeUndefined();
    const shape = { task: 'classification' as const, inputs: 3, outputs: 2, trainCount: 80, validationCount: 20 };
    const kept = parseStudyExport(studyExportJson(studySnapshot(state, shape)));
    expect(kept.ok && kept.study.dataShape).toEqual(shape);
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
    expect(errorOf({ ...valid(), version: 2 })).toContain(
      'exported by a newer Tuning Lab (export version 2); this lab reads version 1',
    );
    const old = valid();
    old.spec.version = 1;
    expect(errorOf(old)).toContain(
      `holds a study of version 1, trained under other conventions than this lab's (version ${STUDY_VERSION})`,
    );
    const text = studyExportJson(snapshot([trial(0, 'COMPLETE', 0.2)]));
    const tooBig = parseStudyExport(text, 100);
    expect(tooBig).toEqual({
      ok: false,
      error: expect.stringMatching(/^The file is \d+ KB; a study export is at most 1 KB/),
    });
  });

  it('imports an export of version 2 (before the CNN rows) with its trials as they ran, the rows added off', () => {
    const exported = valid();
    const v2 = structuredClone(exported);
    v2.spec.version = 2;
    v2.spec.space = v2.spec.space.filter((r: { name: string }) => !LAYER_ROWS.some((l) => l.name === r.name));
    const parsed = parseStudyExport(JSON.stringify(v2));
    if (!parsed.ok) throw new Error(parsed.error);
    const current = parseStudyExport(JSON.stringify(exported));
    if (!current.ok) throw new Error(current.error);
    expect(parsed.study).toEqual(current.study);
  });

  it("keeps a CNN's best model (its layers and image) and the data's image; refuses a layer list that cannot run", () => {
    const image = { channels: 1, height: 14, width: 14 };
    const params = {
      ...trial(0, 'COMPLETE', 0.2).params,
      architecture: 'cnn',
      convBlocks: 2,
      convFilters: 4,
      dropout: 0.25,
    };
    const data = { task: 'classification' as const, inputs: 196, outputs: 10, image };
    const shape: PopulationShape = { ...trialBucket(params, data), inputs: 196, outputs: 10, maxHidden: 3 };
    expect(shape.layers?.map((l) => l.kind)).toEqual([
      'conv2d',
      'pool2d',
      'conv2d',
      'pool2d',
      'flatten',
      'dense',
      'dense',
      'dropout',
    ]);
    const study = snapshot([{ ...trial(0, 'COMPLETE', 0.2), params }]);
    study.dataShape = { ...data, trainCount: 800, validationCount: 200 };
    study.bestModel = {
      trialId: 0,
      shape,
      hiddenUnits: 3,
      parameters: Float32Array.from({ length: parameterCount(shape) }, (_, i) => i / 7),
    };
    const json = studyExportJson(study);
    const parsed = parseStudyExport(json);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.study.bestModel).toEqual(study.bestModel);
    expect(parsed.study.dataShape).toEqual(study.dataShape);
    const flat = JSON.parse(json);
    flat.bestModel.shape.image = undefined;
    expect(errorOf(flat)).toContain('needs an image before it');
  });

  it("keeps a batch norm model's running statistics, and refuses a count that does not fit its layers", () => {
    const shape: PopulationShape = {
      inputs: 2,
      outputs: 2,
      hiddenLayers: 0,
      maxHidden: 4,
      activation: 'relu',
      loss: 'softmax_cross_entropy',
      init: 'he',
      batchSize: 8,
      layers: [
        { kind: 'dense', activation: 'linear' },
        { kind: 'batchnorm', activation: 'relu' },
      ],
    };
    const study = snapshot([trial(0, 'COMPLETE', 0.2)]);
    study.bestModel = {
      trialId: 0,
      shape,
      hiddenUnits: 3,
      parameters: Float32Array.from({ length: parameterCount(shape) }, (_, i) => i / 7),
      statistics: Float32Array.of(0.5, -0.25, 1.5, 0, 2, 0.75, 1.25, 0),
    };
    const json = studyExportJson(study);
    const parsed = parseStudyExport(json);
    expect(parsed.ok && parsed.study.bestModel).toEqual(study.bestModel);
    const short = JSON.parse(json);
    short.bestModel.statistics.pop();
    expect(errorOf(short)).toContain(
      "running statistics do not fit the model shape (batch norm's mean and variance per channel)",
    );
    const none = JSON.parse(json);
    delete none.bestModel.statistics;
    expect(errorOf(none)).toContain('running statistics do not fit the model shape');
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
    const point = valid();
    point.trials[1].curve.validationLoss[1] = 'low';
    point.trials[1].curve.step = 'all';
    const pointError = errorOf(point);
    expect(pointError).toContain(
      'trials.1.curve.validationLoss.1: expected a number, null (NaN) or "Infinity", got "low"',
    );
    expect(pointError).toContain('trials.1.curve.step: expected an array of step counts');
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
    foreign.trials[0].params.labelSmoothing = 0.5;
    expect(errorOf(foreign)).toContain('trials.0.params');
    // zod's record drops a "__proto__" key: the parsed params are plain, nothing is polluted.
    const text = studyExportJson(snapshot([trial(0, 'COMPLETE', 0.2)])).replace(
      '"params":{',
      '"params":{"__proto__":{"polluted":1},',
    );
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
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .tuple(fc.nat({ max: base.length }), fc.string({ maxLength: 5 }))
            .map(([at, s]) => base.slice(0, at) + s + base.slice(at + s.length)),
        ),
        (text) => {
          const parsed = parseStudyExport(text);
          expect(parsed.ok || parsed.error.length > 0).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('exportFileName', () => {
  it('names the data and seed, with characters safe on every OS', () => {
    expect(exportFileName(spec, 'csv')).toBe('tuning-lab-spiral-seed1.csv');
    const csvSpec = {
      ...spec,
      data: {
        kind: 'csv' as const,
        fileName: 'my data/../x.CSV',
        target: 't',
        features: ['a'],
        validationFraction: 0.2,
        seed: 3,
      },
    };
    expect(exportFileName(csvSpec, 'py', 12)).toBe('tuning-lab-my_data_x-seed1-trial12.py');
  });
});

// ---------------------------------------------------------------------------------------
// Import as events: a study folded from any event sequence the runner can produce, exported
// and imported, folds again to the same state.

const f32 = fc.float({ noDefaultInfinity: false }).map((x) => (Object.is(x, -0) ? 0 : x));
const studyEventsArb: fc.Arbitrary<StudyEvent[]> = fc
  .record({
    trials: fc.integer({ min: 0, max: 5 }),
    reports: fc.integer({ min: 0, max: 4 }),
    task: fc.constantFrom('classification' as const, 'regression' as const),
    notice: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    end: fc.constantFrom('none', 'paused', 'finished', 'stopped', 'error', 'interrupted'),
  })
  .chain(({ trials, reports, task, notice, end }) =>
    fc
      .record({
        reportsPerTrial: fc.array(fc.integer({ min: 0, max: reports }), { minLength: trials, maxLength: trials }),
        metrics: fc.array(fc.array(f32, { minLength: 4 * trials, maxLength: 4 * trials }), {
          minLength: reports,
          maxLength: reports,
        }),
        finished: fc.shuffledSubarray([...Array(trials).keys()]),
        outcomes: fc.array(
          fc.record({
            state: fc.constantFrom('COMPLETE', 'PRUNED', 'DIVERGED', 'FAILED', 'STOPPED' as const),
            objective: f32,
            reason: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
            durationMs: fc.option(fc.nat({ max: 1e6 }), { nil: undefined }),
          }),
          { minLength: trials, maxLength: trials },
        ),
        kept: trials ? fc.option(fc.nat({ max: trials - 1 }).chain(model), { nil: undefined }) : fc.constant(undefined),
        shares: fc.option(fc.record({ learningRate: fc.double({ min: 0, max: 1, noNaN: true }) }), { nil: undefined }),
        elapsedMs: fc.nat({ max: 1e7 }),
      })
      .map(({ reportsPerTrial, metrics, finished, outcomes, kept, shares, elapsedMs }) => {
        const events: StudyEvent[] = [
          {
            type: 'study-started',
            engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' },
            task,
            plannedTrials: trials,
            ...(notice !== undefined ? { fallbackNotice: notice } : {}),
          },
        ];
        for (let id = 0; id < trials; id++)
          events.push({
            type: 'trial-planned',
            trialId: id,
            params: params(0.001 * (id + 1)),
            placement: id % 2 ? { round: 1 } : {},
          });
        metrics.forEach((row, r) => {
          const ids = [...Array(trials).keys()].filter((id) => reportsPerTrial[id] > r);
          const column = (c: number) => Float32Array.from(ids, (id) => row[4 * id + c]);
          if (ids.length)
            events.push({
              type: 'progress',
              step: 10 * (r + 1),
              trialIds: Int32Array.from(ids),
              trainLoss: column(0),
              validationLoss: column(1),
              trainAccuracy: column(2),
              validationAccuracy: column(3),
            });
        });
        for (const id of finished)
          events.push({ type: 'trial-finished', trialId: id, steps: 10 * reportsPerTrial[id], ...outcomes[id] });
        if (kept) events.push({ type: 'model-kept', model: kept });
        if (shares) events.push({ type: 'importance', shares, completedTrials: finished.length });
        if (end === 'paused') events.push({ type: 'study-paused' });
        if (end === 'finished' || end === 'stopped' || end === 'error')
          events.push({ type: 'study-finished', trials, elapsedMs, stopped: end === 'stopped' });
        if (end === 'error') events.push({ type: 'study-error', message: 'the scheduler failed' });
        if (end === 'interrupted') events.push({ type: 'study-interrupted', message: 'the trainer went away' });
        return events;
      }),
  );

describe('importedEvents', () => {
  it('folds an exported study back to the same state (a running one comes back interrupted)', () => {
    fc.assert(
      fc.property(studyEventsArb, (events) => {
        const original = foldStudyEvents(spec, events);
        const parsed = parseStudyExport(studyExportJson(studySnapshot(original)));
        if (!parsed.ok) throw new Error(parsed.error);
        const imported = foldStudyEvents(spec, importedEvents(parsed.study));
        if (original.status === 'running' || original.status === 'paused') {
          expect(imported.status).toBe('interrupted');
          expect(imported.notice).toBe(IMPORTED_WHILE_RUNNING);
          expect({ ...imported, status: original.status, notice: original.notice }).toEqual(original);
        } else {
          expect(imported).toEqual(original);
        }
        expect([...imported.trials.keys()]).toEqual([...original.trials.keys()]);
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it('a study exported before it ran imports as a draft', () => {
    const draft = foldStudyEvents(spec, []);
    const parsed = parseStudyExport(studyExportJson(studySnapshot(draft)));
    expect(parsed.ok && foldStudyEvents(spec, importedEvents(parsed.study))).toEqual(draft);
  });
});

describe('a large study', () => {
  it('exports and imports 256 trials with 1000-point curves (figures logged, not asserted)', () => {
    const events: StudyEvent[] = [
      { type: 'study-started', engine: { kind: 'cpu', adapter: 'CPU (TypeScript)' }, task: 'classification' },
    ];
    const ids = Int32Array.from({ length: 256 }, (_, i) => i);
    for (const id of ids)
      events.push({ type: 'trial-planned', trialId: id, params: params(0.001 * (id + 1)), placement: {} });
    const series = (step: number, k: number) => Float32Array.from(ids, (id) => 1 / (1 + step * 0.01 + id * 0.001 + k));
    for (let r = 1; r <= 1000; r++)
      events.push({
        type: 'progress',
        step: 10 * r,
        trialIds: ids,
        trainLoss: series(r, 0),
        validationLoss: series(r, 1),
        trainAccuracy: series(r, 2),
        validationAccuracy: series(r, 3),
      });
    for (const id of ids)
      events.push({
        type: 'trial-finished',
        trialId: id,
        state: 'COMPLETE',
        objective: 0.5 - id * 1e-4,
        steps: 10_000,
      });
    events.push({ type: 'study-finished', trials: 256, elapsedMs: 1, stopped: false });
    const state = foldStudyEvents(spec, events);
    let t = performance.now();
    const json = studyExportJson(studySnapshot(state));
    const exportMs = performance.now() - t;
    t = performance.now();
    const parsed = parseStudyExport(json);
    const parseMs = performance.now() - t;
    t = performance.now();
    const rebuilt = parsed.ok ? foldStudyEvents(spec, importedEvents(parsed.study)) : undefined;
    const rebuildMs = performance.now() - t;
    console.log(
      `[export] 256 trials × 1000 points: JSON ${(json.length / 2 ** 20).toFixed(1)} MB; export ${exportMs.toFixed(0)} ms, parse ${parseMs.toFixed(0)} ms, rebuild ${rebuildMs.toFixed(0)} ms`,
    );
    expect(rebuilt).toEqual(state);
  }, 120_000);
});
