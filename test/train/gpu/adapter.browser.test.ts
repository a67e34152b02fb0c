import { expect, it } from 'vitest';

// The browser project exists to run WGSL on a real adapter. When Chromium offers none the
// run must fail (never skip), and when it has one the log names it.
it('finds a real WebGPU adapter and reports it', async () => {
  expect(navigator.gpu, 'navigator.gpu is missing: start Chromium with --enable-unsafe-webgpu').toBeDefined();
  const adapter = await navigator.gpu.requestAdapter();
  expect(adapter, 'requestAdapter() returned null: no WebGPU adapter in this browser').not.toBeNull();
  const info = adapter!.info;
  console.log(
    `[webgpu adapter] vendor=${info.vendor} architecture=${info.architecture} description=${info.description}`,
  );
  const device = await adapter!.requestDevice();
  expect(device.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(64);
  device.destroy();
});
