// The lab works offline after its first load: the service worker precaches the build.
import { expect, inject, test } from 'vitest';
import { useLabBrowser, watchPageErrors } from './lab-page.ts';

const shared = useLabBrowser();

test('after one online visit the lab loads and renders with the network off', async () => {
  const context = watchPageErrors(await shared.browser.newContext());
  const page = await context.newPage();
  await page.goto(inject('labUrl'));
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The first visit is not controlled yet; wait until the worker has claimed the page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  await expect(page.locator('tuning-lab h1').first().textContent()).resolves.toContain('Tuning Lab');
  await context.close();
});
