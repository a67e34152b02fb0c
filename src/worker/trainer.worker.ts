// The trainer worker: the only place that trains. The page talks to it through comlink
// (client.ts); the WebGPU device and the engines live here.
import { expose } from 'comlink';
import { createCpuEngine } from '../train/cpu/engine.ts';
import { loadDigitsPack } from '../train/data/digits.ts';
import { loadTablesPack } from '../train/data/tables.ts';
import { createGpuEngine } from '../train/gpu/engine.ts';
import { createWasmEngine } from '../train/wasm/engine.ts';
import { createTrainerApi } from './trainer.ts';

const baseUrl = new URL(import.meta.env.BASE_URL, self.location.origin).href;

expose(
  createTrainerApi({
    createGpuEngine: () => createGpuEngine(),
    createCpuEngine,
    createWasmEngine: () => createWasmEngine(),
    loadDigits: (side) => loadDigitsPack(baseUrl, side),
    loadTables: () => loadTablesPack(baseUrl),
  }),
);
