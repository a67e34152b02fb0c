import { describe, expect, it } from 'vitest';
import { splitRows, validationCount } from '../../../src/train/data/split.ts';
import { DATASETS, makeDataset } from '../../../src/train/data/synthetic.ts';

const options = { count: 203, noise: 0.1, validationFraction: 0.2, seed: 7 };

describe('synthetic data sets', () => {
  it('lists the five classification and two regression sets', () => {
    expect(DATASETS.filter((d) => d.task === 'classification').map((d) => d.name)).toEqual([
      'circle',
      'xor',
      'gauss',
      'spiral',
      'moons',
    ]);
    expect(DATASETS.filter((d) => d.task === 'regression').map((d) => d.name)).toEqual(['plane', 'gaussian']);
  });

  it.each(DATASETS.map((d) => [d.name, d.task] as const))(
    '%s: shapes, split sizes, labels in range, finite values',
    (name, task) => {
      const data = makeDataset(name, options);
      expect(data.task).toBe(task);
      expect(data.inputs).toBe(2);
      expect(data.outputs).toBe(task === 'classification' ? 2 : 1);
      expect(data.validation.count).toBe(41); // round(203 · 0.2)
      expect(data.train.count).toBe(162);
      for (const split of [data.train, data.validation]) {
        expect(split.x.length).toBe(split.count * 2);
        expect(split.y.length).toBe(split.count);
        expect(split.x.every(Number.isFinite)).toBe(true);
        if (task === 'classification') expect(split.y.every((label) => label === 0 || label === 1)).toBe(true);
        else expect(split.y.every(Number.isFinite)).toBe(true);
        // Features live in about [-1, 1] (noise 0.1 may push a little beyond).
        expect(split.x.every((v) => Math.abs(v) < 2)).toBe(true);
      }
      if (task === 'classification') {
        const ones = [...data.train.y, ...data.validation.y].filter((label) => label === 1).length;
        expect(ones / 203).toBeGreaterThan(0.35);
        expect(ones / 203).toBeLessThan(0.65);
      }
    },
  );

  it.each(DATASETS.map((d) => d.name))(
    '%s: the same seed reproduces the data bit for bit; another seed changes it',
    (name) => {
      const a = makeDataset(name, options);
      const b = makeDataset(name, options);
      const c = makeDataset(name, { ...options, seed: 8 });
      expect(b.train.x).toEqual(a.train.x);
      expect(b.validation.y).toEqual(a.validation.y);
      expect(c.train.x).not.toEqual(a.train.x);
    },
  );

  it('noise 0 gives clean labels: circle radii and xor quadrants agree with the class', () => {
    const circle = makeDataset('circle', { ...options, noise: 0 });
    for (let i = 0; i < circle.train.count; i++) {
      const r = Math.hypot(circle.train.x[2 * i], circle.train.x[2 * i + 1]);
      expect(circle.train.y[i] === 0 ? r <= 0.5 + 1e-6 : r >= 0.7 - 1e-6).toBe(true);
    }
    const xor = makeDataset('xor', { ...options, noise: 0 });
    for (let i = 0; i < xor.train.count; i++)
      expect(xor.train.y[i]).toBe(xor.train.x[2 * i] * xor.train.x[2 * i + 1] > 0 ? 0 : 1);
  });

  it('noise is the standard deviation added to the regression target', () => {
    const clean = makeDataset('plane', { ...options, count: 4000, noise: 0 });
    const noisy = makeDataset('plane', { ...options, count: 4000, noise: 0.3 });
    let sumSq = 0;
    for (let i = 0; i < clean.train.count; i++) sumSq += (noisy.train.y[i] - clean.train.y[i]) ** 2;
    expect(noisy.train.x).toEqual(clean.train.x);
    // 3200 draws: sample std within 5% of 0.3.
    expect(Math.sqrt(sumSq / clean.train.count)).toBeGreaterThan(0.285);
    expect(Math.sqrt(sumSq / clean.train.count)).toBeLessThan(0.315);
  });

  it('rejects bad options with messages that say how to fix them', () => {
    expect(() => makeDataset('spiral', { ...options, count: 0 })).toThrow(/positive integer/);
    expect(() => makeDataset('spiral', { ...options, noise: -1 })).toThrow(/noise/);
    expect(() => makeDataset('spiral', { ...options, validationFraction: 1 })).toThrow(/\[0, 1\)/);
    expect(() => makeDataset('nope' as never, options)).toThrow(/choose one of circle/);
  });
});

describe('splitRows', () => {
  it('puts every row in exactly one split and keeps at least one training row', () => {
    const count = 10;
    const x = Float32Array.from({ length: count * 2 }, (_, i) => i);
    const y = Float32Array.from({ length: count }, (_, i) => i);
    const data = splitRows({ task: 'regression', inputs: 2, outputs: 1, x, y, count }, 0.3, 1);
    expect([...data.validation.y, ...data.train.y].sort((a, b) => a - b)).toEqual(Array.from(y));
    for (let i = 0; i < data.train.count; i++) expect(data.train.x[2 * i]).toBe(2 * data.train.y[i]);
    expect(validationCount(1, 0.5)).toBe(0);
    expect(validationCount(3, 0.9)).toBe(2);
  });
});
