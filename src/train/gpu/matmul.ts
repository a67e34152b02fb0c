// The population's matmul kernel on its own, for the benchmark: one model, c = a · b with
// n×n×n, so its GFLOP/s can be set beside other libraries' on the same adapter.
import { encodeDispatches, matmulBuffers, matmulInvocations, matmulKernel, prepareDispatch } from './kernels.ts';
import { packMatmulParams } from './structs.ts';

export interface MatmulTiming {
  n: number;
  /** The kernel variant timed: matmul_forward_vec4 when n is a multiple of 4. */
  kernel: string;
  /** Products timed (after one untimed warm-up product). */
  repeats: number;
  seconds: number;
  /** 2·n³·repeats / seconds / 1e9. */
  gflops: number;
}

/**
 * Times `repeats` products of two n×n matrices (seeded, not random) with the matmul_forward
 * kernel in one command buffer, waiting for the GPU to finish; creates and destroys its buffers.
 * Throws if WebGPU rejected the work (a skipped dispatch would time as infinitely fast).
 */
export async function timeMatmul(device: GPUDevice, n: number, repeats: number): Promise<MatmulTiming> {
  const values = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 97) / 97 - 0.5);
  const make = (usage: number, data?: Float32Array<ArrayBuffer>) => {
    const buffer = device.createBuffer({ size: n * n * 4, usage: usage | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  };
  const a = make(GPUBufferUsage.STORAGE, values);
  const b = make(GPUBufferUsage.STORAGE, values);
  const c = make(GPUBufferUsage.STORAGE);
  // The epilogue's two bindings and GATHER's (off here): distinct buffers, as one is read-only and one written.
  const epilogueInputs = make(GPUBufferUsage.STORAGE);
  const epilogueOutputs = make(GPUBufferUsage.STORAGE);
  const batchRows = make(GPUBufferUsage.STORAGE);
  const product = {
    models: 1,
    m: n,
    k: n,
    n,
    a_offset: 0,
    a_model_stride: 0,
    b_offset: 0,
    b_model_stride: 0,
    c_offset: 0,
    c_model_stride: 0,
    bias_offset: 0,
  };
  const packed = packMatmulParams(product);
  const params = device.createBuffer({
    size: packed.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(params, 0, packed);
  device.pushErrorScope('validation');
  try {
    const kernel = matmulKernel('forward', product);
    const dispatch = prepareDispatch(
      device,
      kernel,
      [params, ...matmulBuffers(a, b, c, epilogueInputs, epilogueOutputs, batchRows)],
      matmulInvocations(1, n, n),
    );
    const run = async (count: number) => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (let i = 0; i < count; i++) encodeDispatches(pass, [dispatch]);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    await run(1);
    const start = performance.now();
    await run(repeats);
    const seconds = (performance.now() - start) / 1000;
    const error = await device.popErrorScope();
    if (error) throw new Error(`${kernel.name} failed validation, so its timing means nothing: ${error.message}`);
    return { n, kernel: kernel.name, repeats, seconds, gflops: (2 * n ** 3 * repeats) / seconds / 1e9 };
  } finally {
    for (const buffer of [a, b, c, epilogueInputs, epilogueOutputs, batchRows, params]) buffer.destroy();
  }
}
