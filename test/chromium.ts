// How every test and benchmark finds and starts Chromium: the system binary
// (/usr/bin/chromium, or $CHROMIUM_PATH), headless, with WebGPU enabled and the
// background networking that a closed network would only refuse switched off.
import type { LaunchOptions } from 'playwright';

export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumLaunchOptions(): LaunchOptions {
  return {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--enable-unsafe-webgpu',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      // Memory figures: window.gc() before reading the heap, and exact (unbucketed) heap sizes.
      '--js-flags=--expose-gc',
      '--enable-precise-memory-info',
    ],
  };
}
