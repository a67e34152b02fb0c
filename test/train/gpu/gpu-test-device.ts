// How every GPU test gets its device: a real adapter or a failing test (never a skip),
// each test's work inside a validation error scope that must come back empty, and the
// device destroyed afterwards.
import { expect } from 'vitest';

export async function requestTestDevice(): Promise<GPUDevice> {
  expect(navigator.gpu, 'navigator.gpu is missing: start Chromium with --enable-unsafe-webgpu').toBeDefined();
  const adapter = await navigator.gpu.requestAdapter();
  expect(adapter, 'requestAdapter() returned null: no WebGPU adapter in this browser').not.toBeNull();
  return adapter!.requestDevice();
}

/** Runs `body` on a fresh device inside a validation error scope; fails on any validation error. */
export async function withDevice(body: (device: GPUDevice) => Promise<void>): Promise<void> {
  const device = await requestTestDevice();
  device.pushErrorScope('validation');
  try {
    await body(device);
    const error = await device.popErrorScope();
    expect(error?.message ?? null, 'WebGPU validation error').toBeNull();
  } finally {
    device.destroy();
  }
}

/** max |actual - expected| / max(|expected|, floor): one relative figure for a whole array (NaN if only one side is NaN). */
export function relativeError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  floor = 1e-6,
): { maxAbs: number; relative: number } {
  expect(actual.length).toBe(expected.length);
  let maxAbs = 0;
  let scale = floor;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(actual[i]) || Number.isNaN(expected[i])) {
      if (Number.isNaN(actual[i]) !== Number.isNaN(expected[i])) return { maxAbs: NaN, relative: NaN };
      continue; // NaN on both sides agrees (a frozen model, a regression accuracy)
    }
    maxAbs = Math.max(maxAbs, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { maxAbs, relative: maxAbs / scale };
}

/** Makes `device` destroy itself right after its n-th queue.submit. */
export function destroyAfterSubmit(device: GPUDevice, n: number): void {
  const submit = device.queue.submit.bind(device.queue);
  let count = 0;
  device.queue.submit = (buffers) => {
    submit(buffers);
    if (++count === n) device.destroy();
  };
}

/** Makes `device` destroy itself while its n-th read-back (mapAsync of a MAP_READ buffer) is pending: the failure of issue 8. */
export function destroyDuringReadBack(device: GPUDevice, n: number): void {
  const createBuffer = device.createBuffer.bind(device);
  let count = 0;
  device.createBuffer = (descriptor) => {
    const buffer = createBuffer(descriptor);
    if (descriptor.usage & GPUBufferUsage.MAP_READ) {
      const mapAsync = buffer.mapAsync.bind(buffer);
      buffer.mapAsync = (...args) => {
        const pending = mapAsync(...args);
        if (++count === n) device.destroy();
        return pending;
      };
    }
    return buffer;
  };
}
