// The study loop, engine-agnostic (it runs in the trainer worker and in Node tests): ask the
// scheduler for trials until `parallelism` are planned (or it says wait/done), train them
// as populations (one per shape bucket) through TrainingEngine.train, judge every report
// with the pruner, record each trial, emit events (importance too, see liveImportance.ts), repeat. Trial params depend on (study
// seed, trial id, finished results) and curves on the trial's own seeds, so the same spec
// gives the same trials and, on the same adapter, the same curves whatever the parallelism
// (pruning aside: median and ASHA compare against whatever other curves exist so far).
// A lost GPU device loses nothing: the study moves to the CPU engine (see moveToCpu).
import { createPruner, type Pruner, type PrunerConfig } from '../search/pruning.ts';
import { createScheduler } from '../search/scheduler.ts';
import type { Curve, FinishedTrial, Scheduler, SchedulerConfig, TrialPlan } from '../search/types.ts';
import { EngineError, type PopulationResult, type ProgressReport, type TrainingData, type TrainingEngine } from '../train/types.ts';
import type { FinishedTrialState, StudyEvent, StudyEventHandler } from './events.ts';
import { LiveImportance } from './liveImportance.ts';
import { groupIntoPopulations, type Population } from './population.ts';
import { emptyCurve, type StudyResult, type TrainedModel, type TrialRecord } from './record.ts';
import type { StudySpec } from './spec.ts';

export function schedulerConfig(spec: StudySpec): SchedulerConfig {
  const { kind, budget: b, pointsPerParam, trialsPerRound } = spec.scheduler;
  const budget = b.kind === 'trials' ? { trials: b.trials } : { seconds: b.minutes * 60 };
  if (kind === 'grid') return { kind, budget, pointsPerParam };
  if (kind === 'coarse-to-fine') return { kind, budget, trialsPerRound };
  return { kind, budget };
}

/** The engine's divergence rule, stated here so that reasons can quote it. */
const DIVERGENCE_FACTOR = 100;

/** Median stopping after a quarter of the steps; ASHA rungs at steps/9, steps/3, steps (η = 3). */
export function prunerConfig(spec: StudySpec): PrunerConfig {
  const { steps, reportEvery } = spec.training;
  const divergenceFactor = DIVERGENCE_FACTOR;
  if (spec.pruning.kind === 'median') return { kind: 'median', warmupSteps: Math.round(steps / 4), divergenceFactor };
  if (spec.pruning.kind === 'asha') return { kind: 'asha', minSteps: Math.max(reportEvery, Math.round(steps / 9)), divergenceFactor };
  return { kind: 'none', divergenceFactor };
}

export interface StudyRunnerOptions {
  spec: StudySpec;
  data: TrainingData;
  engine: TrainingEngine;
  onEvent: StudyEventHandler;
  /** Why the study runs on the CPU although WebGPU was asked for. */
  fallbackNotice?: string;
  /** Makes the CPU engine the study moves to when its engine's GPU device is lost; without it, the interrupted trials fail. */
  cpuFallback?: () => TrainingEngine;
  /** Milliseconds; time budgets and elapsed times read it (tests may pass a fake). */
  clock?: () => number;
}

export class StudyRunner {
  private readonly spec: StudySpec;
  private readonly data: TrainingData;
  private engine: TrainingEngine;
  private cpuFallback: (() => TrainingEngine) | undefined;
  private readonly emit: StudyEventHandler;
  private readonly clock: () => number;
  private readonly records = new Map<number, TrialRecord>();
  private readonly started: TrialPlan[] = [];
  private readonly finished: FinishedTrial[] = [];
  private pauseGate: { promise: Promise<void>; open: () => void; since: number } | null = null;
  private pausedMs = 0;
  private startedAt = 0;
  private stopped = false;
  private bestModel: TrainedModel | undefined;
  private readonly importance: LiveImportance;

  constructor(private readonly options: StudyRunnerOptions) {
    this.spec = options.spec;
    this.data = options.data;
    this.engine = options.engine;
    this.cpuFallback = options.cpuFallback;
    this.emit = options.onEvent;
    this.clock = options.clock ?? (() => performance.now());
    this.importance = new LiveImportance(this.spec.space, this.clock, this.emit);
  }

  /** Holds the study at the next report (or before the next population). */
  pause(): void {
    if (this.pauseGate || this.stopped) return;
    let open = () => {};
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.pauseGate = { promise, open, since: this.clock() };
    this.emit({ type: 'study-paused' });
  }

  resume(): void {
    const gate = this.pauseGate;
    if (!gate) return;
    this.pausedMs += this.clock() - gate.since;
    this.pauseGate = null;
    gate.open();
    this.emit({ type: 'study-resumed' });
  }

  /** Ends the study: running trials stop at their next report (recorded as PRUNED, "stopped by the user"). */
  stop(): void {
    this.stopped = true;
    this.resume();
  }

  async run(): Promise<StudyResult> {
    this.startedAt = this.clock();
    const { spec } = this;
    this.emit({
      type: 'study-started',
      engine: { kind: this.engine.kind, adapter: this.engine.adapter },
      task: this.data.task,
      ...(this.options.fallbackNotice ? { fallbackNotice: this.options.fallbackNotice } : {}),
      ...(spec.scheduler.budget.kind === 'trials' ? { plannedTrials: spec.scheduler.budget.trials } : {}),
    });
    let scheduler: Scheduler;
    let pruner: Pruner;
    try {
      scheduler = createScheduler(schedulerConfig(spec), spec.space, spec.seed);
      pruner = createPruner(prunerConfig(spec));
    } catch (e) {
      this.emit({ type: 'study-error', message: `The study cannot start: ${(e as Error).message}. Fix it in the editor and run again.` });
      return this.result();
    }
    while (!this.stopped) {
      await this.pauseGate?.promise;
      if (this.stopped) break;
      let planned: ReturnType<StudyRunner['planBatch']>;
      try {
        planned = this.planBatch(scheduler);
      } catch (e) {
        this.emit({ type: 'study-error', message: `The scheduler failed: ${(e as Error).message}. The study ends here.` });
        break;
      }
      const { batch, decision } = planned;
      if (batch.length === 0) {
        if (decision === 'wait') {
          this.emit({ type: 'study-error', message: 'The scheduler is waiting for results but no trial is running; the study ends here.' });
        }
        break;
      }
      const { populations, invalid } = groupIntoPopulations(batch, spec.seed, this.data);
      for (const { trial, reason } of invalid) this.finish(trial.id, 'FAILED', `its parameters cannot make a model: ${reason}`);
      for (const population of populations) {
        await this.train(population, pruner);
        this.importance.update(this.finished);
      }
    }
    this.importance.update(this.finished, true);
    const result = this.result();
    this.emit({
      type: 'study-finished',
      trials: result.trials.length,
      elapsedMs: result.elapsedMs,
      stopped: this.stopped,
      ...(result.bestTrialId !== undefined ? { bestTrialId: result.bestTrialId } : {}),
    });
    return result;
  }

  private elapsedSeconds(): number {
    return (this.clock() - this.startedAt - this.pausedMs) / 1000;
  }

  /** Up to `parallelism` new trials, each recorded and announced. */
  private planBatch(scheduler: Scheduler): { batch: TrialPlan[]; decision: 'trial' | 'wait' | 'done' } {
    const batch: TrialPlan[] = [];
    while (batch.length < this.spec.parallelism) {
      const decision = scheduler.next({ started: this.started, finished: this.finished, elapsedSeconds: this.elapsedSeconds() });
      if (decision.kind !== 'trial') return { batch, decision: decision.kind };
      const { trial } = decision;
      const placement = { ...(trial.round !== undefined ? { round: trial.round } : {}), ...(trial.stage ? { stage: trial.stage } : {}), ...(trial.box ? { box: trial.box } : {}) };
      this.started.push(trial);
      this.records.set(trial.id, {
        id: trial.id,
        params: trial.params,
        placement,
        state: 'RUNNING',
        objective: Number.NaN,
        steps: 0,
        curve: emptyCurve(),
      });
      this.emit({ type: 'trial-planned', trialId: trial.id, params: trial.params, placement });
      batch.push(trial);
    }
    return { batch, decision: 'trial' };
  }

  private async train(population: Population, pruner: Pruner): Promise<void> {
    const { spec } = this;
    const ids = population.trials.map((t) => t.id);
    const running = new Set(ids.keys());
    if (this.stopped) {
      for (const id of ids) this.finish(id, 'PRUNED', 'stopped by the user before it trained');
      return;
    }
    const onReport = async (report: ProgressReport): Promise<number[]> => {
      await this.pauseGate?.promise;
      const toStop: number[] = [];
      const reporting = [...running].filter((i) => !report.diverged[i]);
      for (const i of reporting) this.appendPoint(ids[i], report, i);
      this.emitProgress(report, reporting, ids);
      for (const i of running) {
        const verdict = report.diverged[i]
          ? { state: 'DIVERGED' as const, reason: `training loss became NaN/Inf or exceeded ${DIVERGENCE_FACTOR}× its first value before step ${report.step}` }
          : this.stopped
            ? { state: 'PRUNED' as const, reason: `stopped by the user at step ${report.step}` }
            : pruner.decide(this.curveOf(ids[i]), this.otherCurves(ids[i]));
        if (!verdict) continue;
        this.finish(ids[i], verdict.state, verdict.reason, report.step);
        running.delete(i);
        if (!report.diverged[i]) toStop.push(i);
      }
      return toStop;
    };
    let trained: PopulationResult;
    try {
      trained = await this.engine.train({ shape: population.shape, models: population.models, data: this.data, steps: spec.training.steps, reportEvery: spec.training.reportEvery, divergenceFactor: DIVERGENCE_FACTOR }, onReport);
    } catch (e) {
      if (e instanceof EngineError && e.kind === 'device-lost' && this.cpuFallback) {
        const unfinished = [...running];
        const rest = { shape: population.shape, trials: unfinished.map((i) => population.trials[i]), models: unfinished.map((i) => population.models[i]) };
        this.moveToCpu(this.cpuFallback, e, rest);
        if (rest.trials.length > 0) await this.train(rest, pruner);
        return;
      }
      for (const i of running) this.finish(ids[i], 'FAILED', `training failed: ${(e as Error).message}`);
      return;
    }
    for (const i of running) {
      const record = this.records.get(ids[i]);
      const finalLoss = record?.curve.validationLoss.at(-1) ?? Number.NaN;
      if (!Number.isFinite(finalLoss)) {
        this.finish(ids[i], 'FAILED', 'training ended without a finite validation loss', spec.training.steps);
        continue;
      }
      this.finish(ids[i], 'COMPLETE', undefined, spec.training.steps);
      const bestSoFar = this.bestModel && this.records.get(this.bestModel.trialId);
      if (!bestSoFar || finalLoss < bestSoFar.objective) {
        this.bestModel = { trialId: ids[i], shape: population.shape, hiddenUnits: population.models[i].hiddenUnits, parameters: trained.parameters[i] };
      }
    }
  }

  /**
   * The one place a lost GPU device is handled: the rest of the study trains on the CPU engine
   * and the interrupted trials start again from step 0 (same seeds, so the CPU engine's curves).
   */
  private moveToCpu(cpuFallback: () => TrainingEngine, lost: EngineError, interrupted: Population): void {
    this.engine = cpuFallback();
    this.cpuFallback = undefined;
    const restartedTrialIds = interrupted.trials.map((t) => t.id);
    for (const id of restartedTrialIds) {
      const record = this.records.get(id);
      if (!record) continue;
      record.steps = 0;
      record.curve = emptyCurve();
    }
    this.emit({
      type: 'engine-changed',
      engine: { kind: this.engine.kind, adapter: this.engine.adapter },
      notice: `The GPU device was lost mid-study, so training goes on on the CPU engine (slower, same math); the trials it interrupted start again from step 0. Details: ${lost.message}`,
      restartedTrialIds,
    });
  }

  private appendPoint(id: number, report: ProgressReport, i: number): void {
    const curve = this.records.get(id)?.curve;
    if (!curve) return;
    curve.step.push(report.step);
    curve.trainLoss.push(report.trainLoss[i]);
    curve.validationLoss.push(report.validationLoss[i]);
    curve.trainAccuracy.push(report.trainAccuracy[i]);
    curve.validationAccuracy.push(report.validationAccuracy[i]);
    const record = this.records.get(id);
    if (record) record.steps = report.step;
  }

  /** Copies (never views) the report's entries: the worker transfers these buffers away. */
  private emitProgress(report: ProgressReport, reporting: number[], ids: number[]): void {
    if (reporting.length === 0) return;
    const pick = (values: Float32Array) => Float32Array.from(reporting, (i) => values[i]);
    const event: StudyEvent = {
      type: 'progress',
      step: report.step,
      trialIds: Int32Array.from(reporting, (i) => ids[i]),
      trainLoss: pick(report.trainLoss),
      validationLoss: pick(report.validationLoss),
      trainAccuracy: pick(report.trainAccuracy),
      validationAccuracy: pick(report.validationAccuracy),
    };
    this.emit(event);
  }

  private curveOf(id: number): Curve {
    const curve = this.records.get(id)?.curve;
    return { steps: curve?.step ?? [], values: curve?.validationLoss ?? [] };
  }

  private otherCurves(id: number): Curve[] {
    const curves: Curve[] = [];
    for (const [other, record] of this.records) if (other !== id && record.curve.step.length > 0) curves.push(this.curveOf(other));
    return curves;
  }

  private finish(id: number, state: FinishedTrialState, reason?: string, steps?: number): void {
    const record = this.records.get(id);
    if (!record || record.state !== 'RUNNING') return;
    record.state = state;
    if (steps !== undefined) record.steps = steps;
    record.objective = state === 'COMPLETE' || state === 'PRUNED' ? (record.curve.validationLoss.at(-1) ?? Number.NaN) : Number.NaN;
    if (reason) record.reason = reason;
    const curve = this.curveOf(id);
    this.finished.push({ id, params: record.params, state, objective: record.objective, curve, ...(reason ? { reason } : {}) });
    this.emit({ type: 'trial-finished', trialId: id, state, objective: record.objective, steps: record.steps, ...(reason ? { reason } : {}) });
  }

  private result(): StudyResult {
    const trials = [...this.records.values()].sort((a, b) => a.id - b.id);
    let best: TrialRecord | undefined;
    for (const t of trials) if (t.state === 'COMPLETE' && Number.isFinite(t.objective) && (!best || t.objective < best.objective)) best = t;
    return {
      spec: this.spec,
      engine: { kind: this.engine.kind, adapter: this.engine.adapter },
      task: this.data.task,
      trials,
      elapsedMs: this.clock() - this.startedAt - this.pausedMs,
      stopped: this.stopped,
      ...(best ? { bestTrialId: best.id } : {}),
      ...(this.bestModel ? { bestModel: this.bestModel } : {}),
    };
  }
}
