// Trains some quads of a job (all of them with one thread; a thread's share otherwise) from
// step to step on the WASM kernels, keeping each model's bookkeeping exactly as the CPU
// engine does (src/train/cpu/engine.ts): the float32 batch loss decides divergence before
// the step's update, report means are over the steps since the last report, validation runs
// over the whole split at each report. It runs the same in the engine's thread and in a
// thread worker; the engine merges the entries of all trainers into one ProgressReport.
import { padParameters, unpaddedShape } from '../cpu/network.ts';
import { initFills, learningRateAt } from '../cpu/ops.ts';
import type { ModelHyper, PopulationJob, PopulationShape } from '../types.ts';
import { ACTIVATIONS, OPTIMIZERS } from '../types.ts';
import { LANE_BYTES, LANES, type MemoryPlan, type QuadPlan, type ScratchPlan } from './layout.ts';

/** C[M×N] = A[M×K] · B[K×N] over the lanes, each operand given by its element strides. */
type Product = (
  a: number,
  aRow: number,
  aInner: number,
  b: number,
  bInner: number,
  bCol: number,
  c: number,
  M: number,
  K: number,
  N: number,
) => void;

/** The exports of assembly/kernels.ts (pointers are byte offsets into the shared memory). */
export interface Kernels {
  heapBase(): number;
  product: Product;
  biasActivation(
    pre: number,
    bias: number,
    act: number,
    z: number,
    a: number,
    B: number,
    N: number,
    widths: number,
  ): void;
  activationBackward(z: number, da: number, act: number, dz: number, B: number, N: number, widths: number): void;
  biasGradient(dz: number, db: number, B: number, N: number): void;
  softmaxCrossEntropy(logits: number, labels: number, dlogits: number, B: number, C: number, out: number): void;
  meanSquaredError(pred: number, target: number, dpred: number, B: number, O: number, out: number): void;
  optimizerStep(kind: number, params: number, grads: number, m: number, v: number, n: number, hyper: number): void;
  gatherBatch(
    x: number,
    y: number,
    n: number,
    K: number,
    yPerRow: number,
    seeds: number,
    step: number,
    B: number,
    batchX: number,
    batchY: number,
  ): void;
  /** product, its B's column pairs first copied into `panel` (see assembly/kernels.ts). */
  productPanel(...args: [...Parameters<Product>, panel: number]): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
  broadcast(src: number, count: number, dst: number): void;
  initNormal(
    lane: number,
    offset: number,
    stride: number,
    rows: number,
    cols: number,
    seed: number,
    layer: number,
    scale: number,
  ): void;
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Kernels {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
}

/** What a trainer needs to know of the job (the data is already in memory, at plan.data). */
export interface TrainerSetup {
  shape: PopulationShape;
  models: ModelHyper[];
  task: PopulationJob['data']['task'];
  trainCount: number;
  validationCount: number;
  steps: number;
  divergenceFactor: number;
  plan: MemoryPlan;
  /** The quads this trainer trains, and its scratch area. */
  quads: number[];
  scratch: number;
}

export function trainerSetup(
  job: PopulationJob,
  plan: MemoryPlan,
  divergenceFactor: number,
  quads: number[],
  scratch: number,
): TrainerSetup {
  return {
    shape: job.shape,
    models: job.models,
    task: job.data.task,
    trainCount: job.data.train.count,
    validationCount: job.data.validation.count,
    steps: job.steps,
    divergenceFactor,
    plan,
    quads,
    scratch,
  };
}

/** One model's lines of a report (NaN metrics once diverged or stopped). */
export interface ModelEntry {
  model: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  diverged: boolean;
  stoppedAtStep: number;
}

interface ModelState {
  firstLoss: number;
  diverged: boolean;
  stopped: boolean;
  stoppedAtStep: number;
  lossSum: number;
  accuracySum: number;
  stepsSinceReport: number;
}

/** Called after every quad-step: throws to abort, or returns a wait (the event loop's turn). */
export type Pause = () => Promise<void> | undefined;

// Offsets in a quad's meta block (kernels.ts): widths, output widths, seeds, optimizer vectors.
const META_WIDTHS = 0;
const META_OUTPUT_WIDTHS = 16;
const META_SEEDS = 32;
const META_HYPER = 64;
const HYPER = {
  lr: 0,
  beta1: 1,
  oneMinusBeta1: 2,
  beta2: 3,
  oneMinusBeta2: 4,
  epsilon: 5,
  decay: 6,
  correction1: 7,
  correction2: 8,
  mask: 9,
};

// Wide layers take other matmul routes (same sums in the same order, so the same bits).
// Kernel microbenchmarks, one quad, batch 32, GFLOP/s plain → other route (Node 20, 2-core EPYC):
/** The forward pass packs weight column pairs above this many weights: w256 29 → 43, w384 30 → 43; w128 51 → 48. */
const PANEL_ABOVE_WEIGHTS = 32768;
/** The weight gradient transposes its operands from this many weights: w96 33 → 50, w128 41 → 50, w256 26 → 46; w32 51 → 45. */
const TRANSPOSE_FROM_WEIGHTS = 8192;

export class QuadTrainer {
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly scratch: ScratchPlan;
  private readonly states = new Map<number, ModelState>();
  private readonly activation: number;
  private readonly perRow: number;

  constructor(
    private readonly k: Kernels,
    memory: WebAssembly.Memory,
    private readonly setup: TrainerSetup,
  ) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.scratch = setup.plan.scratch[setup.scratch];
    this.activation = ACTIVATIONS.indexOf(setup.shape.activation);
    this.perRow = setup.task === 'classification' ? 1 : setup.shape.outputs;
    for (const q of setup.quads) {
      const quad = setup.plan.quads[q];
      for (const model of quad.lanes)
        this.states.set(model, {
          firstLoss: Number.NaN,
          diverged: false,
          stopped: false,
          stoppedAtStep: setup.steps,
          lossSum: 0,
          accuracySum: 0,
          stepsSinceReport: 0,
        });
      this.initQuad(quad);
    }
  }

  /** Initial parameters (the CPU engine's, interleaved), zero moments, the lanes' constants. */
  private initQuad(quad: QuadPlan): void {
    const { shape, models } = this.setup;
    const narrow = unpaddedShape(shape, quad.width);
    const n = quad.paramCount * LANES;
    this.f32.fill(0, quad.params / 4, quad.params / 4 + n);
    this.f32.fill(0, quad.m / 4, quad.m / 4 + n);
    this.f32.fill(0, quad.v / 4, quad.v / 4 + n);
    const meta = quad.meta / 4;
    this.f32.fill(0, meta, meta + 16 + 4 * 10);
    for (let lane = 0; lane < LANES; lane++) {
      this.i32[meta + 4 + lane] = shape.outputs;
      const model = quad.lanes[lane];
      if (model === undefined) continue;
      const hyper = models[model];
      for (const { layer, offset, stride, rows, cols, fill, scale } of initFills(narrow, hyper, 'blocks')) {
        if (fill === 'normal')
          this.k.initNormal(quad.params + lane * 4, offset, stride, rows, cols, hyper.initSeed, layer, scale);
        else
          for (let i = 0; i < rows; i++)
            for (let j = 0; j < cols; j++) this.f32[quad.params / 4 + (offset + i * stride + j) * LANES + lane] = 1;
      }
      this.i32[meta + lane] = hyper.hiddenUnits;
      this.i32[meta + 8 + lane] = hyper.dataSeed >>> 0;
      const usesAlpha = hyper.optimizer === 'rmsprop';
      const second = usesAlpha ? hyper.rmspropAlpha : hyper.beta2;
      this.setHyper(quad, HYPER.beta1, lane, hyper.beta1);
      this.setHyper(quad, HYPER.oneMinusBeta1, lane, 1 - hyper.beta1);
      this.setHyper(quad, HYPER.beta2, lane, second);
      this.setHyper(quad, HYPER.oneMinusBeta2, lane, 1 - second);
      this.setHyper(quad, HYPER.epsilon, lane, hyper.epsilon);
    }
  }

  private setHyper(quad: QuadPlan, vector: number, lane: number, value: number): void {
    this.f32[(quad.meta + META_HYPER) / 4 + vector * 4 + lane] = value;
  }

  private active(model: number | undefined): boolean {
    if (model === undefined) return false;
    const state = this.states.get(model)!;
    return !state.diverged && !state.stopped;
  }

  /** Forward pass of the quad on batchX (B rows); the outputs are in scratch.a[last]. */
  private forward(quad: QuadPlan, B: number): void {
    const s = this.scratch;
    let input = s.batchX;
    quad.layers.forEach(({ rows, cols, weights, bias }, l) => {
      const last = l === quad.layers.length - 1;
      const w = quad.params + weights * LANE_BYTES;
      if (rows * cols > PANEL_ABOVE_WEIGHTS)
        this.k.productPanel(input, rows, 1, w, cols, 1, s.z[l], B, rows, cols, s.panel);
      else this.k.product(input, rows, 1, w, cols, 1, s.z[l], B, rows, cols);
      this.k.biasActivation(
        s.z[l],
        quad.params + bias * LANE_BYTES,
        last ? ACTIVATIONS.indexOf('linear') : this.activation,
        s.z[l],
        s.a[l],
        B,
        cols,
        quad.meta + (last ? META_OUTPUT_WIDTHS : META_WIDTHS),
      );
      input = s.a[l];
    });
  }

  /** Loss of the last forward against batchY; the output gradient goes to dz[last]. */
  private loss(quad: QuadPlan, B: number): void {
    const s = this.scratch;
    const last = quad.layers.length - 1;
    if (this.setup.shape.loss === 'softmax_cross_entropy')
      this.k.softmaxCrossEntropy(s.a[last], s.batchY, s.dz[last], B, this.setup.shape.outputs, s.loss);
    else this.k.meanSquaredError(s.a[last], s.batchY, s.dz[last], B, this.setup.shape.outputs, s.loss);
  }

  private backward(quad: QuadPlan, B: number): void {
    const s = this.scratch;
    for (let l = quad.layers.length - 1; l >= 0; l--) {
      const { rows, cols, weights, bias } = quad.layers[l];
      const input = l === 0 ? s.batchX : s.a[l - 1];
      const dw = s.grads + weights * LANE_BYTES;
      if (rows * cols >= TRANSPOSE_FROM_WEIGHTS) {
        this.k.transpose(input, B, rows, s.inputT);
        this.k.transpose(s.dz[l], B, cols, s.dzT);
        this.k.product(s.inputT, B, 1, s.dzT, 1, B, dw, rows, B, cols);
      } else this.k.product(input, 1, rows, s.dz[l], cols, 1, dw, rows, B, cols);
      this.k.biasGradient(s.dz[l], s.grads + bias * LANE_BYTES, B, cols);
      if (l > 0) {
        this.k.product(s.dz[l], cols, 1, quad.params + weights * LANE_BYTES, 1, cols, s.da, B, cols, rows);
        this.k.activationBackward(s.z[l - 1], s.da, this.activation, s.dz[l - 1], B, rows, quad.meta + META_WIDTHS);
      }
    }
  }

  /** One step (0-based) of every running lane of the quad. */
  private step(quad: QuadPlan, step: number): void {
    const { shape, models, trainCount, steps, divergenceFactor } = this.setup;
    const { data } = this.setup.plan;
    const s = this.scratch;
    const B = shape.batchSize;
    this.k.gatherBatch(
      data.trainX,
      data.trainY,
      trainCount,
      shape.inputs,
      this.perRow,
      quad.meta + META_SEEDS,
      step,
      B,
      s.batchX,
      s.batchY,
    );
    this.forward(quad, B);
    this.loss(quad, B);
    const lossAt = s.loss / 8;
    const updating: boolean[] = [];
    for (let lane = 0; lane < LANES; lane++) {
      const model = quad.lanes[lane];
      updating.push(false);
      if (!this.active(model)) continue;
      const state = this.states.get(model!)!;
      const loss32 = Math.fround(this.f64[lossAt + lane]);
      if (step === 0) state.firstLoss = loss32;
      if (!Number.isFinite(loss32) || loss32 > divergenceFactor * state.firstLoss) {
        state.diverged = true;
        state.stoppedAtStep = step;
        continue;
      }
      state.lossSum += loss32;
      state.accuracySum += this.f64[lossAt + 4 + lane] / B;
      state.stepsSinceReport++;
      updating[lane] = true;
    }
    if (!updating.includes(true)) return;
    this.backward(quad, B);
    for (let lane = 0; lane < LANES; lane++) {
      if (!updating[lane]) continue;
      const hyper = models[quad.lanes[lane]];
      const lr = learningRateAt(hyper, step, B, trainCount, steps);
      this.setHyper(quad, HYPER.lr, lane, lr);
      this.setHyper(quad, HYPER.decay, lane, lr * hyper.weightDecay);
      this.setHyper(quad, HYPER.correction1, lane, 1 - hyper.beta1 ** (step + 1));
      this.setHyper(quad, HYPER.correction2, lane, 1 - hyper.beta2 ** (step + 1));
    }
    const maskAt = (quad.meta + META_HYPER) / 4 + HYPER.mask * 4;
    OPTIMIZERS.forEach((kind, code) => {
      let any = false;
      for (let lane = 0; lane < LANES; lane++) {
        const runs = updating[lane] && models[quad.lanes[lane]].optimizer === kind;
        this.i32[maskAt + lane] = runs ? -1 : 0;
        any ||= runs;
      }
      if (any)
        this.k.optimizerStep(code, quad.params, s.grads, quad.m, quad.v, quad.paramCount, quad.meta + META_HYPER);
    });
  }

  /** Trains steps [from, to) of every running model, then validates them for the report. */
  async trainInterval(from: number, to: number, stops: readonly number[], pause: Pause): Promise<ModelEntry[]> {
    for (const model of stops) {
      const state = this.states.get(model);
      if (state && !state.diverged && !state.stopped) {
        state.stopped = true;
        state.stoppedAtStep = from;
      }
    }
    const { plan, quads } = this.setup;
    for (const q of quads) {
      const quad = plan.quads[q];
      for (let step = from; step < to && quad.lanes.some((m) => this.active(m)); step++) {
        this.step(quad, step);
        const wait = pause();
        if (wait) await wait;
      }
    }
    const entries: ModelEntry[] = [];
    for (const q of quads) {
      entries.push(...this.report(plan.quads[q]));
      const wait = pause();
      if (wait) await wait;
    }
    return entries;
  }

  private report(quad: QuadPlan): ModelEntry[] {
    const validation = quad.lanes.some((m) => this.active(m)) ? this.validate(quad) : undefined;
    return quad.lanes.map((model, lane) => {
      const state = this.states.get(model)!;
      const entry: ModelEntry = {
        model,
        trainLoss: Number.NaN,
        trainAccuracy: Number.NaN,
        validationLoss: Number.NaN,
        validationAccuracy: Number.NaN,
        diverged: state.diverged,
        stoppedAtStep: state.stoppedAtStep,
      };
      if (state.diverged || state.stopped) return entry;
      if (state.stepsSinceReport > 0) {
        entry.trainLoss = state.lossSum / state.stepsSinceReport;
        entry.trainAccuracy = state.accuracySum / state.stepsSinceReport;
      }
      entry.validationLoss = validation!.loss[lane];
      entry.validationAccuracy = validation!.accuracy[lane];
      state.lossSum = 0;
      state.accuracySum = 0;
      state.stepsSinceReport = 0;
      return entry;
    });
  }

  /** Mean loss and accuracy of each lane over the whole validation split (NaN when empty). */
  private validate(quad: QuadPlan): { loss: number[]; accuracy: number[] } {
    const { shape, validationCount: count } = this.setup;
    const { data } = this.setup.plan;
    const s = this.scratch;
    const lossSum = [0, 0, 0, 0];
    const correctSum = [0, 0, 0, 0];
    for (let start = 0; start < count; start += shape.batchSize) {
      const B = Math.min(shape.batchSize, count - start);
      this.k.broadcast(data.validationX + start * shape.inputs * 4, B * shape.inputs, s.batchX);
      this.k.broadcast(data.validationY + start * this.perRow * 4, B * this.perRow, s.batchY);
      this.forward(quad, B);
      this.loss(quad, B);
      for (let lane = 0; lane < LANES; lane++) {
        lossSum[lane] += this.f64[s.loss / 8 + lane] * B;
        correctSum[lane] += this.f64[s.loss / 8 + 4 + lane];
      }
    }
    return { loss: lossSum.map((v) => v / count), accuracy: correctSum.map((v) => v / count) };
  }
}

/** Model `lane` of a quad's trained parameters, in the population's padded layout. */
export function readParameters(f32: Float32Array, shape: PopulationShape, quad: QuadPlan, lane: number): Float32Array {
  const own = new Float32Array(quad.paramCount);
  for (let e = 0; e < quad.paramCount; e++) own[e] = f32[quad.params / 4 + e * LANES + lane];
  // A quad as wide as the population already has its layout (padding would copy it whole).
  return quad.width === shape.maxHidden ? own : padParameters(shape, quad.width, own);
}
