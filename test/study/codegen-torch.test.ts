// The generated PyTorch script, run by real PyTorch, trains to the same weights as the lab's
// CPU engine: both start from the lab's initial weights and see the lab's batches (torch's
// randperm is replaced by the lab's per-epoch permutations, which the script's loop consumes
// exactly as the lab does), then the final weights are compared. Needs a python3 with torch
// (Debian's python3-torch); without one the test is skipped and says so.
import { spawnSync } from 'node:child_process';
import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { hash32, permuteIndex } from '../../src/search/random.ts';
import { trainingCode } from '../../src/study/codegen.ts';
import { dataShapeOfTrainingData } from '../../src/study/cost.ts';
import { trialBucket, trialModel } from '../../src/study/population.ts';
import { defaultStudy } from '../../src/study/spec.ts';
import { createCpuEngine } from '../../src/train/cpu/engine.ts';
import { initParameters } from '../../src/train/cpu/ops.ts';
import { digitsTrainingData } from '../../src/train/data/digits.ts';
import { decodeDigitsPack } from '../../src/train/data/digitsFormat.ts';
import { digitsAssetBytes } from '../../src/train/data/digitsPack.ts';
import { makeDataset } from '../../src/train/data/synthetic.ts';
import { block, modelLayout } from '../../src/train/layers.ts';
import type { PopulationShape, TrainingData } from '../../src/train/types.ts';

const torchPython = ['python3', '/usr/bin/python3'].find(
  (python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
);
if (!torchPython)
  console.log(
    '[codegen-torch] no python3 with torch here: the generated PyTorch code is not run (apt-get install python3-torch)',
  );

const STEPS = 40;
const spec = { ...defaultStudy(), training: { steps: STEPS, reportEvery: STEPS } };
// 72 training rows in batches of 16: 4.5 steps per epoch, so every schedule's floor matters.
const spiral = makeDataset('spiral', { count: 96, noise: 0.1, validationFraction: 0.25, seed: 3 });
const plane = makeDataset('plane', { count: 96, noise: 0.1, validationFraction: 0.25, seed: 3 });

interface Case {
  name: string;
  params: Record<string, string | number>;
  data: TrainingData;
}

const cases: Case[] = [];
for (const optimizer of ['sgd', 'momentum', 'rmsprop', 'adam']) {
  for (const [i, decay] of ['none', 'inverse_time', 'exponential', 'step', 'cosine'].entries()) {
    const weightDecay = i % 2 ? 0.01 : 0;
    cases.push({
      name: `${optimizer} ${decay} wd=${weightDecay}`,
      params: {
        optimizer,
        decay,
        weightDecay,
        learningRate: optimizer === 'sgd' || optimizer === 'momentum' ? 0.05 : 0.01,
      },
      data: spiral,
    });
  }
}
for (const activation of ['leaky_relu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh', 'linear'])
  cases.push({
    name: `adam ${activation}`,
    params: { activation, hiddenLayers: activation === 'linear' ? 0 : 2 },
    data: spiral,
  });
// CNNs (no dropout: torch draws its own masks) on 14×14 digits: each kernel and pooling, conv weights in torch's [F, C, k, k].
const digits = digitsTrainingData(decodeDigitsPack(inflateSync(digitsAssetBytes())), {
  count: 96,
  validationFraction: 0.25,
  seed: 3,
});
cases.push(
  {
    name: 'cnn 2 blocks 3×3 max',
    params: { architecture: 'cnn', convBlocks: 2, convFilters: 4, kernelSize: '3', poolMode: 'max', hiddenLayers: 1 },
    data: digits,
  },
  {
    name: 'cnn 1 block 5×5 avg, momentum, no hidden layer',
    params: {
      architecture: 'cnn',
      convBlocks: 1,
      convFilters: 3,
      kernelSize: '5',
      poolMode: 'avg',
      hiddenLayers: 0,
      optimizer: 'momentum',
      learningRate: 0.05,
      activation: 'tanh',
    },
    data: digits,
  },
);
// Batch norm after each hidden layer (momentum and plain SGD: Adam and RMSprop scale up the rounding noise
// that is all the bias before a batch norm gets, see README), γ, β and the running statistics compared too.
cases.push(
  {
    name: 'batch norm, momentum, relu',
    params: { batchNorm: 'on', optimizer: 'momentum', learningRate: 0.05 },
    data: spiral,
  },
  {
    name: 'batch norm, sgd with weight decay, tanh, cosine',
    params: {
      batchNorm: 'on',
      optimizer: 'sgd',
      learningRate: 0.1,
      weightDecay: 0.01,
      activation: 'tanh',
      decay: 'cosine',
    },
    data: spiral,
  },
);
cases.push({
  name: 'sgd regression (MSE)',
  params: { optimizer: 'sgd', learningRate: 0.02, activation: 'tanh' },
  data: plane,
});

/**
 * Per layer with parameters: W [rows × cols] row-major (the lab's layout: a conv's rows are (c·k + ky)·k + kx)
 * and b; a batch norm's γ and β. Then each batch norm's running mean and variance.
 */
type Layers = Array<[number[], number[]]>;

function layers(shape: PopulationShape, params: Float32Array): Layers {
  return modelLayout(shape)
    .filter((layer) => layer.blocks.length > 0)
    .map((layer) => {
      const norm = layer.spec.kind === 'batchnorm';
      const w = block(layer, norm ? 'scale' : 'weights');
      const b = block(layer, norm ? 'shift' : 'bias');
      return [
        Array.from(params.subarray(w.offset, w.offset + w.rows * w.cols)),
        Array.from(params.subarray(b.offset, b.offset + b.cols)),
      ];
    });
}

function runningStatistics(shape: PopulationShape, statistics: Float32Array): Layers {
  return modelLayout(shape)
    .filter((layer) => layer.statistics.length > 0)
    .map((layer) => {
      const [mean, variance] = [block(layer, 'runningMean'), block(layer, 'runningVariance')];
      return [
        Array.from(statistics.subarray(mean.offset, mean.offset + mean.cols)),
        Array.from(statistics.subarray(variance.offset, variance.offset + variance.cols)),
      ];
    });
}

async function labRun(c: Case) {
  const params = {
    ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])),
    batchSize: 16,
    hiddenLayers: 2,
    hiddenUnits: 8,
    decayRate: 0.7,
    ...c.params,
  };
  const hyper = trialModel(params, spec.seed, 5);
  const shape: PopulationShape = {
    ...trialBucket(params, c.data),
    inputs: c.data.inputs,
    outputs: c.data.outputs,
    maxHidden: hyper.hiddenUnits,
  };
  const result = await createCpuEngine().train({
    shape,
    models: [hyper],
    data: c.data,
    steps: STEPS,
    reportEvery: STEPS,
  });
  const n = c.data.train.count;
  const epochs = Math.ceil((STEPS * shape.batchSize) / n) + 1;
  const perms = Array.from({ length: epochs }, (_, e) =>
    Array.from({ length: n }, (_, i) => permuteIndex(i, n, hash32(hyper.dataSeed, e))),
  );
  const code = trainingCode('pytorch', {
    spec,
    trial: { id: 5, params, state: 'COMPLETE', objective: 0, steps: STEPS },
    data: dataShapeOfTrainingData(c.data),
  });
  return {
    lab: layers(shape, result.parameters[0]),
    labStatistics: runningStatistics(shape, result.statistics[0]),
    input: {
      code,
      perms,
      init: layers(shape, initParameters(shape, hyper)),
      x: Array.from(c.data.train.x),
      y: Array.from(c.data.train.y),
      inputs: c.data.inputs,
      outputs: c.data.outputs,
      classification: c.data.task === 'classification',
    },
  };
}

const HARNESS = String.raw`
import contextlib, io, json, sys
import torch
out = []
for case in json.load(sys.stdin):
    perms = iter([torch.tensor(p, dtype=torch.long) for p in case["perms"]])
    torch.randperm = lambda n, generator=None: next(perms)
    x = torch.tensor(case["x"], dtype=torch.float32).reshape(-1, case["inputs"])
    y = torch.tensor(case["y"]).long() if case["classification"] else torch.tensor(case["y"], dtype=torch.float32).reshape(-1, case["outputs"])

    # The lab's W [rows x cols] is torch's weight [cols, ...] transposed: Linear [out, in], Conv2d [F, C, k, k];
    # a batch norm's weight and bias are its γ and β [C].
    norms = (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)
    def weighted(model):
        return [m for m in model if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d) + norms)]

    def set_weights(model, init=case["init"]):
        with torch.no_grad():
            for layer, (w, b) in zip(weighted(model), init):
                cols = layer.weight.shape[0]
                layer.weight.copy_(torch.tensor(w, dtype=torch.float32).reshape(-1, cols).T.reshape(layer.weight.shape))
                layer.bias.copy_(torch.tensor(b, dtype=torch.float32))

    code = case["code"].replace(
        "x_train, y_train, x_val, y_val = load_data()",
        "x_train, y_train, x_val, y_val = HARNESS_DATA\nHARNESS_SET_WEIGHTS(model)",
    )
    assert "HARNESS_SET_WEIGHTS" in code, "the script no longer loads its data with load_data()"
    scope = {"HARNESS_DATA": (x, y, x[:4], y[:4]), "HARNESS_SET_WEIGHTS": set_weights, "__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, scope)
    model = scope["model"]
    out.append({
        "layers": [[m.weight.detach().reshape(m.weight.shape[0], -1).T.reshape(-1).tolist(), m.bias.detach().tolist()] for m in weighted(model)],
        "statistics": [[m.running_mean.tolist(), m.running_var.tolist()] for m in model if isinstance(m, norms)],
    })
print(json.dumps(out))
`;

describe('generated PyTorch code', () => {
  it.skipIf(!torchPython)(
    `trains to the lab's weights in ${STEPS} steps: every optimizer × schedule (with and without weight decay), every activation, MSE, CNNs, batch norm (running statistics too)`,
    async () => {
      const runs = await Promise.all(cases.map(labRun));
      const result = spawnSync(torchPython!, ['-c', HARNESS], {
        input: JSON.stringify(runs.map((r) => r.input)),
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
      const torchRuns = JSON.parse(result.stdout) as Array<{ layers: Layers; statistics: Layers }>;
      const differences = cases.map((c, i) => {
        let worst = 0;
        let moved = 0;
        // Two hidden layers: two batch norms where it is on, each compared (running mean and variance) below.
        expect(runs[i].labStatistics.length, c.name).toBe(c.params.batchNorm === 'on' ? 2 : 0);
        expect(torchRuns[i].statistics.length, c.name).toBe(runs[i].labStatistics.length);
        runs[i].labStatistics.forEach((pair, l) =>
          pair.forEach((values, k) =>
            values.forEach((v, j) => {
              worst = Math.max(worst, Math.abs(v - torchRuns[i].statistics[l][k][j]));
            }),
          ),
        );
        runs[i].lab.forEach(([w, b], l) => {
          const [tw, tb] = torchRuns[i].layers[l];
          [...w, ...b].forEach((v, k) => {
            const t = k < w.length ? tw[k] : tb[k - w.length];
            worst = Math.max(worst, Math.abs(v - t));
            const start = k < w.length ? runs[i].input.init[l][0][k] : runs[i].input.init[l][1][k - w.length];
            moved = Math.max(moved, Math.abs(v - start));
          });
        });
        return { name: c.name, worst, moved };
      });
      for (const d of differences)
        console.log(
          `[codegen-torch] ${d.name}: largest weight difference ${d.worst.toExponential(2)} (weights moved up to ${d.moved.toFixed(3)})`,
        );
      // Training moved the weights (the comparison is not of two untouched copies)...
      for (const d of differences) expect(d.moved, d.name).toBeGreaterThan(1e-3);
      // ...and both agree to float32 rounding accumulated over the steps (largest seen: 3.1e-6).
      for (const d of differences) expect(d.worst, d.name).toBeLessThan(2e-5);
    },
    120_000,
  );
});

const INIT_HARNESS = `
import json, sys
import torch
out = []
for code in json.load(sys.stdin):
    code = code.replace("x_train, y_train, x_val, y_val = load_data()", "raise StopIteration")
    scope = {"__name__": "__main__"}
    try:
        exec(code, scope)
    except StopIteration:
        pass
    layers = []
    for m in scope["model"]:
        if isinstance(m, torch.nn.Linear):
            w = m.weight.detach().double()
            sd = w.std().item()
            layers.append({"fan_in": m.in_features, "fan_out": m.out_features, "std": sd, "beyond2sd": (w.abs() > 2 * sd).double().mean().item(), "bias_max": m.bias.detach().abs().max().item()})
    out.append(layers)
print(json.dumps(out))
`;

describe('generated PyTorch init', () => {
  it.skipIf(!torchPython)(
    "draws the lab's He N(0, 2/fan_in) and Xavier N(0, 2/(fan_in + fan_out)), untruncated, with zero biases",
    () => {
      const data = {
        task: 'classification' as const,
        inputs: 300,
        outputs: 200,
        trainCount: 1000,
        validationCount: 100,
      };
      const codes = ['relu', 'tanh'].map((activation) => {
        const params = {
          ...Object.fromEntries(spec.space.map((r) => [r.name, r.default])),
          activation,
          hiddenLayers: 1,
          hiddenUnits: 400,
        };
        return trainingCode('pytorch', {
          spec,
          trial: { id: 1, params, state: 'COMPLETE', objective: 0, steps: STEPS },
          data,
        });
      });
      const result = spawnSync(torchPython!, ['-c', INIT_HARNESS], { input: JSON.stringify(codes), encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
      const [he, xavier] = JSON.parse(result.stdout) as Array<
        Array<{ fan_in: number; fan_out: number; std: number; beyond2sd: number; bias_max: number }>
      >;
      for (const [layers, variance] of [
        [he, (i: number) => 2 / i],
        [xavier, (i: number, o: number) => 2 / (i + o)],
      ] as const) {
        expect(layers.map((l) => [l.fan_in, l.fan_out])).toEqual([
          [300, 400],
          [400, 200],
        ]);
        for (const l of layers) {
          // 80 000+ draws per layer: the sample sd is within 1% of the formula's (its own error is ~0.25%).
          expect(Math.abs(l.std / Math.sqrt(variance(l.fan_in, l.fan_out)) - 1)).toBeLessThan(0.01);
          // A normal has 4.55% of draws beyond 2 sd; a truncated one (Keras's HeNormal) has none.
          expect(l.beyond2sd).toBeGreaterThan(0.04);
          expect(l.beyond2sd).toBeLessThan(0.051);
          expect(l.bias_max).toBe(0);
        }
      }
    },
    60_000,
  );
});
