// WebGPU in Node: Dawn (the npm package "webgpu") put where the lab's GPU engine looks for
// it (navigator.gpu and the GPU* constants), so createGpuEngine() runs unchanged and says
// the lab's words when there is no adapter.
import { EngineError } from '../train/types.ts';

/** Without a GPU, Dawn can use Chromium's SwiftShader (the adapter the browser tests use). */
export const SOFTWARE_VULKAN_HINT =
  "On a machine without a GPU, point Dawn at a software Vulkan driver, e.g. LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (Chromium's SwiftShader), or run with --engine cpu.";

export async function installDawn(): Promise<void> {
  if (typeof navigator !== 'undefined' && navigator.gpu) return;
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (e) {
    throw new EngineError(
      'no-webgpu',
      `WebGPU for Node (the npm package "webgpu", Dawn) could not be loaded: ${(e as Error).message}. Install it with npm install, or run with --engine cpu.`,
    );
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 20 has no navigator; Node 21+ has one without gpu.
  if (typeof navigator === 'undefined')
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  else Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
}
