// The GPU side of one PopulationJob: every buffer the P models need, and the recorded
// dispatches of weight init, one training step, the validation pass and the metrics
// reset. Nothing here waits on the GPU; engine.ts decides when to submit and read back.

import { dimsSize, modelLayout, statisticsCount } from '../layers.ts';
import type { ModelCopy, ModelHyper, PopulationJob } from '../types.ts';
import { EngineError, parameterCount } from '../types.ts';
import { chooseStepKernel, type StepKernel, type StepKernelChoice } from './fused-fit.ts';
import { FusedMlpStep } from './fused-mlp.ts';
import type { Dispatch, KernelEntry } from './kernels.ts';
import { encodeDispatches, KERNELS, optimizerInvocations, optimizerKernel, prepareDispatch } from './kernels.ts';
import type { GpuLayer, Operand } from './layers.ts';
import { buildGpuLayer } from './layers.ts';
import {
  fieldOffset,
  MODEL_HYPER,
  MODEL_STATE,
  packGatherParams,
  packLossParams,
  packModelHypers,
  packOptimizerParams,
  packStepSlots,
  structSize,
} from './structs.ts';

/** Most steps recorded into one command buffer (each reads its own step slot). */
export const MAX_STEPS_PER_SUBMIT = 64;
/** Validation rows per forward pass; with the batch size it sets the activation buffers' row capacity. */
const VALIDATION_CHUNK_ROWS = 256;
/** Bytes one layer's activation buffer may take for validation chunks (the batch alone may need more). */
const ACTIVATION_BUDGET_BYTES = 64 * 2 ** 20;
/** LossParams.mode (loss_common.wgsl). */
const LOSS_MODE = { train: 0, validation: 1, reset: 2 } as const;

/** Refuses, before anything is allocated, a job whose largest buffers this device cannot bind. */
function checkFits(device: GPUDevice, buffers: Array<[string, number]>): void {
  const largest = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  for (const [what, bytes] of buffers) {
    if (bytes > largest) {
      throw new EngineError(
        'out-of-memory',
        `the population's ${what} need ${(bytes / 2 ** 20).toFixed(1)} MiB in one buffer but this GPU binds at most ${(largest / 2 ** 20).toFixed(1)} MiB: ` +
          'train fewer models at once, or a smaller batch, network or data set',
      );
    }
  }
}

/** One population on the GPU: its buffers and recorded dispatches (the CPU engine's counterpart is CpuPopulation). */
export class GpuPopulation {
  readonly models: number;
  readonly paramCount: number;
  /** Floats from one model's parameters (and gradients, moments) to the next's: paramCount rounded up to 4, the tail zeros. */
  readonly modelStride: number;
  /** Floats of one model's running statistics (batch norm's; 0 without), from one model's to the next's. */
  readonly statisticsStride: number;
  readonly stepSlots: number;
  readonly stateBytes: number;
  private readonly slotBytes: number;
  private readonly buffers: GPUBuffer[] = [];
  private readonly parameters: GPUBuffer;
  private readonly statistics: GPUBuffer;
  private readonly states: GPUBuffer;
  private readonly hypers: GPUBuffer;
  private readonly hyperBytes: number;
  /**
   * Everything a model keeps from one step to the next, as (buffer, bytes per model): what a
   * PBT copy moves (the rest, activations and gradients, is rewritten every step).
   */
  private readonly perModel: Array<{ buffer: GPUBuffer; bytes: number }>;
  /** Where copies pass through (a buffer cannot be copied into itself), grown on demand. */
  private copyScratch: GPUBuffer | undefined;
  private readonly steps: GPUBuffer;
  private readonly init: Dispatch[];
  private readonly step: Dispatch[];
  private readonly validation: Dispatch[];
  private readonly reset: Dispatch[];
  /** Which kernel trains the steps (fused-fit.ts's table); validation always runs the layered dispatches. */
  readonly stepKernel: StepKernel;
  private readonly fused: FusedMlpStep | undefined;

  constructor(
    private readonly device: GPUDevice,
    job: PopulationJob,
    stepKernel: StepKernelChoice = 'auto',
  ) {
    const { shape, data, models } = job;
    const layout = modelLayout(shape);
    const last = layout.length - 1;
    const P = (this.models = models.length);
    const PC = (this.paramCount = parameterCount(shape));
    // Each model's parameters start on a 16-byte boundary, so the matmuls can read them as vec4.
    const stride = (this.modelStride = Math.ceil(PC / 4) * 4);
    const statisticsStride = (this.statisticsStride = statisticsCount(shape));
    const B = shape.batchSize;
    // Validation rows per pass: up to VALIDATION_CHUNK_ROWS, fewer where a layer's output (an image) is large.
    const widest = Math.max(...layout.map(({ output }) => dimsSize(output)));
    const chunkRows = Math.min(VALIDATION_CHUNK_ROWS, Math.floor(ACTIVATION_BUDGET_BYTES / (4 * P * widest)));
    const R = Math.max(B, Math.min(data.validation.count, chunkRows));
    const labelWidth = data.task === 'classification' ? 1 : shape.outputs;
    this.slotBytes = device.limits.minUniformBufferOffsetAlignment;
    this.stepSlots = Math.min(MAX_STEPS_PER_SUBMIT, job.steps);
    this.stateBytes = P * structSize(MODEL_STATE);
    // batch_gather draws each step's rows; a dense first layer reads them in place, any other a copy batch_gather makes.
    const inPlace = layout[0].spec.kind === 'dense';

    checkFits(device, [
      ['parameters', P * stride * 4],
      ['training data', Math.max(data.train.x.byteLength, data.train.y.byteLength)],
      ['validation data', Math.max(data.validation.x.byteLength, data.validation.y.byteLength)],
      ['batch', inPlace ? 0 : P * B * shape.inputs * 4],
      ['layer activations', P * R * widest * 4],
    ]);
    const storage = (label: string, bytes: number | ArrayBuffer | ArrayBufferView): GPUBuffer => {
      const size = typeof bytes === 'number' ? bytes : bytes.byteLength;
      const buffer = device.createBuffer({
        label,
        // Whole vec4s: the matmuls bind their outputs as array<vec4f>.
        size: Math.max(16, Math.ceil(size / 16) * 16),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.buffers.push(buffer);
      if (typeof bytes !== 'number' && size > 0)
        device.queue.writeBuffer(buffer, 0, bytes as GPUAllowSharedBufferSource);
      return buffer;
    };
    const floats = (label: string, count: number) => storage(label, count * 4);
    const uniform = (label: string, data: ArrayBuffer): GPUBuffer => {
      const buffer = device.createBuffer({
        label,
        size: data.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.buffers.push(buffer);
      device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
    const dispatch = (entry: KernelEntry, params: ArrayBuffer, buffers: GPUBuffer[], invocations: number): Dispatch =>
      prepareDispatch(device, entry, [uniform(entry.name, params), ...buffers], invocations, this.slotBytes);
    this.hyperBytes = structSize(MODEL_HYPER);
    const hypers = (this.hypers = storage('model hyperparameters', packModelHypers(models)));
    const parameters = (this.parameters = floats('parameters', P * stride));
    const gradients = floats('gradients', P * stride);
    const firstMoment = floats('first moment', P * stride);
    const secondMoment = floats('second moment', P * stride);
    const states = (this.states = storage('model states', this.stateBytes));
    const statistics = (this.statistics = floats('running statistics', P * statisticsStride));
    this.perModel = [
      { buffer: parameters, bytes: stride * 4 },
      { buffer: firstMoment, bytes: stride * 4 },
      { buffer: secondMoment, bytes: stride * 4 },
      { buffer: states, bytes: structSize(MODEL_STATE) },
      { buffer: hypers, bytes: this.hyperBytes },
      ...(statisticsStride > 0 ? [{ buffer: statistics, bytes: statisticsStride * 4 }] : []),
    ];
    this.steps = device.createBuffer({
      label: 'step slots',
      size: this.stepSlots * this.slotBytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.buffers.push(this.steps);
    const trainX = storage('train x', data.train.x);
    const trainY = storage('train y', data.train.y);
    const validationX = storage('validation x', data.validation.x);
    const validationY = storage('validation y', data.validation.y);
    const batchRows = floats('batch rows', P * B);
    const batchX = floats('batch x', inPlace ? 0 : P * B * shape.inputs);
    const batch: Operand = inPlace
      ? { buffer: trainX, offset: 0, modelStride: 0, gather: true }
      : { buffer: batchX, offset: 0, modelStride: B * shape.inputs };
    const layers: GpuLayer[] = [];
    for (const layer of layout)
      layers.push(
        buildGpuLayer(
          {
            models: P,
            rowCapacity: R,
            batchSize: B,
            modelStride: stride,
            xavier: shape.init === 'xavier',
            parameters,
            gradients,
            hypers,
            states,
            statistics,
            statisticsStride,
            steps: this.steps,
            batchRows,
            floats,
            dispatch,
          },
          layer,
          layers.at(-1),
        ),
      );
    const output = layers[last];
    /**
     * The loss of `rows` rows of the outputs, folded into the models' metrics as `mode` says;
     * labels from `labels`, or in training those of the batch's rows of `labels`.
     */
    const loss = (rows: number, labels: Operand, mode: number) =>
      dispatch(
        shape.loss === 'softmax_cross_entropy' ? KERNELS.softmaxCrossEntropy : KERNELS.meanSquaredError,
        packLossParams({
          models: P,
          rows,
          outputs: shape.outputs,
          model_stride: R * shape.outputs,
          label_offset: labels.offset,
          label_model_stride: labels.modelStride,
          mode,
          divergence_factor: job.divergenceFactor ?? 100,
        }),
        [this.steps, output.output, labels.buffer, output.delta, states, batchRows],
        P,
      );

    /** Forward pass and loss of `rows` rows of `input`, labels from `labels`. */
    const forwardAndLoss = (rows: number, input: Operand, labels: Operand, training: boolean): Dispatch[] => [
      ...layers.flatMap((layer, l) =>
        layer.forward(
          rows,
          l === 0 ? input : { buffer: layers[l - 1].output, offset: 0, modelStride: R * dimsSize(layer.layer.input) },
          training,
        ),
      ),
      loss(rows, labels, training ? LOSS_MODE.train : LOSS_MODE.validation),
    ];

    /** Back from the loss's gradient at the outputs: each layer's weight gradient, then the gradient at its input. */
    const backward = (): Dispatch[] =>
      layers
        .map((layer, l) => {
          const input: Operand =
            l === 0 ? batch : { buffer: layers[l - 1].output, offset: 0, modelStride: R * dimsSize(layer.layer.input) };
          return [...layer.weightGradient(input), ...(l > 0 ? layer.inputGradient(layers[l - 1]) : [])];
        })
        .reverse()
        .flat();

    this.init = layers.flatMap((layer, l) => layer.init(layers[l - 1]));
    this.step = [
      dispatch(
        KERNELS.batchGather,
        packGatherParams({
          models: P,
          batch_size: B,
          inputs: shape.inputs,
          copy_width: inPlace ? 0 : shape.inputs,
          train_count: data.train.count,
        }),
        [this.steps, hypers, trainX, batchX, batchRows],
        P * B,
      ),
      ...forwardAndLoss(B, batch, { buffer: trainY, offset: 0, modelStride: 0 }, true),
      ...backward(),
      dispatch(
        optimizerKernel(models),
        // The zero tail of each model's stride has zero gradients under every optimizer, so it stays zero.
        packOptimizerParams({
          models: P,
          param_count: stride,
          batch_size: B,
          train_count: data.train.count,
          total_steps: job.steps,
        }),
        [this.steps, hypers, states, parameters, gradients, firstMoment, secondMoment],
        optimizerInvocations(P, stride),
      ),
    ];
    const decision = chooseStepKernel(shape, stride, device.limits, stepKernel);
    const { OPTIMIZERS, DECAYS } = optimizerKernel(models).constants;
    this.stepKernel = decision.kernel;
    this.fused =
      decision.kernel === 'fused'
        ? new FusedMlpStep(
            device,
            job,
            decision.layout,
            { OPTIMIZERS, DECAYS },
            {
              hypers,
              states,
              parameters,
              firstMoment,
              secondMoment,
              trainX,
              trainY,
            },
          )
        : undefined;
    this.validation = [];
    for (let start = 0; start < data.validation.count; start += R) {
      const rows = Math.min(R, data.validation.count - start);
      this.validation.push(
        ...forwardAndLoss(
          rows,
          { buffer: validationX, offset: start * shape.inputs, modelStride: 0 },
          { buffer: validationY, offset: start * labelWidth, modelStride: 0 },
          false,
        ),
      );
    }
    this.reset = [loss(0, { buffer: trainY, offset: 0, modelStride: 0 }, LOSS_MODE.reset)];
  }

  encodeInit(encoder: GPUCommandEncoder): void {
    const pass = encoder.beginComputePass({ label: 'init' });
    encodeDispatches(pass, this.init);
    pass.end();
  }

  /** Records steps first..first+count-1 (count <= stepSlots) and queues their step slots (the fused kernel: one dispatch). */
  encodeSteps(encoder: GPUCommandEncoder, first: number, count: number): void {
    if (this.fused) {
      this.fused.encode(encoder, first, count);
      return;
    }
    this.device.queue.writeBuffer(this.steps, 0, packStepSlots(first, count, this.slotBytes));
    const pass = encoder.beginComputePass({ label: `steps ${first}..${first + count - 1}` });
    for (let s = 0; s < count; s++) encodeDispatches(pass, this.step, s, this.slotBytes);
    pass.end();
  }

  /** Dispatches in one training step. */
  get stepDispatches(): number {
    return this.fused ? 1 : this.step.length;
  }

  /** Dispatches in one validation pass. */
  get validationDispatches(): number {
    return this.validation.length;
  }

  /** Records dispatches from..to-1 of step `step` (a step too slow for one command buffer); the first part queues the step's slot. */
  encodeStepPart(encoder: GPUCommandEncoder, step: number, from: number, to: number): void {
    if (from === 0) this.device.queue.writeBuffer(this.steps, 0, packStepSlots(step, 1, this.slotBytes));
    const pass = encoder.beginComputePass({ label: `step ${step}, dispatches ${from}..${to - 1}` });
    encodeDispatches(pass, this.step.slice(from, to), 0, this.slotBytes);
    pass.end();
  }

  /** Records dispatches from..to-1 of the validation pass (all of them, or a share when it is too slow for one command buffer). */
  encodeValidationPart(encoder: GPUCommandEncoder, from: number, to: number): void {
    const pass = encoder.beginComputePass({ label: `validation, dispatches ${from}..${to - 1}` });
    encodeDispatches(pass, this.validation.slice(from, to), 0, this.slotBytes);
    pass.end();
  }

  /** After the validation pass: records a copy of every model's state into `staging`, then clears the sums. */
  encodeStateCopy(encoder: GPUCommandEncoder, staging: GPUBuffer): void {
    encoder.copyBufferToBuffer(this.states, 0, staging, 0, this.stateBytes);
    const reset = encoder.beginComputePass({ label: 'reset metrics' });
    encodeDispatches(reset, this.reset, 0, this.slotBytes);
    reset.end();
  }

  /** Bytes of the final read-back: every model's parameters, then every model's running statistics. */
  get readBackBytes(): number {
    return this.models * (this.modelStride + this.statisticsStride) * 4;
  }

  /** Records a copy of every model's parameters and running statistics into `staging` (readBackBytes). */
  encodeReadBack(encoder: GPUCommandEncoder, staging: GPUBuffer): void {
    const parameterBytes = this.models * this.modelStride * 4;
    encoder.copyBufferToBuffer(this.parameters, 0, staging, 0, parameterBytes);
    if (this.statisticsStride > 0)
      encoder.copyBufferToBuffer(this.statistics, 0, staging, parameterBytes, this.readBackBytes - parameterBytes);
  }

  /** Each model's parameters and running statistics from a read-back of encodeReadBack. */
  unpackReadBack(flat: Float32Array): { parameters: Float32Array[]; statistics: Float32Array[] } {
    const models = Array.from({ length: this.models }, (_, m) => m);
    const statisticsStart = this.models * this.modelStride;
    return {
      parameters: models.map((m) => flat.slice(m * this.modelStride, m * this.modelStride + this.paramCount)),
      statistics: models.map((m) =>
        flat.slice(statisticsStart + m * this.statisticsStride, statisticsStart + (m + 1) * this.statisticsStride),
      ),
    };
  }

  /**
   * PBT's exploit, all on the GPU: each `to` becomes its `from` as the queue has it now (after
   * a report, whose state copy cleared the sums), through a scratch buffer, so copies read the
   * models as they were before any of them.
   */
  encodeModelCopies(encoder: GPUCommandEncoder, copies: readonly ModelCopy[]): void {
    const modelBytes = this.perModel.reduce((sum, { bytes }) => sum + bytes, 0);
    const needed = copies.length * modelBytes;
    if (!this.copyScratch || this.copyScratch.size < needed) {
      this.copyScratch?.destroy();
      this.copyScratch = this.device.createBuffer({
        label: 'model copies',
        size: needed,
        usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.buffers.push(this.copyScratch);
    }
    const scratch = this.copyScratch;
    const each = (move: (buffer: GPUBuffer, bytes: number, copy: ModelCopy, at: number) => void) => {
      copies.forEach((copy, c) => {
        let at = c * modelBytes;
        for (const { buffer, bytes } of this.perModel) {
          move(buffer, bytes, copy, at);
          at += bytes;
        }
      });
    };
    each((buffer, bytes, { from }, at) => encoder.copyBufferToBuffer(buffer, from * bytes, scratch, at, bytes));
    each((buffer, bytes, { to }, at) => encoder.copyBufferToBuffer(scratch, at, buffer, to * bytes, bytes));
  }

  /** PBT's explore: `model` trains with `hyper` from the next step on (queued after what was submitted). */
  setHyper(model: number, hyper: ModelHyper): void {
    // One row only: the packed array is padded to 16 bytes, which would overwrite the next model's.
    this.device.queue.writeBuffer(this.hypers, model * this.hyperBytes, packModelHypers([hyper]), 0, this.hyperBytes);
  }

  /** Freezes `model` from the next step on (its parameters stay as they are). */
  stop(model: number): void {
    this.device.queue.writeBuffer(
      this.states,
      model * structSize(MODEL_STATE) + fieldOffset(MODEL_STATE, 'stopped'),
      new Uint32Array([1]),
    );
  }

  destroy(): void {
    this.fused?.destroy();
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers.length = 0;
  }
}
