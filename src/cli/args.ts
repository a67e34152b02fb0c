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
} as const;

export const HELP = `Usage: tuning-lab run <share-link | spec.json> [options]

Runs a Tuning Lab study headless, with the lab's own scheduler, pruner and training engines,
and writes the same exports the lab's Export menu writes.

Arguments:
  <share-link>         the lab's share link (https://…/#study=v1.…, or just #study=v1.…)
  <spec.json>          a file holding the study as JSON (the link's study, decoded)

Options:
  --engine webgpu|cpu  training engine (default webgpu). webgpu uses Dawn (npm package
                       "webgpu") on the machine's Vulkan driver; without an adapter the run
                       stops with exit code 4 and says why: it falls back to the CPU engine
                       only when you pass --engine cpu (slower, same math).
  --csv <file>         the CSV file of a study that trains on one (a link pins its SHA-256;
                       another file runs but is reported as not reproducing the link)
  --out <dir>          write the exports there: <study>.csv (one row per trial) and
                       <study>.json (the whole study, importable in the lab); created if missing
  --parallelism <N>    trials trained at once (1-256), instead of the study's own; curves do
                       not depend on it (pruning decisions may)
  -h, --help           show this help

Output:
  stdout               the study's events, one JSON object per line (typed arrays as arrays,
                       NaN as null)
  stderr               notices, errors, and a progress bar with ETA when stderr is a terminal

Ctrl-C stops the study like the lab's Stop button: running trials are recorded as stopped and
the exports are still written.

Exit codes:
  ${EXIT.ok}  the study finished or was stopped
  ${EXIT.studyError}  the study ended on an error while it ran
  ${EXIT.usage}  bad command line
  ${EXIT.badInput}  the link, spec file, CSV or study cannot be used
  ${EXIT.noWebGpu}  WebGPU unavailable with --engine webgpu

Software WebGPU (no GPU): Chromium's SwiftShader serves Dawn too, e.g.
  LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json tuning-lab run …
`;

export interface RunOptions {
  study: string;
  engine: 'webgpu' | 'cpu';
  csv?: string;
  out?: string;
  parallelism?: number;
}

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'run'; options: RunOptions }
  | { kind: 'usage'; message: string };

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      engine: { type: 'string' },
      csv: { type: 'string' },
      out: { type: 'string' },
      parallelism: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export function parseCommand(argv: readonly string[]): ParsedCommand {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (e) {
    return { kind: 'usage', message: (e as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [command, study, ...extra] = positionals;
  if (command !== 'run')
    return {
      kind: 'usage',
      message: command
        ? `Unknown command "${command}": the command is "run".`
        : 'No command given: the command is "run".',
    };
  if (!study) return { kind: 'usage', message: 'run needs a share link or a spec.json file.' };
  if (extra.length)
    return {
      kind: 'usage',
      message: `run takes one study, got also ${extra.map((e) => `"${e}"`).join(', ')} (quote a link that has spaces).`,
    };
  const engine = values.engine ?? 'webgpu';
  if (engine !== 'webgpu' && engine !== 'cpu')
    return { kind: 'usage', message: `--engine is webgpu or cpu, got "${engine}".` };
  const options: RunOptions = { study, engine };
  if (values.csv !== undefined) options.csv = values.csv;
  if (values.out !== undefined) options.out = values.out;
  if (values.parallelism !== undefined) {
    const n = Number(values.parallelism);
    if (!/^\d+$/.test(values.parallelism) || n < 1 || n > 256)
      return { kind: 'usage', message: `--parallelism is a whole number from 1 to 256, got "${values.parallelism}".` };
    options.parallelism = n;
  }
  return { kind: 'run', options };
}
