// A GPU lost in the middle of a population loses no trial: the real GPU process is crashed
// (chrome://gpucrash) while the study's one population trains on WebGPU in the worker, every
// trial then starts again on the CPU engine with its own seeds, and the final losses equal a
// CPU-only run of the same link, bit for bit. No hook in the app: Chromium handles its debug
// URL chrome://gpucrash for a "typed" navigation when started with --enable-gpu-benchmarking.
// Under population-based training too, where the page goes on drawing the best model live.
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright';
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

/**
 * Runs the lab's study on WebGPU, set up by `setUp`, crashes the GPU process once the
 * population has reported, and checks that it ends on the CPU engine with every trial complete
 * and a CPU-only run's final losses, bit for bit; `onCpu` runs while it trains there.
 */
async function studyAcrossCrash(
  name: string,
  setUp: (page: Page) => Promise<void>,
  onCpu: (page: Page) => Promise<void> = async () => {},
) {
  const { context, page } = await openLab(gpuBrowser, inject('labUrl'));
  await setUp(page);
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
  await expect
    .poll(() => page.getByTestId('engine').getAttribute('data-kind'), { timeout: RUN_TIMEOUT_MS })
    .toBe('cpu');
  await onCpu(page);

  const progress = page.getByTestId('progress');
  await progress
    .and(page.locator('[data-status=finished], [data-status=error], [data-status=stopped]'))
    .waitFor({ timeout: RUN_TIMEOUT_MS });
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await tableShowsEnd(page);
  await expect(page.getByTestId('engine-notice').textContent()).resolves.toMatch(/GPU device was lost.*CPU engine/);
  const afterCrash = await readTrials(page);
  await screenshot(page, name);
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
}

test("a GPU process crash mid-population: no trial fails, all finish on the CPU engine with a CPU-only run's final losses", async () => {
  await studyAcrossCrash('device-loss', async (page) => {
    // All trials in one population (parallelism 16 ≥ 8 trials, one shape), so the crash interrupts every one.
    await setField(page, 'budget-trials', TRIALS);
    await setField(page, 'steps', 500);
  });
});

test("under population-based training: after the crash the boundary card follows the best trial live on the CPU engine, and the study ends with a CPU-only run's final losses", async () => {
  await studyAcrossCrash(
    'device-loss-pbt',
    async (page) => {
      await page.getByTestId('scheduler').selectOption('pbt');
      await setField(page, 'budget-trials', TRIALS);
      await setField(page, 'steps', 5000);
    },
    async (page) => {
      const progress = page.getByTestId('progress');
      const canvas = page.getByTestId('decision-boundary');
      // The step drawn live (NaN while none is); the poll's error names a study that ended meanwhile.
      const liveStep = async () => {
        const status = await progress.getAttribute('data-status');
        if (status !== 'running') throw new Error(`the study is ${status}: ${await progress.textContent()}`);
        return Number((await canvas.getAttribute('data-live-step', { timeout: 1000 }).catch(() => null)) ?? Number.NaN);
      };
      // The first drawn on the CPU engine may still be the lost device's: the step grows past it.
      const first = await liveStep();
      await expect.poll(liveStep, { timeout: RUN_TIMEOUT_MS }).toBeGreaterThan(Number.isNaN(first) ? 0 : first);
      await expect(page.getByTestId('boundary-caption').textContent()).resolves.toMatch(
        /^Best so far: trial #\d+ at step \d+ \(live\)$/,
      );
    },
  );
});
