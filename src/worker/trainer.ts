// The trainer behind the worker's comlink API: picks the engine (the faster of WebGPU and the
// CPU engine that can train the study, measured by engine-choice.ts, or guessed from the
// adapter for a study too short for measuring to pay off, unless the user chose one; the CPU
// engine with a notice saying why where WebGPU is missing, and if the GPU device
// is lost mid-study), loads the study's data and runs one study at a time. Its dependencies
// are injected so that Node tests drive it without a browser. "The CPU engine" is the WASM
// engine where it loads and can train the study (MLPs without batch norm, no population-based
// training), else the TypeScript one.
import { transfer } from 'comlink';
import { mayBeCnn, mayListLayers } from '../study/cnn.ts';
import { dataShapeOfTrainingData } from '../study/cost.ts';
import { type DataSources, loadStudyData } from '../study/data.ts';
import type { EngineInfo, LiveBest, LiveBestHandler, StudyEvent } from '../study/events.ts';
import { whyStudyCannotRun } from '../study/preflight.ts';
import { StudyRunner } from '../study/runner.ts';
import { parseStudy, type StudySpec } from '../study/spec.ts';
import type { DigitsPack, DigitsSide } from '../train/data/digitsFormat.ts';
import type { TablesPack } from '../train/data/tables.ts';
import type { TrainingData, TrainingEngine } from '../train/types.ts';
import type { EngineChoice, RunInputs, SequencedEventHandler, TrainerApi } from './api.ts';
import {
  choiceNotice,
  guessWithoutProbe,
  type Measured,
  probeKey,
  rankEngines,
  type TimeTraining,
} from './engine-choice.ts';

export interface TrainerDependencies {
  createGpuEngine: () => Promise<TrainingEngine>;
  createCpuEngine: () => TrainingEngine;
  /** The WASM engine; without it (or where it cannot load) the CPU engine is the TypeScript one. */
  createWasmEngine?: () => Promise<TrainingEngine>;
  /** Times the engine probe's runs (tests fake it); default: the wall clock. */
  timeTraining?: TimeTraining;
  loadDigits: (side: DigitsSide) => Promise<DigitsPack>;
  loadTables: () => Promise<TablesPack>;
}

const WASM_LABEL = 'the CPU engine (WebAssembly)';
const TS_LABEL = 'the CPU engine (TypeScript)';

/** Why the WASM engine cannot train this study (it trains MLPs only and cannot copy models), if it cannot. */
function whyNotWasm(spec: StudySpec): string | undefined {
  if (mayBeCnn(spec.space)) return 'the WASM engine trains MLPs only, and this study has a CNN';
  if (mayListLayers(spec.space)) return 'the WASM engine trains plain MLPs only, and this study has batch norm';
  if (spec.scheduler.kind === 'pbt')
    return 'population-based training copies models inside the engine, which the WASM engine cannot';
  return undefined;
}

/** The choice that gives the engine a study ran on ('auto' when it never started). */
function engineOf(engine: EngineInfo | undefined): EngineChoice {
  if (!engine) return 'auto';
  if (engine.kind === 'webgpu') return 'webgpu';
  return engine.adapter.startsWith('CPU (WebAssembly') ? 'wasm' : 'cpu';
}

export function createTrainerApi(deps: TrainerDependencies): TrainerApi {
  let gpu: Promise<TrainingEngine> | null = null;
  let runner: StudyRunner | null = null;
  /** Set from a run's start until its runner takes over (loading data, measuring engines): stop() aborts it. */
  let starting: AbortController | null = null;
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
  let tables: Promise<TablesPack> | null = null;
  const loadTables = () => {
    tables ??= deps.loadTables().catch((e: unknown) => {
      tables = null;
      throw e;
    });
    return tables;
  };

  let wasm: Promise<TrainingEngine> | null = null;
  /** The WASM engine once loaded: also what a study moves to when its GPU device is lost. */
  let wasmReady: TrainingEngine | undefined;
  /** Probe rankings per adapters and population (engine-choice.ts probeKey). */
  const probes = new Map<string, Measured[]>();

  /** The CPU engine: the WASM one where it loads (the reason when not), else the TypeScript one. */
  async function cpuEngine(): Promise<{ engine: TrainingEngine; wasmFailure?: string }> {
    if (!deps.createWasmEngine) return { engine: deps.createCpuEngine() };
    wasm ??= deps.createWasmEngine();
    try {
      wasmReady = await wasm;
      return { engine: wasmReady };
    } catch (e) {
      wasm = null;
      return { engine: deps.createCpuEngine(), wasmFailure: (e as Error).message };
    }
  }

  async function chooseEngine(
    choice: RunInputs['engine'],
    spec: StudySpec,
    data: TrainingData,
    emit: (event: StudyEvent) => void,
    signal: AbortSignal,
  ): Promise<{ engine: TrainingEngine; fallbackNotice?: string }> {
    if (choice === 'cpu') return { engine: deps.createCpuEngine() };
    const notWasm = whyNotWasm(spec);
    const cpu = notWasm ? { engine: deps.createCpuEngine() } : await cpuEngine();
    if (choice === 'wasm' && notWasm)
      return { engine: cpu.engine, fallbackNotice: `Training on the TypeScript CPU engine because ${notWasm}.` };
    if (choice === 'wasm')
      return cpu.wasmFailure === undefined
        ? { engine: cpu.engine }
        : {
            engine: cpu.engine,
            fallbackNotice: `Training on the TypeScript CPU engine because the WASM engine could not start: ${cpu.wasmFailure}`,
          };
    gpu ??= deps.createGpuEngine();
    let gpuEngine: TrainingEngine;
    try {
      gpuEngine = await gpu;
    } catch (e) {
      gpu = null; // a later run tries again (the GPU may come back)
      return {
        engine: cpu.engine,
        fallbackNotice: `Training on the CPU engine (slower, same math) because WebGPU is unavailable: ${(e as Error).message}`,
      };
    }
    if (choice === 'webgpu') return { engine: gpuEngine };
    // WebGPU against the CPU engine that can train the study: the WASM one where it can (it
    // trains an MLP many times faster than the TypeScript one, same math), else the TypeScript one.
    const candidates = [
      { label: 'WebGPU', engine: gpuEngine },
      { label: cpu.engine === wasmReady ? WASM_LABEL : TS_LABEL, engine: cpu.engine },
    ];
    const unmeasured =
      notWasm ?? (cpu.wasmFailure !== undefined ? `the WASM engine could not start (${cpu.wasmFailure})` : undefined);
    const key = probeKey(candidates, spec, data);
    const cached = probes.get(key);
    // A study too short for the probe to pay off takes the adapter's likely faster engine,
    // unmeasured and uncached (a longer study here is still measured); a cached measurement is free.
    const guess = cached ? undefined : guessWithoutProbe(candidates, spec, data, unmeasured);
    if (guess) return { engine: guess.engine, fallbackNotice: guess.notice };
    let ranked = cached;
    if (!ranked) {
      const names = candidates.map((c) => c.label).join(' and ');
      ranked = await rankEngines(
        candidates,
        spec,
        data,
        deps.timeTraining,
        ({ label }, index) =>
          emit({
            type: 'engine-measuring',
            notice: `Measuring which engine trains this study faster here, ${names}, a few steps each: ${label} now (${index + 1} of ${candidates.length}).`,
          }),
        signal,
      );
      probes.set(key, ranked);
    }
    return {
      engine: ranked[0].engine,
      fallbackNotice: choiceNotice(ranked[0], ranked.slice(1), unmeasured, cached !== undefined),
    };
  }

  async function run(
    input: StudySpec,
    onEvent: SequencedEventHandler,
    inputs: RunInputs = {},
    onLiveBest?: LiveBestHandler,
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
    const failed = (message: string) => emit({ type: 'study-error', message });
    if (runner || starting) {
      failed('A study is already running; stop it before starting another.');
      return { events: seq };
    }
    const start = new AbortController();
    starting = start;
    try {
      await prepareAndRun(input, inputs, emit, failed, start.signal, onLiveBest);
    } finally {
      starting = null;
    }
    return { events: seq };
  }

  async function prepareAndRun(
    input: StudySpec,
    inputs: RunInputs,
    emit: (event: StudyEvent) => void,
    failed: (message: string) => void,
    stopped: AbortSignal,
    onLiveBest?: LiveBestHandler,
  ): Promise<void> {
    const parsed = parseStudy(input);
    if (!parsed.ok) return failed(`The study is invalid: ${parsed.issues.join('; ')}`);
    const spec = parsed.spec;
    const sources: DataSources = { digits: loadDigits, tables: loadTables, ...(inputs.csv ? { csv: inputs.csv } : {}) };
    let data: TrainingData;
    try {
      data = await loadStudyData(spec.data, sources);
    } catch (e) {
      return failed(`The data could not be loaded: ${(e as Error).message}`);
    }
    // The page asked the user about a long study; what cannot run at all is refused here too.
    const { refuse } = whyStudyCannotRun(spec, dataShapeOfTrainingData(data));
    if (refuse) return failed(`The study cannot run: ${refuse}`);
    // A resumed or extended study keeps the engine it ran on (same adapter: the same bits) unless
    // the user names another one; 'auto' (the page's default) would measure again and may differ.
    const asked = inputs.engine ?? 'auto';
    const choice = inputs.history && asked === 'auto' ? engineOf(inputs.history.engine) : asked;
    let chosen: { engine: TrainingEngine; fallbackNotice?: string };
    try {
      chosen = await chooseEngine(choice, spec, data, emit, stopped);
    } catch (e) {
      if (!stopped.aborted) throw e;
      chosen = { engine: deps.createCpuEngine() }; // stopped while measuring: the runner below ends at once
    }
    const { engine, fallbackNotice } = chosen;
    const cpuFallback = () => {
      gpu = null; // its device is lost: a later run asks for a new one
      return (!whyNotWasm(spec) && wasmReady) || deps.createCpuEngine();
    };
    const current = new StudyRunner({
      spec,
      data,
      engine,
      onEvent: emit,
      cpuFallback,
      ...(onLiveBest
        ? {
            onLiveBest: (live: LiveBest) => void Promise.resolve(onLiveBest(live)).catch(() => {}),
          }
        : {}),
      ...(fallbackNotice ? { fallbackNotice } : {}),
      ...(inputs.history ? { history: inputs.history } : {}),
    });
    runner = current;
    if (stopped.aborted) current.stop();
    try {
      await current.run();
    } catch (e) {
      failed(`The study stopped on an unexpected error: ${(e as Error).message}`);
    } finally {
      runner = null;
    }
  }

  return {
    run,
    pause: () => runner?.pause(),
    resume: () => runner?.resume(),
    stop: () => {
      starting?.abort();
      runner?.stop();
    },
    ping: () => true,
    holdLifeLock,
  };
}

function holdLifeLock(name: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return Promise.resolve(false);
  return new Promise((held) => {
    void locks.request(name, () => {
      held(true);
      return new Promise<never>(() => {}); // released only when the worker ends
    });
  });
}
