// A study's events as a runner emits them, without training: populations of trials planned,
// reported on and finished (complete, pruned, diverged; the last population stopped when
// asked), seeded by counter-based randomness so every call with the same options gives the
// same events. For tests of what folds, stores and shows events, not of training.

import { uniform } from '../../src/search/random.ts';
import { type Distribution, fromUnit } from '../../src/search/space.ts';
import type { EngineInfo, FinishedTrialState, StudyEvent } from '../../src/study/events.ts';
import type { StudySpec, TrialParams } from '../../src/study/spec.ts';

export interface SyntheticStudy {
  seed: number;
  trials: number;
  /** Trials per population (planned together, reported together). */
  parallelism: number;
  /** Progress reports per trial that runs to the end. */
  reports: number;
  /** Stop the study in its last population after this many reports: those trials end STOPPED. */
  stopAfterReports?: number;
  engine?: EngineInfo;
}

function params(spec: StudySpec, seed: number, trialId: number): TrialParams {
  const values: TrialParams = {};
  spec.space.forEach((row, dim) => {
    values[row.name] = row.enabled
      ? fromUnit(row.distribution as Distribution, uniform(seed, trialId, dim))
      : row.default;
  });
  return values;
}

/** What trial `id` does: a validation loss that falls with each report, or (ids 2 and 5 of every 8) it is pruned or diverges half way. */
function fate(seed: number, id: number): { base: number; end: 'COMPLETE' | 'PRUNED' | 'DIVERGED' } {
  return {
    base: 0.05 + 2 * uniform(seed, id, 1001),
    end: id % 8 === 2 ? 'PRUNED' : id % 8 === 5 ? 'DIVERGED' : 'COMPLETE',
  };
}

export function syntheticStudyEvents(spec: StudySpec, study: SyntheticStudy): StudyEvent[] {
  const engine = study.engine ?? { kind: 'cpu', adapter: 'CPU (TypeScript)' };
  const events: StudyEvent[] = [{ type: 'study-started', engine, task: 'classification', plannedTrials: study.trials }];
  const step = spec.training.reportEvery;
  let stopped = false;
  for (let first = 0; first < study.trials; first += study.parallelism) {
    const ids = Array.from({ length: Math.min(study.parallelism, study.trials - first) }, (_, i) => first + i);
    for (const id of ids)
      events.push({ type: 'trial-planned', trialId: id, params: params(spec, study.seed, id), placement: {} });
    const last = first + study.parallelism >= study.trials;
    stopped = last && study.stopAfterReports !== undefined;
    const reports = stopped ? study.stopAfterReports! : study.reports;
    const alive = new Set(ids);
    const lastLoss = new Map<number, number>();
    for (let r = 1; r <= reports; r++) {
      const reporting = ids.filter((id) => alive.has(id));
      const loss = reporting.map((id) => fate(study.seed, id).base * (1 + 1 / r));
      events.push({
        type: 'progress',
        step: r * step,
        trialIds: Int32Array.from(reporting),
        trainLoss: Float32Array.from(loss, (l) => l * 0.9),
        validationLoss: Float32Array.from(loss),
        trainAccuracy: Float32Array.from(loss, (l) => 1 / (1 + l)),
        validationAccuracy: Float32Array.from(loss, (l) => 1 / (1 + 1.1 * l)),
      });
      reporting.forEach((id, i) => lastLoss.set(id, Math.fround(loss[i])));
      // Trials that end early do so half way.
      if (r === Math.ceil(reports / 2) && !stopped) {
        for (const id of reporting) {
          const end = fate(study.seed, id).end;
          if (end === 'COMPLETE') continue;
          alive.delete(id);
          events.push({
            type: 'trial-finished',
            trialId: id,
            state: end,
            objective: end === 'PRUNED' ? lastLoss.get(id)! : Number.NaN,
            steps: r * step,
            reason: `${end.toLowerCase()} at report ${r}`,
          });
        }
      }
    }
    for (const id of ids.filter((i) => alive.has(i))) {
      const state: FinishedTrialState = stopped ? 'STOPPED' : 'COMPLETE';
      events.push({
        type: 'trial-finished',
        trialId: id,
        state,
        objective: lastLoss.get(id) ?? Number.NaN,
        steps: reports * step,
        durationMs: 10 * reports,
      });
    }
  }
  const searched = spec.space.filter((row) => row.enabled).map((row) => row.name);
  const weights = searched.map((name, i) => uniform(study.seed, i, 2000) + (name === 'learningRate' ? 2 : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  events.push({
    type: 'importance',
    shares: Object.fromEntries(searched.map((name, i) => [name, weights[i] / total])),
    completedTrials: study.trials,
  });
  events.push({ type: 'study-finished', trials: study.trials, elapsedMs: 1000, stopped });
  return events;
}
