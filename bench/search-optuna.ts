// Optuna's random, TPE and CMA-ES on the same functions and spaces as bench/search.ts, through
// bench/search_optuna.py: Python proposes, this side evaluates (the functions are defined once,
// here). Used when some python3 imports optuna (Debian: apt-get install python3-optuna).
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  FUNCTIONS,
  median,
  type Observed,
  observe,
  regretAt,
  type SearchBenchOptions,
  type TestFunction,
} from './search.ts';

export const OPTUNA_SAMPLERS = ['random', 'tpe', 'cmaes'] as const;

/** The first python3 that imports optuna, or undefined. */
export function findOptunaPython(): string | undefined {
  return ['python3', '/usr/bin/python3'].find(
    (py) => spawnSync(py, ['-c', 'import optuna, cmaes'], { stdio: 'ignore' }).status === 0,
  );
}

/** One Optuna process working through `functions` in turn; resolves with its version and results. */
async function optunaWorker(
  python: string,
  functions: readonly TestFunction[],
  { seeds, trials, checkpoints, parallelisms }: SearchBenchOptions,
  out: Record<string, Record<string, Record<string, Record<string, number>>>>,
): Promise<string> {
  const child = spawn(python, ['bench/search_optuna.py'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const read = async () => JSON.parse((await lines.next()).value as string);
  const version = (await read()).optuna as string;
  try {
    for (const f of functions) {
      out[f.name] = {};
      for (const parallelism of parallelisms) {
        const bySampler: Record<string, Record<string, number>> = {};
        for (const sampler of OPTUNA_SAMPLERS) {
          const runs: Observed[][] = [];
          for (let seed = 1; seed <= seeds; seed++) {
            child.stdin.write(`${JSON.stringify({ space: f.space, sampler, seed, trials, parallelism })}\n`);
            const values: Observed[] = [];
            for (let msg = await read(); !msg.done; msg = await read()) {
              const seen = observe(f, msg.params);
              values.push(seen);
              // A diverged trial (NaN) goes as null: Optuna marks it FAIL, as the lab marks it DIVERGED.
              child.stdin.write(`${JSON.stringify({ value: Number.isNaN(seen.told) ? null : seen.told })}\n`);
            }
            runs.push(values);
          }
          bySampler[sampler] = Object.fromEntries(
            checkpoints.map((n) => [
              `at${n}`,
              Number(median(runs.map((v) => regretAt(v, n, f.minimum))).toPrecision(4)),
            ]),
          );
        }
        out[f.name][`p${parallelism}`] = bySampler;
      }
    }
  } finally {
    child.stdin.end();
  }
  return version;
}

/** Median regret like runSearchBench's, per Optuna sampler; with the Optuna version. Two Python processes share the functions (Optuna's samplers are the slow part). */
export async function runOptunaBench(python: string, options: SearchBenchOptions) {
  const out: Record<string, Record<string, Record<string, Record<string, number>>>> = {};
  const chosen = FUNCTIONS.filter((f) => !options.functions || options.functions.includes(f.name));
  const halves = [chosen.filter((_, i) => i % 2 === 0), chosen.filter((_, i) => i % 2 === 1)].filter((h) => h.length);
  const [version] = await Promise.all(halves.map((fs) => optunaWorker(python, fs, options, out)));
  const ordered = Object.fromEntries(chosen.map((f) => [f.name, out[f.name]]));
  return { version, medianRegret: ordered };
}
