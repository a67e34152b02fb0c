// Where a job lives in the WASM engine's memory. Models train four to a "quad" (one per SIMD
// lane, see assembly/kernels.ts), sorted by width so that a quad is only as wide as its
// widest model (padding never changes a model's math, and a narrow model should not pay for
// a wide one) and then by optimizer so that a quad mostly runs one update rule. Each quad
// owns its parameters and optimizer state; each thread owns one scratch area.
import type { ModelHyper, PopulationJob, PopulationShape } from '../types.ts';
import { OPTIMIZERS, parameterLayout } from '../types.ts';

export const LANES = 4;
/** Bytes of one quad-interleaved element (four f32). */
export const LANE_BYTES = 16;
export const PAGE_BYTES = 65536;
/** Largest memory a job may use (2 GiB): a shared memory must declare its maximum. */
export const MAXIMUM_PAGES = 32768;
/** Optimizer vectors per quad (kernels.ts optimizerStep's `hyper`), each LANE_BYTES. */
const HYPER_VECTORS = 10;

export interface LayerPlan {
  rows: number;
  cols: number;
  /** Element offsets of W [rows × cols] and b [cols] in the quad's parameter vector. */
  weights: number;
  bias: number;
}

export interface QuadPlan {
  /** Model indices of its lanes (1 to 4; missing lanes are inert padding). */
  lanes: number[];
  /** Its hidden width: the widest hiddenUnits of its lanes. */
  width: number;
  layers: LayerPlan[];
  /** Parameters per lane. */
  paramCount: number;
  /** Byte offsets: parameters, first and second optimizer moments, and `meta`. */
  params: number;
  m: number;
  v: number;
  /**
   * 4 × 16 bytes: each lane's hidden width (i32, 0 for padding), the output width, the
   * lanes' data seeds (u32), and the optimizer vectors follow (HYPER_VECTORS × 16).
   */
  meta: number;
  /** Relative cost of one step (multiply-adds per lane), to balance threads. */
  cost: number;
}

export interface ScratchPlan {
  batchX: number;
  batchY: number;
  /** Per layer: pre-activations z (the matmul writes into it), activations a, their gradient dz. */
  z: number[];
  a: number[];
  dz: number[];
  /** Gradient of a hidden layer's activations (the widest layer's size). */
  da: number;
  grads: number;
  /** 8 f64: the four lanes' losses, then their correct counts. */
  loss: number;
  /** Wide layers' matmul operands copied k-contiguous (quad-trainer.ts): a weight column pair, the layer's input and output gradient transposed. */
  panel: number;
  inputT: number;
  dzT: number;
}

export interface DataPlan {
  trainX: number;
  trainY: number;
  validationX: number;
  validationY: number;
}

export interface MemoryPlan {
  quads: QuadPlan[];
  /** One per thread. */
  scratch: ScratchPlan[];
  data: DataPlan;
  /** Bytes the job needs from address 0. */
  bytes: number;
}

/** Target values per row: a class index, or one per output. */
export function targetsPerRow(job: PopulationJob): number {
  return job.data.task === 'classification' ? 1 : job.data.outputs;
}

function layersOf(shape: PopulationShape, width: number): LayerPlan[] {
  return parameterLayout({ ...shape, maxHidden: width }).map(({ weights, bias, rows, cols }) => ({
    rows,
    cols,
    weights,
    bias,
  }));
}

/** Models in training order: widest first, then by optimizer, then by index (stable). */
function quadOrder(models: readonly ModelHyper[]): number[] {
  return models
    .map((_, i) => i)
    .sort(
      (a, b) =>
        models[b].hiddenUnits - models[a].hiddenUnits ||
        OPTIMIZERS.indexOf(models[a].optimizer) - OPTIMIZERS.indexOf(models[b].optimizer) ||
        a - b,
    );
}

class Allocator {
  constructor(public next: number) {}
  /** `elements` quad-interleaved elements (or raw bytes when `bytes` is set), 64-byte aligned. */
  take(elements: number, bytes = elements * LANE_BYTES): number {
    const at = Math.ceil(this.next / 64) * 64;
    this.next = at + bytes;
    return at;
  }
}

export function planMemory(job: PopulationJob, heapBase: number, threads: number): MemoryPlan {
  const { shape, models, data } = job;
  const memory = new Allocator(heapBase);
  const order = quadOrder(models);
  const quads: QuadPlan[] = [];
  for (let q = 0; q < order.length; q += LANES) {
    const lanes = order.slice(q, q + LANES);
    const width = Math.max(...lanes.map((i) => models[i].hiddenUnits));
    const layers = layersOf(shape, width);
    const last = layers[layers.length - 1];
    const paramCount = last.bias + last.cols;
    quads.push({
      lanes,
      width,
      layers,
      paramCount,
      params: memory.take(paramCount),
      m: memory.take(paramCount),
      v: memory.take(paramCount),
      meta: memory.take(4 + HYPER_VECTORS),
      cost: layers.reduce((sum, { rows, cols }) => sum + rows * cols, 0),
    });
  }
  const widest = layersOf(shape, Math.max(...models.map((m) => m.hiddenUnits)));
  const B = shape.batchSize;
  const perRow = targetsPerRow(job);
  const scratch = Array.from({ length: threads }, () => ({
    batchX: memory.take(B * shape.inputs),
    batchY: memory.take(B * perRow),
    z: widest.map(({ cols }) => memory.take(B * cols)),
    a: widest.map(({ cols }) => memory.take(B * cols)),
    dz: widest.map(({ cols }) => memory.take(B * cols)),
    da: memory.take(B * Math.max(...widest.map(({ cols }) => cols))),
    grads: memory.take(widest.at(-1)!.bias + widest.at(-1)!.cols),
    loss: memory.take(0, 64),
    panel: memory.take(2 * Math.max(...widest.map(({ rows }) => rows))),
    inputT: memory.take(B * Math.max(...widest.map(({ rows }) => rows))),
    dzT: memory.take(B * Math.max(...widest.map(({ cols }) => cols))),
  }));
  const floats = (n: number) => memory.take(0, n * 4);
  const planData: DataPlan = {
    trainX: floats(data.train.x.length),
    trainY: floats(data.train.y.length),
    validationX: floats(data.validation.x.length),
    validationY: floats(data.validation.y.length),
  };
  return { quads, scratch, data: planData, bytes: memory.next };
}

/** The quads of each thread: largest first onto the least loaded thread (results never depend on it). */
export function assignQuads(quads: readonly QuadPlan[], threads: number): number[][] {
  const load = new Array<number>(threads).fill(0);
  const assigned = Array.from({ length: threads }, () => [] as number[]);
  // A quad costs the same with 1 or 4 lanes: all four are computed.
  const bySize = quads.map((_, q) => q).sort((a, b) => quads[b].cost - quads[a].cost || a - b);
  for (const q of bySize) {
    const t = load.indexOf(Math.min(...load));
    assigned[t].push(q);
    load[t] += quads[q].cost;
  }
  return assigned.map((list) => list.sort((a, b) => a - b));
}
