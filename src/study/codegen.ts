// "Copy best configuration as…": one trial's model, optimizer, learning-rate schedule, batch
// size and step count as a training script for PyTorch, Keras 3 or JAX + optax. The lab
// follows PyTorch's definitions (types.ts), so each line maps a lab formula to the framework
// call that computes the same thing; where a framework has no exact equivalent the script
// says so in a comment next to the closest one. The trial's params become a model exactly as
// the engines build it (population.ts's trialBucket and trialModel), so the two never drift.
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, dimsSize, modelLayout, type PlacedLayer } from '../train/layers.ts';
import { type DecayKind, type InitKind, LEAKY_SLOPE, type ModelHyper } from '../train/types.ts';
import type { DataShape } from './cost.ts';
import { trialBucket, trialModel } from './population.ts';
import { finalParams, type TrialRecord } from './record.ts';
import type { StudySpec } from './spec.ts';

export type Framework = 'pytorch' | 'keras' | 'optax';
export const FRAMEWORKS: ReadonlyArray<{ id: Framework; label: string }> = [
  { id: 'pytorch', label: 'PyTorch' },
  { id: 'keras', label: 'Keras' },
  { id: 'optax', label: 'optax' },
];

export interface CodeRequest {
  spec: StudySpec;
  trial: Pick<TrialRecord, 'id' | 'params' | 'state' | 'objective' | 'steps' | 'lineage'>;
  data: DataShape;
}

/** Everything a script needs, decided once. */
interface Setup {
  request: CodeRequest;
  hyper: ModelHyper;
  hiddenLayers: number;
  activation: string;
  init: InitKind;
  batchSize: number;
  steps: number;
  classification: boolean;
  /** Seeds the framework's own random numbers (the lab's cannot be reproduced there). */
  seed: number;
  /** Layer widths: inputs, hidden…, outputs (an MLP's). */
  widths: number[];
  /** Every layer as the engines build this trial's model, hidden units at the trial's own. */
  layout: PlacedLayer[];
  /** A CNN's: the rows are images [channels × height × width]; undefined for an MLP. */
  image?: { channels: number; height: number; width: number };
}

function setup(request: CodeRequest): Setup {
  const { spec, trial, data } = request;
  // A CSV study's shape before its file is read has no rows (cost.ts dataShapeOf): epochs and schedules need them.
  if (!(data.trainCount >= 1)) throw new Error('its training rows are not known until its data is loaded');
  // Under population-based training, the hyperparameters the trial ended with (its last copy's).
  const params = finalParams(trial);
  const bucket = trialBucket(params, data);
  const hyper = trialModel(params, spec.seed, trial.id);
  return {
    request,
    hyper,
    hiddenLayers: bucket.hiddenLayers,
    activation: bucket.activation,
    init: bucket.init,
    batchSize: bucket.batchSize,
    steps: spec.training.steps,
    classification: data.task === 'classification',
    seed: hyper.initSeed & 0x7fffffff,
    widths: [data.inputs, ...Array<number>(bucket.hiddenLayers).fill(hyper.hiddenUnits), data.outputs],
    layout: modelLayout({ ...bucket, inputs: data.inputs, outputs: data.outputs, maxHidden: hyper.hiddenUnits }),
    ...(bucket.layers && bucket.image ? { image: bucket.image } : {}),
  };
}

/** A layer kind no script here writes yet. */
function noCode(framework: string, layer: PlacedLayer): never {
  throw new Error(`${framework} code has no ${layer.spec.kind} layer yet`);
}

/** A Python number literal that reads back as the same double (JS's shortest round-trip form is valid Python). */
function py(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`cannot write ${n} as a Python number`);
  return String(n);
}

/** A Python float literal (some APIs check `isinstance(x, float)`). */
function pyFloat(n: number): string {
  const s = py(n);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Text from the study (file and column names) inside a comment: one line, printable. */
function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
}

function dataDescription(s: Setup): string[] {
  const { spec, data } = s.request;
  const d = spec.data;
  const what =
    d.kind === 'synthetic'
      ? `the synthetic "${d.name}" set`
      : d.kind === 'digits'
        ? `handwritten digits (${d.side ?? 14}x${d.side ?? 14} pixels scaled to [0, 1])`
        : d.kind === 'table'
          ? `the ${d.name} table (features standardised on the training split)`
          : `the CSV file "${commentText(d.fileName)}" (target "${commentText(d.target)}")`;
  const targets = s.classification
    ? `${data.outputs} classes`
    : `${data.outputs} target column${data.outputs === 1 ? '' : 's'}`;
  const lines = [`Data: ${what}: ${data.trainCount} training rows of ${data.inputs} features, ${targets}.`];
  if (d.kind === 'csv')
    lines.push(
      `The lab standardised each feature${s.classification ? '' : ' and the target'} with the training split's mean and standard deviation; do the same.`,
    );
  return lines;
}

function header(s: Setup, framework: string): string[] {
  const { spec, trial } = s.request;
  const result = Number.isFinite(trial.objective)
    ? `validation loss ${Number(trial.objective.toPrecision(4))} after ${trial.steps} steps`
    : `no validation loss (${trial.state.toLowerCase()} after ${trial.steps} steps)`;
  const partial = trial.state === 'STOPPED' ? ' It was stopped early, so this is a partial result.' : '';
  const last = trial.lineage?.at(-1);
  const copies = trial.lineage?.length ?? 0;
  return [
    `# Trial #${trial.id} of a Tuning Lab study (seed ${spec.seed}) as ${framework} code.`,
    `# In the lab it reached ${result}.${partial}`,
    ...(last
      ? [
          `# It trained under population-based training: ${copies === 1 ? 'once' : `${copies} times`} it copied a better trial's weights`,
          `# and went on with perturbed hyperparameters (last at step ${last.step}, from trial #${last.from}).`,
          '# Below are the hyperparameters it ended with; training from scratch with them is the',
          '# closest a script comes to its schedule.',
        ]
      : []),
    ...dataDescription(s).map((l) => `# ${l}`),
    "# The lab uses PyTorch's definitions of every optimizer, schedule and init; comments below",
    "# say where this framework differs. Data order and random numbers are this framework's own.",
  ];
}

function constants(s: Setup): string[] {
  const { data } = s.request;
  const epochs = (s.steps * s.batchSize) / data.trainCount;
  const lines = [
    `BATCH_SIZE = ${s.batchSize}`,
    `STEPS = ${s.steps}  # optimizer steps: ${Number(epochs.toFixed(2))} epochs of ${data.trainCount} training rows`,
    `TRAIN_COUNT = ${data.trainCount}  # rows in the lab's training split (the schedule counts epochs in them)`,
    `SEED = ${s.seed}`,
  ];
  if (s.hyper.decay === 'exponential' || s.hyper.decay === 'inverse_time' || s.hyper.decay === 'step')
    lines.push(`DECAY_RATE = ${py(s.hyper.decayRate)}`);
  if (s.hyper.decay === 'step') lines.push(`DECAY_EVERY = ${s.hyper.decayEvery}  # epochs`);
  return lines;
}

function loadData(s: Setup, labels: string): string[] {
  return [
    'def load_data():',
    `    """Return x_train [N, ${s.request.data.inputs}] float32, y_train ${labels}, then x_val, y_val alike."""`,
    `    raise NotImplementedError('load your data here (the lab trained on ${s.request.data.trainCount} rows)')`,
  ];
}

/** The lab's learning-rate factor at 0-based `step` as a Python expression (types.ts DecayKind); epoch = floor(step·batch/train rows). */
function decayFactor(decay: Exclude<DecayKind, 'none'>): string {
  const epoch = '(step * BATCH_SIZE // TRAIN_COUNT)';
  switch (decay) {
    case 'inverse_time':
      return `1 / (1 + DECAY_RATE * ${epoch})`;
    case 'exponential':
      return `DECAY_RATE ** ${epoch}`;
    case 'step':
      return `DECAY_RATE ** (${epoch} // DECAY_EVERY)`;
    case 'cosine':
      return '0.5 * (1 + math.cos(math.pi * step / STEPS))';
  }
}

/**
 * Steps between learning-rate drops when they fall on whole steps: a staircase schedule of
 * that period is then exactly floor(step·batch/train rows) epochs; otherwise undefined.
 */
function stepsPerDrop(s: Setup): number | undefined {
  const epochs = s.hyper.decay === 'step' ? s.hyper.decayEvery : 1;
  const period = (s.request.data.trainCount * epochs) / s.batchSize;
  return Number.isInteger(period) ? period : undefined;
}

function block(lines: string[], indent: string): string[] {
  return lines.map((l) => (l ? indent + l : l));
}

// ---------------------------------------------------------------------------------------
// PyTorch

const TORCH_ACTIVATIONS: Record<string, string | undefined> = {
  relu: 'nn.ReLU()',
  leaky_relu: `nn.LeakyReLU(negative_slope=${py(LEAKY_SLOPE)})`,
  tanh: 'nn.Tanh()',
  sigmoid: 'nn.Sigmoid()',
  gelu: 'nn.GELU()',
  gelu_tanh: "nn.GELU(approximate='tanh')",
  linear: undefined,
};

function activationOf<T>(table: Record<string, T>, activation: string): T {
  if (!(activation in table)) throw new Error(`no code for the activation "${activation}"`);
  return table[activation];
}

/** Lines after loss.backward(), before optimizer.step(): the lab's decoupled weight decay where torch.optim has none. */
function torchDecoupledDecay(wd: number): string[] {
  return [
    '# Decoupled weight decay, w -= lr_t * wd * w from the weights before this step, as in the lab.',
    "# torch.optim's weight_decay for this optimizer would add wd * w to the gradient instead.",
    'with torch.no_grad():',
    `    shrink = 1 - optimizer.param_groups[0]['lr'] * ${py(wd)}`,
    '    for p in model.parameters():',
    '        p.mul_(shrink)',
  ];
}

/** The model's layers as nn.Sequential's arguments (README, "Conventions": the lab's layers are PyTorch's). */
function torchLayers(s: Setup, act: string | undefined): string[] {
  const { image } = s;
  const lines = image
    ? [
        `nn.Unflatten(1, (${image.channels}, ${image.height}, ${image.width})),  # each row is an image [C, H, W], channel-major as in the lab`,
      ]
    : [];
  for (const layer of s.layout) {
    const { spec, input } = layer;
    switch (spec.kind) {
      case 'dense':
        lines.push(`nn.Linear(${dimsSize(input)}, ${spec.units}),`);
        // Before a batch norm a hidden layer is linear: the batch norm applies the activation.
        if (act && spec.role === 'hidden' && spec.activation !== 'linear') lines.push(`${act},`);
        break;
      case 'batchnorm':
        // PyTorch's defaults are the lab's: eps=1e-5, momentum=0.1, running variance by the unbiased batch variance.
        lines.push(
          input.height * input.width > 1
            ? `nn.BatchNorm2d(${input.channels}),`
            : `nn.BatchNorm1d(${input.channels}),  # validation (model.eval()) normalises by the running statistics`,
        );
        if (act) lines.push(`${act},`);
        break;
      case 'conv2d':
        lines.push(`nn.Conv2d(${input.channels}, ${spec.filters}, ${spec.kernel}, padding=${spec.kernel} // 2),`);
        if (act) lines.push(`${act},`);
        break;
      case 'pool2d':
        lines.push(spec.mode === 'max' ? 'nn.MaxPool2d(2),' : 'nn.AvgPool2d(2),');
        break;
      case 'flatten':
        lines.push('nn.Flatten(),');
        break;
      case 'dropout':
        lines.push(`nn.Dropout(${py(spec.rate)}),  # torch draws its own masks, not the lab's`);
        break;
      default:
        noCode('PyTorch', layer);
    }
  }
  return lines;
}

function pytorchCode(s: Setup): string {
  const h = s.hyper;
  const wd = h.weightDecay;
  const act = activationOf(TORCH_ACTIVATIONS, s.activation);
  const layers = torchLayers(s, act);
  const lr = py(h.learningRate);
  let optimizer: string;
  let manualDecay = false;
  switch (h.optimizer) {
    case 'sgd':
      // Plain SGD: L2 in the gradient and decoupled decay are the same step.
      optimizer = `torch.optim.SGD(model.parameters(), lr=${lr}${wd > 0 ? `, weight_decay=${py(wd)}` : ''})`;
      break;
    case 'momentum':
      optimizer = `torch.optim.SGD(model.parameters(), lr=${lr}, momentum=${py(h.beta1)})`;
      manualDecay = wd > 0;
      break;
    case 'rmsprop':
      optimizer = `torch.optim.RMSprop(model.parameters(), lr=${lr}, alpha=${py(h.rmspropAlpha)}, eps=${py(h.epsilon)})`;
      manualDecay = wd > 0;
      break;
    case 'adam':
      optimizer =
        wd > 0
          ? `torch.optim.AdamW(model.parameters(), lr=${lr}, betas=(${py(h.beta1)}, ${py(h.beta2)}), eps=${py(h.epsilon)}, weight_decay=${py(wd)})`
          : `torch.optim.Adam(model.parameters(), lr=${lr}, betas=(${py(h.beta1)}, ${py(h.beta2)}), eps=${py(h.epsilon)})`;
      break;
  }
  const init =
    s.init === 'he'
      ? [
          "# He: N(0, 2/fan_in), the lab's init for the relu family, on every layer (the output layer too).",
          "nn.init.kaiming_normal_(layer.weight, mode='fan_in', nonlinearity='relu')",
        ]
      : [
          "# Xavier: N(0, 2/(fan_in + fan_out)), the lab's init for saturating activations, on every layer.",
          'nn.init.xavier_normal_(layer.weight)',
        ];
  const schedule =
    h.decay === 'none'
      ? []
      : [
          `# The lab's ${h.decay} schedule, stepped once per optimizer step (LambdaLR gives exactly its formula).`,
          `scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: ${decayFactor(h.decay)})`,
        ];
  return [
    ...header(s, 'PyTorch'),
    ...(h.decay === 'cosine' ? ['import math', ''] : []),
    'import torch',
    'from torch import nn',
    '',
    ...constants(s),
    '',
    '',
    ...loadData(s, s.classification ? '[N] int64 class indices' : `[N, ${s.request.data.outputs}] float32`),
    '',
    '',
    'torch.manual_seed(SEED)',
    'model = nn.Sequential(',
    ...block(layers, '    '),
    ')',
    'for layer in model:',
    `    if isinstance(layer, ${s.image ? '(nn.Conv2d, nn.Linear)' : 'nn.Linear'}):`,
    ...block([...init, 'nn.init.zeros_(layer.bias)'], '        '),
    s.classification
      ? 'loss_fn = nn.CrossEntropyLoss()  # mean softmax cross-entropy over the batch'
      : 'loss_fn = nn.MSELoss()  # mean over every output of every row',
    `optimizer = ${optimizer}`,
    ...schedule,
    '',
    'x_train, y_train, x_val, y_val = load_data()',
    'generator = torch.Generator().manual_seed(SEED)',
    'order = torch.empty(0, dtype=torch.long)',
    'for step in range(STEPS):',
    '    # A fresh shuffle every epoch; a batch may straddle two epochs, as in the lab.',
    '    while len(order) < BATCH_SIZE:',
    '        order = torch.cat([order, torch.randperm(len(x_train), generator=generator)])',
    '    batch, order = order[:BATCH_SIZE], order[BATCH_SIZE:]',
    '    loss = loss_fn(model(x_train[batch]), y_train[batch])',
    '    optimizer.zero_grad()',
    '    loss.backward()',
    ...(manualDecay ? block(torchDecoupledDecay(wd), '    ') : []),
    '    optimizer.step()',
    ...(schedule.length ? ['    scheduler.step()'] : []),
    '',
    'model.eval()',
    'with torch.no_grad():',
    "    print('validation loss', loss_fn(model(x_val), y_val).item())",
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------
// Keras 3

/** A Dense layer's activation argument, or a layer to follow it. */
const KERAS_ACTIVATIONS: Record<string, { argument?: string; layer?: string }> = {
  relu: { argument: "'relu'" },
  // Keras's leaky_relu activation defaults to slope 0.2: the layer states the lab's.
  leaky_relu: { layer: `keras.layers.LeakyReLU(negative_slope=${py(LEAKY_SLOPE)})` },
  tanh: { argument: "'tanh'" },
  sigmoid: { argument: "'sigmoid'" },
  // Keras's 'gelu' is the exact one (approximate=False by default) and, as a name, saves with the model.
  gelu: { argument: "'gelu'" },
  gelu_tanh: { argument: 'lambda x: keras.activations.gelu(x, approximate=True)' },
  linear: {},
};

function kerasSchedule(s: Setup): string[] {
  const h = s.hyper;
  if (h.decay === 'none') return [`learning_rate = ${py(h.learningRate)}`];
  if (h.decay === 'cosine')
    return [`learning_rate = keras.optimizers.schedules.CosineDecay(${py(h.learningRate)}, decay_steps=STEPS)`];
  const period = stepsPerDrop(s);
  if (period !== undefined) {
    const name = h.decay === 'inverse_time' ? 'InverseTimeDecay' : 'ExponentialDecay';
    return [
      `# The lab's ${h.decay} schedule: its epochs are whole steps here (${period} steps per drop).`,
      `learning_rate = keras.optimizers.schedules.${name}(${py(h.learningRate)}, decay_steps=${period}, decay_rate=DECAY_RATE, staircase=True)`,
    ];
  }
  const epoch = 'keras.ops.floor_divide(keras.ops.cast(step, "int64") * BATCH_SIZE, TRAIN_COUNT)';
  const value =
    h.decay === 'inverse_time'
      ? `LEARNING_RATE / (1 + DECAY_RATE * keras.ops.cast(epoch, "float32"))`
      : `LEARNING_RATE * keras.ops.power(DECAY_RATE, keras.ops.cast(${h.decay === 'step' ? 'keras.ops.floor_divide(epoch, DECAY_EVERY)' : 'epoch'}, "float32"))`;
  return [
    `LEARNING_RATE = ${py(h.learningRate)}`,
    '',
    '',
    'class LabSchedule(keras.optimizers.schedules.LearningRateSchedule):',
    `    """The lab's ${h.decay} schedule. An epoch is not a whole number of steps here, so a built-in`,
    '    staircase schedule (which divides by a float step count) could drop one step early."""',
    '',
    '    def __call__(self, step):',
    `        epoch = ${epoch}`,
    `        return ${value}`,
    '',
    '    def get_config(self):',
    '        return {}',
    '',
    '',
    'learning_rate = LabSchedule()',
  ];
}

/**
 * The model's layers as keras.Sequential's list. A CNN's rows are images [C, H, W] (the lab's
 * and PyTorch's order); its convolutions run channels-last [H, W, C], which every Keras backend
 * convolves (TensorFlow's CPU kernels take no channels_first), and it turns back to [C, H, W]
 * before Flatten, so the features reach the dense layers in the lab's order.
 */
function kerasLayers(s: Setup, act: { argument?: string; layer?: string }): string[] {
  const lines = [`keras.Input(shape=(${s.request.data.inputs},)),`];
  const { image } = s;
  if (image)
    lines.push(
      `keras.layers.Reshape((${image.channels}, ${image.height}, ${image.width})),  # each row is an image [C, H, W], channel-major as in the lab`,
      'keras.layers.Permute((2, 3, 1)),  # to [H, W, C]: Keras convolves channels-last',
    );
  const activation = act.argument ? `, activation=${act.argument}` : '';
  const initialised = "kernel_initializer=init, bias_initializer='zeros'";
  for (const layer of s.layout) {
    const { spec } = layer;
    switch (spec.kind) {
      case 'dense': {
        // Before a batch norm a hidden layer is linear: the batch norm's Activation applies it.
        const activated = spec.role === 'hidden' && spec.activation !== 'linear';
        lines.push(
          `keras.layers.Dense(${spec.units}${activated ? activation : ''}, ${initialised}),${spec.role === 'hidden' ? '' : '  # logits'}`,
        );
        if (activated && act.layer) lines.push(`${act.layer},`);
        break;
      }
      case 'batchnorm':
        // Keras's momentum is PyTorch's 1 - momentum. Keras moves its moving variance by the biased
        // batch variance (PyTorch and the lab: the unbiased one), so its validation differs slightly.
        lines.push(
          `keras.layers.BatchNormalization(momentum=${py(1 - BATCH_NORM_MOMENTUM)}, epsilon=${py(BATCH_NORM_EPSILON)}),`,
        );
        if (act.argument) lines.push(`keras.layers.Activation(${act.argument}),`);
        if (act.layer) lines.push(`${act.layer},`);
        break;
      case 'conv2d':
        // padding='same' at stride 1 pads k // 2 on every side, as Conv2d(padding=k // 2) does.
        lines.push(
          `keras.layers.Conv2D(${spec.filters}, ${spec.kernel}, padding='same'${activation}, ${initialised}),`,
        );
        if (act.layer) lines.push(`${act.layer},`);
        break;
      case 'pool2d':
        lines.push(spec.mode === 'max' ? 'keras.layers.MaxPooling2D(2),' : 'keras.layers.AveragePooling2D(2),');
        break;
      case 'flatten':
        lines.push(
          'keras.layers.Permute((3, 1, 2)),  # back to [C, H, W], so Flatten orders the features as the lab does',
          'keras.layers.Flatten(),',
        );
        break;
      case 'dropout':
        lines.push(`keras.layers.Dropout(${py(spec.rate)}),  # Keras draws its own masks, not the lab's`);
        break;
      default:
        noCode('Keras', layer);
    }
  }
  return lines;
}

function kerasCode(s: Setup): string {
  const h = s.hyper;
  const wd = h.weightDecay;
  const act = activationOf(KERAS_ACTIVATIONS, s.activation);
  const init =
    s.init === 'he'
      ? [
          '# He: N(0, 2/fan_in) as in the lab (keras.initializers.HeNormal would truncate at 2 sd).',
          "init = keras.initializers.VarianceScaling(scale=2.0, mode='fan_in', distribution='untruncated_normal')",
        ]
      : [
          '# Xavier: N(0, 2/(fan_in + fan_out)) as in the lab (GlorotNormal would truncate at 2 sd).',
          "init = keras.initializers.VarianceScaling(scale=1.0, mode='fan_avg', distribution='untruncated_normal')",
        ];
  const layers = kerasLayers(s, act);
  // Keras applies weight_decay decoupled for every optimizer: w -= lr_t * wd * w before the update, as in the lab.
  const decay = wd > 0 ? `, weight_decay=${py(wd)}` : '';
  const notes: string[] = [];
  let optimizer: string;
  switch (h.optimizer) {
    case 'sgd':
      optimizer = `keras.optimizers.SGD(learning_rate=learning_rate${decay})`;
      break;
    case 'momentum':
      optimizer = `keras.optimizers.SGD(learning_rate=learning_rate, momentum=${pyFloat(h.beta1)}${decay})`;
      if (h.decay !== 'none')
        notes.push(
          "# Keras folds each step's learning rate into the velocity (v = momentum*v - lr_t*g), PyTorch and",
          '# the lab scale the whole velocity by the current rate: the same while the rate is constant, close',
          '# while it decays slowly.',
        );
      break;
    case 'rmsprop':
      notes.push(
        '# Keras adds epsilon inside the square root, sqrt(s + eps); the lab, like PyTorch, uses sqrt(s) + eps.',
        '# eps**2 inside the root is the closest: equal when s = 0 and when s >> eps**2.',
      );
      optimizer = `keras.optimizers.RMSprop(learning_rate=learning_rate, rho=${py(h.rmspropAlpha)}, epsilon=${py(h.epsilon)} ** 2${decay})`;
      break;
    case 'adam':
      notes.push(
        "# Keras's epsilon is added before the bias correction of the second moment: it acts as",
        `# eps / sqrt(1 - beta_2**t) in the lab's (PyTorch's) formula, larger in the first ~${Math.round(3 / (1 - h.beta2))} steps, then the same.`,
      );
      optimizer = `keras.optimizers.${wd > 0 ? 'AdamW' : 'Adam'}(learning_rate=learning_rate, beta_1=${py(h.beta1)}, beta_2=${py(h.beta2)}, epsilon=${py(h.epsilon)}${decay})`;
      break;
  }
  const stepsPerEpoch = Math.ceil(s.request.data.trainCount / s.batchSize);
  const epochs = Math.ceil(s.steps / stepsPerEpoch);
  return [
    ...header(s, 'Keras 3'),
    'import keras',
    '',
    ...constants(s),
    `EPOCHS = ${epochs}  # fit() takes ceil(${s.request.data.trainCount} / ${s.batchSize}) = ${stepsPerEpoch} steps per epoch: ${epochs * stepsPerEpoch} steps in all`,
    '',
    '',
    ...loadData(s, s.classification ? '[N] int class indices' : `[N, ${s.request.data.outputs}] float32`),
    '',
    '',
    'keras.utils.set_random_seed(SEED)',
    ...init,
    'model = keras.Sequential([',
    ...block(layers, '    '),
    '])',
    ...kerasSchedule(s),
    ...notes,
    `optimizer = ${optimizer}`,
    s.classification
      ? "model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])"
      : 'model.compile(optimizer=optimizer, loss=keras.losses.MeanSquaredError())  # mean over every output of every row',
    '',
    'x_train, y_train, x_val, y_val = load_data()',
    '# fit() shuffles every epoch and ends each with a smaller batch when the rows do not divide evenly;',
    '# the lab keeps every batch full and lets one straddle two epochs.',
    'model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=True, validation_data=(x_val, y_val))',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------
// JAX + optax

const JAX_ACTIVATIONS: Record<string, (z: string) => string> = {
  relu: (z) => `jax.nn.relu(${z})`,
  leaky_relu: (z) => `jax.nn.leaky_relu(${z}, negative_slope=${py(LEAKY_SLOPE)})`,
  tanh: (z) => `jnp.tanh(${z})`,
  sigmoid: (z) => `jax.nn.sigmoid(${z})`,
  // jax.nn.gelu defaults to the tanh approximation.
  gelu: (z) => `jax.nn.gelu(${z}, approximate=False)`,
  gelu_tanh: (z) => `jax.nn.gelu(${z}, approximate=True)`,
  linear: (z) => z,
};

function optaxSchedule(s: Setup): string[] {
  const h = s.hyper;
  if (h.decay === 'none') return [];
  if (h.decay === 'cosine') return [`schedule = optax.cosine_decay_schedule(${py(h.learningRate)}, decay_steps=STEPS)`];
  const period = stepsPerDrop(s);
  if (period !== undefined && h.decay !== 'inverse_time') {
    return [
      `# The lab's ${h.decay} schedule: its epochs are whole steps here (${period} steps per drop).`,
      `schedule = optax.exponential_decay(${py(h.learningRate)}, transition_steps=${period}, decay_rate=DECAY_RATE, staircase=True)`,
    ];
  }
  const why =
    h.decay === 'inverse_time' ? 'optax has no inverse-time schedule' : 'an epoch is not a whole number of steps here';
  return [
    `# The lab's ${h.decay} schedule as a function of the step count (${why}).`,
    'def schedule(step):',
    `    return ${py(h.learningRate)} * ${decayFactor(h.decay)}`,
  ];
}

function optaxOptimizer(s: Setup): string {
  const h = s.hyper;
  const wd = h.weightDecay;
  const lr = h.decay === 'none' ? py(h.learningRate) : 'schedule';
  // add_decayed_weights adds wd * w (the weights before this step) to the update before the learning
  // rate scales it: the lab's decoupled decay, w -= lr_t * wd * w, for every optimizer.
  const decayed = `optax.add_decayed_weights(${py(wd)})`;
  const scaled = `optax.scale_by_learning_rate(${lr})`;
  switch (h.optimizer) {
    case 'sgd':
      return wd > 0 ? `optax.chain(${decayed}, ${scaled})` : `optax.sgd(${lr})`;
    case 'momentum':
      return wd > 0
        ? `optax.chain(optax.trace(decay=${py(h.beta1)}), ${decayed}, ${scaled})`
        : `optax.sgd(${lr}, momentum=${py(h.beta1)})`;
    case 'rmsprop': {
      const args = `decay=${py(h.rmspropAlpha)}, eps=${py(h.epsilon)}, eps_in_sqrt=False`;
      return wd > 0
        ? `optax.chain(optax.scale_by_rms(${args}), ${decayed}, ${scaled})`
        : `optax.rmsprop(${lr}, ${args})`;
    }
    case 'adam': {
      const args = `b1=${py(h.beta1)}, b2=${py(h.beta2)}, eps=${py(h.epsilon)}`;
      return wd > 0 ? `optax.adamw(${lr}, ${args}, weight_decay=${py(wd)})` : `optax.adam(${lr}, ${args})`;
    }
  }
}

function optaxCode(s: Setup): string {
  if (s.image) throw new Error('the optax script builds MLPs only: copy this CNN as PyTorch or Keras code');
  if (s.layout.some(({ spec }) => spec.kind === 'batchnorm'))
    throw new Error('the optax script has no batch norm: copy this model as PyTorch or Keras code');
  const act = activationOf(JAX_ACTIVATIONS, s.activation);
  const init =
    s.init === 'he'
      ? "    init = jax.nn.initializers.variance_scaling(2.0, 'fan_in', 'normal')  # He: N(0, 2/fan_in) (he_normal would truncate)"
      : "    init = jax.nn.initializers.variance_scaling(1.0, 'fan_avg', 'normal')  # Xavier: N(0, 2/(fan_in + fan_out)) (glorot_normal would truncate)";
  const loss = s.classification
    ? 'optax.softmax_cross_entropy_with_integer_labels(forward(params, x), y).mean()'
    : 'jnp.mean((forward(params, x) - y) ** 2)  # mean over every output of every row';
  return [
    ...header(s, 'JAX + optax'),
    'import jax',
    'import jax.numpy as jnp',
    'import numpy as np',
    'import optax',
    '',
    ...constants(s),
    '',
    '',
    ...loadData(s, s.classification ? '[N] int class indices' : `[N, ${s.request.data.outputs}] float32`),
    '',
    '',
    'def init_params(key):',
    init,
    `    widths = [${s.widths.join(', ')}]`,
    '    params = []',
    '    for fan_in, fan_out in zip(widths[:-1], widths[1:]):',
    '        key, sub = jax.random.split(key)',
    '        params.append((init(sub, (fan_in, fan_out), jnp.float32), jnp.zeros(fan_out, jnp.float32)))',
    '    return params',
    '',
    '',
    'def forward(params, x):',
    '    for w, b in params[:-1]:',
    `        x = ${act('x @ w + b')}`,
    '    w, b = params[-1]',
    '    return x @ w + b  # logits',
    '',
    '',
    'def loss_fn(params, x, y):',
    `    return ${loss}`,
    '',
    '',
    ...optaxSchedule(s),
    ...(s.hyper.decay === 'none' ? [] : ['', '']),
    `optimizer = ${optaxOptimizer(s)}`,
    '',
    '',
    '@jax.jit',
    'def train_step(params, opt_state, x, y):',
    '    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)',
    '    updates, opt_state = optimizer.update(grads, opt_state, params)',
    '    return optax.apply_updates(params, updates), opt_state, loss',
    '',
    '',
    'x_train, y_train, x_val, y_val = load_data()',
    'params = init_params(jax.random.PRNGKey(SEED))',
    'opt_state = optimizer.init(params)',
    'rng = np.random.default_rng(SEED)',
    'order = np.empty(0, dtype=np.int64)',
    'for step in range(STEPS):',
    '    # A fresh shuffle every epoch; a batch may straddle two epochs, as in the lab.',
    '    while len(order) < BATCH_SIZE:',
    '        order = np.concatenate([order, rng.permutation(len(x_train))])',
    '    batch, order = order[:BATCH_SIZE], order[BATCH_SIZE:]',
    '    params, opt_state, loss = train_step(params, opt_state, x_train[batch], y_train[batch])',
    "print('validation loss', float(loss_fn(params, x_val, y_val)))",
    '',
  ].join('\n');
}

/**
 * A training script for one trial's configuration in `framework`. Throws (with the reason)
 * only for params that cannot make a model, which a trial that trained never has.
 */
export function trainingCode(framework: Framework, request: CodeRequest): string {
  const s = setup(request);
  if (framework === 'pytorch') return pytorchCode(s);
  if (framework === 'keras') return kerasCode(s);
  return optaxCode(s);
}
