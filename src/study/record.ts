// What a study keeps of each trial: enough to redraw every view and to compare two runs of
// one link (same params, same curves).

import type { PopulationShape, TrialState } from '../train/types.ts';
import type { TrialPlacement } from './events.ts';
import type { TrialParams } from './spec.ts';

/** Columnar curve: entry k of each array belongs to step[k]. */
export interface TrialCurve {
  step: number[];
  trainLoss: number[];
  validationLoss: number[];
  trainAccuracy: number[];
  validationAccuracy: number[];
}

export function emptyCurve(): TrialCurve {
  return { step: [], trainLoss: [], validationLoss: [], trainAccuracy: [], validationAccuracy: [] };
}

/**
 * Population-based training: at `step` the trial's model was replaced by a copy of trial
 * `from`'s (weights and optimizer state), which trained on with `params`.
 */
export interface LineageStep {
  step: number;
  from: number;
  params: TrialParams;
}

/** A trial's hyperparameters now: its last PBT copy's, or those it was planned with. */
export function finalParams(trial: Pick<TrialRecord, 'params' | 'lineage'>): TrialParams {
  return trial.lineage?.at(-1)?.params ?? trial.params;
}

export interface TrialRecord {
  id: number;
  params: TrialParams;
  placement: TrialPlacement;
  state: TrialState;
  /** Final validation loss; NaN unless the trial reached one (diverged/failed trials have none). */
  objective: number;
  steps: number;
  reason?: string;
  /** Wall time its population trained. */
  durationMs?: number;
  curve: TrialCurve;
  /** Its PBT copies in step order (absent when it never copied one); its hyperparameters now are the last one's params. */
  lineage?: LineageStep[];
}

/** A trained model as the engine left it: parameters in the padded layout of `shape` (see predict in train/cpu/engine.ts). */
export interface TrainedModel {
  trialId: number;
  shape: PopulationShape;
  hiddenUnits: number;
  parameters: Float32Array;
  /** Its running statistics (batch norm's, PopulationResult.statistics), which evaluation reads; absent without batch norm. */
  statistics?: Float32Array;
}

/** `statistics` as a TrainedModel holds them: absent when the model has none. */
export function keptStatistics(statistics: Float32Array): Pick<TrainedModel, 'statistics'> {
  return statistics.length > 0 ? { statistics } : {};
}
