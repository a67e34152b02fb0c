// PyTorch's own numbers for the lab's conventions (README, "Conventions"), which both engines
// must reproduce: three steps of every optimizer from fixed weights and gradients, computed
// by torch.optim itself (torch 1.13, Debian's python3-torch) in float64, gradients set by hand
// so no model is involved:
//
//   torch.set_default_dtype(torch.float64)
//   p = torch.tensor(W0, requires_grad=True); opt = torch.optim.<torch>([p])
//   for g in GRADIENTS: p.grad = torch.tensor(g); opt.step(); print(p.tolist())
//
// and exact gelu values z·Φ(z) from mpmath at 40 digits (torch's float64 gelu computes
// ½z(1 + erf(z/√2)), which loses relative accuracy in the left tail, so it is not the oracle there).
import type { ModelHyper } from '../../src/train/types.ts';
import { modelHyper } from './model-hyper.ts';

export const W0 = [0.5, -1.25, 2, 0];
export const GRADIENTS = [
  [0.1, -0.2, 0.3, -0.4],
  [-0.05, 0.25, 0.1, 0.2],
  [0.3, -0.1, -0.2, 0.05],
];

/** A model row with PyTorch's defaults for everything a case does not set; constant learning rate. */
export const pytorchHyper = (overrides: Partial<ModelHyper>): ModelHyper =>
  modelHyper({ hiddenUnits: 1, optimizer: 'sgd', learningRate: 0.1, initSeed: 1, dataSeed: 1, ...overrides });

export interface PytorchSteps {
  /** The torch.optim call that produced `weights`. */
  torch: string;
  hyper: ModelHyper;
  /** The weights after each step. */
  weights: number[][];
}

export const PYTORCH_STEPS: readonly PytorchSteps[] = [
  {
    // torch's SGD weight_decay is L2 in the gradient: for plain SGD that equals the lab's decoupled decay.
    torch: 'SGD(lr=0.1, weight_decay=0.1)',
    hyper: pytorchHyper({ optimizer: 'sgd', learningRate: 0.1, weightDecay: 0.1 }),
    weights: [
      [0.485, -1.2175, 1.95, 0.04000000000000001],
      [0.48514999999999997, -1.2303250000000001, 1.9204999999999999, 0.019600000000000006],
      [0.4502985, -1.2080217500000001, 1.921295, 0.014404000000000005],
    ],
  },
  {
    torch: 'SGD(lr=0.1, momentum=0.9)',
    hyper: pytorchHyper({ optimizer: 'momentum', learningRate: 0.1, beta1: 0.9 }),
    weights: [
      [0.49, -1.23, 1.97, 0.04000000000000001],
      [0.486, -1.2369999999999999, 1.933, 0.056000000000000015],
      [0.45239999999999997, -1.2332999999999998, 1.9197, 0.06540000000000001],
    ],
  },
  {
    torch: 'RMSprop(lr=0.01, alpha=0.99, eps=1e-8)',
    hyper: pytorchHyper({ optimizer: 'rmsprop', learningRate: 0.01, rmspropAlpha: 0.99, epsilon: 1e-8 }),
    weights: [
      [0.40000009999990005, -1.150000049999975, 1.9000000333333222, 0.0999999750000062],
      [0.4449013851840493, -1.2282397185047351, 1.8682339965246466, 0.055098659573955384],
      [0.351094600216988, -1.1982353915674966, 1.9220509226525864, 0.043887899755740103],
    ],
  },
  {
    torch: 'Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-8)',
    hyper: pytorchHyper({ optimizer: 'adam', learningRate: 0.01 }),
    weights: [
      [0.4900000009999999, -1.2400000005, 1.9900000003333334, 0.009999999750000004],
      [0.4873366309403391, -1.2416273230448174, 1.9812893612157196, 0.012663370062368205],
      [0.4806316256512459, -1.2409221840313838, 1.9790171091010431, 0.013998967838864953],
    ],
  },
  {
    torch: 'AdamW(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)',
    hyper: pytorchHyper({ optimizer: 'adam', learningRate: 0.01, weightDecay: 0.1 }),
    weights: [
      [0.4895000009999999, -1.2387500005, 1.9880000003333334, 0.009999999750000004],
      [0.48634713093933907, -1.2391385730443174, 1.9773013612153862, 0.012653370062618205],
      [0.4791557785193066, -1.2371942954578394, 1.9730518077394943, 0.013976314469052334],
    ],
  },
];

/** [z, z·Φ(z)] exactly (mpmath), and the tanh form ½z(1 + tanh(√(2/π)(z + 0.044715z³))) from torch's gelu(approximate='tanh'). */
export const GELU_VALUES: ReadonlyArray<readonly [number, number]> = [
  [-8, -4.976768459417427e-15],
  [-6, -5.9195258702261885e-9],
  [-3, -0.0040496940948902835],
  [-1, -0.15865525393145705],
  [-0.5, -0.15426876936299344],
  [0, 0],
  [0.5, 0.34573123063700656],
  [1, 0.8413447460685429],
  [3, 2.99595030590511],
];
export const GELU_TANH_VALUES: ReadonlyArray<readonly [number, number]> = [
  [-3, -0.0036373920817729943],
  [-1, -0.15880800939172324],
  [-0.5, -0.15428599017485606],
  [0, 0],
  [0.5, 0.34571400982514394],
  [1, 0.8411919906082768],
  [3, 2.996362607918227],
];
