import { describe, expect, it } from 'vitest';
import { CsvError, csvTrainingData, parseCsv } from '../../../src/train/data/csv.ts';

const select = (target: string, features: string[], validationFraction = 0.25) => ({ target, features, validationFraction, seed: 3 });

function errorOf(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('expected a CsvError');
}

describe('CSV data', () => {
  it('classifies a text target, standardises features with train statistics, splits by seed', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i * 10 + 5},${i % 2 ? 'cat' : 'dog'}`);
    const { data, classes } = csvTrainingData(parseCsv(['a,b,label', ...rows].join('\n')), select('label', ['a', 'b']));
    expect(classes).toEqual(['cat', 'dog']);
    expect(data).toMatchObject({ task: 'classification', inputs: 2, outputs: 2 });
    expect([data.train.count, data.validation.count]).toEqual([15, 5]);
    // Train features have mean 0 and std 1 (to 1e-5).
    for (let c = 0; c < 2; c++) {
      const col = Array.from({ length: 15 }, (_, i) => data.train.x[i * 2 + c]);
      const mean = col.reduce((s, v) => s + v, 0) / 15;
      const std = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / 15);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.abs(std - 1)).toBeLessThan(1e-5);
    }
    // Every row lands in exactly one split (a is distinct per row).
    const rowsSeen = new Set<number>();
    for (const split of [data.train, data.validation]) {
      for (let i = 0; i < split.count; i++) rowsSeen.add(Math.round(split.x[i * 2] * 1e4));
    }
    expect(rowsSeen.size).toBe(20);
    const again = csvTrainingData(parseCsv(['a,b,label', ...rows].join('\n')), select('label', ['a', 'b']));
    expect(again.data.validation.x).toEqual(data.validation.x);
  });

  it('small-integer targets are classes; many distinct numbers are a standardised regression target', () => {
    const ints = parseCsv('x,y\n' + Array.from({ length: 12 }, (_, i) => `${i},${i % 3}`).join('\n'));
    expect(csvTrainingData(ints, select('y', ['x']))).toMatchObject({ classes: ['0', '1', '2'], data: { task: 'classification', outputs: 3 } });
    const reals = parseCsv('x,price\n' + Array.from({ length: 30 }, (_, i) => `${i},${1000 + i * 2.5}`).join('\n'));
    const { data, targetScale } = csvTrainingData(reals, select('price', ['x']));
    expect(data).toMatchObject({ task: 'regression', outputs: 1 });
    expect(targetScale?.mean).toBeGreaterThan(1000);
    expect(Math.max(...data.train.y.map(Math.abs))).toBeLessThan(2);
  });

  it('a non-numeric feature cell names its row and column', () => {
    const table = parseCsv('x,y,label\n1,2,a\n\n3,oops,b\n5,6,a');
    expect(errorOf(() => csvTrainingData(table, select('label', ['x', 'y']))).message).toBe(
      'Row 4, column "y": "oops" is not a number. Feature columns must be numeric; fix the cell or leave the column out.',
    );
    expect(errorOf(() => csvTrainingData(parseCsv('x,label\n1,a\n,b'), select('label', ['x']))).message).toContain('Row 3, column "x": the cell is empty');
  });

  it('no rows, empty file, ragged rows and missing columns are clear errors', () => {
    expect(errorOf(() => parseCsv('x,y\n\n')).message).toBe('The CSV has a header but no data rows.');
    expect(errorOf(() => parseCsv('')).message).toContain('The CSV file is empty');
    expect(errorOf(() => parseCsv('x,y\n1,2\n3')).message).toBe('Row 3 has 1 cells but the header has 2 columns; every row needs one cell per column.');
    expect(errorOf(() => parseCsv('x,x\n1,2')).message).toContain('names column "x" twice');
    const table = parseCsv('x,y\n1,2\n3,4');
    expect(errorOf(() => csvTrainingData(table, select('z', ['x']))).message).toBe('The CSV has no column "z"; its columns are "x", "y".');
    expect(errorOf(() => csvTrainingData(table, select('y', ['y']))).message).toContain('cannot also be a feature');
    expect(errorOf(() => csvTrainingData(parseCsv('x,y\n1,a\n2,a'), select('y', ['x']))).message).toContain('only one value');
  });

  it('quoted cells with commas and HTML stay plain data', () => {
    const table = parseCsv('"<b>x</b>",label\n1,"a, <script>"\n2,b');
    expect(table.columns).toEqual(['<b>x</b>', 'label']);
    expect(csvTrainingData(table, select('label', ['<b>x</b>'])).classes).toEqual(['a, <script>', 'b']);
  });
});
