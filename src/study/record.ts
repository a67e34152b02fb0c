// What a study keeps of each trial: enough to redraw every view and to compare two runs of
// one link (same params, same curves).
import type { FinishedTrialState, TrialPlacement } from './events.ts';
import type { StudySpec, TrialParams } from './spec.ts';
import type { TrialState } from '../train/types.ts';

/** Columnar curve: entry k of each array belongs to step[k]. */
export interface TrialCurve {
  step: number[];
  trainLoss: number[];
  validationLoss: number[];
  trainAccuracy: number[];
  validationAccuracy: number[];
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
  curve: TrialCurve;
}

export interface StudyResult {
  spec: StudySpec;
  engine: { kind: 'webgpu' | 'cpu'; adapter: string };
  task: 'classification' | 'regression';
  trials: TrialRecord[];
  bestTrialId?: number;
  elapsedMs: number;
  stopped: boolean;
}

export function isFinished(state: TrialState): state is FinishedTrialState {
  return state !== 'RUNNING';
}
