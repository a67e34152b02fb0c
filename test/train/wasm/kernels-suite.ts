// Each WASM kernel (src/train/wasm/assembly/kernels.ts) against the CPU engine's op it
// mirrors (src/train/cpu/ops.ts, run in float64 on the same float32 inputs), on odd shapes
// that leave remainders in every register block, with four different models in the lanes.
// Run in Node (kernels.test.ts) and in Chromium (kernels.browser.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { uniform } from '../../../src/search/random.ts';
import {
  activationBackward,
  batchSampleIndex,
  biasActivationForward,
  biasGradient,
  initFills,
  initParameters,
  matmulBackwardInput,
  matmulBackwardWeight,
  matmulForward,
  meanSquaredError,
  optimizerStep,
  softmaxCrossEntropy,
} from '../../../src/train/cpu/ops.ts';
import { ACTIVATIONS, OPTIMIZERS, parameterCount } from '../../../src/train/types.ts';
import { loadKernels } from '../../../src/train/wasm/engine.ts';
import type { Kernels } from '../../../src/train/wasm/quad-trainer.ts';
import { modelHyper } from '../model-hyper.ts';

const LANES = 4;
/** float32's unit roundoff. */
const U = 2 ** -24;

/** A bump allocator over the kernels' memory, from their heap base. */
class Arena {
  private next: number;
  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.next = Math.ceil(base / 64) * 64;
  }
  /** Room for `count` f32 (or i32 / 2·f64) values, 64-byte aligned. */
  take(count: number): number {
    const at = this.next;
    this.next = Math.ceil((at + count * 4) / 64) * 64;
    if (this.next > this.memory.buffer.byteLength)
      this.memory.grow(Math.ceil((this.next - this.memory.buffer.byteLength) / 65536));
    return at;
  }
  get f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }
  get i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }
  get f64(): Float64Array {
    return new Float64Array(this.memory.buffer);
  }
  /** Four models' arrays (each `length` long) interleaved at a new address. */
  interleave(lanes: Float32Array[]): number {
    const at = this.take(lanes[0].length * LANES);
    const f32 = this.f32;
    lanes.forEach((values, lane) => {
      for (let e = 0; e < values.length; e++) f32[at / 4 + e * LANES + lane] = values[e];
    });
    return at;
  }
  /** Lane `lane` of `length` interleaved elements at `at`. */
  lane(at: number, length: number, lane: number): Float32Array {
    const f32 = this.f32;
    return Float32Array.from({ length }, (_, e) => f32[at / 4 + e * LANES + lane]);
  }
}

function randomFloats(length: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, (_, i) => (2 * uniform(seed, i) - 1) * scale);
}

const fourLanes = (length: number, seed: number, scale = 1) =>
  [0, 1, 2, 3].map((lane) => randomFloats(length, seed * 10 + lane, scale));

/** |actual - expected| <= bound[i] for every i, with the worst ratio in the message. */
function expectWithin(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  bound: (i: number) => number,
  what: string,
) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const ratio = Math.abs(actual[i] - expected[i]) / bound(i);
    if (!(ratio <= worst)) worst = ratio;
  }
  expect(worst, `${what}: worst |error| / bound`).toBeLessThanOrEqual(1);
}

const hyper = modelHyper;

export function describeKernels(where: string): void {
  describe(`WASM kernels against the CPU ops (${where})`, () => {
    let k: Kernels;
    let arena: Arena;
    beforeAll(async () => {
      const loaded = await loadKernels(false);
      k = loaded.kernels;
      arena = new Arena(loaded.memory, k.heapBase());
    });

    it.each([
      [1, 1, 1],
      [3, 17, 5],
      [4, 1, 65],
      [5, 130, 3],
      [7, 3, 2],
      [9, 33, 31],
    ])('matmuls (B=%i K=%i N=%i): forward and both backward passes within K·u·Σ|a·b| of float64', (B, K, N) => {
      const x = fourLanes(B * K, 1);
      const w = fourLanes(K * N, 2);
      const dy = fourLanes(B * N, 3);
      const [px, pw, pdy] = [arena.interleave(x), arena.interleave(w), arena.interleave(dy)];
      const [py, pdx, pdw] = [arena.take(B * N * LANES), arena.take(B * K * LANES), arena.take(K * N * LANES)];
      k.product(px, K, 1, pw, N, 1, py, B, K, N);
      k.product(pdy, N, 1, pw, 1, N, pdx, B, N, K);
      k.product(px, 1, K, pdy, N, 1, pdw, K, B, N);
      // The wide layers' routes (quad-trainer.ts) sum the same terms in the same order: the same bits.
      const [pyPanel, pxT, pdyT, pdwT] = [
        arena.take(B * N * LANES),
        arena.take(B * K * LANES),
        arena.take(B * N * LANES),
        arena.take(K * N * LANES),
      ];
      k.productPanel(px, K, 1, pw, N, 1, pyPanel, B, K, N, arena.take(2 * K * LANES));
      k.transpose(px, B, K, pxT);
      k.transpose(pdy, B, N, pdyT);
      k.product(pxT, B, 1, pdyT, 1, B, pdwT, K, B, N);
      expect(arena.lane(pxT, B * K, 1)).toEqual(
        Float32Array.from({ length: B * K }, (_, e) => x[1][(e % B) * K + Math.floor(e / B)]),
      );
      for (let lane = 0; lane < LANES; lane++) {
        expect(arena.lane(pyPanel, B * N, lane), `forward by panel, lane ${lane}`).toEqual(arena.lane(py, B * N, lane));
        expect(arena.lane(pdwT, K * N, lane), `weight gradient by transposes, lane ${lane}`).toEqual(
          arena.lane(pdw, K * N, lane),
        );
      }
      const abs = (a: Float32Array) => Float64Array.from(a, Math.abs);
      for (let lane = 0; lane < LANES; lane++) {
        const cases = [
          {
            name: 'forward',
            at: py,
            length: B * N,
            run: (a: Float64Array[], out: Float64Array) => matmulForward(a[0], a[1], out, B, K, N),
            inputs: [x, w],
            inner: K,
          },
          {
            name: 'backward input',
            at: pdx,
            length: B * K,
            run: (a: Float64Array[], out: Float64Array) => matmulBackwardInput(a[2], a[1], out, B, K, N),
            inputs: [x, w, dy],
            inner: N,
          },
          {
            name: 'backward weight',
            at: pdw,
            length: K * N,
            run: (a: Float64Array[], out: Float64Array) => matmulBackwardWeight(a[0], a[2], out, B, K, N),
            inputs: [x, w, dy],
            inner: B,
          },
        ];
        for (const { name, at, length, run, inner } of cases) {
          const exact = new Float64Array(length);
          const magnitude = new Float64Array(length);
          run(
            [x[lane], w[lane], dy[lane]].map((a) => Float64Array.from(a)),
            exact,
          );
          run([x[lane], w[lane], dy[lane]].map(abs), magnitude);
          const bound = (i: number) => inner * U * magnitude[i] + 1e-30;
          expectWithin(arena.lane(at, length, lane), exact, bound, `${name} lane ${lane}`);
        }
      }
    });

    it.each(ACTIVATIONS)(
      '%s: bias + activation and its backward per lane width, within float32 rounding of the CPU op',
      (activation) => {
        const [B, N] = [5, 7];
        const widths = [7, 3, 0, 5];
        const act = ACTIVATIONS.indexOf(activation);
        const pre = fourLanes(B * N, 4, 3);
        const bias = fourLanes(N, 5, 0.5);
        const da = fourLanes(B * N, 6);
        const pWidths = arena.take(LANES);
        arena.i32.set(widths, pWidths / 4);
        const [pPre, pBias, pDa] = [arena.interleave(pre), arena.interleave(bias), arena.interleave(da)];
        const [pz, pa, pdz] = [arena.take(B * N * LANES), arena.take(B * N * LANES), arena.take(B * N * LANES)];
        k.biasActivation(pPre, pBias, act, pz, pa, B, N, pWidths);
        k.activationBackward(pz, pDa, act, pdz, B, N, pWidths);
        // 2 float32 ulp, plus the rounding of z: the CPU op applies act to the float64 sum
        // pre + bias, the kernel to z in float32 (|act'| <= 1.13 for all of them).
        const within = (expected: Float32Array, z: Float32Array) => (i: number) =>
          4 * U * Math.abs(expected[i]) + 1.13 * U * Math.abs(z[i]) + 2 ** -140;
        for (let lane = 0; lane < LANES; lane++) {
          const z = new Float32Array(B * N);
          const a = new Float32Array(B * N);
          const dz = new Float32Array(B * N);
          biasActivationForward(pre[lane], bias[lane], activation, z, a, B, N, widths[lane]);
          activationBackward(z, da[lane], activation, dz, B, N, widths[lane]);
          expect(arena.lane(pz, B * N, lane), `z lane ${lane}`).toEqual(z);
          expectWithin(arena.lane(pa, B * N, lane), a, within(a, z), `a lane ${lane}`);
          expectWithin(arena.lane(pdz, B * N, lane), dz, within(dz, z), `dz lane ${lane}`);
        }
      },
    );

    it('bias gradient: column sums within B·u·Σ|dz|', () => {
      const [B, N] = [13, 6];
      const dz = fourLanes(B * N, 7);
      const pdb = arena.take(N * LANES);
      k.biasGradient(arena.interleave(dz), pdb, B, N);
      for (let lane = 0; lane < LANES; lane++) {
        const exact = new Float64Array(N);
        const magnitude = new Float64Array(N);
        biasGradient(Float64Array.from(dz[lane]), exact, B, N);
        biasGradient(Float64Array.from(dz[lane], Math.abs), magnitude, B, N);
        expectWithin(arena.lane(pdb, N, lane), exact, (i) => B * U * magnitude[i], `lane ${lane}`);
      }
    });

    it('softmax cross-entropy and mean squared error: float64 losses, correct counts and float32 gradients as the CPU ops', () => {
      const [B, C] = [9, 5];
      const logits = fourLanes(B * C, 8, 4);
      const labels = [0, 1, 2, 3].map((lane) => Float32Array.from({ length: B }, (_, b) => (b * 7 + lane) % C));
      const targets = fourLanes(B * C, 9);
      const [pLogits, pLabels, pTargets] = [
        arena.interleave(logits),
        arena.interleave(labels),
        arena.interleave(targets),
      ];
      const [pGrad, pOut, pGrad2, pOut2] = [
        arena.take(B * C * LANES),
        arena.take(16),
        arena.take(B * C * LANES),
        arena.take(16),
      ];
      k.softmaxCrossEntropy(pLogits, pLabels, pGrad, B, C, pOut);
      k.meanSquaredError(pLogits, pTargets, pGrad2, B, C, pOut2);
      const f64 = arena.f64;
      for (let lane = 0; lane < LANES; lane++) {
        const grad = new Float32Array(B * C);
        const { loss, correct } = softmaxCrossEntropy(logits[lane], labels[lane], grad, B, C);
        expect(Math.abs(f64[pOut / 8 + lane] - loss) / loss).toBeLessThan(1e-14);
        expect(f64[pOut / 8 + 4 + lane]).toBe(correct);
        expectWithin(
          arena.lane(pGrad, B * C, lane),
          grad,
          (i) => U * Math.abs(grad[i]) + 1e-30,
          `dlogits lane ${lane}`,
        );
        const grad2 = new Float32Array(B * C);
        const mse = meanSquaredError(logits[lane], targets[lane], grad2, B, C).loss;
        expect(Math.abs(f64[pOut2 / 8 + lane] - mse) / mse).toBeLessThan(1e-14);
        expect(f64[pOut2 / 8 + 4 + lane]).toBeNaN();
        expect(arena.lane(pGrad2, B * C, lane)).toEqual(grad2);
      }
    });

    it('optimizer steps: every kind, lanes with different hyperparameters, masked lanes untouched, within 8 ulp', () => {
      const n = 37;
      const lanes = [
        hyper({ optimizer: 'adam', learningRate: 0.01, beta1: 0.8, beta2: 0.99, weightDecay: 0.1 }),
        hyper({ optimizer: 'rmsprop', learningRate: 0.003, rmspropAlpha: 0.9, epsilon: 1e-6 }),
        hyper({ optimizer: 'momentum', learningRate: 0.05, beta1: 0.7, weightDecay: 0.01 }),
        hyper({ optimizer: 'sgd', learningRate: 0.2 }),
      ];
      const params = fourLanes(n, 10);
      const grads = fourLanes(n, 11);
      const m = fourLanes(n, 12, 0.1);
      const v = fourLanes(n, 13, 0.1).map((a) => a.map(Math.abs));
      const [pp, pg, pm, pv] = [params, grads, m, v].map((a) => arena.interleave(a));
      const t = 3;
      const hyperAt = arena.take(10 * LANES);
      const f32 = arena.f32;
      const set = (vector: number, lane: number, value: number) => {
        f32[hyperAt / 4 + vector * 4 + lane] = value;
      };
      lanes.forEach((h, lane) => {
        const second = h.optimizer === 'rmsprop' ? h.rmspropAlpha : h.beta2;
        [
          h.learningRate,
          h.beta1,
          1 - h.beta1,
          second,
          1 - second,
          h.epsilon,
          h.learningRate * h.weightDecay,
          1 - h.beta1 ** t,
          1 - h.beta2 ** t,
        ].forEach((value, vector) => {
          set(vector, lane, value);
        });
      });
      // Lane 3 (sgd) is masked out of its own step: it must come back unchanged.
      OPTIMIZERS.forEach((kind, code) => {
        lanes.forEach((h, lane) => {
          arena.i32[hyperAt / 4 + 36 + lane] = h.optimizer === kind && lane !== 3 ? -1 : 0;
        });
        k.optimizerStep(code, pp, pg, pm, pv, n, hyperAt);
      });
      lanes.forEach((h, lane) => {
        const [p, mm, vv] = [params[lane], m[lane], v[lane]].map((a) => Float64Array.from(a));
        if (lane !== 3) optimizerStep(p, Float64Array.from(grads[lane]), mm, vv, h, h.learningRate, t);
        for (const [name, at, expected] of [
          ['params', pp, p],
          ['m', pm, mm],
          ['v', pv, vv],
        ] as const)
          expectWithin(
            arena.lane(at, n, lane),
            expected,
            (i) => 8 * U * Math.abs(expected[i]) + 1e-30,
            `${h.optimizer} ${name}`,
          );
      });
      expect(arena.lane(pp, n, 3)).toEqual(params[3]);
    });

    it.each(['he', 'xavier'] as const)(
      "initializes weights as the CPU engine does, bit for bit (%s, lanes narrower than the quad's width)",
      (init) => {
        const shape = {
          inputs: 3,
          outputs: 2,
          hiddenLayers: 2,
          maxHidden: 9,
          activation: 'relu' as const,
          loss: 'softmax_cross_entropy' as const,
          init,
          batchSize: 4,
        };
        const lanes = [9, 4, 1, 7].map((hiddenUnits, lane) =>
          hyper({ hiddenUnits, initSeed: [0, 0xffffffff, 123456789, 77][lane] }),
        );
        const count = parameterCount(shape);
        const at = arena.take(count * LANES);
        arena.f32.fill(0, at / 4, at / 4 + count * LANES);
        lanes.forEach((h, lane) => {
          for (const { layer, offset, stride, rows, cols, fill, scale } of initFills(shape, h, 'blocks')) {
            expect(fill).toBe('normal');
            k.initNormal(at + lane * 4, offset, stride, rows, cols, h.initSeed, layer, scale);
          }
          expect(arena.lane(at, count, lane), `lane ${lane}`).toEqual(initParameters(shape, h));
        });
      },
    );

    it.each([37, 64, 5])("gathers the CPU engine's batches bit for bit (n=%i, across epochs)", (n) => {
      const [K, perRow, B] = [3, 2, 16];
      const x = randomFloats(n * K, 14);
      const y = randomFloats(n * perRow, 15);
      const seeds = [7, 0xffffffff, 123456789, 42];
      const [px, py, pSeeds] = [arena.take(n * K), arena.take(n * perRow), arena.take(4)];
      arena.f32.set(x, px / 4);
      arena.f32.set(y, py / 4);
      new Uint32Array(arena.memory.buffer).set(seeds, pSeeds / 4);
      const [bx, by] = [arena.take(B * K * LANES), arena.take(B * perRow * LANES)];
      for (const step of [0, 1, 2, 9, 1000]) {
        k.gatherBatch(px, py, n, K, perRow, pSeeds, step, B, bx, by);
        seeds.forEach((seed, lane) => {
          const rows = Array.from({ length: B }, (_, b) => batchSampleIndex(seed, step, b, B, n));
          expect(arena.lane(bx, B * K, lane)).toEqual(
            Float32Array.from(rows.flatMap((r) => Array.from(x.subarray(r * K, r * K + K)))),
          );
          expect(arena.lane(by, B * perRow, lane)).toEqual(
            Float32Array.from(rows.flatMap((r) => Array.from(y.subarray(r * perRow, r * perRow + perRow)))),
          );
        });
      }
    });
  });
}
