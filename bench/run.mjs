// `npm run bench`: serves bench/index.html with Vite, opens it in headless Chromium with
// WebGPU (the same launch options as the browser tests), runs the benchmark inside the page
// and prints its result as ONE JSON line on stdout. Progress goes to stderr.
//
//   node bench/run.mjs           the full benchmark (a few minutes on 2 cores)
//   node bench/run.mjs --quick   fewer repetitions and steps: a smoke run, figures are rough
//   node bench/run.mjs --profile only the WebGPU engine's ms per step and kernel profile (about a minute)
//   node bench/run.mjs --fused   only the fused step kernel against the layered path

import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { chromium } from 'playwright';
import { createServer } from 'vite';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const fusedOnly = process.argv.includes('--fused');
const log = (line) => process.stderr.write(`${line}\n`);

const server = await createServer({
  configFile: 'vite.config.ts',
  clearScreen: false,
  logLevel: 'warn',
  server: { port: 0, hmr: false },
  // Pre-bundle everything the page imports before it loads, so Vite never reloads it mid-run.
  optimizeDeps: { entries: ['bench/index.html'] },
});
let browser;
try {
  await server.listen();
  const url = new URL('bench/index.html', server.resolvedUrls.local[0]).href;
  // Node 20 cannot import TypeScript; Vite can, so the launch options stay in one .ts file.
  const { chromiumLaunchOptions, chromiumPath } = await server.ssrLoadModule('/test/chromium.ts');
  log(`[bench] chromium ${chromiumPath()}, page ${url}`);
  browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage();
  page.on('console', (message) => log(message.text()));
  page.on('pageerror', (error) => log(`[page error] ${error.stack ?? error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => typeof window.runTuningLabBench === 'function', null, { timeout: 120_000 });
  const loadBefore = loadavg()[0];
  const { anchor_inputs: anchorInputs, ...result } = await page.evaluate(
    (options) => window.runTuningLabBench(options),
    { quick, profile, fusedOnly },
  );
  await browser.close();
  browser = undefined;
  // After the page, never beside it: the anchor gets the same two cores to itself.
  const jax = profile || fusedOnly ? {} : jaxAnchor(anchorInputs, result);
  // Other work on the machine skews every figure: the load averages say how busy it was.
  const host = { cores: availableParallelism(), load_1m_before: loadBefore, load_1m_after: loadavg()[0] };
  process.stdout.write(`${JSON.stringify({ ...result, ...jax, host })}\n`);
} catch (error) {
  log(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server.close();
}

/** The first python3 that imports jax (`pip install jax`), or undefined. */
function findJaxPython() {
  return ['python3', '/usr/bin/python3'].find(
    (py) => spawnSync(py, ['-c', 'import jax'], { stdio: 'ignore' }).status === 0,
  );
}

function round(value, digits = 4) {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(digits)) : value;
}

/**
 * The same workloads in JAX (bench/jax_scaling.py: vmap over the trials, jit + lax.scan over
 * the steps) and our best engine ÷ JAX per cell and on the S64 workload; `jax: null` without it.
 */
function jaxAnchor(inputs, result) {
  const python = findJaxPython();
  if (!python) {
    log('[bench] no python3 with jax: the JAX anchor is skipped (pip install jax, see bench/README.md)');
    return { jax: null };
  }
  const cells = [inputs.s64, ...result.scaling.map(({ trials, width, steps }) => ({ trials, width, steps }))];
  const run = spawnSync(python, ['bench/jax_scaling.py'], {
    input: JSON.stringify({ ...inputs, cells }),
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`bench/jax_scaling.py failed with exit code ${run.status}`);
  const out = JSON.parse(run.stdout.toString());
  const [s64, ...jaxCells] = out.cells;
  const engines = ['wasm', 'webgpu', 'cpu'];
  const vsJax = result.scaling.map((row, i) => {
    const [best, figures] = engines
      .filter((e) => row[e] && !row[e].error)
      .map((e) => [e, row[e]])
      .sort((a, b) => b[1].trial_steps_per_s - a[1].trial_steps_per_s)[0] ?? [null, null];
    const theirs = jaxCells[i].trial_steps_per_s;
    return {
      trials: row.trials,
      width: row.width,
      best_engine: best,
      best_vs_jax: figures && theirs ? round(figures.trial_steps_per_s / theirs, 3) : null,
    };
  });
  return {
    jax: {
      version: out.jax,
      devices: out.devices,
      s64_trial_steps_per_s: round(s64.trial_steps_per_s),
      s64_s_per_run: s64.s_per_run?.map((s) => round(s)),
      cells: jaxCells.map((c) => ({
        ...c,
        trial_steps_per_s: round(c.trial_steps_per_s),
        s_per_run: c.s_per_run?.map((s) => round(s)),
      })),
    },
    best_s64_vs_jax: round(result.best_engine_s64.trial_steps_per_s / s64.trial_steps_per_s, 3),
    scaling_best_vs_jax: vsJax,
  };
}
