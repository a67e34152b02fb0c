// The compiled kernels in the browser: Vite emits both binaries as assets (built by compile.ts
// when the server or build starts) and this fetches the one asked for.
export async function kernelBytes(shared: boolean): Promise<ArrayBuffer> {
  const url = shared
    ? new URL('./build/kernels-shared.wasm', import.meta.url)
    : new URL('./build/kernels.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the WASM kernels could not be loaded from ${url.href} (HTTP ${response.status})`);
  return response.arrayBuffer();
}
