// The lab works offline after its first load: the service worker precaches the build.
import { chromium, type Browser } from 'playwright';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { chromiumLaunchOptions } from '../chromium.ts';
import { expectNoPageErrors, watchPageErrors } from './lab-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch(chromiumLaunchOptions());
});
afterAll(async () => {
  await browser?.close();
});
afterEach(expectNoPageErrors);

test('after one online visit the lab loads and renders with the network off', async () => {
  const context = watchPageErrors(await browser.newContext());
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
