// "Copy best configuration as…": the key lines of each framework's script, a script for every
// optimizer × schedule × activation × task that Python parses, and the learning-rate schedule
// of the generated code evaluated by Python equal to the CPU engine's learningRateAt.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type CodeRequest, FRAMEWORKS, type Framework, trainingCode } from '../../src/study/codegen.ts';
import type { DataShape } from '../../src/study/cost.ts';
import { trialModel } from '../../src/study/population.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { learningRateAt } from '../../src/train/cpu/ops.ts';
import { ACTIVATIONS, DECAYS, type DecayKind, OPTIMIZERS } from '../../src/train/types.ts';

const spec = defaultStudy();
const spiral: DataShape = { task: 'classification', inputs: 2, outputs: 2, trainCount: 384, validationCount: 128 };

function request(overrides: Record<string, string | number>, data: DataShape = spiral): CodeRequest {
  const params = { ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])), ...overrides };
  return { spec, trial: { id: 7, params, state: 'COMPLETE', objective: 0.125, steps: spec.training.steps }, data };
}
const code = (framework: Framework, overrides: Record<string, string | number>, data?: DataShape) =>
  trainingCode(framework, request(overrides, data));
const lines = (text: string) => text.split('\n').map((l) => l.trim());

const python3 = spawnSync('python3', ['--version']).status === 0;

/** Runs a Python script with JSON on stdin and returns its JSON output. */
function runPython(script: string, input: unknown): unknown {
  const result = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('key lines', () => {
  it('a trial trained under population-based training is written with the hyperparameters it ended with', () => {
    const base = request({ learningRate: 0.01, hiddenUnits: 16 });
    const ended = { ...base.trial.params, learningRate: 0.0125, hiddenUnits: 24 };
    const lineage = [
      { step: 40, from: 3, params: { ...base.trial.params, learningRate: 0.008 } },
      { step: 80, from: 5, params: ended },
    ];
    const text = lines(trainingCode('pytorch', { ...base, trial: { ...base.trial, lineage } }));
    expect(text).toContain("# It trained under population-based training: 2 times it copied a better trial's weights");
    expect(text).toContain('# and went on with perturbed hyperparameters (last at step 80, from trial #5).');
    expect(text.some((l) => l.includes('0.0125'))).toBe(true);
    expect(text.some((l) => l.includes('nn.Linear(2, 24)'))).toBe(true);
    expect(text.some((l) => l.includes('0.01,') || l.includes('nn.Linear(2, 16)'))).toBe(false);
  });

  it("PyTorch: momentum SGD in PyTorch's form, layers, He init, zero biases, cross-entropy", () => {
    const text = lines(
      code('pytorch', { optimizer: 'momentum', learningRate: 0.01, beta1: 0.9, hiddenLayers: 2, hiddenUnits: 16 }),
    );
    expect(text).toContain('optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)');
    expect(text).toContain("nn.init.kaiming_normal_(layer.weight, mode='fan_in', nonlinearity='relu')");
    expect(text).toContain('nn.init.zeros_(layer.bias)');
    expect(text).toContain('loss_fn = nn.CrossEntropyLoss()  # mean softmax cross-entropy over the batch');
    const model = text.slice(
      text.indexOf('model = nn.Sequential('),
      text.indexOf(')', text.indexOf('model = nn.Sequential(')) + 1,
    );
    expect(model).toEqual([
      'model = nn.Sequential(',
      'nn.Linear(2, 16),',
      'nn.ReLU(),',
      'nn.Linear(16, 16),',
      'nn.ReLU(),',
      'nn.Linear(16, 2),',
      ')',
    ]);
    expect(text).toContain('BATCH_SIZE = 32');
    expect(text).toContain('STEPS = 500  # optimizer steps: 41.67 epochs of 384 training rows');
    expect(text.some((l) => l.startsWith('scheduler'))).toBe(false);
  });

  it('PyTorch: Adam with weight decay is AdamW; momentum and RMSprop decay the weights by hand before the step', () => {
    expect(
      lines(
        code('pytorch', {
          optimizer: 'adam',
          learningRate: 0.003,
          beta1: 0.95,
          beta2: 0.99,
          epsilon: 1e-7,
          weightDecay: 0.01,
        }),
      ),
    ).toContain(
      'optimizer = torch.optim.AdamW(model.parameters(), lr=0.003, betas=(0.95, 0.99), eps=1e-7, weight_decay=0.01)',
    );
    expect(lines(code('pytorch', { optimizer: 'adam' }))).toContain(
      'optimizer = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)',
    );
    expect(lines(code('pytorch', { optimizer: 'sgd', weightDecay: 0.001 }))).toContain(
      'optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=0.001)',
    );
    const rms = lines(code('pytorch', { optimizer: 'rmsprop', rmspropAlpha: 0.95, epsilon: 1e-8, weightDecay: 0.001 }));
    expect(rms).toContain('optimizer = torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.95, eps=1e-8)');
    const shrink = rms.indexOf("shrink = 1 - optimizer.param_groups[0]['lr'] * 0.001");
    expect(shrink).toBeGreaterThan(rms.indexOf('loss.backward()'));
    expect(shrink).toBeLessThan(rms.indexOf('optimizer.step()'));
    expect(lines(code('pytorch', { optimizer: 'rmsprop' })).some((l) => l.includes('shrink'))).toBe(false);
  });

  it('PyTorch: activations (leaky slope 0.01, exact and tanh GELU), Xavier for saturating ones, MSE for regression', () => {
    expect(lines(code('pytorch', { activation: 'leaky_relu' }))).toContain('nn.LeakyReLU(negative_slope=0.01),');
    expect(lines(code('pytorch', { activation: 'gelu' }))).toContain('nn.GELU(),');
    const tanh = lines(
      code(
        'pytorch',
        { activation: 'tanh' },
        { task: 'regression', inputs: 3, outputs: 1, trainCount: 100, validationCount: 20 },
      ),
    );
    expect(tanh).toContain('nn.init.xavier_normal_(layer.weight)');
    expect(tanh).toContain('loss_fn = nn.MSELoss()  # mean over every output of every row');
    expect(tanh).toContain('nn.Linear(3, 16),');
    expect(tanh).toContain('nn.Linear(16, 1),');
    expect(() => code('pytorch', { activation: 'swish' })).toThrow(/activation must be one of/);
  });

  // The tanh-approximated GELU is a choice once the engines offer it (types.ts ACTIVATIONS).
  it.skipIf(!(ACTIVATIONS as readonly string[]).includes('gelu_tanh'))(
    'gelu_tanh: the tanh approximation in each framework',
    () => {
      expect(lines(code('pytorch', { activation: 'gelu_tanh' }))).toContain("nn.GELU(approximate='tanh'),");
      expect(
        lines(code('keras', { activation: 'gelu_tanh' })).some((l) =>
          l.includes('keras.activations.gelu(x, approximate=True)'),
        ),
      ).toBe(true);
      expect(lines(code('optax', { activation: 'gelu_tanh' }))).toContain(
        'x = jax.nn.gelu(x @ w + b, approximate=True)',
      );
    },
  );

  it('Keras: untruncated He/Glorot, explicit leaky slope, decoupled weight_decay, comments where Keras differs', () => {
    const momentum = lines(
      code('keras', {
        optimizer: 'momentum',
        beta1: 0.9,
        decay: 'cosine',
        weightDecay: 0.0001,
        activation: 'leaky_relu',
      }),
    );
    expect(momentum).toContain(
      "init = keras.initializers.VarianceScaling(scale=2.0, mode='fan_in', distribution='untruncated_normal')",
    );
    expect(momentum).toContain('keras.layers.LeakyReLU(negative_slope=0.01),');
    expect(momentum).toContain('learning_rate = keras.optimizers.schedules.CosineDecay(0.01, decay_steps=STEPS)');
    expect(momentum).toContain(
      'optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9, weight_decay=0.0001)',
    );
    expect(momentum.some((l) => l.includes("folds each step's learning rate into the velocity"))).toBe(true);
    expect(lines(code('keras', { optimizer: 'momentum', beta1: 0 }))).toContain(
      'optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.0)',
    );
    const rms = lines(code('keras', { optimizer: 'rmsprop', rmspropAlpha: 0.95 }));
    expect(rms).toContain(
      'optimizer = keras.optimizers.RMSprop(learning_rate=learning_rate, rho=0.95, epsilon=1e-8 ** 2)',
    );
    expect(rms.some((l) => l.includes('sqrt(s + eps)'))).toBe(true);
    expect(lines(code('keras', { optimizer: 'adam', weightDecay: 0.01 }))).toContain(
      'optimizer = keras.optimizers.AdamW(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8, weight_decay=0.01)',
    );
    const sigmoid = lines(code('keras', { activation: 'sigmoid', hiddenLayers: 1 }));
    expect(sigmoid).toContain(
      "init = keras.initializers.VarianceScaling(scale=1.0, mode='fan_avg', distribution='untruncated_normal')",
    );
    expect(sigmoid).toContain(
      "keras.layers.Dense(16, activation='sigmoid', kernel_initializer=init, bias_initializer='zeros'),",
    );
    expect(sigmoid).toContain("keras.layers.Dense(2, kernel_initializer=init, bias_initializer='zeros'),  # logits");
    expect(sigmoid).toContain('EPOCHS = 42  # fit() takes ceil(384 / 32) = 12 steps per epoch: 504 steps in all');
    expect(lines(code('keras', { activation: 'gelu' }))).toContain(
      "keras.layers.Dense(16, activation='gelu', kernel_initializer=init, bias_initializer='zeros'),",
    );
  });

  it("Keras: a staircase built-in where epochs are whole steps, the lab's formula as a schedule class where not", () => {
    expect(lines(code('keras', { decay: 'exponential', decayRate: 0.8 }))).toContain(
      'learning_rate = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=12, decay_rate=DECAY_RATE, staircase=True)',
    );
    expect(lines(code('keras', { decay: 'inverse_time' }))).toContain(
      'learning_rate = keras.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=12, decay_rate=DECAY_RATE, staircase=True)',
    );
    expect(lines(code('keras', { decay: 'step' }))).toContain(
      'learning_rate = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=60, decay_rate=DECAY_RATE, staircase=True)',
    );
    expect(lines(code('keras', { decay: 'exponential', batchSize: 256 }))).toContain(
      'class LabSchedule(keras.optimizers.schedules.LearningRateSchedule):',
    );
  });

  it('optax: PyTorch-form RMSprop (eps outside the root), decoupled decay by add_decayed_weights, adamw', () => {
    expect(lines(code('optax', { optimizer: 'momentum', beta1: 0.9 }))).toContain(
      'optimizer = optax.sgd(0.01, momentum=0.9)',
    );
    expect(lines(code('optax', { optimizer: 'rmsprop', rmspropAlpha: 0.95 }))).toContain(
      'optimizer = optax.rmsprop(0.01, decay=0.95, eps=1e-8, eps_in_sqrt=False)',
    );
    expect(lines(code('optax', { optimizer: 'momentum', beta1: 0.9, weightDecay: 0.001, decay: 'cosine' }))).toContain(
      'optimizer = optax.chain(optax.trace(decay=0.9), optax.add_decayed_weights(0.001), optax.scale_by_learning_rate(schedule))',
    );
    expect(lines(code('optax', { optimizer: 'adam', weightDecay: 0.01 }))).toContain(
      'optimizer = optax.adamw(0.01, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.01)',
    );
    expect(lines(code('optax', { decay: 'cosine' }))).toContain(
      'schedule = optax.cosine_decay_schedule(0.01, decay_steps=STEPS)',
    );
    expect(lines(code('optax', { decay: 'step' }))).toContain(
      'schedule = optax.exponential_decay(0.01, transition_steps=60, decay_rate=DECAY_RATE, staircase=True)',
    );
    const jax = lines(code('optax', { activation: 'gelu', hiddenLayers: 3, hiddenUnits: 8 }));
    expect(jax).toContain(
      "init = jax.nn.initializers.variance_scaling(2.0, 'fan_in', 'normal')  # He: N(0, 2/fan_in) (he_normal would truncate)",
    );
    expect(jax).toContain('widths = [2, 8, 8, 8, 2]');
    expect(jax).toContain('x = jax.nn.gelu(x @ w + b, approximate=False)');
  });

  const digits: DataShape = {
    task: 'classification',
    inputs: 196,
    outputs: 10,
    trainCount: 800,
    validationCount: 200,
    image: { channels: 1, height: 14, width: 14 },
  };
  const cnn = { architecture: 'cnn', convBlocks: 2, convFilters: 4, kernelSize: '5', hiddenLayers: 1, hiddenUnits: 32 };
  /** The lines of `text` from `start` to the first line that is `end`. */
  const between = (text: string[], start: string, end: string) =>
    text.slice(text.indexOf(start), text.indexOf(end, text.indexOf(start)) + 1);

  it('PyTorch: a CNN unflattens each row to [C, H, W], convolves with same padding, pools, flattens, drops out; conv weights get the init too', () => {
    const text = lines(code('pytorch', { ...cnn, poolMode: 'avg', dropout: 0.25 }, digits));
    expect(between(text, 'model = nn.Sequential(', ')')).toEqual([
      'model = nn.Sequential(',
      'nn.Unflatten(1, (1, 14, 14)),  # each row is an image [C, H, W], channel-major as in the lab',
      'nn.Conv2d(1, 4, 5, padding=5 // 2),',
      'nn.ReLU(),',
      'nn.AvgPool2d(2),',
      'nn.Conv2d(4, 8, 5, padding=5 // 2),',
      'nn.ReLU(),',
      'nn.AvgPool2d(2),',
      'nn.Flatten(),',
      'nn.Linear(72, 32),',
      'nn.ReLU(),',
      "nn.Dropout(0.25),  # torch draws its own masks, not the lab's",
      'nn.Linear(32, 10),',
      ')',
    ]);
    expect(text).toContain('if isinstance(layer, (nn.Conv2d, nn.Linear)):');
    expect(lines(code('pytorch', { ...cnn, convBlocks: 1 }, digits))).toContain('nn.MaxPool2d(2),');
  });

  it("Keras: a CNN convolves channels-last between two Permutes, so Flatten gives the lab's [C, H, W] order; optax refuses it", () => {
    const text = lines(code('keras', { ...cnn, activation: 'leaky_relu', dropout: 0.5 }, digits));
    expect(between(text, 'model = keras.Sequential([', '])')).toEqual([
      'model = keras.Sequential([',
      'keras.Input(shape=(196,)),',
      'keras.layers.Reshape((1, 14, 14)),  # each row is an image [C, H, W], channel-major as in the lab',
      'keras.layers.Permute((2, 3, 1)),  # to [H, W, C]: Keras convolves channels-last',
      "keras.layers.Conv2D(4, 5, padding='same', kernel_initializer=init, bias_initializer='zeros'),",
      'keras.layers.LeakyReLU(negative_slope=0.01),',
      'keras.layers.MaxPooling2D(2),',
      "keras.layers.Conv2D(8, 5, padding='same', kernel_initializer=init, bias_initializer='zeros'),",
      'keras.layers.LeakyReLU(negative_slope=0.01),',
      'keras.layers.MaxPooling2D(2),',
      'keras.layers.Permute((3, 1, 2)),  # back to [C, H, W], so Flatten orders the features as the lab does',
      'keras.layers.Flatten(),',
      "keras.layers.Dense(32, kernel_initializer=init, bias_initializer='zeros'),",
      'keras.layers.LeakyReLU(negative_slope=0.01),',
      "keras.layers.Dropout(0.5),  # Keras draws its own masks, not the lab's",
      "keras.layers.Dense(10, kernel_initializer=init, bias_initializer='zeros'),  # logits",
      '])',
    ]);
    expect(() => code('optax', cnn, digits)).toThrow(
      'the optax script builds MLPs only: copy this CNN as PyTorch or Keras code',
    );
  });

  it('batch norm: Linear → BatchNorm1d → activation in PyTorch; Keras with momentum 0.9, epsilon 1e-5 and its Activation; optax refuses', () => {
    const settings = { batchNorm: 'on', hiddenLayers: 1, hiddenUnits: 16, activation: 'gelu' };
    expect(between(lines(code('pytorch', settings)), 'model = nn.Sequential(', ')')).toEqual([
      'model = nn.Sequential(',
      'nn.Linear(2, 16),',
      'nn.BatchNorm1d(16),  # validation (model.eval()) normalises by the running statistics',
      'nn.GELU(),',
      'nn.Linear(16, 2),',
      ')',
    ]);
    expect(between(lines(code('keras', settings)), 'model = keras.Sequential([', '])')).toEqual([
      'model = keras.Sequential([',
      'keras.Input(shape=(2,)),',
      "keras.layers.Dense(16, kernel_initializer=init, bias_initializer='zeros'),",
      'keras.layers.BatchNormalization(momentum=0.9, epsilon=0.00001),',
      "keras.layers.Activation('gelu'),",
      "keras.layers.Dense(2, kernel_initializer=init, bias_initializer='zeros'),  # logits",
      '])',
    ]);
    expect(() => code('optax', settings)).toThrow(
      'the optax script has no batch norm: copy this model as PyTorch or Keras code',
    );
  });

  it('refuses a data shape without training rows (a CSV study before its file is read)', () => {
    expect(() => code('pytorch', {}, { ...spiral, trainCount: 0 })).toThrow(
      'its training rows are not known until its data is loaded',
    );
  });

  it('says what the trial reached, and that a stopped trial is partial; study text in comments stays on one line', () => {
    const csvSpec = {
      ...spec,
      data: {
        kind: 'csv' as const,
        fileName: 'evil\nimport os.csv',
        target: 'y',
        features: ['a'],
        validationFraction: 0.2,
        seed: 1,
      },
    };
    const params = Object.fromEntries(spec.space.map((r) => [r.name, r.default]));
    const text = trainingCode('pytorch', {
      spec: csvSpec,
      trial: { id: 2, params, state: 'STOPPED', objective: 0.5, steps: 120 },
      data: spiral,
    });
    expect(text).toContain(
      '# In the lab it reached validation loss 0.5 after 120 steps. It was stopped early, so this is a partial result.',
    );
    expect(text).toContain('# Data: the CSV file "evil import os.csv" (target "y")');
    expect(text.split('\n').some((l) => l.startsWith('import os'))).toBe(false);
  });

  it("quotes the lab's validation loss to 4 significant digits, as a person reads it", () => {
    const params = Object.fromEntries(spec.space.map((r) => [r.name, r.default]));
    const text = trainingCode('pytorch', {
      spec,
      trial: { id: 0, params, state: 'COMPLETE', objective: 0.6372794508934021, steps: 300 },
      data: spiral,
    });
    expect(text).toContain('# In the lab it reached validation loss 0.6373 after 300 steps.');
  });
});

describe('every configuration', () => {
  const activations = ACTIVATIONS;
  const regression: DataShape = { task: 'regression', inputs: 5, outputs: 2, trainCount: 1000, validationCount: 100 };
  const scripts: Array<{ name: string; code: string }> = [];
  for (const { id } of FRAMEWORKS) {
    for (const optimizer of OPTIMIZERS) {
      for (const decay of DECAYS) {
        for (const activation of activations) {
          for (const [task, data, batchSize, weightDecay] of [
            ['c', spiral, 32, 0],
            ['r', regression, 48, 0.01],
          ] as const) {
            scripts.push({
              name: `${id} ${optimizer} ${decay} ${activation} ${task}`,
              code: code(
                id,
                { optimizer, decay, activation, batchSize, weightDecay, hiddenLayers: activation === 'linear' ? 0 : 2 },
                data,
              ),
            });
          }
        }
      }
    }
  }

  // CNNs on digits: each kernel and pooling, with and without dropout, PyTorch and Keras.
  const digits: DataShape = {
    task: 'classification',
    inputs: 784,
    outputs: 10,
    trainCount: 800,
    validationCount: 200,
    image: { channels: 1, height: 28, width: 28 },
  };
  for (const id of ['pytorch', 'keras'] as const)
    for (const [kernelSize, poolMode, dropout, convBlocks] of [
      ['3', 'max', 0, 1],
      ['5', 'avg', 0.3, 3],
    ] as const)
      scripts.push({
        name: `${id} cnn ${kernelSize} ${poolMode} ${dropout}`,
        code: code(id, { architecture: 'cnn', kernelSize, poolMode, dropout, convBlocks }, digits),
      });

  it(`produces code for each of ${FRAMEWORKS.length} frameworks × ${OPTIMIZERS.length} optimizers × ${DECAYS.length} schedules × ${activations.length} activations × 2 tasks`, () => {
    expect(scripts).toHaveLength(FRAMEWORKS.length * OPTIMIZERS.length * DECAYS.length * activations.length * 2 + 4);
    for (const { code: text } of scripts) expect(text).toMatch(/^# Trial #7 of a Tuning Lab study/);
  });

  it.skipIf(!python3)(
    'every script is valid Python (ast.parse)',
    () => {
      const script = [
        'import ast, json, sys',
        'errors = []',
        'for s in json.load(sys.stdin):',
        '    try:',
        '        ast.parse(s["code"])',
        '    except SyntaxError as e:',
        '        errors.append(f\'{s["name"]}: line {e.lineno}: {e.msg}\')',
        'print(json.dumps(errors))',
      ].join('\n');
      expect(runPython(script, scripts)).toEqual([]);
    },
    60_000,
  );
});

describe('learning-rate schedules', () => {
  // Trials whose epochs do and do not fall on whole steps (384/32 = 12; 384/256 = 1.5; 1000/48).
  const cases: Array<{ decay: Exclude<DecayKind, 'none'>; batchSize: number; trainCount: number }> = [];
  for (const decay of DECAYS.filter((d): d is Exclude<DecayKind, 'none'> => d !== 'none')) {
    for (const [batchSize, trainCount] of [
      [32, 384],
      [256, 384],
      [48, 1000],
    ])
      cases.push({ decay, batchSize, trainCount });
  }

  it.skipIf(!python3)(
    "PyTorch's LambdaLR factor and optax's schedule function, run by Python, equal the CPU engine's learningRateAt at every step (rel. 1e-14)",
    () => {
      const inputs = cases.map(({ decay, batchSize, trainCount }) => {
        const data = { ...spiral, trainCount };
        const torch = code('pytorch', { decay, batchSize, decayRate: 0.7, learningRate: 0.05 }, data);
        const optax = code('optax', { decay, batchSize, decayRate: 0.7, learningRate: 0.05 }, data);
        const constants = torch.split('\n').filter((l) => /^[A-Z_]+ = /.test(l));
        const lambda = /LambdaLR\(optimizer, (lambda step: .*)\)$/m.exec(torch)?.[1];
        const schedule = /^def schedule\(step\):\n {4}return (.*)$/m.exec(optax)?.[1];
        return { constants: constants.join('\n'), lambda, schedule };
      });
      for (const input of inputs) expect(input.lambda).toBeDefined();
      const script = [
        'import json, math, sys',
        'out = []',
        'for case in json.load(sys.stdin):',
        '    scope = {"math": math}',
        '    exec(case["constants"], scope)',
        '    factor = eval(case["lambda"], scope)',
        '    row = {"torch": [0.05 * factor(step) for step in range(scope["STEPS"])]}',
        '    if case.get("schedule"):',
        '        row["optax"] = [eval(case["schedule"], dict(scope, step=step)) for step in range(scope["STEPS"])]',
        '    out.append(row)',
        'print(json.dumps(out))',
      ].join('\n');
      const results = runPython(script, inputs) as Array<{ torch: number[]; optax?: number[] }>;
      let customOptax = 0;
      let worst = 0;
      cases.forEach(({ decay, batchSize, trainCount }, i) => {
        const hyper = {
          ...trialModel(request({ decay, batchSize, decayRate: 0.7, learningRate: 0.05 }).trial.params, spec.seed, 7),
        };
        const expected = Array.from({ length: spec.training.steps }, (_, step) =>
          learningRateAt(hyper, step, batchSize, trainCount, spec.training.steps),
        );
        for (const series of [results[i].torch, results[i].optax]) {
          if (!series) continue;
          expect(series).toHaveLength(expected.length);
          series.forEach((lr, step) => (worst = Math.max(worst, Math.abs(lr - expected[step]) / expected[step])));
        }
        if (results[i].optax) customOptax++;
      });
      console.log(
        `[codegen] largest relative difference of the generated schedules from learningRateAt: ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThanOrEqual(1e-14);
      // optax needs its own function for inverse_time always and for exponential/step off whole steps.
      expect(customOptax).toBe(3 + 2 + 2);
    },
    60_000,
  );

  it("a staircase built-in of the emitted period drops exactly when the lab's epoch count does", () => {
    for (const { decay, batchSize, trainCount } of cases) {
      if (decay === 'cosine') continue;
      const text = code('keras', { decay, batchSize }, { ...spiral, trainCount });
      const period = /decay_steps=(\d+), decay_rate=DECAY_RATE, staircase=True/.exec(text)?.[1];
      const every = decay === 'step' ? 5 : 1;
      expect(period !== undefined).toBe(Number.isInteger((trainCount * every) / batchSize));
      if (period === undefined) continue;
      for (let step = 0; step < spec.training.steps; step++) {
        expect(Math.floor(step / Number(period))).toBe(Math.floor(Math.floor((step * batchSize) / trainCount) / every));
      }
    }
  });
});
