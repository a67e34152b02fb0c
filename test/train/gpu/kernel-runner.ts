// Runs one kernel of the table on buffers made from plain arrays and reads every buffer
// back, so a test can compare a single WGSL kernel with its CPU reference op.

import type { KernelEntry } from '../../../src/train/gpu/kernels.ts';
import { encodeDispatches, prepareDispatch } from '../../../src/train/gpu/kernels.ts';

/** A binding's initial contents: floats, raw bytes (a packed struct), or a zeroed size in floats. */
export type BindingData = Float32Array | ArrayBuffer | number;

export async function runKernel(
  device: GPUDevice,
  entry: KernelEntry,
  data: readonly BindingData[],
  invocations: number,
  stepSlotBytes = 256,
): Promise<Float32Array[]> {
  const buffers = data.map((d, i) => {
    const kind = entry.bindings[i];
    const uniform = kind === 'uniform' || kind === 'step';
    const bytes = typeof d === 'number' ? d * 4 : d.byteLength;
    const buffer = device.createBuffer({
      // Whole vec4s, as the matmuls bind their outputs as array<vec4f>.
      size: Math.max(16, kind === 'step' ? Math.max(bytes, stepSlotBytes) : Math.ceil(bytes / 16) * 16),
      usage:
        (uniform ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC) | GPUBufferUsage.COPY_DST,
    });
    if (typeof d !== 'number') device.queue.writeBuffer(buffer, 0, d as GPUAllowSharedBufferSource);
    return buffer;
  });
  try {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, [prepareDispatch(device, entry, buffers, invocations, stepSlotBytes)], 0, stepSlotBytes);
    pass.end();
    const staging = buffers.map((b) =>
      b.usage & GPUBufferUsage.STORAGE
        ? device.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
        : null,
    );
    staging.forEach((s, i) => s && encoder.copyBufferToBuffer(buffers[i], 0, s, 0, s.size));
    device.queue.submit([encoder.finish()]);
    return await Promise.all(
      staging.map(async (s, i) => {
        if (!s) return new Float32Array(0);
        await s.mapAsync(GPUMapMode.READ);
        const floats = new Float32Array(
          s
            .getMappedRange()
            .slice(
              0,
              typeof data[i] === 'number'
                ? (data[i] as number) * 4
                : (data[i] as ArrayBuffer | Float32Array).byteLength,
            ),
        );
        s.destroy();
        return floats;
      }),
    );
  } finally {
    buffers.forEach((b) => b.destroy());
  }
}
