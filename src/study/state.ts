// A study's state is the fold of its events: `applyStudyEvent` is the ONE reducer. The runner
// folds what it emits, the page folds what the worker sends, and the journal (IndexedDB)
// replays what it stored, so the three agree by construction. The best-trial rule and the
// curve resolution live here and nowhere else.
import type { FinishedState } from '../search/types.ts';
import type { DataShape } from './cost.ts';
import type { EngineInfo, ImportanceEvent, StudyEvent } from './events.ts';
import { emptyCurve, type TrainedModel, type TrialRecord } from './record.ts';
import type { StudySpec } from './spec.ts';

/**
 * draft: never run; running/paused: training; finished: budget spent; stopped: the user
 * stopped it; error: it could not go on; interrupted: its trainer went away mid-study (a
 * reload, a closed tab, a dead worker): it can be resumed from its journal.
 */
export type StudyStatus = 'draft' | 'running' | 'paused' | 'finished' | 'stopped' | 'error' | 'interrupted';

export interface StudyState {
  /** The study as it was run (edits to the form after Run do not change it). */
  spec: StudySpec;
  status: StudyStatus;
  engine?: EngineInfo;
  /** The latest notice about the engine (a fallback to the CPU, a lost device). */
  notice?: string;
  errorMessage?: string;
  task: 'classification' | 'regression';
  /** Trials the budget allows, when it is a trial count. */
  plannedTrials?: number;
  /** Trials by id, in the order they were planned. */
  trials: Map<number, TrialRecord>;
  /** Trial ids in the order they finished (the best-so-far history's x axis). */
  finishOrder: number[];
  bestTrialId?: number;
  /** The best trial's trained parameters, when the engine returned them (complete trials). */
  bestModel?: TrainedModel;
  importance?: Omit<ImportanceEvent, 'type'>;
  /** The sizes of the data it trains on (what generated code needs), once it started. */
  dataShape?: DataShape;
  /** Training time of the sessions that ended (pauses excluded). */
  elapsedMs: number;
}

export function initialStudyState(spec: StudySpec): StudyState {
  return { spec, status: 'draft', task: 'classification', trials: new Map(), finishOrder: [], elapsedMs: 0 };
}

/** States whose objective is a real, if partial, result: they compete for best. */
const RESULT_STATES: ReadonlySet<string> = new Set<FinishedState>(['COMPLETE', 'STOPPED']);

/** Whether a trial's objective counts (complete, or stopped with a validation loss: partial). */
export function hasResult(trial: Pick<TrialRecord, 'state' | 'objective'>): boolean {
  return RESULT_STATES.has(trial.state) && Number.isFinite(trial.objective);
}

/** The one best-trial rule: the lowest objective among trials with a result; ties go to the earlier trial. */
export function bestTrialOf(trials: Iterable<TrialRecord>): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) if (hasResult(t) && (!best || t.objective < best.objective)) best = t;
  return best;
}

/** Curves keep at most this many points; longer runs are stored at a coarser, fixed stride. */
export const MAX_CURVE_POINTS = 1000;

/**
 * Reports per stored curve point: a power of two fixed by the spec before training, so the
 * live state, the journal and a replay keep exactly the same points (and memory stays flat
 * however long the study). The last step is always kept.
 */
export function curveStride(training: StudySpec['training']): number {
  const reports = Math.ceil(training.steps / training.reportEvery);
  return 2 ** Math.max(0, Math.ceil(Math.log2(reports / MAX_CURVE_POINTS)));
}

/** Whether the report at `step` is stored (and so sent to the page and the journal). */
export function keepsCurvePoint(training: StudySpec['training'], step: number): boolean {
  return step >= training.steps || (step / training.reportEvery) % curveStride(training) === 0;
}

function restart(state: StudyState, trialIds: readonly number[]): void {
  for (const id of trialIds) {
    const trial = state.trials.get(id);
    if (!trial) continue;
    trial.state = 'RUNNING';
    trial.steps = 0;
    trial.objective = Number.NaN;
    trial.curve = emptyCurve();
    delete trial.reason;
    delete trial.lineage;
  }
}

/**
 * Folds one event into the state and returns it. Deterministic: the same events give the same
 * state. It updates `state` in place: copying every curve on every report would cost
 * O(points²) over a study, so a caller that needs the old state keeps a structuredClone.
 */
export function applyStudyEvent(state: StudyState, event: StudyEvent): StudyState {
  switch (event.type) {
    case 'study-started':
      state.status = 'running';
      state.engine = event.engine;
      state.task = event.task;
      state.plannedTrials = event.plannedTrials;
      state.notice = event.fallbackNotice;
      if (event.dataShape) state.dataShape = event.dataShape;
      delete state.errorMessage;
      restart(state, event.restartedTrialIds ?? []);
      break;
    case 'engine-measuring':
      state.notice = event.notice;
      break;
    case 'engine-changed':
      state.engine = event.engine;
      state.notice = event.notice;
      restart(state, event.restartedTrialIds);
      break;
    case 'trial-planned':
      state.trials.set(event.trialId, {
        id: event.trialId,
        params: event.params,
        placement: event.placement,
        state: 'RUNNING',
        objective: Number.NaN,
        steps: 0,
        curve: emptyCurve(),
      });
      break;
    case 'progress':
      for (let i = 0; i < event.trialIds.length; i++) {
        const trial = state.trials.get(event.trialIds[i]);
        if (!trial) continue;
        trial.steps = event.step;
        const { curve } = trial;
        curve.step.push(event.step);
        curve.trainLoss.push(event.trainLoss[i]);
        curve.validationLoss.push(event.validationLoss[i]);
        curve.trainAccuracy.push(event.trainAccuracy[i]);
        curve.validationAccuracy.push(event.validationAccuracy[i]);
      }
      break;
    case 'trial-exploited': {
      const trial = state.trials.get(event.trialId);
      if (!trial) break;
      (trial.lineage ??= []).push({ step: event.step, from: event.fromTrialId, params: event.params });
      break;
    }
    case 'trial-finished': {
      const trial = state.trials.get(event.trialId);
      if (trial?.state !== 'RUNNING') break;
      trial.state = event.state;
      trial.objective = event.objective;
      trial.steps = event.steps;
      if (event.reason) trial.reason = event.reason;
      if (event.durationMs !== undefined) trial.durationMs = event.durationMs;
      state.finishOrder.push(trial.id);
      if (hasResult(trial)) {
        const best = state.bestTrialId === undefined ? undefined : state.trials.get(state.bestTrialId);
        if (!best || trial.objective < best.objective) state.bestTrialId = trial.id;
      }
      break;
    }
    case 'model-kept':
      state.bestModel = event.model;
      break;
    case 'importance':
      state.importance = { shares: event.shares, completedTrials: event.completedTrials };
      break;
    case 'study-paused':
      state.status = 'paused';
      break;
    case 'study-resumed':
      state.status = 'running';
      break;
    case 'study-finished':
      state.status = event.stopped ? 'stopped' : 'finished';
      state.elapsedMs += event.elapsedMs;
      break;
    case 'study-error':
      state.status = 'error';
      state.errorMessage = event.message;
      break;
    case 'study-interrupted':
      state.status = 'interrupted';
      state.notice = event.message;
      break;
  }
  return state;
}

/** The state after `events`, from the spec alone (what a journal replay does). */
export function foldStudyEvents(spec: StudySpec, events: Iterable<StudyEvent>): StudyState {
  let state = initialStudyState(spec);
  for (const event of events) state = applyStudyEvent(state, event);
  return state;
}

/** Running or paused: a study a trainer is (or was, if the page went away) working on. */
export function isActive(status: StudyStatus): boolean {
  return status === 'running' || status === 'paused';
}

/** A study that can go on from its journal: interrupted, or left active by a page that went away. */
export function canResume(state: Pick<StudyState, 'status'>): boolean {
  return state.status === 'interrupted' || isActive(state.status);
}

/** Trials planned but not finished: what a resumed study trains again from step 0. */
export function unfinishedTrials(state: StudyState): TrialRecord[] {
  return [...state.trials.values()].filter((t) => t.state === 'RUNNING');
}

export function finishedCount(state: StudyState): number {
  let n = 0;
  for (const t of state.trials.values()) if (t.state !== 'RUNNING') n++;
  return n;
}

/**
 * Events that fold back into `state` (foldStudyEvents(state.spec, eventsOfState(state))
 * equals it): how a study imported from a file gets a journal like any other. Curve points
 * go out as one progress event per (point index, step), as a runner sends them.
 */
export function eventsOfState(state: StudyState): StudyEvent[] {
  const events: StudyEvent[] = [];
  const trials = [...state.trials.values()];
  if (state.engine) {
    events.push({
      type: 'study-started',
      engine: state.engine,
      task: state.task,
      ...(state.plannedTrials !== undefined ? { plannedTrials: state.plannedTrials } : {}),
      ...(state.notice !== undefined ? { fallbackNotice: state.notice } : {}),
      ...(state.dataShape ? { dataShape: state.dataShape } : {}),
    });
  }
  for (const t of trials)
    events.push({ type: 'trial-planned', trialId: t.id, params: t.params, placement: t.placement });
  const longest = Math.max(0, ...trials.map((t) => t.curve.step.length));
  for (let k = 0; k < longest; k++) {
    const byStep = new Map<number, TrialRecord[]>();
    for (const t of trials)
      if (k < t.curve.step.length) byStep.set(t.curve.step[k], [...(byStep.get(t.curve.step[k]) ?? []), t]);
    for (const [step, group] of byStep) {
      const column = (key: Exclude<keyof TrialRecord['curve'], 'step'>) =>
        Float32Array.from(group, (t) => t.curve[key][k]);
      events.push({
        type: 'progress',
        step,
        trialIds: Int32Array.from(group, (t) => t.id),
        trainLoss: column('trainLoss'),
        validationLoss: column('validationLoss'),
        trainAccuracy: column('trainAccuracy'),
        validationAccuracy: column('validationAccuracy'),
      });
    }
  }
  for (const t of trials)
    for (const { step, from, params } of t.lineage ?? [])
      events.push({ type: 'trial-exploited', trialId: t.id, step, fromTrialId: from, params });
  for (const id of state.finishOrder) {
    const t = state.trials.get(id);
    if (!t || t.state === 'RUNNING') continue;
    events.push({
      type: 'trial-finished',
      trialId: id,
      state: t.state,
      objective: t.objective,
      steps: t.steps,
      ...(t.reason !== undefined ? { reason: t.reason } : {}),
      ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
    });
  }
  if (state.bestModel) events.push({ type: 'model-kept', model: state.bestModel });
  if (state.importance) events.push({ type: 'importance', ...state.importance });
  if (state.status === 'draft') return events;
  // study-finished carries the time; the statuses a finished study cannot have are set after it.
  events.push({
    type: 'study-finished',
    trials: trials.length,
    elapsedMs: state.elapsedMs,
    stopped: state.status === 'stopped',
  });
  if (state.status === 'error') events.push({ type: 'study-error', message: state.errorMessage ?? '' });
  if (state.status === 'interrupted') events.push({ type: 'study-interrupted', message: state.notice ?? '' });
  if (state.status === 'paused') events.push({ type: 'study-paused' });
  if (state.status === 'running') events.push({ type: 'study-resumed' });
  return events;
}
