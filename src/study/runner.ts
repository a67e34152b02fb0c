// The study loop, engine-agnostic (it runs in the trainer worker and in Node tests): ask the
// scheduler for trials until `parallelism` are planned (or it says wait/done), train them
// as populations (one per shape bucket) through TrainingEngine.train, judge every report
// with the pruner, emit events (importance too, see liveImportance.ts), repeat. The runner's
// own picture of the study is the fold of what it emits (applyStudyEvent), so it cannot drift
// from the page's or the journal's. Trial params depend on (study seed, trial id, finished
// results) and curves on the trial's own seeds, so the same spec gives the same trials and,
// on the same adapter, the same curves whatever the parallelism (pruning aside: median and
// ASHA compare against whatever other curves exist so far) and however often it was resumed.
// A lost GPU device loses nothing: the study moves to the CPU engine (see moveToCpu).

import { isPopulationScheduler, type PopulationScheduler } from '../search/pbt.ts';
import { createPruner, type Pruner, type PrunerConfig } from '../search/pruning.ts';
import { createScheduler } from '../search/scheduler.ts';
import type { Curve, FinishedTrial, Scheduler, SchedulerConfig, TrialPlan } from '../search/types.ts';
import {
  EngineError,
  type HyperChange,
  type ModelCopy,
  type ProgressReport,
  type ReadModel,
  type ReportAnswer,
  type TrainingData,
  type TrainingEngine,
} from '../train/types.ts';
import { dataShapeOfTrainingData } from './cost.ts';
import type { FinishedTrialState, LiveBestHandler, StudyEvent, StudyEventHandler, TrialPlacement } from './events.ts';
import { LiveImportance } from './liveImportance.ts';
import { pbtInterval } from './pbt.ts';
import { groupIntoPopulations, type PopulationPlan, trialModel } from './population.ts';
import { keptStatistics, type TrialRecord } from './record.ts';
import type { StudySpec, TrialParams } from './spec.ts';
import {
  applyStudyEvent,
  bestTrialOf,
  initialStudyState,
  keepsCurvePoint,
  type StudyState,
  unfinishedTrials,
} from './state.ts';

export function schedulerConfig(spec: StudySpec): SchedulerConfig {
  const { kind, budget: b, pointsPerParam, trialsPerRound } = spec.scheduler;
  const budget = b.kind === 'trials' ? { trials: b.trials } : { seconds: b.minutes * 60 };
  if (kind === 'grid') return { kind, budget, pointsPerParam };
  if (kind === 'coarse-to-fine') return { kind, budget, trialsPerRound, parallelism: spec.parallelism };
  if (kind === 'cmaes' || kind === 'auto') return { kind, budget, parallelism: spec.parallelism };
  if (kind === 'pbt') return { kind, budget, interval: pbtInterval(spec) };
  return { kind, budget };
}

/**
 * After Stop, running trials stop at their next report, which keeps their trained models (the
 * best one's boundary); an engine that has not reported by then is aborted.
 */
const STOP_GRACE_MS = 500;

/** Least milliseconds between two live best models (each a read-back and a boundary redraw). */
const LIVE_EVERY_MS = 500;

/** The engine's divergence rule, stated here so that reasons can quote it. */
const DIVERGENCE_FACTOR = 100;

/**
 * Median stopping after a quarter of the steps; ASHA rungs at steps/9, steps/3, steps (η = 3).
 * Under population-based training none, whatever the study's pruning: there the worst trials
 * copy the best and train on, and a pruner would shrink the population (ASHA would stop two
 * thirds of it at steps/9, before most exploits).
 */
export function prunerConfig(spec: StudySpec): PrunerConfig {
  const { steps, reportEvery } = spec.training;
  const divergenceFactor = DIVERGENCE_FACTOR;
  if (spec.scheduler.kind === 'pbt') return { kind: 'none', divergenceFactor };
  if (spec.pruning.kind === 'median') return { kind: 'median', warmupSteps: Math.round(steps / 4), divergenceFactor };
  if (spec.pruning.kind === 'asha')
    return { kind: 'asha', minSteps: Math.max(reportEvery, Math.round(steps / 9)), divergenceFactor };
  return { kind: 'none', divergenceFactor };
}

function planOf(record: TrialRecord): TrialPlan {
  return { id: record.id, params: record.params, ...record.placement };
}

function curveOf(record: TrialRecord): Curve {
  return { steps: record.curve.step, values: record.curve.validationLoss };
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
  /**
   * The study so far (replayed from its journal): resume it, or extend it when `spec` has a
   * larger budget. Finished trials are kept as they are; trials that were in flight train
   * again from step 0 with their own seeds, so the study ends as if never interrupted.
   */
  history?: StudyState;
  /**
   * Streams the best trial's weights while it trains (at most every LIVE_EVERY_MS, on 2-input
   * data, where a boundary is drawn); reading them changes no result.
   */
  onLiveBest?: LiveBestHandler;
}

export class StudyRunner {
  private readonly spec: StudySpec;
  private readonly data: TrainingData;
  private engine: TrainingEngine;
  private cpuFallback: (() => TrainingEngine) | undefined;
  private readonly onEvent: StudyEventHandler;
  private readonly clock: () => number;
  private state: StudyState;
  private pauseGate: { promise: Promise<void>; open: () => void; since: number } | null = null;
  private pausedMs = 0;
  private startedAt = 0;
  private stopRequested = false;
  private readonly aborting = new AbortController();
  private abortTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly importance: LiveImportance;
  /** When the last live best was sent, and whether it named a running trial (so that `null` takes it back). */
  private liveAt = Number.NEGATIVE_INFINITY;
  private liveShown = false;

  constructor(private readonly options: StudyRunnerOptions) {
    this.spec = options.spec;
    this.data = options.data;
    this.engine = options.engine;
    this.cpuFallback = options.cpuFallback;
    this.onEvent = options.onEvent;
    this.clock = options.clock ?? (() => performance.now());
    this.state = options.history
      ? { ...structuredClone(options.history), spec: options.spec }
      : initialStudyState(options.spec);
    this.importance = new LiveImportance(this.spec.space, this.clock, (event) => this.emit(event));
  }

  private get stopped(): boolean {
    return this.stopRequested;
  }

  /** Every event goes through here: folded into the runner's state, then sent. */
  private emit(event: StudyEvent): void {
    this.state = applyStudyEvent(this.state, event);
    this.onEvent(event);
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

  /**
   * Ends the study within a second: each running trial is recorded as STOPPED with the last
   * validation loss and step it reported — a partial result that still counts — at its next
   * report, or, if none comes within STOP_GRACE_MS, when the engine is aborted (it stops
   * between submits).
   */
  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.resume();
    this.abortTimer = setTimeout(() => this.aborting.abort(), STOP_GRACE_MS);
  }

  async run(): Promise<StudyState> {
    this.startedAt = this.clock();
    const { spec } = this;
    const restarted = unfinishedTrials(this.state);
    this.emit({
      type: 'study-started',
      engine: { kind: this.engine.kind, adapter: this.engine.adapter },
      task: this.data.task,
      dataShape: dataShapeOfTrainingData(this.data),
      ...(this.options.fallbackNotice ? { fallbackNotice: this.options.fallbackNotice } : {}),
      ...(spec.scheduler.budget.kind === 'trials' ? { plannedTrials: spec.scheduler.budget.trials } : {}),
      ...(restarted.length > 0 ? { restartedTrialIds: restarted.map((t) => t.id) } : {}),
    });
    let scheduler: Scheduler;
    let pruner: Pruner;
    try {
      scheduler = createScheduler(schedulerConfig(spec), spec.space, spec.seed);
      pruner = createPruner(prunerConfig(spec));
      if (isPopulationScheduler(scheduler) && this.engine.cannotCopyModels)
        throw new Error(
          `population-based training copies models inside the engine, but ${this.engine.cannotCopyModels}`,
        );
    } catch (e) {
      this.emit({
        type: 'study-error',
        message: `The study cannot start: ${(e as Error).message}. Fix it in the editor and run again.`,
      });
      return this.state;
    }
    let batch = restarted.map(planOf);
    while (!this.stopped) {
      if (batch.length === 0) {
        await this.pauseGate?.promise;
        if (this.stopped) break;
        let decision: 'trial' | 'wait' | 'done';
        try {
          ({ batch, decision } = this.planBatch(scheduler));
        } catch (e) {
          this.emit({
            type: 'study-error',
            message: `The scheduler failed: ${(e as Error).message}. The study ends here.`,
          });
          return this.state;
        }
        if (batch.length === 0) {
          if (decision === 'wait')
            this.emit({
              type: 'study-error',
              message: 'The scheduler is waiting for results but no trial is running; the study ends here.',
            });
          break;
        }
      }
      const { populations, invalid } = groupIntoPopulations(batch, spec.seed, this.data);
      batch = [];
      for (const { trial, reason } of invalid)
        this.finish(trial.id, 'FAILED', `its parameters cannot make a model: ${reason}`);
      for (const population of populations) {
        await this.train(population, pruner, isPopulationScheduler(scheduler) ? scheduler : undefined);
        this.importance.update(this.finishedTrials());
      }
    }
    clearTimeout(this.abortTimer);
    if (this.state.status === 'error') return this.state;
    this.importance.update(this.finishedTrials(), true);
    this.emit({
      type: 'study-finished',
      trials: this.state.trials.size,
      elapsedMs: this.clock() - this.startedAt - this.pausedMs,
      stopped: this.stopped,
    });
    return this.state;
  }

  private elapsedSeconds(): number {
    return (this.state.elapsedMs + this.clock() - this.startedAt - this.pausedMs) / 1000;
  }

  private finishedTrials(): FinishedTrial[] {
    const finished: FinishedTrial[] = [];
    for (const id of this.state.finishOrder) {
      const t = this.state.trials.get(id);
      if (t && t.state !== 'RUNNING')
        finished.push({
          id,
          params: t.params,
          state: t.state,
          objective: t.objective,
          curve: curveOf(t),
          ...(t.reason ? { reason: t.reason } : {}),
        });
    }
    return finished;
  }

  /** Up to `parallelism` new trials, each announced. */
  private planBatch(scheduler: Scheduler): { batch: TrialPlan[]; decision: 'trial' | 'wait' | 'done' } {
    const batch: TrialPlan[] = [];
    const started = [...this.state.trials.values()].map(planOf);
    const finished = this.finishedTrials();
    while (batch.length < this.spec.parallelism) {
      const decision = scheduler.next({ started, finished, elapsedSeconds: this.elapsedSeconds() });
      if (decision.kind !== 'trial') return { batch, decision: decision.kind };
      const { trial } = decision;
      const placement: TrialPlacement = {
        ...(trial.round !== undefined ? { round: trial.round } : {}),
        ...(trial.stage ? { stage: trial.stage } : {}),
        ...(trial.box ? { box: trial.box } : {}),
      };
      started.push(trial);
      this.emit({ type: 'trial-planned', trialId: trial.id, params: trial.params, placement });
      batch.push(trial);
    }
    return { batch, decision: 'trial' };
  }

  /** Trains one population to its end; under population-based training `pbt` decides its exploits at each report. */
  private async train(population: PopulationPlan, pruner: Pruner, pbt?: PopulationScheduler): Promise<void> {
    const { spec } = this;
    const ids = population.trials.map((t) => t.id);
    const running = new Set(ids.keys());
    if (this.stopped) {
      for (const id of ids) this.finish(id, 'STOPPED', 'stopped by the user before it trained');
      return;
    }
    const startedAt = this.clock();
    const duration = () => this.clock() - startedAt;
    const bestBefore = this.state.bestTrialId;
    /** Each trial's latest report: a stopped trial's result, even when its curve keeps a coarser stride. */
    const latest = new Map<number, { step: number; validationLoss: number }>();
    /** Each trial's hyperparameters now (PBT's exploits replace them). */
    const params = population.trials.map((t) => t.params);
    const onReport = async (report: ProgressReport, readModel?: ReadModel): Promise<ReportAnswer> => {
      await this.pauseGate?.promise;
      const toStop: number[] = [];
      const reporting = [...running].filter((i) => !report.diverged[i]);
      for (const i of reporting) latest.set(ids[i], { step: report.step, validationLoss: report.validationLoss[i] });
      // The pruner judges the curves as stored, so it decides only when this report was kept.
      const kept = keepsCurvePoint(spec.training, report.step);
      if (kept) this.emitProgress(report, reporting, ids);
      for (const i of running) {
        const record = this.state.trials.get(ids[i]);
        if (!record) continue;
        const verdict = report.diverged[i]
          ? {
              state: 'DIVERGED' as const,
              reason: `training loss became NaN/Inf or exceeded ${DIVERGENCE_FACTOR}× its first value before step ${report.step}`,
            }
          : this.stopped
            ? { state: 'STOPPED' as const, reason: `stopped by the user at step ${report.step}` }
            : kept
              ? pruner.decide(curveOf(record), this.otherCurves(ids[i]))
              : undefined;
        if (!verdict) continue;
        this.finish(ids[i], verdict.state, verdict.reason, report.step, duration(), report.validationLoss[i]);
        running.delete(i);
        if (!report.diverged[i]) toStop.push(i);
      }
      if (!this.stopped && report.step < spec.training.steps)
        await this.sendLiveBest(report, readModel, population, [...running], ids, params);
      if (!pbt || this.stopped || report.step >= spec.training.steps) return { stop: toStop };
      return { stop: toStop, ...this.exploit(pbt, report, [...running], ids, params) };
    };
    let parameters: Float32Array[];
    let statistics: Float32Array[];
    try {
      const job = {
        shape: population.shape,
        models: population.models,
        data: this.data,
        steps: spec.training.steps,
        reportEvery: spec.training.reportEvery,
        divergenceFactor: DIVERGENCE_FACTOR,
      };
      ({ parameters, statistics } = await this.engine.train(job, onReport, this.aborting.signal));
    } catch (e) {
      if (this.stopped) {
        for (const i of running) {
          const last = latest.get(ids[i]);
          this.finish(
            ids[i],
            'STOPPED',
            `stopped by the user at step ${last?.step ?? 0}`,
            last?.step ?? 0,
            duration(),
            last?.validationLoss ?? Number.NaN,
          );
        }
        return;
      }
      if (e instanceof EngineError && e.kind === 'device-lost' && this.cpuFallback) {
        const unfinished = [...running];
        const rest = {
          shape: population.shape,
          trials: unfinished.map((i) => population.trials[i]),
          models: unfinished.map((i) => population.models[i]),
        };
        this.moveToCpu(this.cpuFallback, e, rest);
        if (rest.trials.length > 0) await this.train(rest, pruner, pbt);
        return;
      }
      for (const i of running)
        this.finish(ids[i], 'FAILED', `training failed: ${(e as Error).message}`, undefined, duration());
      return;
    }
    for (const i of running) {
      const finalLoss = latest.get(ids[i])?.validationLoss ?? Number.NaN;
      if (!Number.isFinite(finalLoss))
        this.finish(
          ids[i],
          'FAILED',
          'training ended without a finite validation loss',
          spec.training.steps,
          duration(),
        );
      else this.finish(ids[i], 'COMPLETE', undefined, spec.training.steps, duration(), finalLoss);
    }
    const best = this.state.bestTrialId;
    const i = best === undefined ? -1 : ids.indexOf(best);
    if (best !== bestBefore && i >= 0) {
      this.emit({
        type: 'model-kept',
        model: {
          trialId: best!,
          shape: population.shape,
          // A PBT copy may have changed its width since the population started: its params now say.
          hiddenUnits: trialModel(params[i], spec.seed, best!).hiddenUnits,
          parameters: parameters[i],
          ...keptStatistics(statistics[i]),
        },
      });
    }
  }

  /**
   * Sends the best running trial's weights as they are at this report (LiveBest) when it beats
   * every ended trial, or `null` when an ended one is the best again; at most every LIVE_EVERY_MS.
   */
  private async sendLiveBest(
    report: ProgressReport,
    readModel: ReadModel | undefined,
    population: PopulationPlan,
    running: number[],
    ids: number[],
    params: TrialParams[],
  ): Promise<void> {
    const send = this.options.onLiveBest;
    if (!send || this.data.inputs !== 2 || this.clock() - this.liveAt < LIVE_EVERY_MS) return;
    this.liveAt = this.clock();
    if (!readModel) {
      send({ unavailable: `the engine (${this.engine.adapter}) cannot read a model while it trains` });
      this.liveAt = Number.POSITIVE_INFINITY; // said once
      return;
    }
    const loss = (i: number) => report.validationLoss[i];
    const best = running
      .filter((i) => Number.isFinite(loss(i)))
      .reduce((a, i) => (a < 0 || loss(i) < loss(a) ? i : a), -1);
    const ended = bestTrialOf(this.state.trials.values());
    if (best < 0 || (ended && ended.objective <= loss(best))) {
      if (this.liveShown) send(null);
      this.liveShown = false;
      return;
    }
    const { parameters, statistics } = await readModel(best);
    const trialId = ids[best];
    // A PBT copy may have changed its width since the population started: its params now say.
    const { hiddenUnits } = trialModel(params[best], this.spec.seed, trialId);
    send({
      trialId,
      step: report.step,
      model: { trialId, shape: population.shape, hiddenUnits, parameters, ...keptStatistics(statistics) },
    });
    this.liveShown = true;
  }

  /**
   * PBT's exploit and explore at one report: the scheduler picks who copies whom among the
   * running models; each copy is recorded (its lineage) and becomes the engine's copy plus the
   * copier's new hyperparameters, with its own seeds (its own data order goes on).
   */
  private exploit(
    pbt: PopulationScheduler,
    report: ProgressReport,
    running: number[],
    ids: number[],
    params: TrialParams[],
  ): Pick<ReportAnswer, 'copy' | 'retune'> {
    const members = running.map((i) => ({ id: ids[i], params: params[i], validationLoss: report.validationLoss[i] }));
    const copy: ModelCopy[] = [];
    const retune: HyperChange[] = [];
    for (const exploit of pbt.exploit(report.step, members)) {
      const to = ids.indexOf(exploit.id);
      params[to] = exploit.params;
      copy.push({ from: ids.indexOf(exploit.from), to });
      retune.push({ model: to, hyper: trialModel(exploit.params, this.spec.seed, exploit.id) });
      this.emit({
        type: 'trial-exploited',
        trialId: exploit.id,
        step: report.step,
        fromTrialId: exploit.from,
        params: exploit.params,
      });
    }
    return { copy, retune };
  }

  /**
   * The one place a lost GPU device is handled: the rest of the study trains on the CPU engine
   * and the interrupted trials start again from step 0 (same seeds, so the CPU engine's curves).
   */
  private moveToCpu(cpuFallback: () => TrainingEngine, lost: EngineError, interrupted: PopulationPlan): void {
    this.engine = cpuFallback();
    this.cpuFallback = undefined;
    this.emit({
      type: 'engine-changed',
      engine: { kind: this.engine.kind, adapter: this.engine.adapter },
      notice: `The GPU device was lost mid-study, so training goes on on the CPU engine (slower, same math); the trials it interrupted start again from step 0. Details: ${lost.message}`,
      restartedTrialIds: interrupted.trials.map((t) => t.id),
    });
    // The live model shown came from a trial that now starts again: the kept best stands in
    // until the CPU engine's first live report.
    if (this.liveShown) this.options.onLiveBest?.(null);
    this.liveShown = false;
  }

  /** Copies (never views) the report's entries: the worker transfers these buffers away. */
  private emitProgress(report: ProgressReport, reporting: number[], ids: number[]): void {
    if (reporting.length === 0) return;
    const pick = (values: Float32Array) => Float32Array.from(reporting, (i) => values[i]);
    this.emit({
      type: 'progress',
      step: report.step,
      trialIds: Int32Array.from(reporting, (i) => ids[i]),
      trainLoss: pick(report.trainLoss),
      validationLoss: pick(report.validationLoss),
      trainAccuracy: pick(report.trainAccuracy),
      validationAccuracy: pick(report.validationAccuracy),
    });
  }

  private otherCurves(id: number): Curve[] {
    const curves: Curve[] = [];
    for (const [other, record] of this.state.trials)
      if (other !== id && record.curve.step.length > 0) curves.push(curveOf(record));
    return curves;
  }

  /**
   * Records a trial's end. Its objective is the validation loss it reached (the caller's
   * latest report) for complete, pruned and stopped trials; NaN for diverged and failed ones.
   */
  private finish(
    id: number,
    state: FinishedTrialState,
    reason?: string,
    steps?: number,
    durationMs?: number,
    objective = Number.NaN,
  ): void {
    const record = this.state.trials.get(id);
    if (record?.state !== 'RUNNING') return;
    this.emit({
      type: 'trial-finished',
      trialId: id,
      state,
      objective: state === 'DIVERGED' || state === 'FAILED' ? Number.NaN : objective,
      steps: steps ?? record.steps,
      ...(reason ? { reason } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
    });
  }
}
