// Messages between the WASM engine and its thread workers (thread.worker.ts). One request at
// a time per worker; each request gets exactly one reply.
import type { ModelEntry, TrainerSetup } from './quad-trainer.ts';

export type ThreadRequest =
  /** Once per worker: the compiled kernels, the shared memory, and the abort flag (Int32 0 ≠ 0: abort). */
  | { type: 'start'; module: WebAssembly.Module; memory: WebAssembly.Memory; control: Int32Array }
  /** Once per job: initializes the worker's quads. */
  | { type: 'setup'; setup: TrainerSetup }
  | { type: 'interval'; from: number; to: number; stops: number[] };

export type ThreadReply =
  | { type: 'ready' }
  | { type: 'entries'; entries: ModelEntry[] }
  | { type: 'aborted' }
  | { type: 'error'; message: string };
