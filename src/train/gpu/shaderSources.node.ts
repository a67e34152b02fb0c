// The WGSL sources of shaders/ for Node (no bundler to inline them): every .wgsl file of the
// folder, read from disk when the module loads, keyed by file name like shaderSources.ts's.
// A test checks both give the same files with the same bytes.
import { readdirSync, readFileSync } from 'node:fs';
import type { SHADER_SOURCES as BundledSources } from './shaderSources.ts';

const folder = new URL('../../../shaders/', import.meta.url);

export const SHADER_SOURCES = Object.fromEntries(
  readdirSync(folder)
    .filter((file) => file.endsWith('.wgsl'))
    .map((file) => [file.slice(0, -'.wgsl'.length), readFileSync(new URL(file, folder), 'utf8')]),
) as typeof BundledSources;
