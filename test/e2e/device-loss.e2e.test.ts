// A GPU lost in the middle of a population loses no trial: the real GPU process is crashed
// (chrome://gpucrash) while the study's one population trains on WebGPU in the worker, every
// trial then starts again on the CPU engine with its own seeds, and the final losses equal a
// CPU-only run of the same link, bit for bit. No hook in the app: Chromium handles its debug
// URL chrome://gpucrash for a "typed" navigation when started with --enable-gpu-benchmarking.
import { type Browser, type BrowserContext, chromium } from 'playwright';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { chromiumLaunchOptions } from '../chromium.ts';
import { expectNoPageErrors, openLab, readTrials, runStudy, screenshot, setField, tableShowsEnd } from './lab-page.ts';

const TRIALS = 8;
const RUN_TIMEOUT_MS = 240_000;

let gpuBrowser: Browser;
let cpuBrowser: Browser;
beforeAll(async () => {
  const options = chromiumLaunchOptions();
  gpuBrowser = await chromium.launch({ ...options, args: [...(options.args ?? []), '--enable-gpu-benchmarking'] });
  // Without --enable-unsafe-webgpu Chromium offers no adapter here: the lab trains on the CPU engine.
  cpuBrowser = await chromium.launch({ ...options, args: options.args?.filter((a) => a !== '--enable-unsafe-webgpu') });
});
afterAll(async () => {
  await gpuBrowser?.close();
  await cpuBrowser?.close();
});
afterEach(expectNoPageErrors);

/** Crashes the browser's GPU process, as a driver reset would: every GPUDevice in every tab and worker is lost. */
async function crashGpuProcess(context: BrowserContext): Promise<void> {
  const tab = await context.newPage();
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Page.navigate', { url: 'chrome://gpucrash', transitionType: 'typed' });
  await tab.close();
}

test("a GPU process crash mid-population: no trial fails, all finish on the CPU engine with a CPU-only run's final losses", async () => {
  const { context, page } = await openLab(gpuBrowser, inject('labUrl'));
  // All trials in one population (parallelism 16 ≥ 8 trials, one shape), so the crash interrupts every one.
  await setField(page, 'budget-trials', TRIALS);
  await setField(page, 'steps', 500);
  const link = await page.getByTestId('share-url').inputValue();
  await page.getByTestId('engine-choice').selectOption('webgpu');
  await page.getByTestId('run').click();
  // The population has reported from the GPU: some trial is running with steps done.
  await expect
    .poll(
      () =>
        page
          .locator('.bars .bar')
          .evaluateAll((bars) => bars.some((b) => /RUNNING, [1-9]\d*\//.test(b.getAttribute('title') ?? ''))),
      { timeout: RUN_TIMEOUT_MS },
    )
    .toBe(true);
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('webgpu');
  await crashGpuProcess(context);

  const progress = page.getByTestId('progress');
  await progress
    .and(page.locator('[data-status=finished], [data-status=error], [data-status=stopped]'))
    .waitFor({ timeout: RUN_TIMEOUT_MS });
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await tableShowsEnd(page);
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('cpu');
  await expect(page.getByTestId('engine-notice').textContent()).resolves.toMatch(/GPU device was lost.*CPU engine/);
  const afterCrash = await readTrials(page);
  await screenshot(page, 'device-loss');
  await context.close();
  expect(afterCrash).toHaveLength(TRIALS);
  expect(afterCrash.map((t) => t.state)).toEqual(Array<string>(TRIALS).fill('COMPLETE'));

  const cpuOnly = await openLab(cpuBrowser, link);
  await runStudy(cpuOnly.page, RUN_TIMEOUT_MS);
  await expect(cpuOnly.page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('cpu');
  const reference = await readTrials(cpuOnly.page);
  await cpuOnly.context.close();
  // Same trials (ids, parameters, states) and bit-identical final validation losses.
  expect(afterCrash).toEqual(reference);
});
