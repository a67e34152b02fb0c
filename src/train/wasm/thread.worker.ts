// One thread of the WASM engine: trains its share of a job's quads in the engine's shared
// memory, one report interval per request, and checks the shared abort flag after every step.
import { instantiateKernels, type Kernels, type Pause, QuadTrainer } from './quad-trainer.ts';
import type { ThreadReply, ThreadRequest } from './thread-protocol.ts';

class Aborted extends Error {}

let kernels: Kernels | undefined;
let memory: WebAssembly.Memory | undefined;
let control: Int32Array | undefined;
let trainer: QuadTrainer | undefined;

const pause: Pause = () => {
  if (Atomics.load(control!, 0) !== 0) throw new Aborted();
  return undefined;
};

async function handle(request: ThreadRequest): Promise<ThreadReply> {
  switch (request.type) {
    case 'start':
      ({ memory, control } = request);
      kernels = instantiateKernels(request.module, memory);
      return { type: 'ready' };
    case 'setup':
      trainer = new QuadTrainer(kernels!, memory!, request.setup);
      return { type: 'ready' };
    case 'interval':
      return { type: 'entries', entries: await trainer!.trainInterval(request.from, request.to, request.stops, pause) };
  }
}

self.onmessage = async (event: MessageEvent<ThreadRequest>) => {
  let reply: ThreadReply;
  try {
    reply = await handle(event.data);
  } catch (e) {
    reply = e instanceof Aborted ? { type: 'aborted' } : { type: 'error', message: (e as Error).message };
  }
  self.postMessage(reply);
};
