// A CNN study end to end: start from the "CNN for digits" preset, train it on WebGPU (conv
// blocks, pooling, flatten in WGSL), every trial completes, and its link reproduces the same
// trials with bit-identical final losses in a fresh page. Left to the lab, a short CNN study is
// not measured (the probe would take longer than the study): on SwiftShader it trains on the
// TypeScript CPU engine (the WASM engine trains MLPs only). A CNN on data that is not images
// blocks Run, saying which data sets are.
import { expect, inject, test } from 'vitest';
import { openLab, readTrials, runStudy, screenshot, setField, useLabBrowser } from './lab-page.ts';

/**
 * Far fewer steps than the preset's 200, so both runs fit a minute on SwiftShader (measured on
 * the loaded 2-core machine: 12.5 s per run at 10 steps, 50 s at 40).
 */
const STEPS = 10;
const RUN_TIMEOUT_MS = 180_000;

const shared = useLabBrowser();

test('the CNN for digits preset trains on WebGPU, and its link reproduces bit-identical final losses', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await page.getByTestId('preset').selectOption('cnn-digits');
  await expect(page.getByTestId('architecture').inputValue()).resolves.toBe('cnn');
  await expect(page.getByTestId('cnn-fields').isVisible()).resolves.toBe(true);
  await expect(page.getByTestId('dataset').inputValue()).resolves.toBe('digits');
  await expect(page.getByTestId('budget-trials').inputValue()).resolves.toBe('8');
  await setField(page, 'steps', STEPS);
  await page.getByTestId('engine-choice').selectOption('webgpu');
  await screenshot(page.getByTestId('study-editor'), 'cnn-study-editor');

  const started = Date.now();
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  console.log(`[cnn e2e] 8 CNN trials of ${STEPS} steps on WebGPU: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('webgpu');
  const first = await readTrials(page);
  expect(first).toHaveLength(8);
  for (const t of first) expect(t.state, `trial #${t.id}`).toBe('COMPLETE');
  // The search tried both depths, each trial a CNN.
  expect(new Set(first.map((t) => t.params.convBlocks))).toEqual(new Set([1, 2]));
  for (const t of first) expect(t.params.architecture).toBe('cnn');
  await screenshot(page, 'cnn-lab-after-run');
  const link = await page.getByTestId('share-url').inputValue();
  await context.close();

  const fresh = await openLab(shared.browser, link);
  await expect(fresh.page.getByTestId('architecture').inputValue()).resolves.toBe('cnn');
  await fresh.page.getByTestId('engine-choice').selectOption('webgpu');
  await runStudy(fresh.page, RUN_TIMEOUT_MS);
  // Same adapter, same seeds: the same trials with bit-identical final losses.
  expect(await readTrials(fresh.page)).toEqual(first);
  await fresh.context.close();
});

test('left to the lab, a CNN study too short for measuring to pay off is not measured, and the notice says which engine and why', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await page.getByTestId('preset').selectOption('cnn-digits');
  await setField(page, 'steps', 4);
  await expect(page.getByTestId('engine-choice').inputValue()).resolves.toBe('auto');
  const started = Date.now();
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  const notice = (await page.getByTestId('engine-notice').textContent()) ?? '';
  console.log(
    `[cnn e2e] 8 CNN trials of 4 steps, left to the lab: ${((Date.now() - started) / 1000).toFixed(1)} s — ${notice}`,
  );
  // 8 trials at once of 4 steps: 4 population-steps, far under the 100 from which the lab measures.
  const guessed =
    /^Training on (WebGPU|the CPU engine \(TypeScript\)), not measured: this study trains 4 population-steps \(8 trials of 4 steps, 8 at once\), and measuring pays off only from 100 \(10x the 5 it trains on each engine\)\. .* (is a software adapter: WebGPU runs on the CPU there, so the CPU engine is the better guess\. It is the TypeScript one because the WASM engine trains MLPs only, and this study has a CNN|is not a software adapter, so WebGPU is the better guess)\. Choose another engine beside Run to override\.$/.exec(
      notice,
    );
  expect(guessed, notice).not.toBeNull();
  const software = guessed?.[2].startsWith('is a software adapter');
  expect(guessed?.[1]).toBe(software ? 'the CPU engine (TypeScript)' : 'WebGPU');
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe(software ? 'cpu' : 'webgpu');
  if (software) await expect(page.getByTestId('engine').textContent()).resolves.toContain('CPU (TypeScript)');
  await context.close();
});

test('a CNN on the spiral blocks Run and names the image data sets; the MLP runs again', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await expect(page.getByTestId('cnn-fields').count()).resolves.toBe(0);
  await page.getByTestId('architecture').selectOption('cnn');
  await expect(page.getByTestId('cnn-fields').isVisible()).resolves.toBe(true);
  await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(false);
  await expect(page.getByTestId('run-blocked').textContent()).resolves.toContain(
    'Architecture: a CNN needs image data, and spiral is not images — of the data sets only digits (14×14 or 28×28) are; choose digits, or the mlp architecture.',
  );
  await page.getByTestId('architecture').selectOption('mlp');
  await expect.poll(() => page.getByTestId('run').isEnabled()).toBe(true);
  await context.close();
});
