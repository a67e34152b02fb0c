// Batch norm end to end: switched on in the model editor, a small spiral study trains with it
// on WebGPU (every trial's model a Linear → BatchNorm → activation stack), and its link
// reproduces the same trials with bit-identical final losses in a fresh page.
import { expect, inject, test } from 'vitest';
import { openLab, readTrials, runStudy, setField, useLabBrowser } from './lab-page.ts';

const RUN_TIMEOUT_MS = 180_000;
const shared = useLabBrowser();

test('batch norm from the model editor trains on WebGPU, and its link reproduces bit-identical final losses', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await page.getByTestId('batchNorm').selectOption('on');
  await setField(page, 'budget-trials', 4);
  await setField(page, 'steps', 20);
  await page.getByTestId('engine-choice').selectOption('webgpu');
  const started = Date.now();
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  console.log(`[batchnorm e2e] 4 trials of 20 steps on WebGPU: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe('webgpu');
  const first = await readTrials(page);
  expect(first).toHaveLength(4);
  for (const t of first) {
    expect(t.state, `trial #${t.id}`).toBe('COMPLETE');
    expect(t.params.batchNorm).toBe('on');
  }
  const link = await page.getByTestId('share-url').inputValue();
  await context.close();

  const fresh = await openLab(shared.browser, link);
  await expect(fresh.page.getByTestId('batchNorm').inputValue()).resolves.toBe('on');
  await fresh.page.getByTestId('engine-choice').selectOption('webgpu');
  await runStudy(fresh.page, RUN_TIMEOUT_MS);
  expect(await readTrials(fresh.page)).toEqual(first);
  await fresh.context.close();
});
