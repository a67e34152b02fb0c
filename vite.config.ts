/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { playwright } from '@vitest/browser-playwright';
import { VitePWA } from 'vite-plugin-pwa';
import { chromiumLaunchOptions } from './test/chromium.ts';
import { DIGITS_ASSET } from './src/train/data/digitsFormat.ts';
import { digitsAssetBytes } from './src/train/data/digitsPack.ts';

/** Packs the mnist package's digits into one ~0.7 MB binary: served in dev, emitted in the build. */
function digitsAsset(): Plugin {
  let bytes: Uint8Array | undefined;
  const asset = () => (bytes ??= digitsAssetBytes());
  return {
    name: 'tuning-lab-digits',
    configureServer(server) {
      server.middlewares.use(`${server.config.base}${DIGITS_ASSET}`, (_request, response) => {
        response.setHeader('Content-Type', 'application/octet-stream');
        response.end(asset());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_ASSET, source: asset() });
    },
  };
}

// One config for the lab, its build and its three test projects:
//  node    – pure logic and the CPU engine, in Node;
//  browser – *.browser.test.ts in real Chromium with real WebGPU (the GPU engine);
//  e2e     – *.e2e.test.ts: Playwright drives the built lab in Chromium.
export default defineConfig({
  worker: { format: 'es' },
  // Pre-bundled up front so browser tests don't reload mid-run when Vite first meets them.
  optimizeDeps: { include: ['comlink', 'zod', 'fflate', 'papaparse', 'lit', 'uplot'] },
  plugins: [
    digitsAsset(),
    // Offline after the first load: the service worker precaches the whole build (app,
    // worker, shaders, packed digits) and the manifest makes the lab installable.
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
        globPatterns: ['**/*.{js,css,html,svg,wgsl,bin,json,webmanifest}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
      },
    }),
  ],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
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
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: chromiumLaunchOptions() }),
            instances: [{ browser: 'chromium' }],
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
          fileParallelism: false,
        },
      },
    ],
  },
});
