// The one typed API between the page and the trainer worker (comlink): the page calls these
// methods on a wrapped Worker; events come back through a proxied callback.
import type { StudyEventHandler } from '../study/events.ts';
import type { StudyResult } from '../study/record.ts';
import type { StudySpec } from '../study/spec.ts';

/** What the spec cannot carry. */
export interface RunInputs {
  /** The CSV a `{kind:'csv'}` study names: its text as the user chose it. */
  csv?: { fileName: string; text: string };
  /** 'cpu' forces the CPU engine; 'auto' (default) uses WebGPU when the browser has it. */
  engine?: 'auto' | 'cpu';
}

export interface TrainerApi {
  /**
   * Runs a study to its end (budget spent or stopped) and resolves with its records. Never
   * rejects for a bad study or a failing engine: those arrive as a 'study-error' event and
   * the promise resolves with what was recorded.
   */
  run(spec: StudySpec, onEvent: StudyEventHandler, inputs?: RunInputs): Promise<StudyResult>;
  /** Holds new trials and report handling at the next report; running steps finish first. */
  pause(): void;
  resume(): void;
  /** Stops every running trial at its next report and ends the study. */
  stop(): void;
}
