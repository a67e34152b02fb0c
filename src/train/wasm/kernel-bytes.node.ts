// The compiled kernels in Node (no bundler): read from build/, where compile.ts writes them.
import { readFile } from 'node:fs/promises';
import type { kernelBytes as BrowserKernelBytes } from './kernel-bytes.ts';

export const kernelBytes: typeof BrowserKernelBytes = async (shared) => {
  const url = new URL(shared ? './build/kernels-shared.wasm' : './build/kernels.wasm', import.meta.url);
  const bytes = await readFile(url).catch((e: Error) => {
    throw new Error(`the WASM kernels are not built (${e.message}): run \`npm run build:wasm\``);
  });
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};
