// The trainer behind the worker's comlink API: picks the engine (WebGPU, else the CPU engine
// with a notice saying why; the CPU engine too if the GPU device is lost mid-study), loads
// the study's data and runs one study at a time. Its
// dependencies are injected so that Node tests drive it without a browser.
import { transfer } from 'comlink';
import { dataShapeOfTrainingData } from '../study/cost.ts';
import { type DataSources, loadStudyData } from '../study/data.ts';
import type { StudyEvent } from '../study/events.ts';
import { whyStudyCannotRun } from '../study/preflight.ts';
import { StudyRunner } from '../study/runner.ts';
import { parseStudy, type StudySpec } from '../study/spec.ts';
import type { DigitsPack, DigitsSide } from '../train/data/digitsFormat.ts';
import type { TrainingData, TrainingEngine } from '../train/types.ts';
import type { RunInputs, SequencedEventHandler, TrainerApi } from './api.ts';

export interface TrainerDependencies {
  createGpuEngine: () => Promise<TrainingEngine>;
  createCpuEngine: () => TrainingEngine;
  loadDigits: (side: DigitsSide) => Promise<DigitsPack>;
}

export function createTrainerApi(deps: TrainerDependencies): TrainerApi {
  let gpu: Promise<TrainingEngine> | null = null;
  let runner: StudyRunner | null = null;
  const digits = new Map<DigitsSide, Promise<DigitsPack>>();
  const loadDigits = (side: DigitsSide) => {
    let pack = digits.get(side);
    if (!pack) {
      pack = deps.loadDigits(side).catch((e: unknown) => {
        digits.delete(side);
        throw e;
      });
      digits.set(side, pack);
    }
    return pack;
  };

  async function chooseEngine(
    choice: RunInputs['engine'],
  ): Promise<{ engine: TrainingEngine; fallbackNotice?: string }> {
    if (choice === 'cpu') return { engine: deps.createCpuEngine() };
    gpu ??= deps.createGpuEngine();
    try {
      return { engine: await gpu };
    } catch (e) {
      gpu = null; // a later run tries again (the GPU may come back)
      return {
        engine: deps.createCpuEngine(),
        fallbackNotice: `Training on the CPU engine (slower, same math) because WebGPU is unavailable: ${(e as Error).message}`,
      };
    }
  }

  async function run(
    input: StudySpec,
    onEvent: SequencedEventHandler,
    inputs: RunInputs = {},
  ): Promise<{ events: number }> {
    // Progress arrays move to the page without a copy; a page that went away is not an error here.
    let seq = 0;
    const emit = (event: StudyEvent) => {
      const sent =
        event.type === 'progress'
          ? transfer(event, [
              event.trialIds.buffer,
              event.trainLoss.buffer,
              event.validationLoss.buffer,
              event.trainAccuracy.buffer,
              event.validationAccuracy.buffer,
            ])
          : event;
      Promise.resolve(onEvent(seq++, sent)).catch(() => {});
    };
    const failed = (message: string) => {
      emit({ type: 'study-error', message });
      return { events: seq };
    };
    if (runner) return failed('A study is already running; stop it before starting another.');
    const parsed = parseStudy(input);
    if (!parsed.ok) return failed(`The study is invalid: ${parsed.issues.join('; ')}`);
    const spec = parsed.spec;
    const sources: DataSources = { digits: loadDigits, ...(inputs.csv ? { csv: inputs.csv } : {}) };
    let data: TrainingData;
    try {
      data = await loadStudyData(spec.data, sources);
    } catch (e) {
      return failed(`The data could not be loaded: ${(e as Error).message}`);
    }
    // The page asked the user about a long study; what cannot run at all is refused here too.
    const { refuse } = whyStudyCannotRun(spec, dataShapeOfTrainingData(data));
    if (refuse) return failed(`The study cannot run: ${refuse}`);
    const { engine, fallbackNotice } = await chooseEngine(inputs.engine);
    const cpuFallback = () => {
      gpu = null; // its device is lost: a later run asks for a new one
      return deps.createCpuEngine();
    };
    const current = new StudyRunner({
      spec,
      data,
      engine,
      onEvent: emit,
      cpuFallback,
      ...(fallbackNotice ? { fallbackNotice } : {}),
      ...(inputs.history ? { history: inputs.history } : {}),
    });
    runner = current;
    try {
      await current.run();
      return { events: seq };
    } catch (e) {
      return failed(`The study stopped on an unexpected error: ${(e as Error).message}`);
    } finally {
      runner = null;
    }
  }

  return {
    run,
    pause: () => runner?.pause(),
    resume: () => runner?.resume(),
    stop: () => runner?.stop(),
    ping: () => true,
  };
}
