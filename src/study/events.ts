// What a running study tells the page, in order: 'engine-measuring' while the lab measures
// which engine is faster (engine choice 'auto'), started, then per trial planned → progress…
// → finished (with 'trial-exploited' between progress events under population-based
// training), importance now and then as trials complete, the best model when it changes,
// then finished/error for the study (paused/resumed in between); 'engine-changed' whenever a
// lost GPU device moves the study to the CPU engine. These events are the study: folded by
// applyStudyEvent (state.ts) they give its state, and the journal stores them as they come.
// Progress batches carry Float32Arrays that the worker transfers (zero copy), so never keep a
// reference to a batch array in the worker after emitting it.
import type { TrialPlan } from '../search/types.ts';
import type { TrialState } from '../train/types.ts';
import type { DataShape } from './cost.ts';
import type { TrainedModel } from './record.ts';
import type { TrialParams } from './spec.ts';

export interface EngineInfo {
  kind: 'webgpu' | 'cpu';
  /** Human-readable adapter, e.g. "swiftshader (Google)" or "CPU (TypeScript)". */
  adapter: string;
}

/** Where in the search a trial sits: coarse-to-fine round and box, hierarchy stage (as the scheduler planned it). */
export type TrialPlacement = Pick<TrialPlan, 'round' | 'stage' | 'box'>;

export interface StudyStartedEvent {
  type: 'study-started';
  engine: EngineInfo;
  /** Set when the study runs on the CPU because WebGPU could not be used; says why. */
  fallbackNotice?: string;
  /** Trials the budget allows, when it is a trial count. */
  plannedTrials?: number;
  task: 'classification' | 'regression';
  /** A resumed study: these planned trials were in flight when it was interrupted and train again from step 0. */
  restartedTrialIds?: number[];
  /** The sizes of the data the study trains on. */
  dataShape?: DataShape;
}

/**
 * The study's engine was replaced mid-study (the GPU device was lost; the study goes on on the
 * CPU engine). The listed trials lost their partial curves and train again from step 0 with
 * the same seeds; trials finished before stay as they are.
 */
export interface EngineChangedEvent {
  type: 'engine-changed';
  engine: EngineInfo;
  /** What happened and what the study does now, for the user. */
  notice: string;
  restartedTrialIds: number[];
}

/** Before 'study-started': the lab is measuring the engines (src/worker/engine-choice.ts); says which and how long. */
export interface EngineMeasuringEvent {
  type: 'engine-measuring';
  notice: string;
}

export interface TrialPlannedEvent {
  type: 'trial-planned';
  trialId: number;
  params: TrialParams;
  placement: TrialPlacement;
}

/**
 * Losses of one population at one step; entry i belongs to trialIds[i]. Losses are the mean
 * training batch loss since the previous report and the validation loss now; accuracies are
 * NaN for regression.
 */
export interface ProgressEvent {
  type: 'progress';
  step: number;
  trialIds: Int32Array;
  trainLoss: Float32Array;
  validationLoss: Float32Array;
  trainAccuracy: Float32Array;
  validationAccuracy: Float32Array;
}

/** Population-based training: the trial's model became a copy of another's and trains on with new hyperparameters (record.ts LineageStep). */
export interface TrialExploitedEvent {
  type: 'trial-exploited';
  trialId: number;
  step: number;
  fromTrialId: number;
  params: TrialParams;
}

export type FinishedTrialState = Exclude<TrialState, 'RUNNING'>;

export interface TrialFinishedEvent {
  type: 'trial-finished';
  trialId: number;
  state: FinishedTrialState;
  /** Final validation loss (the minimised objective); NaN when none was reached. */
  objective: number;
  /** Steps trained before the trial stopped. */
  steps: number;
  /** Why it stopped early: the pruner's or divergence's rule, or the error. */
  reason?: string;
  /** Wall time its population trained, when it trained at all. */
  durationMs?: number;
}

/** The best trial's trained parameters (for its decision boundary), sent when the best changes. */
export interface ModelKeptEvent {
  type: 'model-kept';
  model: TrainedModel;
}

/**
 * How much of the objective's variation each searched hyperparameter explains (fANOVA on a
 * random forest, see search/importance.ts), over the trials completed so far. The worker
 * computes it (never the page) whenever trials completed, throttled, and once more before
 * 'study-finished' when the last one is out of date.
 */
export interface ImportanceEvent {
  type: 'importance';
  /** Share per searched hyperparameter; the shares sum to 1, or are all 0. */
  shares: Record<string, number>;
  /** Completed trials the shares were computed from. */
  completedTrials: number;
}

export interface StudyFinishedEvent {
  type: 'study-finished';
  trials: number;
  /** Training time of this session (pauses excluded). */
  elapsedMs: number;
  /** True when the user stopped the study before its budget ran out. */
  stopped: boolean;
}

export interface StudyPausedEvent {
  type: 'study-paused';
}
export interface StudyResumedEvent {
  type: 'study-resumed';
}

export interface StudyErrorEvent {
  type: 'study-error';
  /** What went wrong and how to fix it, for the user. */
  message: string;
}

/** The trainer went away mid-study (its worker died); written by the page, not the runner. */
export interface StudyInterruptedEvent {
  type: 'study-interrupted';
  /** What happened and what the user can do, for the user. */
  message: string;
}

export type StudyEvent =
  | EngineMeasuringEvent
  | StudyStartedEvent
  | EngineChangedEvent
  | TrialPlannedEvent
  | ProgressEvent
  | TrialExploitedEvent
  | TrialFinishedEvent
  | ModelKeptEvent
  | ImportanceEvent
  | StudyFinishedEvent
  | StudyPausedEvent
  | StudyResumedEvent
  | StudyErrorEvent
  | StudyInterruptedEvent;

export type StudyEventHandler = (event: StudyEvent) => void;

/**
 * The best trial so far while a study trains, when that is a running trial: its weights at
 * `step`, sent now and then for the live decision boundary. Not a study event: never folded
 * nor journaled, so a live view changes neither storage nor what a link reproduces. `null`:
 * an ended trial (the kept model) is the best again; `unavailable`: why no live model comes.
 */
export type LiveBest = { trialId: number; step: number; model: TrainedModel } | { unavailable: string } | null;
export type LiveBestHandler = (live: LiveBest) => void;
