// The lab on any screen: at 390×844 every editor control can be reached and Run works; dark
// mode follows prefers-color-scheme; the skip link and the keyboard reach the charts. Every
// result view is saved as a screenshot in light, dark and mobile (test-results/screenshots/).
import type { BrowserContextOptions, Page } from 'playwright';
import { describe, expect, inject, test } from 'vitest';
import { runStudy, screenshot, setField, useLabBrowser, watchPageErrors } from './lab-page.ts';

const shared = useLabBrowser();
const RUN_TIMEOUT_MS = 240_000;
const VIEWS = [
  'lab-loss-curves',
  'lab-parallel-coords',
  'lab-param-scatter',
  'lab-best-history',
  'lab-contour',
  'lab-importance',
  'lab-decision-boundary',
  'lab-trial-detail',
  'lab-trials-table',
];

async function open(options: BrowserContextOptions): Promise<Page> {
  const context = watchPageErrors(await shared.browser.newContext(options));
  const page = await context.newPage();
  await page.goto(inject('labUrl'));
  await page.getByTestId('study-editor').waitFor();
  return page;
}

/** Runs the default study at 60 steps, selects its best trial, and saves the page and every view as `<mode>-…`. */
async function runAndShoot(page: Page, mode: string): Promise<void> {
  await setField(page, 'steps', 60);
  await runStudy(page, RUN_TIMEOUT_MS);
  await page.locator('[data-testid=trial-row].best').click();
  await page.locator('[data-testid=decision-boundary][data-drawn]').waitFor();
  await screenshot(page, `${mode}-page`);
  for (const view of VIEWS) {
    await page.locator(view).scrollIntoViewIfNeeded();
    await screenshot(page.locator(view), `${mode}-${view.slice(4)}`);
  }
}

describe('any screen', () => {
  test('at 390×844 every editor control is inside the screen and takes a tap, and Run trains the study', async () => {
    const page = await open({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await screenshot(page, 'mobile-editor');
    const controls = page.getByTestId('study-editor').locator('input, select, button');
    const count = await controls.count();
    expect(count).toBeGreaterThan(40);
    const outside: string[] = [];
    for (let i = 0; i < count; i++) {
      const control = controls.nth(i);
      if (!(await control.isVisible())) continue;
      await control.scrollIntoViewIfNeeded();
      const box = (await control.boundingBox())!;
      const name =
        (await control.getAttribute('aria-label')) ?? (await control.getAttribute('data-testid')) ?? `control ${i}`;
      if (box.x < 0 || box.x + box.width > 390)
        outside.push(`${name}: x ${box.x.toFixed(0)}…${(box.x + box.width).toFixed(0)}`);
      // Playwright's actionability check: visible, stable, enabled, and the tap would land on it (not on what covers or clips it).
      else if (!(await control.isDisabled())) await control.click({ trial: true, timeout: 5000 });
    }
    expect(outside).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await runAndShoot(page, 'mobile');
    await expect(page.getByTestId('progress').getAttribute('data-done')).resolves.toBe('16');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  test('dark mode follows prefers-color-scheme: the page, the cards and the chart axes are dark-themed', async () => {
    const page = await open({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    await expect(page.evaluate(() => getComputedStyle(document.body).backgroundColor)).resolves.toBe('rgb(16, 20, 24)');
    await runAndShoot(page, 'dark');
    const card = await page.locator('lab-loss-curves').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(card).toBe('rgb(26, 32, 39)');
    // uPlot's axis text takes the theme's ink, not its default black.
    const axisStroke = await page
      .locator('lab-loss-curves lab-uplot')
      .evaluate((el) => (el as unknown as { plot: { axes: Array<{ stroke: () => string }> } }).plot.axes[0].stroke());
    expect(axisStroke).toBe('#e3e8ee');
    // Lines take the ramp's bright half on the dark card (lineColor), so the lowest losses and a
    // scale's low end stand out: the curves' "low" swatch is the ramp's yellow end, not its dark purple.
    const lowSwatch = page.locator('lab-loss-curves .key .swatch').first();
    await expect(lowSwatch.evaluate((el) => getComputedStyle(el).borderTopColor)).resolves.toBe('rgb(253, 231, 37)');
  });

  test('light: every view saved; the skip link and the keyboard reach Run and the charts', async () => {
    const page = await open({ viewport: { width: 1280, height: 900 } });
    await page.keyboard.press('Tab');
    await expect(
      page.getByTestId('skip-link').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await expect(
      page.locator('#run').evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).resolves.toBe(true);
    await runAndShoot(page, 'light');
    // Keyboard on the loss curves: arrows name trials in order, Enter selects the one named.
    await page.locator('lab-loss-curves lab-uplot').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('curve-hover').textContent()).toMatch(/^\s*trial #0 · /);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('curve-hover').textContent()).toMatch(/^\s*trial #1 · /);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('trial-detail').getAttribute('data-trial')).toBe('1');
    // And on the contour: Home names its first point, Enter selects it.
    // The contour draws its points in the frame after a resize (the selection above may move
    // the layout), and keys name only drawn points: Home is pressed until one is named.
    await page.getByTestId('contour').focus();
    const hover = page.getByTestId('contour-hover');
    await expect
      .poll(async () => {
        await page.keyboard.press('Home');
        return hover.textContent();
      })
      .toMatch(/trial #\d+/);
    const named = ((await hover.textContent()) ?? '').match(/trial #(\d+)/)?.[1];
    expect(named).toBeDefined();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('trial-detail').getAttribute('data-trial')).toBe(named);
  });

  test('help in place: the scales are explained beside the search space, linked to the how-to-tune page', async () => {
    const page = await open({ viewport: { width: 1280, height: 900 } });
    const help = (await page.getByTestId('scale-help').textContent()) ?? '';
    expect(help).toContain('each decade gets the same share of trials');
    expect(help).toContain('1-β log');
    await page.getByTestId('how-to-tune').click();
    await page.waitForURL(/how-to-tune\.html$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('How to tune');
    await expect(page.locator('h2').allTextContents()).resolves.toEqual([
      '1. Tune what matters most first',
      '2. Sample at random, not on a grid',
      '3. Go from coarse to fine',
      '4. Search each hyperparameter on its own scale',
      '5. Trust good defaults, and stop bad trials early',
    ]);
    await screenshot(page, 'how-to-tune');
  });
});
