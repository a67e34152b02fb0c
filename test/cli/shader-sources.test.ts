// The two kernel-source modules behind `#shaders` must give the GPU engine the same WGSL:
// Vite's (inlined with ?raw, what the browser runs) and Node's (read from disk).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHADER_SOURCES as fromDisk } from '../../src/train/gpu/shaderSources.node.ts';
import { SHADER_SOURCES as bundled } from '../../src/train/gpu/shaderSources.ts';

describe('kernel sources', () => {
  it('Vite and Node give every file of shaders/ with the same bytes', () => {
    const files = readdirSync(new URL('../../shaders/', import.meta.url))
      .filter((f) => f.endsWith('.wgsl'))
      .map((f) => f.replace(/\.wgsl$/, ''))
      .sort();
    expect(Object.keys(bundled).sort()).toEqual(files);
    expect(Object.keys(fromDisk).sort()).toEqual(files);
    for (const name of files) {
      expect(fromDisk[name as keyof typeof fromDisk], name).toBe(bundled[name as keyof typeof bundled]);
      expect(bundled[name as keyof typeof bundled].length, name).toBeGreaterThan(100);
    }
  });
});
