// The built lab runs under its strict Content-Security-Policy (vite.config.ts) without a
// single violation: loading, training a short study on the GPU, drawing every view, and
// registering the service worker. The policy is shown to be in force, not just present:
// evaluating a string and adding an inline <style> are refused and reported.
import type { Page } from 'playwright';
import { expect, inject, test } from 'vitest';
import { openLab, runStudy, setField, tableShowsEnd, useLabBrowser } from './lab-page.ts';

const RUN_TIMEOUT_MS = 240_000;

interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

const shared = useLabBrowser();

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: Violation[] }).cspViolations);

test('the built lab trains a study and draws every view with no CSP violation, and the policy is enforced', async () => {
  const response = await fetch(inject('labUrl'));
  const html = await response.text();
  expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;;/);
  expect(response.headers.get('content-security-policy')).toMatch(
    /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';/,
  );
  // 'wasm-unsafe-eval' lets the WASM engine compile its kernels; JavaScript eval stays refused (below).
  expect(response.headers.get('content-security-policy')).not.toMatch(/'unsafe-eval'/);

  const { context, page } = await openLab(shared.browser, inject('labUrl'));
  // Registered before the page's own scripts: every report from the first byte on.
  await context.addInitScript(() => {
    const seen: Violation[] = [];
    (window as unknown as { cspViolations: Violation[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}` }),
    );
  });
  const consoleCsp: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) consoleCsp.push(message.text());
  });
  await page.reload();
  await page.getByTestId('study-editor').waitFor();

  await setField(page, 'budget-trials', 4);
  await setField(page, 'steps', 60);
  const progress = await runStudy(page, RUN_TIMEOUT_MS);
  await expect(progress.getAttribute('data-status')).resolves.toBe('finished');
  await tableShowsEnd(page);
  await page.getByTestId('decision-boundary').waitFor();
  await page.getByTestId('loss-curves').waitFor();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  expect(await violations(page)).toEqual([]);
  expect(consoleCsp).toEqual([]);

  // The policy is in force: eval (from a page task, not the test's own evaluate, which
  // DevTools exempts), an inline handler and an inline <style> are refused and reported.
  const refused = await page.evaluate(async () => {
    const evaluated = await new Promise<string>((resolve) =>
      setTimeout(() => {
        try {
          resolve(String(new Function('return "ran"')()));
        } catch {
          resolve('refused');
        }
      }),
    );
    const button = document.createElement('button');
    button.setAttribute('onclick', 'window.handlerRan = true');
    document.body.append(button);
    button.click();
    const style = document.createElement('style');
    style.textContent = 'body { color: rgb(1, 2, 3); }';
    document.head.append(style);
    return {
      evaluated,
      handlerRan: 'handlerRan' in window,
      styled: getComputedStyle(document.body).color === 'rgb(1, 2, 3)',
    };
  });
  expect(refused).toEqual({ evaluated: 'refused', handlerRan: false, styled: false });
  // Each is reported once per policy in force (the header and the meta): compared as a set.
  await expect
    .poll(async () => [...new Set((await violations(page)).map((v) => `${v.directive} ${v.blocked}`))].sort())
    .toEqual(['script-src eval', 'script-src-attr inline', 'style-src-elem inline']);
  console.log(`[csp] policy: ${(await (await fetch(inject('labUrl'))).headers.get('content-security-policy')) ?? ''}`);
  await context.close();
});
