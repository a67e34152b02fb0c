// The scheduler contract between the search library and whoever runs trials (the study
// runner in a worker, tests). A scheduler is a pure function of its inputs: given the same
// config, space, seed and history it answers the same, so a study replays from its seed.

import type { ParamValue } from './space.ts';

/** Every hyperparameter of the space by name: searched ones drawn, the rest at their defaults. */
export type Params = Record<string, ParamValue>;

/** A numeric hyperparameter's search interval, both in its own units and on the unit axis. */
export interface BoxRange {
  low: number;
  high: number;
  unitLow: number;
  unitHigh: number;
}
/** The region a trial was drawn from (coarse-to-fine rounds, hierarchy refinement), by name; categoricals are never boxed. */
export type SearchBox = Record<string, BoxRange>;

export type HierarchyStage = 'tier-1' | 'tier-2' | 'tier-3' | 'refine';

/** A trial the scheduler asks to run. */
export interface TrialPlan {
  /** 0, 1, 2, ... in the order the scheduler issued them. */
  id: number;
  params: Params;
  /** Coarse-to-fine: the round; CMA-ES: the generation, counted across restarts (0-based). */
  round?: number;
  /** Hierarchy: the stage that issued it. */
  stage?: HierarchyStage;
  /** Coarse-to-fine and hierarchy refinement: the box the trial was drawn from. */
  box?: SearchBox;
  /** Time budgets: the study's elapsed seconds when the trial was issued (copied from the history). */
  issuedAtSeconds?: number;
}

/** STOPPED: the user stopped it; its objective is the last validation loss it reached (a partial result). */
export type FinishedState = 'COMPLETE' | 'PRUNED' | 'DIVERGED' | 'FAILED' | 'STOPPED';

/** Intermediate objective values reported while a trial trains (lower is better). */
export interface Curve {
  /** Training steps, strictly increasing. */
  steps: number[];
  values: number[];
}

export interface FinishedTrial {
  id: number;
  params: Params;
  state: FinishedState;
  /** Lower is better (e.g. final validation loss); NaN when there is none. Only COMPLETE trials compete for "best". */
  objective: number;
  /** The reported curve, kept for pruned and diverged trials too. */
  curve?: Curve;
  /** Why a pruned, diverged or failed trial stopped. */
  reason?: string;
}

export interface History {
  /** Every trial issued so far (running and finished), in id order. */
  started: readonly TrialPlan[];
  /** The trials that have finished, in any order. */
  finished: readonly FinishedTrial[];
  /** Seconds since the study began; required for time budgets, ignored otherwise. */
  elapsedSeconds?: number;
}

export type Decision = { kind: 'trial'; trial: TrialPlan } | { kind: 'wait' } | { kind: 'done' };

export interface Scheduler {
  /**
   * The next trial to start, or 'wait' (results still running are needed first, or
   * nothing more to start until they finish), or 'done' (nothing more will be issued; the
   * caller still lets running trials finish).
   */
  next(history: History): Decision;
}

export type Budget = { trials: number } | { seconds: number };

export type SchedulerConfig =
  | {
      kind: 'grid';
      budget: Budget;
      /** Points per numeric hyperparameter, spaced evenly on its scale, ends included (default 5). Categoricals use every choice. */
      pointsPerParam?: number;
      /** Per-name override of pointsPerParam. */
      points?: Record<string, number>;
    }
  | { kind: 'random'; budget: Budget }
  | { kind: 'quasi-random'; budget: Budget }
  | {
      kind: 'coarse-to-fine';
      budget: Budget;
      /** Trials per round (default 10), rounded up to a multiple of the parallelism. */
      trialsPerRound?: number;
      /** A round that does not improve on the best shrinks the trust region by this (default 0.5). */
      zoom?: number;
      /** Trials trained at once (default 1): rounds are whole populations. */
      parallelism?: number;
    }
  | {
      kind: 'hierarchy';
      budget: Budget;
      /** Shares of the budget for tier 1, tier 2, tier 3 and refinement (default [0.5, 0.2, 0.2, 0.1]). */
      shares?: readonly [number, number, number, number];
      /** Refinement searches the unit box best ± this radius (default 0.1). */
      refineRadius?: number;
    }
  | {
      kind: 'tpe';
      budget: Budget;
      /** Trials drawn quasi-randomly before TPE takes over: TPE starts once this many have a result (default 10). */
      startupTrials?: number;
      /** Candidates drawn from the good trials' estimator per proposal; the best by expected improvement is run (default 24). */
      candidates?: number;
    }
  | {
      kind: 'auto';
      budget: Budget;
      /** Trials trained at once (default 1): CMA-ES generations are whole populations. */
      parallelism?: number;
    }
  | {
      kind: 'pbt';
      budget: Budget;
      /** Steps between exploits: the worst quarter of a running population copies the best (pbt.ts). */
      interval: number;
    }
  | {
      kind: 'cmaes';
      budget: Budget;
      /** Trials trained at once: each generation's λ is the smallest multiple of it that is at least 4 + ⌊3 ln n⌋ (default 1). */
      parallelism?: number;
    };

export type SchedulerKind = SchedulerConfig['kind'];
