// `npm run bench:search`: median regret of every scheduler on test functions mapped onto
// lab-like spaces (bench/search.ts), and of Optuna's samplers on the same ones when some
// python3 has Optuna (bench/search-optuna.ts), printed as ONE JSON line on stdout; progress
// on stderr. Node 20 cannot import TypeScript, so Vite's module runner loads the .ts files.
// See bench/README.md.
import { runnerImport } from 'vite';

const log = (line) => process.stderr.write(`${line}\n`);
const load = async (path) => (await runnerImport(path, { configFile: false, logLevel: 'warn' })).module;
const started = performance.now();
const options = { seeds: 20, trials: 100, checkpoints: [50, 100], parallelisms: [1, 16] };
const { runSearchBench } = await load('/bench/search.ts');
const medianRegret = runSearchBench(options);
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
  result.ratio_tpe_vs_optuna = {};
  for (const [fn, byP] of Object.entries(medianRegret)) {
    result.ratio_tpe_vs_optuna[fn] = {};
    for (const [p, bySched] of Object.entries(byP)) {
      const theirs = optuna.medianRegret[fn][p];
      result.ratio_tpe_vs_optuna[fn][p] = Object.fromEntries(
        Object.keys(bySched.tpe).map((at) => [
          at,
          {
            vs_optuna_tpe: ratio(bySched.tpe[at], theirs.tpe[at]),
            vs_best_optuna: ratio(bySched.tpe[at], Math.min(...Object.values(theirs).map((s) => s[at]))),
          },
        ]),
      );
    }
  }
} else {
  log('[bench:search] no python3 with optuna and cmaes: the Optuna comparison is left out (see bench/README.md)');
  result.optuna_version = null;
}
result.total_s = Number(((performance.now() - started) / 1000).toFixed(1));
console.log(JSON.stringify(result));

function ratio(a, b) {
  return b > 0 ? Number((a / b).toPrecision(3)) : null;
}
