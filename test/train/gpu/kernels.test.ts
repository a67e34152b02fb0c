// The kernel table is the only description of each kernel's bindings: it must agree,
// binding by binding, with the @binding declarations of the WGSL that each entry compiles,
// and every override constant it sets must be declared there.
import { describe, expect, it } from 'vitest';
import type { BindingKind } from '../../../src/train/gpu/kernels.ts';
import { KERNELS, matmulKernel } from '../../../src/train/gpu/kernels.ts';

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
      for (const constant of Object.keys(entry.constants))
        expect(entry.code).toMatch(new RegExp(`override ${constant}\\b`));
      expect(entry.code.match(/@compute/g)).toHaveLength(1);
    });
  }
});

describe('matmulKernel', () => {
  const product = (k: number, n: number) => ({
    models: 2,
    m: 32,
    k,
    n,
    a_offset: 0,
    a_model_stride: 32 * k,
    b_offset: 4,
    b_model_stride: 1220,
    c_offset: 0,
    c_model_stride: 32 * n,
    bias_offset: 0,
  });
  const operandConstants = (entry: { constants: Readonly<Record<string, number>> }) => ({
    A: entry.constants.A_VECTORS,
    B: entry.constants.B_VECTORS,
  });

  it('reads the one aligned operand of a thin first or output layer as vec4s (A_VECTORS, B_VECTORS)', () => {
    for (const kind of ['forward', 'backwardWeight'] as const) {
      const first = matmulKernel(kind, product(2, 32));
      const output = matmulKernel(kind, product(32, 2));
      const scalar = kind === 'forward' ? KERNELS.matmulForward : KERNELS.matmulBackwardWeight;
      expect([first.name, output.name]).toEqual([scalar.name, scalar.name]);
      expect(operandConstants(first), `${kind} K=2`).toEqual({ A: undefined, B: 1 });
      expect(operandConstants(output), `${kind} N=2`).toEqual({ A: 1, B: undefined });
    }
  });

  it('takes the vec4 kernel when both operands are aligned, and no per-operand constants', () => {
    const entry = matmulKernel('forward', product(32, 32));
    expect(entry.name).toBe(KERNELS.matmulForwardVec4.name);
    expect(operandConstants(entry)).toEqual({ A: undefined, B: undefined });
  });
});
