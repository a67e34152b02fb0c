// The WASM engine in the built lab: chosen beside Run, it trains a study end to end on every
// core when the page is cross-origin isolated (vite preview sends COOP/COEP, as the dev server
// does), and in one thread when a host sends no such headers. Left to the lab, the engine is
// picked by measurement and the notice says which and why.
import { expect, inject, test } from 'vitest';
import { openLab, readTrials, runStudy, screenshot, setField, useLabBrowser, watchPageErrors } from './lab-page.ts';

const shared = useLabBrowser();
const RUN_TIMEOUT_MS = 180_000;

test('chosen beside Run, the WASM engine trains a study on every core of an isolated page', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  await expect(page.evaluate(() => crossOriginIsolated)).resolves.toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await setField(page, 'budget-trials', 8);
  await setField(page, 'steps', 60);
  await page.getByTestId('engine-choice').selectOption('wasm');
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  const engine = page.getByTestId('engine');
  await expect(engine.getAttribute('data-kind')).resolves.toBe('cpu');
  await expect(engine.textContent()).resolves.toMatch(new RegExp(`CPU \\(WebAssembly SIMD, ${cores} threads\\)`));
  const trials = await readTrials(page);
  expect(trials).toHaveLength(8);
  for (const t of trials) expect(['COMPLETE', 'PRUNED', 'DIVERGED']).toContain(t.state);
  await screenshot(page, 'wasm-engine');
  await context.close();
});

test('left to the lab, the engine is picked by measurement and the notice says which and why', async () => {
  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  // 8 trials at once of 120 steps: 120 population-steps, past the 100 from which the lab measures.
  await setField(page, 'budget-trials', 8);
  await setField(page, 'steps', 120);
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  const notice = (await page.getByTestId('engine-notice').textContent()) ?? '';
  const line = (await page.getByTestId('engine').textContent()) ?? '';
  console.log(`[engine choice] ${line.trim()} — ${notice}`);
  const winner =
    /^Engine chosen by measurement: (WebGPU|the CPU engine \(WebAssembly\)) trained this study's population [\d.]+x faster than (WebGPU|the CPU engine \(WebAssembly\))/.exec(
      notice,
    );
  expect(winner, notice).not.toBeNull();
  expect(winner![1]).not.toBe(winner![2]);
  await expect(page.getByTestId('engine').getAttribute('data-kind')).resolves.toBe(
    winner![1] === 'WebGPU' ? 'webgpu' : 'cpu',
  );
  await context.close();
});

test('where the host sends no COOP/COEP headers, the WASM engine trains in one thread', async () => {
  const context = watchPageErrors(await shared.browser.newContext());
  // The lab's own responses without the isolation headers, as from a host that cannot send them.
  await context.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  const page = await context.newPage();
  await page.goto(inject('labUrl'));
  await page.getByTestId('study-editor').waitFor();
  await expect(page.evaluate(() => crossOriginIsolated)).resolves.toBe(false);
  await setField(page, 'budget-trials', 4);
  await setField(page, 'steps', 40);
  await page.getByTestId('engine-choice').selectOption('wasm');
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await expect(page.getByTestId('engine').textContent()).resolves.toMatch(/CPU \(WebAssembly SIMD, 1 thread\)/);
  expect((await readTrials(page)).every((t) => t.state !== 'RUNNING')).toBe(true);
  // The service worker may still be fetching assets through the route: let those end quietly.
  await context.unrouteAll({ behavior: 'ignoreErrors' });
  await context.close();
});
