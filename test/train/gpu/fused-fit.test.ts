// The table that picks a population's step kernel (src/train/gpu/fused-fit.ts) and the fused
// kernel's workgroup layout: what fits one workgroup, what is refused and why, and the
// per-layer calls the generated prelude makes.
import { describe, expect, it } from 'vitest';
import { chooseStepKernel, fusedFit, MAX_OWNED_VECTORS } from '../../../src/train/gpu/fused-fit.ts';
import { FUSED_WORKGROUP_SIZE, fusedLayout, fusedPrelude } from '../../../src/train/gpu/fused-mlp.ts';
import type { PopulationShape } from '../../../src/train/types.ts';
import { parameterCount } from '../../../src/train/types.ts';

/** The bench's S64 shape: 2-32-32-2 relu, softmax cross-entropy, batch 32. */
const S64: PopulationShape = {
  inputs: 2,
  outputs: 2,
  hiddenLayers: 2,
  maxHidden: 32,
  activation: 'relu',
  loss: 'softmax_cross_entropy',
  init: 'he',
  batchSize: 32,
};
const stride = (shape: PopulationShape) => Math.ceil(parameterCount(shape) / 4) * 4;
const DEFAULT_LIMITS = { maxComputeWorkgroupStorageSize: 16384 };
const SWIFTSHADER_LIMITS = { maxComputeWorkgroupStorageSize: 32768 };

describe('the fused kernel fits a model when its weights and batch activations fit workgroup memory', () => {
  it('counts the weights, each layer output over the batch, the rows and the state, each at 16 bytes', () => {
    const layout = fusedLayout(S64, stride(S64));
    if (typeof layout === 'string') throw new Error(layout);
    // 1218 parameters (stride 1220); arena: x 32×2, labels 32, a1 and a2 32×32, z 32×2, loss and correct 32 each.
    expect(stride(S64)).toBe(1220);
    expect(layout.arenaFloats).toBe(64 + 32 + 1024 + 1024 + 64 + 32 + 32);
    expect(layout.workgroupBytes).toBe(1220 * 4 + 2272 * 4 + 48 + 16);
    expect(layout.owned).toBe(Math.ceil(305 / FUSED_WORKGROUP_SIZE));
    expect(fusedFit(S64, stride(S64), DEFAULT_LIMITS)).toMatchObject({ kernel: 'fused' });
  });

  it('keeps z beside a for the gelus (their derivative needs z), for no other activation', () => {
    const sizes = (['relu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh'] as const).map((activation) => {
      const layout = fusedLayout({ ...S64, activation }, stride(S64));
      if (typeof layout === 'string') throw new Error(layout);
      return layout.arenaFloats;
    });
    expect(sizes).toEqual([2272, 2272, 2272, 2272 + 2048, 2272 + 2048]);
  });

  it('refuses what does not fit the device, naming the bytes; the same shape fits where the device has more', () => {
    const wide = { ...S64, batchSize: 64 };
    const refused = fusedFit(wide, stride(wide), DEFAULT_LIMITS);
    expect(refused.kernel).toBe('layered');
    expect(refused.reason).toMatch(/take 23120 bytes of workgroup memory; this device has 16384/);
    expect(fusedFit(wide, stride(wide), SWIFTSHADER_LIMITS).kernel).toBe('fused');
  });

  it('refuses models whose parameters would give each invocation too many to keep in private memory', () => {
    // 8 hidden layers of 128: 117,890 parameters, far beyond MAX_OWNED_VECTORS per invocation.
    const deep = { ...S64, hiddenLayers: 8, maxHidden: 128, batchSize: 1 };
    const decision = fusedFit(deep, stride(deep), { maxComputeWorkgroupStorageSize: 2 ** 30 });
    expect(decision.kernel).toBe('layered');
    expect(decision.reason).toMatch(new RegExp(`at most ${MAX_OWNED_VECTORS}\\)`));
  });

  it('refuses layers other than dense and hidden layers with different activations', () => {
    const cnn: PopulationShape = {
      ...S64,
      inputs: 16,
      image: { channels: 1, height: 4, width: 4 },
      layers: [{ kind: 'conv2d', filters: 2, kernel: 3, activation: 'relu' }, { kind: 'flatten' }],
    };
    expect(fusedFit(cnn, stride(cnn), SWIFTSHADER_LIMITS).reason).toMatch(/has a conv2d layer/);
    const dropout: PopulationShape = {
      ...S64,
      layers: [
        { kind: 'dense', activation: 'relu' },
        { kind: 'dropout', rate: 0.1 },
      ],
    };
    expect(fusedFit(dropout, stride(dropout), SWIFTSHADER_LIMITS).reason).toMatch(/has a dropout layer/);
    const mixed: PopulationShape = {
      ...S64,
      layers: [
        { kind: 'dense', activation: 'relu' },
        { kind: 'dense', activation: 'tanh' },
      ],
    };
    expect(fusedFit(mixed, stride(mixed), SWIFTSHADER_LIMITS).reason).toMatch(/different activations/);
  });
});

describe('the table', () => {
  const spiral = { ...S64, maxHidden: 16, batchSize: 16 };

  it('trains every population layered unless the fused kernel is forced (a choice by population size would break parallelism-independence)', () => {
    // The spiral's 2-16-16-2 fits the fused kernel (forced, it is chosen) but trains layered by default.
    expect(chooseStepKernel(spiral, stride(spiral), DEFAULT_LIMITS, 'fused').kernel).toBe('fused');
    expect(chooseStepKernel(spiral, stride(spiral), DEFAULT_LIMITS).kernel).toBe('layered');
    expect(chooseStepKernel(S64, stride(S64), DEFAULT_LIMITS).kernel).toBe('layered');
  });

  it('never gives the fused kernel what does not fit, even when forced', () => {
    const gelu = { ...S64, activation: 'gelu' as const, batchSize: 64 };
    expect(chooseStepKernel(gelu, stride(gelu), DEFAULT_LIMITS, 'fused').reason).toMatch(/bytes of workgroup memory/);
  });

  it('forces the layered path, or the fused one wherever it fits', () => {
    expect(chooseStepKernel(spiral, stride(spiral), DEFAULT_LIMITS, 'layered').kernel).toBe('layered');
    expect(chooseStepKernel(S64, stride(S64), DEFAULT_LIMITS, 'fused').kernel).toBe('fused');
    const wide = { ...S64, batchSize: 64 };
    expect(chooseStepKernel(wide, stride(wide), DEFAULT_LIMITS, 'fused').kernel).toBe('layered');
  });

  it('is a pure function of the shape and the limits', () => {
    const decide = () => chooseStepKernel(spiral, stride(spiral), DEFAULT_LIMITS, 'fused');
    expect(decide()).toEqual(decide());
  });
});

describe('the generated prelude', () => {
  it('runs each layer forward in order, then back: every weight gradient, and the input gradient of every layer but the first', () => {
    const layout = fusedLayout(S64, stride(S64));
    if (typeof layout === 'string') throw new Error(layout);
    const calls = [
      ...fusedPrelude(S64, layout).matchAll(/(dense_forward|weight_gradients|input_gradient)\(Dense\((\d+)u, (\d+)u/g),
    ].map((m) => `${m[1]} ${m[3]}`);
    // Each call named by its kind and its layer's input width (2, 32, 32).
    expect(calls).toEqual([
      'dense_forward 2',
      'dense_forward 32',
      'dense_forward 32',
      'weight_gradients 32',
      'input_gradient 32',
      'weight_gradients 32',
      'input_gradient 32',
      'weight_gradients 2',
    ]);
  });
});
