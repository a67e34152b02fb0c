// Counts the WebGPU calls that cost most on SwiftShader (a dispatch ~60 µs, a submit and a
// read-back a queue round trip each) while `work` runs, by wrapping the prototypes' methods
// and restoring them afterwards. Tells the GPU engine's authors where a step's time goes.

export interface GpuCallCounts {
  dispatches: number;
  submits: number;
  readbacks: number;
}

export async function countGpuCalls<T>(work: () => Promise<T>): Promise<{ result: T; counts: GpuCallCounts }> {
  const counts: GpuCallCounts = { dispatches: 0, submits: 0, readbacks: 0 };
  const restore = [
    wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', () => counts.dispatches++),
    wrap(GPUQueue.prototype, 'submit', () => counts.submits++),
    wrap(GPUBuffer.prototype, 'mapAsync', () => counts.readbacks++),
  ];
  try {
    return { result: await work(), counts };
  } finally {
    for (const undo of restore) undo();
  }
}

function wrap<O extends object, K extends keyof O>(proto: O, method: K, count: () => void): () => void {
  const original = proto[method] as (...args: unknown[]) => unknown;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    count();
    return original.apply(this, args);
  } as O[K];
  return () => {
    proto[method] = original as O[K];
  };
}
