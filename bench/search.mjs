// `npm run bench:search`: median regret of every scheduler on test functions mapped onto
// lab-like spaces (bench/search.ts), and of Optuna's samplers on the same ones when some
// python3 has Optuna (bench/search-optuna.ts), printed as ONE JSON line on stdout; progress
// on stderr. Node 20 cannot import TypeScript, so Vite's module runner loads the .ts files.
// See bench/README.md.
import { spawn } from 'node:child_process';
import { runnerImport } from 'vite';

const log = (line) => process.stderr.write(`${line}\n`);
const load = async (path) => (await runnerImport(path, { configFile: false, logLevel: 'warn' })).module;
const started = performance.now();
const options = { seeds: 20, trials: 100, checkpoints: [50, 100], parallelisms: [1, 16] };
const { runSearchBench, FUNCTIONS } = await load('/bench/search.ts');
// `--only a,b`: just these functions, the lab's and Optuna's (a full run takes most of an hour).
const onlyAt = process.argv.indexOf('--only');
if (onlyAt >= 0) options.functions = process.argv[onlyAt + 1].split(',');

// `--functions a,b`: one of the two halves below, printed as JSON for the parent.
const only = process.argv.indexOf('--functions');
if (only >= 0) {
  console.log(JSON.stringify(runSearchBench({ ...options, functions: process.argv[only + 1].split(',') })));
  process.exit(0);
}

/** The lab's schedulers in two processes (the machine's 2 cores), half of the functions each. */
async function labHalf(functions) {
  const child = spawn(process.execPath, [process.argv[1], '--functions', functions.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench:search worker for ${functions.join(', ')} exited with ${code}`);
  return JSON.parse(out);
}
const names = FUNCTIONS.map((f) => f.name).filter((n) => !options.functions || options.functions.includes(n));
const halves = await Promise.all(
  [0, 1]
    .map((k) => names.filter((_, i) => i % 2 === k))
    .filter((h) => h.length)
    .map(labHalf),
);
const medianRegret = Object.fromEntries(names.map((n) => [n, halves[0][n] ?? halves[1][n]]));
log(`[bench:search] lab schedulers done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const result = { bench: 'search', ...options, median_regret: medianRegret };
const { findOptunaPython, runOptunaBench } = await load('/bench/search-optuna.ts');
const python = findOptunaPython();
if (python) {
  log(`[bench:search] Optuna via ${python} ...`);
  const optuna = await runOptunaBench(python, options);
  result.optuna_version = optuna.version;
  result.optuna_median_regret = optuna.medianRegret;
  // lab scheduler's median regret / Optuna sampler's, same function, parallelism and checkpoint: < 1 is better than Optuna.
  for (const ours of ['tpe', 'auto']) {
    const ratios = {};
    for (const [fn, byP] of Object.entries(medianRegret)) {
      ratios[fn] = {};
      for (const [p, bySched] of Object.entries(byP)) {
        const theirs = optuna.medianRegret[fn][p];
        ratios[fn][p] = Object.fromEntries(
          Object.keys(bySched[ours]).map((at) => [
            at,
            {
              vs_optuna_tpe: ratio(bySched[ours][at], theirs.tpe[at]),
              vs_best_optuna: ratio(bySched[ours][at], Math.min(...Object.values(theirs).map((s) => s[at]))),
            },
          ]),
        );
      }
    }
    result[`ratio_${ours}_vs_optuna`] = ratios;
  }
} else {
  log('[bench:search] no python3 with optuna and cmaes: the Optuna comparison is left out (see bench/README.md)');
  result.optuna_version = null;
}
// auto at parallelism 16 / its own sequential regret (the goal: at most 1.25).
result.auto_p16_vs_p1 = Object.fromEntries(
  Object.entries(medianRegret).map(([fn, byP]) => [
    fn,
    Object.fromEntries(Object.keys(byP.p1.auto).map((at) => [at, ratio(byP.p16.auto[at], byP.p1.auto[at])])),
  ]),
);
result.total_s = Number(((performance.now() - started) / 1000).toFixed(1));
console.log(JSON.stringify(result));

function ratio(a, b) {
  return b > 0 ? Number((a / b).toPrecision(3)) : null;
}
