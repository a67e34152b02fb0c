// The time a running study has left, from the training it has done so far: trial-steps
// trained per second of this study's elapsed time, against the steps it still has to train.
// Trials not yet started are expected to use the share of their steps that finished trials
// used (a pruner stops most trials early). No estimate before MIN_SHARE of the expected work
// is done and MIN_ELAPSED_MS have passed: the first steps include compiling and loading.
import type { StudyState } from '../study/state.ts';

/** Share of the expected trial-steps done before an estimate is shown. */
export const MIN_SHARE = 0.05;
const MIN_ELAPSED_MS = 3000;

export type StudyEta =
  | { kind: 'estimate'; ms: number }
  /** The time budget's remainder (a minutes budget ends the study then). */
  | { kind: 'budget'; ms: number }
  /** Too little done yet to tell. */
  | { kind: 'measuring' };

/** Time left for a study that is running (undefined when it is not, or its trial count is unknown). */
export function studyEta(run: StudyState, elapsedMs: number): StudyEta | undefined {
  if (run.status !== 'running') return undefined;
  const budget = run.spec.scheduler.budget;
  if (budget.kind === 'minutes') return { kind: 'budget', ms: Math.max(0, budget.minutes * 60_000 - elapsedMs) };
  const planned = run.plannedTrials ?? budget.trials;
  const steps = run.spec.training.steps;
  let done = 0;
  let runningLeft = 0;
  let finishedSteps = 0;
  let finished = 0;
  for (const t of run.trials.values()) {
    done += t.steps;
    if (t.state === 'RUNNING') runningLeft += Math.max(0, steps - t.steps);
    else {
      finishedSteps += t.steps;
      finished++;
    }
  }
  const share = finished > 0 ? finishedSteps / (finished * steps) : 1;
  const notStarted = Math.max(0, planned - run.trials.size);
  const left = runningLeft + notStarted * steps * share;
  if (done === 0 || elapsedMs < MIN_ELAPSED_MS || done < MIN_SHARE * (done + left)) return { kind: 'measuring' };
  return { kind: 'estimate', ms: (elapsedMs / done) * left };
}
