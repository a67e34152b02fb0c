// The command line of `tuning-lab`: its flags, their checks and the --help text that
// documents every one of them.
import { parseArgs } from 'node:util';

export const EXIT = {
  /** The study finished (or was stopped with Ctrl-C; its partial results are exported). */
  ok: 0,
  /** The study ended on an error while it ran (the study-error event says which). */
  studyError: 1,
  /** The command line is wrong (unknown flag, missing argument, bad value). */
  usage: 2,
  /** The study or its data cannot be used: a bad link or spec file, a bad CSV, a study the lab refuses to run. */
  badInput: 3,
  /** --engine webgpu but WebGPU is unavailable (no Dawn, no adapter). */
  noWebGpu: 4,
  /** coordinator or worker: the Redis server at --redis cannot be reached. */
  noRedis: 5,
} as const;

export const HELP = `Usage:
  tuning-lab run <share-link | spec.json> [options]
  tuning-lab coordinator <share-link | spec.json> --redis <url> [options]
  tuning-lab worker --redis <url> [options]

run trains a Tuning Lab study headless, with the lab's own scheduler, pruner and training
engines, and writes the same exports the lab's Export menu writes. coordinator and worker
train one study on several machines through BullMQ on Redis: the coordinator plans the
trials and keeps the study's journal, any number of workers train them; the study is the
same, trial for trial and bit for bit, as a run of the same link on one machine.

Arguments:
  <share-link>         the lab's share link (https://…/#study=v1.…, or just #study=v1.…)
  <spec.json>          a file holding the study as JSON (the link's study, decoded)

Options (run, coordinator):
  --csv <file>         the CSV file of a study that trains on one (a link pins its SHA-256;
                       another file runs but is reported as not reproducing the link)
  --out <dir>          write the exports there: <study>.csv (one row per trial) and
                       <study>.json (the whole study, importable in the lab); created if missing
  --parallelism <N>    trials trained at once (1-256), instead of the study's own; curves do
                       not depend on it (pruning decisions may)

Options (run, coordinator, worker):
  --engine webgpu|cpu  training engine (default webgpu). webgpu uses Dawn (npm package
                       "webgpu") on the machine's Vulkan driver; without an adapter the
                       command stops with exit code 4 and says why: it falls back to the CPU
                       engine only when you pass --engine cpu (slower, same math). A
                       coordinator's jobs go to the workers of its engine only (one queue per
                       engine), so a study trains on one engine throughout

Options (coordinator, worker):
  --redis <url>        the Redis server the coordinator and its workers share, e.g.
                       redis://redis:6379 (redis://user:password@host:port/db; rediss:// for TLS)

Options (coordinator):
  --journal <file>     where the study's events are appended as they happen (default
                       tuning-lab-<study key>.journal in the current directory); a coordinator
                       started again with the same file resumes the study where it stopped
  --trials-per-job <N> trials per queued job (1-256, default 4): a population is split into
                       jobs of this many trials so that workers train it side by side

Options (worker):
  --lock-seconds <N>   a job whose worker has not renewed its lock for this long (it crashed,
                       or lost its machine) goes to another worker (1-600, default 30)

  -h, --help           show this help

Output (run, coordinator):
  stdout               the study's events, one JSON object per line (typed arrays as arrays,
                       NaN as null)
  stderr               notices, errors, and a progress bar with ETA when stderr is a terminal
Output (worker):
  stderr               one line per job started and finished; it runs until stopped (Ctrl-C
                       or SIGTERM finish the job in hand first)

Ctrl-C stops a study like the lab's Stop button: running trials are recorded as stopped and
the exports are still written.

Exit codes:
  ${EXIT.ok}  the study finished or was stopped (worker: stopped)
  ${EXIT.studyError}  the study ended on an error while it ran
  ${EXIT.usage}  bad command line
  ${EXIT.badInput}  the link, spec file, CSV, journal or study cannot be used
  ${EXIT.noWebGpu}  WebGPU unavailable with --engine webgpu
  ${EXIT.noRedis}  Redis unreachable at --redis

Software WebGPU (no GPU): Chromium's SwiftShader serves Dawn too, e.g.
  LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json tuning-lab run …
`;

export type Engine = 'webgpu' | 'cpu';

/** What run and coordinator share: the study and how to read it. */
export interface StudyOptions {
  study: string;
  csv?: string;
  out?: string;
  parallelism?: number;
}

export interface RunOptions extends StudyOptions {
  engine: Engine;
}

export interface CoordinatorOptions extends StudyOptions {
  redis: string;
  /** The engine its workers train with (one queue per engine). */
  engine: Engine;
  journal?: string;
  trialsPerJob: number;
}

export interface WorkerOptions {
  redis: string;
  engine: Engine;
  lockSeconds: number;
}

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'run'; options: RunOptions }
  | { kind: 'coordinator'; options: CoordinatorOptions }
  | { kind: 'worker'; options: WorkerOptions }
  | { kind: 'usage'; message: string };

const FLAGS = {
  engine: { type: 'string' },
  csv: { type: 'string' },
  out: { type: 'string' },
  parallelism: { type: 'string' },
  redis: { type: 'string' },
  journal: { type: 'string' },
  'trials-per-job': { type: 'string' },
  'lock-seconds': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Flag = Exclude<keyof typeof FLAGS, 'help'>;

/** The flags each command accepts, and whether it takes a study. */
const COMMANDS = {
  run: { flags: ['engine', 'csv', 'out', 'parallelism'], study: true },
  coordinator: { flags: ['engine', 'csv', 'out', 'parallelism', 'redis', 'journal', 'trials-per-job'], study: true },
  worker: { flags: ['engine', 'redis', 'lock-seconds'], study: false },
} as const satisfies Record<string, { flags: readonly Flag[]; study: boolean }>;
type Command = keyof typeof COMMANDS;

function parseFlags(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, options: FLAGS });
}

class UsageError extends Error {}

/** A whole number in [min, max], or a UsageError naming the flag. */
function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new UsageError(`--${flag} is a whole number from ${min} to ${max}, got "${text}".`);
  return n;
}

function engineOf(text: string | undefined): Engine {
  const engine = text ?? 'webgpu';
  if (engine !== 'webgpu' && engine !== 'cpu') throw new UsageError(`--engine is webgpu or cpu, got "${engine}".`);
  return engine;
}

function redisOf(command: Command, text: string | undefined): string {
  if (text === undefined) throw new UsageError(`${command} needs --redis <url>, e.g. --redis redis://localhost:6379.`);
  if (!/^rediss?:\/\/[^\s]+$/.test(text))
    throw new UsageError(`--redis is a redis:// or rediss:// URL (e.g. redis://localhost:6379), got "${text}".`);
  return text;
}

export function parseCommand(argv: readonly string[]): ParsedCommand {
  try {
    return parseOrThrow(argv);
  } catch (e) {
    return { kind: 'usage', message: (e as Error).message };
  }
}

function parseOrThrow(argv: readonly string[]): ParsedCommand {
  const { values, positionals } = parseFlags(argv);
  if (values.help) return { kind: 'help' };
  const [command, ...rest] = positionals;
  const names = Object.keys(COMMANDS).map((c) => `"${c}"`);
  const known = `the commands are ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  if (!command) throw new UsageError(`No command given: ${known}.`);
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`Unknown command "${command}": ${known}.`);
  const name = command as Command;
  const accepted: readonly Flag[] = COMMANDS[name].flags;
  for (const flag of Object.keys(values) as (Flag | 'help')[])
    if (flag !== 'help' && !accepted.includes(flag))
      throw new UsageError(`${name} does not take --${flag} (it takes ${accepted.map((f) => `--${f}`).join(', ')}).`);

  if (name === 'worker') {
    if (rest.length) throw new UsageError(`worker takes no study (the coordinator has it), got "${rest[0]}".`);
    return {
      kind: 'worker',
      options: {
        redis: redisOf(name, values.redis),
        engine: engineOf(values.engine),
        lockSeconds:
          values['lock-seconds'] === undefined ? 30 : wholeNumber('lock-seconds', values['lock-seconds'], 1, 600),
      },
    };
  }
  const [study, ...extra] = rest;
  if (!study) throw new UsageError(`${name} needs a share link or a spec.json file.`);
  if (extra.length)
    throw new UsageError(
      `${name} takes one study, got also ${extra.map((e) => `"${e}"`).join(', ')} (quote a link that has spaces).`,
    );
  const studyOptions: StudyOptions = { study };
  if (values.csv !== undefined) studyOptions.csv = values.csv;
  if (values.out !== undefined) studyOptions.out = values.out;
  if (values.parallelism !== undefined)
    studyOptions.parallelism = wholeNumber('parallelism', values.parallelism, 1, 256);
  if (name === 'run') return { kind: 'run', options: { ...studyOptions, engine: engineOf(values.engine) } };
  const options: CoordinatorOptions = {
    ...studyOptions,
    redis: redisOf(name, values.redis),
    engine: engineOf(values.engine),
    trialsPerJob:
      values['trials-per-job'] === undefined ? 4 : wholeNumber('trials-per-job', values['trials-per-job'], 1, 256),
  };
  if (values.journal !== undefined) options.journal = values.journal;
  return { kind: 'coordinator', options };
}
