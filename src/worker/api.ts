// The one typed API between the page and the trainer worker (comlink): the page calls these
// methods on a wrapped Worker; events come back through a proxied callback, numbered, since
// the callback's channel and the call's reply are separate channels with no order between them.
import type { LiveBestHandler, StudyEvent } from '../study/events.ts';
import type { StudySpec } from '../study/spec.ts';
import type { StudyState } from '../study/state.ts';

export type EngineChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';

/** What the spec cannot carry. */
export interface RunInputs {
  /** The CSV a `{kind:'csv'}` study names: its text as the user chose it. */
  csv?: { fileName: string; text: string };
  /**
   * 'auto' (default): the faster of WebGPU and the CPU engine that can train the study (the
   * WASM one for an MLP, else the TypeScript one), measured at the study's start
   * (src/worker/engine-choice.ts); 'webgpu', 'wasm' and 'cpu' (the TypeScript CPU engine)
   * override it.
   */
  engine?: EngineChoice;
  /** The study so far (from its journal), to resume or extend it; see StudyRunnerOptions.history. */
  history?: StudyState;
}

/** Event `seq` of a run (0, 1, 2, … with no gaps). */
export type SequencedEventHandler = (seq: number, event: StudyEvent) => void;

export interface TrainerApi {
  /**
   * Runs a study to its end (budget spent, stopped, or an error) and resolves with the number
   * of events it sent: the run is over for the page once it has applied that many. Never
   * rejects for a bad study or a failing engine: those arrive as a 'study-error' event.
   * `onLiveBest` gets the best running trial's weights now and then (StudyRunnerOptions.onLiveBest).
   */
  run(
    spec: StudySpec,
    onEvent: SequencedEventHandler,
    inputs?: RunInputs,
    onLiveBest?: LiveBestHandler,
  ): Promise<{ events: number }>;
  /** Holds new trials and report handling at the next report; running steps finish first. */
  pause(): void;
  resume(): void;
  /** Aborts the running population (recorded as stopped, with what it reached) and ends the study. */
  stop(): void;
  /** Answers at once: the page's liveness check. */
  ping(): true;
  /**
   * Takes the Web Lock `name` and holds it for the worker's life; resolves once it is held, with
   * false where Web Locks are missing. The browser releases it when the worker ends (crashed,
   * closed or terminated), which is how the page learns of a death at once, whatever the load.
   */
  holdLifeLock(name: string): Promise<boolean>;
}
