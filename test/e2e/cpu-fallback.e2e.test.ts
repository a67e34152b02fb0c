// A browser without WebGPU (Chromium started without --enable-unsafe-webgpu offers no
// adapter here) still runs the study, on the CPU engine in the worker, and says so.
import { expect, inject, test } from 'vitest';
import { chromiumLaunchOptions } from '../chromium.ts';
import { openLab, readTrials, runStudy, screenshot, setField, useLabBrowser } from './lab-page.ts';

const options = chromiumLaunchOptions();
const shared = useLabBrowser({ ...options, args: options.args?.filter((a) => a !== '--enable-unsafe-webgpu') });

test('without WebGPU a study finishes on the CPU engine with a notice saying why', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await expect(
    page.evaluate(async () => (navigator.gpu ? await navigator.gpu.requestAdapter() : null)),
  ).resolves.toBeNull();
  await setField(page, 'budget-trials', 8);
  await setField(page, 'steps', 60);
  const progress = await runStudy(page, 120_000);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('cpu');
  await expect(page.getByTestId('engine-notice').textContent()).resolves.toMatch(/CPU engine.*WebGPU/);
  const trials = await readTrials(page);
  expect(trials).toHaveLength(8);
  for (const t of trials) expect(t.state).not.toBe('RUNNING');
  await screenshot(page, 'cpu-fallback');
  await context.close();
});
