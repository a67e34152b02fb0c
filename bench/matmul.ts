// Matmul kernel benchmark: C[n×n] = A·B at n = 64, 256, 512, GFLOP/s = 2n³ / time. Each
// timed repetition runs `inner` multiplications back to back and then waits for the device
// (TF.js: awaiting the last product's data; the project: onSubmittedWorkDone), so the GPU
// work is really inside the clock; the median over repetitions after one warm-up is reported.
import * as tf from '@tensorflow/tfjs';
import { uniform } from '../src/search/random.ts';
import { median } from './stats.ts';

export const MATMUL_SIZES = [64, 256, 512] as const;

export interface MatmulPlan {
  repetitions: number;
  /** Products per timed repetition, by n, so small sizes are not all round-trip latency. */
  inner: Record<(typeof MATMUL_SIZES)[number], number>;
}

/** A [n×n] matrix of uniform values in [-1, 1), seeded through the project's RNG. */
export function benchMatrix(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n * n }, (_, i) => 2 * uniform(seed, n, i) - 1);
}

/** Times `run` (which performs `inner` products and resolves when the device is done). */
export async function gflops(n: number, inner: number, repetitions: number, run: () => Promise<void>): Promise<number> {
  await run(); // warm-up: pipeline creation, allocation
  const ms: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  return (2 * n ** 3 * inner) / (median(ms) * 1e6);
}

/** TF.js's matMul on its current backend (the caller selects 'webgpu'). */
export async function tfjsMatmulGflops(n: (typeof MATMUL_SIZES)[number], plan: MatmulPlan): Promise<number> {
  const a = tf.tensor2d(benchMatrix(n, 1), [n, n]);
  const b = tf.tensor2d(benchMatrix(n, 2), [n, n]);
  const inner = plan.inner[n];
  try {
    return await gflops(n, inner, plan.repetitions, async () => {
      const products = Array.from({ length: inner }, () => tf.matMul(a, b));
      await products[inner - 1].data(); // the queue runs in order: all products are done
      tf.dispose(products);
    });
  } finally {
    tf.dispose([a, b]);
  }
}
