// One study through the lab's StudyRunner, as `run` and `coordinator` both drive it: each
// event to stdout as a JSON line (and to `onEvent`, e.g. the coordinator's journal), the
// progress bar on stderr, Ctrl-C as the lab's Stop button.
import type { StudyEvent } from '../study/events.ts';
import { StudyRunner } from '../study/runner.ts';
import type { StudySpec } from '../study/spec.ts';
import { applyStudyEvent, initialStudyState, type StudyState } from '../study/state.ts';
import type { TrainingData, TrainingEngine } from '../train/types.ts';
import { StudyProgress } from './progress.ts';
import { eventLine } from './study-inputs.ts';

export interface StudyRun {
  spec: StudySpec;
  data: TrainingData;
  engine: TrainingEngine;
  /** The study so far (a journal's replay): the runner resumes it. */
  history: StudyState | undefined;
  /** The engine a lost GPU device moves the study to (a local run's CPU engine). */
  cpuFallback?: () => TrainingEngine;
  /** Called with each event before it is printed. */
  onEvent: (event: StudyEvent) => void;
}

export async function runStudy({ spec, data, engine, history, cpuFallback, onEvent }: StudyRun): Promise<StudyState> {
  let state: StudyState = history ?? initialStudyState(spec);
  const progress = new StudyProgress(spec);
  const runner = new StudyRunner({
    spec,
    data,
    engine,
    ...(cpuFallback ? { cpuFallback } : {}),
    ...(history ? { history } : {}),
    onEvent: (event) => {
      onEvent(event);
      process.stdout.write(`${eventLine(event)}\n`);
      state = applyStudyEvent(state, event);
      progress.update(
        event,
        state.bestTrialId === undefined ? undefined : state.trials.get(state.bestTrialId)?.objective,
      );
    },
  });
  const stop = () => runner.stop();
  process.once('SIGINT', stop);
  try {
    return await runner.run();
  } finally {
    process.off('SIGINT', stop);
    progress.stop();
  }
}
