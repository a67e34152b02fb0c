// Seeded synthetic 2-D data sets (the TensorFlow Playground's family plus sklearn's moons).
// Row i is a pure function of (seed, data set, i), so a study link reproduces its data.
// Features lie in about [-1, 1]; nothing is standardised here.
import { normal, uniform } from '../../search/random.ts';
import type { TrainingData } from '../types.ts';
import { splitRows } from './split.ts';

export type DatasetName = 'circle' | 'xor' | 'gauss' | 'spiral' | 'moons' | 'plane' | 'gaussian';

export interface DatasetOptions {
  /** Rows in all, before the split. */
  count: number;
  /**
   * Standard deviation of Gaussian noise, in feature units: added to both features
   * (classification, labels come from the clean point) or to the target (regression).
   */
  noise: number;
  /** Share of rows held out for validation, in [0, 1). */
  validationFraction: number;
  seed: number;
}

/** One clean row of row i: 2 features and the class index or regression target. */
type Generator = (draw: (k: number) => number, i: number, count: number) => { x: number; y: number; out: number };

interface DatasetEntry {
  name: DatasetName;
  task: TrainingData['task'];
  description: string;
  /** Stream word that keeps each data set's draws apart. */
  stream: number;
  generate: Generator;
}

/** Balanced classes: even rows are class 0, odd rows class 1; t runs over [0, 1) within a class. */
const classOf = (i: number) => i % 2;
const positionInClass = (i: number, count: number) => Math.floor(i / 2) / Math.ceil(count / 2);

const ENTRIES: readonly DatasetEntry[] = [
  {
    name: 'circle',
    task: 'classification',
    stream: 1,
    description: 'a disc (class 0) inside a ring (class 1)',
    generate: (draw, i) => {
      const c = classOf(i);
      const r = c === 0 ? 0.5 * draw(0) : 0.7 + 0.3 * draw(0);
      const angle = 2 * Math.PI * draw(1);
      return { x: r * Math.cos(angle), y: r * Math.sin(angle), out: c };
    },
  },
  {
    name: 'xor',
    task: 'classification',
    stream: 2,
    description: 'quadrants: class 0 where x·y > 0',
    generate: (draw) => {
      // Keep points 0.05 away from the axes so clean labels are unambiguous.
      const away = (u: number) => (u < 0.5 ? -1 : 1) * (0.05 + 0.95 * Math.abs(2 * u - 1));
      const x = away(draw(0));
      const y = away(draw(1));
      return { x, y, out: x * y > 0 ? 0 : 1 };
    },
  },
  {
    name: 'gauss',
    task: 'classification',
    stream: 3,
    description: 'two Gaussian blobs at (0.5, 0.5) and (-0.5, -0.5)',
    generate: (draw, i) => {
      const c = classOf(i);
      const centre = c === 0 ? 0.5 : -0.5;
      return { x: centre + 0.25 * draw(-1), y: centre + 0.25 * draw(-2), out: c };
    },
  },
  {
    name: 'spiral',
    task: 'classification',
    stream: 4,
    description: 'two interleaved spiral arms',
    generate: (_draw, i, count) => {
      const c = classOf(i);
      const t = positionInClass(i, count);
      const angle = 1.75 * 2 * Math.PI * t + Math.PI * c;
      return { x: t * Math.sin(angle), y: t * Math.cos(angle), out: c };
    },
  },
  {
    name: 'moons',
    task: 'classification',
    stream: 5,
    description: 'two interleaving half circles',
    generate: (draw, i) => {
      const c = classOf(i);
      const angle = Math.PI * draw(0);
      const [x, y] = c === 0 ? [Math.cos(angle), Math.sin(angle)] : [1 - Math.cos(angle), 0.5 - Math.sin(angle)];
      return { x: x - 0.5, y: y - 0.25, out: c };
    },
  },
  {
    name: 'plane',
    task: 'regression',
    stream: 6,
    description: 'target (x + y) / 2 on the square [-1, 1]²',
    generate: (draw) => {
      const x = 2 * draw(0) - 1;
      const y = 2 * draw(1) - 1;
      return { x, y, out: 0.5 * (x + y) };
    },
  },
  {
    name: 'gaussian',
    task: 'regression',
    stream: 7,
    description: 'a Gaussian bump exp(-r² / 0.32) on [-1, 1]²',
    generate: (draw) => {
      const x = 2 * draw(0) - 1;
      const y = 2 * draw(1) - 1;
      return { x, y, out: Math.exp(-(x * x + y * y) / (2 * 0.4 * 0.4)) };
    },
  },
];

/** Every data set with its task, for pickers. */
export const DATASETS: ReadonlyArray<{ name: DatasetName; task: TrainingData['task']; description: string }> =
  ENTRIES.map(({ name, task, description }) => ({ name, task, description }));

/**
 * A seeded data set split into train/validation. Draw k >= 0 of row i is
 * uniform(seed, stream, i, k); k < 0 is a standard normal; noise uses normal(seed, stream, i, 100 + axis).
 */
export function makeDataset(name: DatasetName, options: DatasetOptions): TrainingData {
  const entry = ENTRIES.find((candidate) => candidate.name === name);
  if (!entry)
    throw new RangeError(`unknown data set '${name}': choose one of ${ENTRIES.map((e) => e.name).join(', ')}`);
  const { count, noise, validationFraction, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!(noise >= 0) || !Number.isFinite(noise))
    throw new RangeError(`noise must be a finite standard deviation >= 0, got ${noise}`);
  const x = new Float32Array(count * 2);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const draw = (k: number) => (k >= 0 ? uniform(seed, entry.stream, i, k) : normal(seed, entry.stream, i, k >>> 0));
    const row = entry.generate(draw, i, count);
    const jitter = (axis: number) => noise * normal(seed, entry.stream, i, 100 + axis);
    const featureNoise = entry.task === 'classification';
    x[2 * i] = row.x + (featureNoise ? jitter(0) : 0);
    x[2 * i + 1] = row.y + (featureNoise ? jitter(1) : 0);
    y[i] = row.out + (featureNoise ? 0 : jitter(2));
  }
  return splitRows(
    { task: entry.task, inputs: 2, outputs: entry.task === 'classification' ? 2 : 1, x, y, count },
    validationFraction,
    seed,
  );
}
