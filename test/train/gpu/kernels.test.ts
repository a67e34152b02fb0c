// The kernel table is the only description of each kernel's bindings: it must agree,
// binding by binding, with the @binding declarations of the WGSL that each entry compiles,
// and every override constant it sets must be declared there.
import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../../src/train/gpu/kernels';
import type { BindingKind } from '../../../src/train/gpu/kernels';

/** The table's binding kind for each `@group(0) @binding(i) var<…>` declaration, by index. */
function declaredBindings(code: string): BindingKind[] {
  const kinds: BindingKind[] = [];
  for (const match of code.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<([^>]+)>/g)) {
    const [space, access] = match[2].split(',').map((part) => part.trim());
    kinds[Number(match[1])] = space === 'uniform' ? 'uniform' : access === 'read_write' ? 'write' : 'read';
  }
  return kinds;
}

describe('kernel table', () => {
  for (const [name, entry] of Object.entries(KERNELS)) {
    it(`${name}: bindings and override constants match ${entry.name}'s WGSL`, () => {
      // A 'step' binding is a uniform the engine binds with a dynamic offset.
      expect(declaredBindings(entry.code)).toEqual(entry.bindings.map((kind) => (kind === 'step' ? 'uniform' : kind)));
      for (const constant of Object.keys(entry.constants)) expect(entry.code).toMatch(new RegExp(`override ${constant}\\b`));
      expect(entry.code.match(/@compute/g)).toHaveLength(1);
    });
  }
});
