// `tuning-lab run`: one study, headless, in Node. The same pieces as the lab's trainer
// worker (src/worker/trainer.ts): the link decoder, the preflight, the data loaders, the
// StudyRunner and its engines; the events go to stdout as JSON lines and the lab's exports
// to --out. Unlike the lab it never swaps engines behind the user's back at start: a
// missing WebGPU stops the run and says why (the lab's mid-study CPU fallback on a lost
// device stays, announced by its engine-changed event).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataShapeOfTrainingData } from '../study/cost.ts';
import { checkCsvPin, type DataSources, loadStudyData, sha256Hex } from '../study/data.ts';
import type { StudyEvent } from '../study/events.ts';
import { exportFileName, studyExportJson, studySnapshot, trialsCsv } from '../study/export.ts';
import { whyStudyCannotRun } from '../study/preflight.ts';
import { StudyRunner } from '../study/runner.ts';
import { parseStudy, type StudySpec } from '../study/spec.ts';
import { applyStudyEvent, initialStudyState, type StudyState } from '../study/state.ts';
import { createCpuEngine } from '../train/cpu/engine.ts';
import { decodeCsvBytes, parseCsv } from '../train/data/csv.ts';
import { createGpuEngine } from '../train/gpu/engine.ts';
import type { TrainingData, TrainingEngine } from '../train/types.ts';
import { EXIT, HELP, parseCommand, type RunOptions } from './args.ts';
import { StudyProgress } from './progress.ts';
import { readStudySource } from './study-source.ts';
import { installDawn, SOFTWARE_VULKAN_HINT } from './webgpu.ts';

/** A run that cannot go on: what to tell the user and the exit code. */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/** One event as a JSON line: typed arrays as plain arrays (JSON writes NaN as null). */
export function eventLine(event: StudyEvent): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value,
  );
}

export async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  if (command.kind === 'usage') {
    say(`tuning-lab: ${command.message}\nRun tuning-lab --help for the flags.`);
    return EXIT.usage;
  }
  try {
    return await run(command.options);
  } catch (e) {
    if (e instanceof CliFailure) {
      say(e.message);
      return e.code;
    }
    throw e;
  }
}

async function run(options: RunOptions): Promise<number> {
  const spec = readSpec(options);
  const data = await loadData(spec, options.csv);
  const { refuse, confirm } = whyStudyCannotRun(spec, dataShapeOfTrainingData(data));
  if (refuse) throw new CliFailure(`The study cannot run: ${refuse}`, EXIT.badInput);
  if (confirm) say(confirm);
  const engine = await chooseEngine(options.engine);

  let state: StudyState = initialStudyState(spec);
  const progress = new StudyProgress(spec);
  const runner = new StudyRunner({
    spec,
    data,
    engine,
    cpuFallback: createCpuEngine,
    onEvent: (event) => {
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
    state = await runner.run();
  } finally {
    process.off('SIGINT', stop);
    progress.stop();
    engine.dispose();
  }
  if (options.out) writeExports(state, options.out);
  if (state.status === 'error') {
    say(`The study ended on an error: ${state.errorMessage ?? 'unknown'}`);
    return EXIT.studyError;
  }
  return EXIT.ok;
}

function readSpec(options: RunOptions): StudySpec {
  const source = readStudySource(options.study);
  if (!source.ok) throw new CliFailure(source.message, EXIT.badInput);
  if (source.notice) say(source.notice);
  const study =
    options.parallelism !== undefined && typeof source.spec === 'object' && source.spec !== null
      ? { ...source.spec, parallelism: options.parallelism }
      : source.spec;
  const parsed = parseStudy(study);
  if (!parsed.ok) throw new CliFailure(`The study cannot run: ${whyStudyCannotRun(study).refuse}`, EXIT.badInput);
  return parsed.spec;
}

/** The study's data; a CSV study's file is read and checked as the lab's CSV import does. */
async function loadData(spec: StudySpec, csvPath: string | undefined): Promise<TrainingData> {
  const sources: DataSources = { digits: async () => (await import('../train/data/digitsPack.ts')).packMnist() };
  if (spec.data.kind !== 'csv' && csvPath)
    say(
      `--csv ${csvPath} is not used: this study trains on ${spec.data.kind === 'digits' ? 'the digits' : `the synthetic set "${spec.data.name}"`}.`,
    );
  if (spec.data.kind === 'csv') {
    if (!csvPath)
      throw new CliFailure(
        `This study trains on the CSV file "${spec.data.fileName}"; pass that file with --csv <file>.`,
        EXIT.badInput,
      );
    const name = basename(csvPath);
    let bytes: Uint8Array<ArrayBuffer>;
    let text: string;
    try {
      bytes = new Uint8Array(readFileSync(csvPath));
      text = decodeCsvBytes(bytes);
      parseCsv(text);
    } catch (e) {
      throw new CliFailure(`${name}: ${(e as Error).message}`, EXIT.badInput);
    }
    const pin = checkCsvPin(name, await sha256Hex(bytes), spec.data);
    if (pin.message) say(pin.message);
    sources.csv = { fileName: name, text };
  }
  try {
    return await loadStudyData(spec.data, sources);
  } catch (e) {
    throw new CliFailure(`The data could not be loaded: ${(e as Error).message}`, EXIT.badInput);
  }
}

async function chooseEngine(choice: RunOptions['engine']): Promise<TrainingEngine> {
  if (choice === 'cpu') return createCpuEngine();
  try {
    await installDawn();
    return await createGpuEngine();
  } catch (e) {
    throw new CliFailure(`${(e as Error).message}\n${SOFTWARE_VULKAN_HINT}`, EXIT.noWebGpu);
  }
}

/** The lab's two exports (its Export menu's CSV and JSON), under the same file names. */
function writeExports(state: StudyState, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const files = [
    [exportFileName(state.spec, 'csv'), trialsCsv(state.spec, [...state.trials.values()])],
    [exportFileName(state.spec, 'json'), studyExportJson(studySnapshot(state))],
  ] as const;
  for (const [name, text] of files) {
    writeFileSync(join(dir, name), text);
    say(`Wrote ${join(dir, name)}`);
  }
}
