// `npm run bench`: serves bench/index.html with Vite, opens it in headless Chromium with
// WebGPU (the same launch options as the browser tests), runs the benchmark inside the page
// and prints its result as ONE JSON line on stdout. Progress goes to stderr.
//
//   node bench/run.mjs           the full benchmark (a few minutes on 2 cores)
//   node bench/run.mjs --quick   fewer repetitions and steps: a smoke run, figures are rough

import { availableParallelism, loadavg } from 'node:os';
import { chromium } from 'playwright';
import { createServer } from 'vite';

const quick = process.argv.includes('--quick');
const log = (line) => process.stderr.write(`${line}\n`);

const server = await createServer({
  configFile: 'vite.config.ts',
  clearScreen: false,
  logLevel: 'warn',
  server: { port: 0, hmr: false },
  // Pre-bundle everything the page imports before it loads, so Vite never reloads it mid-run.
  optimizeDeps: { entries: ['bench/index.html'] },
});
let browser;
try {
  await server.listen();
  const url = new URL('bench/index.html', server.resolvedUrls.local[0]).href;
  // Node 20 cannot import TypeScript; Vite can, so the launch options stay in one .ts file.
  const { chromiumLaunchOptions, chromiumPath } = await server.ssrLoadModule('/test/chromium.ts');
  log(`[bench] chromium ${chromiumPath()}, page ${url}`);
  browser = await chromium.launch(chromiumLaunchOptions());
  const page = await browser.newPage();
  page.on('console', (message) => log(message.text()));
  page.on('pageerror', (error) => log(`[page error] ${error.stack ?? error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => typeof window.runTuningLabBench === 'function', null, { timeout: 120_000 });
  const loadBefore = loadavg()[0];
  const result = await page.evaluate((options) => window.runTuningLabBench(options), { quick });
  // Other work on the machine skews every figure: the load averages say how busy it was.
  const host = { cores: availableParallelism(), load_1m_before: loadBefore, load_1m_after: loadavg()[0] };
  process.stdout.write(`${JSON.stringify({ ...result, host })}\n`);
} catch (error) {
  log(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server.close();
}
