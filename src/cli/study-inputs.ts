// What `tuning-lab run` and `tuning-lab coordinator` share: the study read from a link or a
// spec file and checked as the lab checks it, its data (a CSV study's file checked against the
// link's pin), the engine chosen without silent fallback, the lab's exports, and the way a
// command fails (a message for the user and an exit code).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataShapeOfTrainingData } from '../study/cost.ts';
import { checkCsvPin, type DataSources, loadStudyData, sha256Hex } from '../study/data.ts';
import type { StudyEvent } from '../study/events.ts';
import { exportFileName, studyExportJson, studySnapshot, trialsCsv } from '../study/export.ts';
import { whyStudyCannotRun } from '../study/preflight.ts';
import { dataSetName, parseStudy, type StudySpec } from '../study/spec.ts';
import type { StudyState } from '../study/state.ts';
import { createCpuEngine } from '../train/cpu/engine.ts';
import { decodeCsvBytes, parseCsv } from '../train/data/csv.ts';
import { createGpuEngine } from '../train/gpu/engine.ts';
import type { TrainingData, TrainingEngine } from '../train/types.ts';
import { type Engine, EXIT, type StudyOptions } from './args.ts';
import { readStudySource } from './study-source.ts';
import { installDawn, SOFTWARE_VULKAN_HINT } from './webgpu.ts';

/** A run that cannot go on: what to tell the user and the exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export const say = (line: string) => process.stderr.write(`${line}\n`);

/** One event as a JSON line: typed arrays as plain arrays (JSON writes NaN as null). */
export function eventLine(event: StudyEvent): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value,
  );
}

/** A CSV study's file as read: what a worker elsewhere needs to load the same data. */
export interface CsvFile {
  fileName: string;
  text: string;
}

export function readSpec(options: StudyOptions): StudySpec {
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
export async function loadData(
  spec: StudySpec,
  csvPath: string | undefined,
): Promise<{ data: TrainingData; csv?: CsvFile }> {
  const sources: Pick<DataSources, 'csv'> = {};
  if (spec.data.kind !== 'csv' && csvPath)
    say(
      `--csv ${csvPath} is not used: this study trains on ${spec.data.kind === 'synthetic' ? `the synthetic set "${spec.data.name}"` : `the ${dataSetName(spec.data)}`}.`,
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
  const data = await loadDataFrom(spec, sources.csv);
  return sources.csv ? { data, csv: sources.csv } : { data };
}

/** The study's data from its spec (and the CSV file's text, for a CSV study). */
export async function loadDataFrom(spec: StudySpec, csv: CsvFile | undefined): Promise<TrainingData> {
  const sources: DataSources = {
    digits: async (side) => (await import('../train/data/digitsPack.ts')).packMnist(side),
    tables: async () => (await import('../train/data/tablesPack.ts')).packTables(),
  };
  if (csv) sources.csv = csv;
  try {
    return await loadStudyData(spec.data, sources);
  } catch (e) {
    throw new CliFailure(`The data could not be loaded: ${(e as Error).message}`, EXIT.badInput);
  }
}

export async function chooseEngine(choice: Engine): Promise<TrainingEngine> {
  if (choice === 'cpu') return createCpuEngine();
  try {
    await installDawn();
    return await createGpuEngine();
  } catch (e) {
    throw new CliFailure(`${(e as Error).message}\n${SOFTWARE_VULKAN_HINT}`, EXIT.noWebGpu);
  }
}

/** The lab's two exports (its Export menu's CSV and JSON), under the same file names. */
export function writeExports(state: StudyState, dir: string): void {
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

/** The study and its data, refused (exit 3) when the lab would refuse to run it. */
export async function preparedStudy(
  options: StudyOptions,
): Promise<{ spec: StudySpec } & Awaited<ReturnType<typeof loadData>>> {
  const spec = readSpec(options);
  const loaded = await loadData(spec, options.csv);
  const { refuse, confirm } = whyStudyCannotRun(spec, dataShapeOfTrainingData(loaded.data));
  if (refuse) throw new CliFailure(`The study cannot run: ${refuse}`, EXIT.badInput);
  if (confirm) say(confirm);
  return { spec, ...loaded };
}

/** Writes the exports (when asked) and says how the study ended. */
export function finish(state: StudyState, out: string | undefined): number {
  if (out) writeExports(state, out);
  if (state.status === 'error') {
    say(`The study ended on an error: ${state.errorMessage ?? 'unknown'}`);
    return EXIT.studyError;
  }
  return EXIT.ok;
}
