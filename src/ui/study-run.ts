// The page's picture of one running study, folded from the worker's events. Views read it;
// the root element re-renders them at most once per animation frame (see tuning-lab.ts).
import type { EngineInfo, ImportanceEvent, StudyEvent } from '../study/events.ts';
import { emptyCurve, type TrainedModel, type TrialRecord } from '../study/record.ts';
import type { StudySpec } from '../study/spec.ts';
import type { TrainingData } from '../train/types.ts';

export type RunStatus = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'error';

export class StudyRun {
  status: RunStatus = 'idle';
  engine?: EngineInfo;
  fallbackNotice?: string;
  task: 'classification' | 'regression' = 'classification';
  plannedTrials?: number;
  errorMessage?: string;
  bestTrialId?: number;
  readonly startedAt: number;
  finishedAt?: number;
  /** Trials by id, in the order they were planned. */
  readonly trials = new Map<number, TrialRecord>();
  /** The best trial's trained model and the 2-D data it was trained on, once the study ended. */
  bestModel?: TrainedModel;
  boundaryData?: TrainingData;
  /** Trial ids in the order they finished (the best-so-far history's x axis). */
  readonly finishOrder: number[] = [];
  /** The latest importance the worker computed (it arrives as trials complete). */
  importance?: Omit<ImportanceEvent, 'type'>;

  /** The study as it was when Run was pressed (later edits do not change this run's views). */
  constructor(
    readonly spec: StudySpec,
    now: number,
  ) {
    this.startedAt = now;
  }

  apply(event: StudyEvent, now: number): void {
    switch (event.type) {
      case 'study-started':
        this.status = 'running';
        this.engine = event.engine;
        this.fallbackNotice = event.fallbackNotice;
        this.plannedTrials = event.plannedTrials;
        this.task = event.task;
        return;
      case 'engine-changed':
        this.engine = event.engine;
        this.fallbackNotice = event.notice;
        for (const id of event.restartedTrialIds) {
          const trial = this.trials.get(id);
          if (!trial) continue;
          trial.steps = 0;
          trial.curve = emptyCurve();
        }
        return;
      case 'trial-planned':
        this.trials.set(event.trialId, {
          id: event.trialId,
          params: event.params,
          placement: event.placement,
          state: 'RUNNING',
          objective: NaN,
          steps: 0,
          curve: emptyCurve(),
        });
        return;
      case 'progress':
        for (let i = 0; i < event.trialIds.length; i++) {
          const trial = this.trials.get(event.trialIds[i]);
          if (!trial) continue;
          trial.steps = event.step;
          trial.curve.step.push(event.step);
          trial.curve.trainLoss.push(event.trainLoss[i]);
          trial.curve.validationLoss.push(event.validationLoss[i]);
          trial.curve.trainAccuracy.push(event.trainAccuracy[i]);
          trial.curve.validationAccuracy.push(event.validationAccuracy[i]);
        }
        return;
      case 'trial-finished': {
        const trial = this.trials.get(event.trialId);
        if (!trial) return;
        trial.state = event.state;
        trial.objective = event.objective;
        trial.steps = event.steps;
        trial.reason = event.reason;
        this.finishOrder.push(trial.id);
        if (event.state === 'COMPLETE' && Number.isFinite(event.objective)) {
          const best = this.bestTrialId === undefined ? undefined : this.trials.get(this.bestTrialId);
          if (!best || event.objective < best.objective) this.bestTrialId = event.trialId;
        }
        return;
      }
      case 'importance':
        this.importance = { shares: event.shares, completedTrials: event.completedTrials };
        return;
      case 'study-finished':
        this.status = event.stopped ? 'stopped' : 'finished';
        this.bestTrialId = event.bestTrialId ?? this.bestTrialId;
        this.finishedAt = now;
        return;
      case 'study-paused':
        this.status = 'paused';
        return;
      case 'study-resumed':
        this.status = 'running';
        return;
      case 'study-error':
        this.status = 'error';
        this.errorMessage = event.message;
        this.finishedAt = now;
        return;
    }
  }

  get trialList(): TrialRecord[] {
    return [...this.trials.values()];
  }

  get finishedCount(): number {
    let n = 0;
    for (const t of this.trials.values()) if (t.state !== 'RUNNING') n++;
    return n;
  }

  get active(): boolean {
    return this.status === 'running' || this.status === 'paused';
  }
}
