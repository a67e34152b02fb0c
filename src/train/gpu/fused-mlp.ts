// The fused whole-step kernel for dense MLPs (shaders/fused_mlp.wgsl): its workgroup-memory
// layout and generated prelude for one population shape, and the dispatch that trains
// `count` steps of every model at once. Whether a population uses it is fused-fit.ts's choice.

import { SHADER_SOURCES } from '#shaders';
import { modelLayout, type PlacedLayer } from '../layers.ts';
import { ACTIVATIONS, type Activation, type PopulationJob, type PopulationShape } from '../types.ts';
import type { Dispatch, KernelEntry } from './kernels.ts';
import { encodeDispatches, prepareDispatch } from './kernels.ts';
import { FUSED_PARAMS, GENERATED_WGSL, packFusedParams, structSize } from './structs.ts';

/** Invocations per model (one workgroup each). */
export const FUSED_WORKGROUP_SIZE = 16;

/** Where a dense layer's tensors lie in the arena and its parameters in the model's (Dense in fused_mlp.wgsl). */
interface FusedDense {
  input: number;
  inputs: number;
  output: number;
  kept: number;
  units: number;
  w: number;
  b: number;
  hidden: boolean;
}

/** One shape's fused layout: what fused_mlp.wgsl's generated prelude declares, and the workgroup memory it takes. */
export interface FusedLayout {
  /** vec4s of parameters each invocation owns (its gradients and moments are private). */
  owned: number;
  paramVectors: number;
  arenaFloats: number;
  /** Bytes of workgroup memory: the weights, the arena, the model's state and the halt flag. */
  workgroupBytes: number;
  /** The one activation every hidden layer applies. */
  activation: Activation;
  layers: FusedDense[];
  outputAt: number;
  lossAt: number;
  correctAt: number;
  labelWidth: number;
}

/** Whole vec4s: each workgroup variable is counted at a 16-byte multiple. */
const bytes16 = (floats: number) => Math.ceil(floats / 4) * 16;
/** ModelState (9 scalars) and the halt flag, each rounded to 16 bytes. */
const STATE_BYTES = bytes16(9) + 16;

/**
 * The fused layout of a dense MLP `shape` whose models lie `modelStride` floats apart, or why
 * it has none (a layer other than dense, hidden layers with different activations).
 */
export function fusedLayout(shape: PopulationShape, modelStride: number): FusedLayout | string {
  const placed = modelLayout(shape);
  const other = placed.find((layer) => layer.spec.kind !== 'dense');
  if (other) return `it has a ${other.spec.kind} layer (the fused kernel trains dense layers only)`;
  const dense = placed as Array<PlacedLayer & { spec: { kind: 'dense' } }>;
  const activations = new Set(dense.filter((l) => l.spec.role === 'hidden').map((l) => l.spec.activation));
  if (activations.size > 1) return 'its hidden layers apply different activations';
  const activation = [...activations][0] ?? shape.activation;
  const B = shape.batchSize;
  const labelWidth = shape.loss === 'softmax_cross_entropy' ? 1 : shape.outputs;
  let at = B * shape.inputs + B * labelWidth;
  let input = 0;
  let inputs = shape.inputs;
  const layers = dense.map((layer): FusedDense => {
    const units = layer.spec.units;
    const hidden = layer.spec.role === 'hidden';
    const output = at;
    at += B * units;
    let kept = output;
    if (hidden && (activation === 'gelu' || activation === 'gelu_tanh')) {
      kept = at;
      at += B * units;
    }
    const w = layer.blocks.find((b) => b.name === 'weights')!.offset;
    const b = layer.blocks.find((b) => b.name === 'bias')!.offset;
    const placedLayer = { input, inputs, output, kept, units, w, b, hidden };
    input = output;
    inputs = units;
    return placedLayer;
  });
  const outputAt = layers[layers.length - 1].output;
  const lossAt = at;
  const correctAt = lossAt + B;
  const arenaFloats = correctAt + B;
  const paramVectors = modelStride / 4;
  return {
    owned: Math.ceil(paramVectors / FUSED_WORKGROUP_SIZE),
    paramVectors,
    arenaFloats,
    workgroupBytes: bytes16(modelStride) + bytes16(arenaFloats) + STATE_BYTES,
    activation,
    layers,
    outputAt,
    lossAt,
    correctAt,
    labelWidth,
  };
}

const u = (value: number) => `${value}u`;

function denseValue(layer: FusedDense): string {
  const { input, inputs, output, kept, units, w, b, hidden } = layer;
  return `Dense(${[input, inputs, output, kept, units, w, b].map(u).join(', ')}, ${hidden})`;
}

/** fused_mlp.wgsl's generated prelude: the shape's sizes and the per-layer calls of its forward and backward passes. */
export function fusedPrelude(shape: PopulationShape, layout: FusedLayout): string {
  const { layers } = layout;
  const consts: Array<[string, string]> = [
    ['OWNED', u(layout.owned)],
    ['PARAM_VECTORS', u(layout.paramVectors)],
    ['PARAM_FLOATS', u(layout.paramVectors * 4)],
    ['ARENA_FLOATS', u(layout.arenaFloats)],
    ['BATCH', u(shape.batchSize)],
    ['INPUTS', u(shape.inputs)],
    ['OUTPUTS', u(shape.outputs)],
    ['LABEL_WIDTH', u(layout.labelWidth)],
    ['X_AT', u(0)],
    ['Y_AT', u(shape.batchSize * shape.inputs)],
    ['OUTPUT_AT', u(layout.outputAt)],
    ['LOSS_AT', u(layout.lossAt)],
    ['CORRECT_AT', u(layout.correctAt)],
    ['SOFTMAX', String(shape.loss === 'softmax_cross_entropy')],
    ['ACTIVATION', u(ACTIVATIONS.indexOf(layout.activation))],
  ];
  const forward = layers.flatMap((layer) => [
    `  dense_forward(${denseValue(layer)}, hidden_units);`,
    '  workgroupBarrier();',
  ]);
  const backward: string[] = [];
  for (let l = layers.length - 1; l >= 0; l--) {
    backward.push(`  weight_gradients(${denseValue(layers[l])});`);
    if (l === 0) break;
    backward.push(
      '  workgroupBarrier();',
      `  input_gradient(${denseValue(layers[l])}, ${denseValue(layers[l - 1])}, hidden_units);`,
      '  workgroupBarrier();',
    );
  }
  return [
    '// Generated for one population shape (src/train/gpu/fused-mlp.ts).',
    ...consts.map(([name, value]) => `const ${name} = ${value};`),
    'fn forward_layers(hidden_units: u32) {',
    ...forward,
    '}',
    'fn backward_layers(hidden_units: u32) {',
    ...backward,
    '}',
    '',
  ].join('\n');
}

const { random, model, activation, elementwise, optimizer_common, fused_mlp } = SHADER_SOURCES;

/** One entry per prelude, so pipelines are shared by populations of the same shape. */
const entries = new Map<string, KernelEntry>();

/** The kernel for one prelude, compiled for the optimizers and schedules a population uses (optimizerKernel's bit sets). */
function fusedEntry(prelude: string, optimizerBits: Readonly<Record<string, number>>): KernelEntry {
  const key = `${prelude}|${JSON.stringify(optimizerBits)}`;
  let entry = entries.get(key);
  if (!entry) {
    entry = {
      name: 'fused_mlp',
      code: [GENERATED_WGSL, random, model, activation, elementwise, optimizer_common, prelude, fused_mlp].join('\n'),
      bindings: ['uniform', 'read', 'write', 'write', 'write', 'write', 'read', 'read'],
      constants: { WORKGROUP_SIZE: FUSED_WORKGROUP_SIZE, ...optimizerBits },
    };
    entries.set(key, entry);
  }
  return entry;
}

/** The population's buffers the fused step reads and writes (GpuPopulation's, in its layout). */
export interface FusedBuffers {
  hypers: GPUBuffer;
  states: GPUBuffer;
  parameters: GPUBuffer;
  firstMoment: GPUBuffer;
  secondMoment: GPUBuffer;
  trainX: GPUBuffer;
  trainY: GPUBuffer;
}

/** The fused step of one population: one dispatch trains `count` steps of every model. */
export class FusedMlpStep {
  private readonly params: GPUBuffer;
  private readonly dispatch: Dispatch;

  constructor(
    private readonly device: GPUDevice,
    private readonly job: PopulationJob,
    layout: FusedLayout,
    optimizerBits: Readonly<Record<string, number>>,
    buffers: FusedBuffers,
  ) {
    const entry = fusedEntry(fusedPrelude(job.shape, layout), optimizerBits);
    this.params = device.createBuffer({
      label: 'fused steps',
      size: Math.ceil(structSize(FUSED_PARAMS) / 16) * 16,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const { hypers, states, parameters, firstMoment, secondMoment, trainX, trainY } = buffers;
    this.dispatch = prepareDispatch(
      device,
      entry,
      [this.params, hypers, states, parameters, firstMoment, secondMoment, trainX, trainY],
      job.models.length * FUSED_WORKGROUP_SIZE,
    );
  }

  /** Records steps first..first+count-1 of every model as one dispatch (and queues their parameters). */
  encode(encoder: GPUCommandEncoder, first: number, count: number): void {
    const { job } = this;
    this.device.queue.writeBuffer(
      this.params,
      0,
      packFusedParams({
        models: job.models.length,
        first_step: first,
        steps: count,
        train_count: job.data.train.count,
        total_steps: job.steps,
        divergence_factor: job.divergenceFactor ?? 100,
      }),
    );
    const pass = encoder.beginComputePass({ label: `fused steps ${first}..${first + count - 1}` });
    encodeDispatches(pass, [this.dispatch]);
    pass.end();
  }

  destroy(): void {
    this.params.destroy();
  }
}
