import { describe, expect, it } from 'vitest';
import {
  CsvError,
  csvRows,
  csvTrainingData,
  decodeCsvBytes,
  MAX_CLASSES,
  matchesPattern,
  parseCsv,
  profileColumn,
  readNumber,
  suggestTask,
} from '../../../src/train/data/csv.ts';

const select = (target: string, features: string[], validationFraction = 0.25) => ({
  target,
  features,
  validationFraction,
  seed: 3,
});

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
    const ints = parseCsv(`x,y\n${Array.from({ length: 12 }, (_, i) => `${i},${i % 3}`).join('\n')}`);
    expect(csvTrainingData(ints, select('y', ['x']))).toMatchObject({
      classes: ['0', '1', '2'],
      data: { task: 'classification', outputs: 3 },
    });
    const reals = parseCsv(`x,price\n${Array.from({ length: 30 }, (_, i) => `${i},${1000 + i * 2.5}`).join('\n')}`);
    const { data, targetScale } = csvTrainingData(reals, select('price', ['x']));
    expect(data).toMatchObject({ task: 'regression', outputs: 1 });
    expect(targetScale?.mean).toBeGreaterThan(1000);
    expect(Math.max(...data.train.y.map(Math.abs))).toBeLessThan(2);
  });

  it('a non-numeric feature cell names its row and column', () => {
    const table = parseCsv('x,y,label\n1,2,a\n\n3,oops,b\n5,6,a');
    expect(errorOf(() => csvTrainingData(table, select('label', ['x', 'y']))).message).toBe(
      'Row 4, column "y": "oops" is not a number. Feature columns must be numeric; fix the cell, leave the row out or leave the column out.',
    );
    expect(errorOf(() => csvTrainingData(parseCsv('x,label\n1,a\n,b'), select('label', ['x']))).message).toContain(
      'Row 3, column "x": the cell is empty',
    );
  });

  it('no rows, empty file, ragged rows and missing columns are clear errors', () => {
    expect(errorOf(() => parseCsv('x,y\n\n')).message).toBe('The CSV has a header but no data rows.');
    expect(errorOf(() => parseCsv('')).message).toContain('The CSV file is empty');
    expect(errorOf(() => parseCsv('x,y\n1,2\n3')).message).toBe(
      'Row 3 has 1 cells but the header has 2 columns; every row needs one cell per column.',
    );
    expect(errorOf(() => parseCsv('x,x\n1,2')).message).toContain('names column "x" twice');
    const table = parseCsv('x,y\n1,2\n3,4');
    expect(errorOf(() => csvTrainingData(table, select('z', ['x']))).message).toBe(
      'The CSV has no column "z"; its columns are "x", "y".',
    );
    expect(errorOf(() => csvTrainingData(table, select('y', ['y']))).message).toContain('cannot also be a feature');
    expect(errorOf(() => csvTrainingData(parseCsv('x,y\n1,a\n2,a'), select('y', ['x']))).message).toContain(
      'only one value',
    );
  });

  it('quoted cells with commas and HTML stay plain data', () => {
    const table = parseCsv('"<b>x</b>",label\n1,"a, <script>"\n2,b');
    expect(table.columns).toEqual(['<b>x</b>', 'label']);
    expect(csvTrainingData(table, select('label', ['<b>x</b>'])).classes).toEqual(['a, <script>', 'b']);
  });

  it('a numeric target with one "NA" is never flipped to classes: the user chooses, and the rows are named', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 7},${i === 13 ? 'NA' : 100_000 + i * 1234.5}`);
    const table = parseCsv(['rooms,price', ...rows].join('\n'));
    const profile = profileColumn(table, 'price');
    // Data row 14 is CSV row 15 (the header is row 1).
    expect(profile).toMatchObject({
      kind: 'mostly-numeric',
      unreadable: [{ row: 15, problem: '"NA" marks a missing value' }],
    });
    expect(suggestTask(profile)).toBeUndefined();
    expect(errorOf(() => csvTrainingData(table, select('price', ['rooms']))).message).toBe(
      'Column "price" is numeric except row 15; choose regression (leaving those rows out) or classification (every distinct value a class).',
    );
    expect(errorOf(() => csvTrainingData(table, { ...select('price', ['rooms']), task: 'regression' })).message).toBe(
      'Row 15, column "price": "NA" marks a missing value. A regression target must be a number in every row; leave the row out or choose classification.',
    );
    const kept = csvRows(table, { ...select('price', ['rooms']), task: 'regression', dropRows: [15] });
    expect(kept.lines).toEqual(table.lines.filter((r) => r !== 15));
    expect(kept.y[13]).toBe(Math.fround(100_000 + 14 * 1234.5));
    const { data } = csvTrainingData(table, { ...select('price', ['rooms']), task: 'regression', dropRows: [15] });
    expect(data).toMatchObject({ task: 'regression', outputs: 1 });
    expect(data.train.count + data.validation.count).toBe(59);
    // Classes only when asked for: then every distinct text is one.
    expect(csvTrainingData(table, { ...select('price', ['rooms']), task: 'classification' }).classes).toHaveLength(60);
    // Small integers suggest classes, many distinct numbers regression, text classes.
    expect(suggestTask(profileColumn(table, 'rooms'))).toBe('classification');
    expect(suggestTask(profileColumn(table, 'price', [15]))).toBe('regression');
    expect(suggestTask(profileColumn(parseCsv('a,b\nx,1\ny,2'), 'a'))).toBe('classification');
  });

  it('reads only plain decimal numbers within float32 range and says why anything else is refused', () => {
    const accepted: Array<[string, number]> = [
      ['2.5', 2.5],
      ['  -3 ', -3],
      ['.5', 0.5],
      ['7.', 7],
      ['+3e2', 300],
      ['1E-3', 0.001],
      ['-0', -0],
      ['3.4028234e38', 3.4028234e38],
      ['0e999', 0],
    ];
    for (const [text, value] of accepted) expect(readNumber(text), text).toBe(value);
    const refused: Array<[string, string]> = [
      ['0x1F', '"0x1F" is hexadecimal, octal or binary; write it as a decimal number'],
      ['1,234', '"1,234" has thousands separators; write the digits alone (1234)'],
      ['12 345.5', '"12 345.5" has thousands separators; write the digits alone (12345.5)'],
      ['1,5', '"1,5" has a decimal comma; write a decimal point (1.5)'],
      ['1e39', '"1e39" is beyond the range of 32-bit floats (±3.4e38) that training uses; rescale the column'],
      ['-3.5e38', '"-3.5e38" is beyond the range of 32-bit floats (±3.4e38) that training uses; rescale the column'],
      [
        '1e-50',
        '"1e-50" is too close to zero for 32-bit floats (smallest 1.4e-45) and would train as 0; rescale the column or write 0',
      ],
      ['Infinity', '"Infinity" is not a finite number'],
      ['N/A', '"N/A" marks a missing value'],
      ['$5', '"$5" has a currency or percent sign; write the number alone'],
      ['5%', '"5%" has a currency or percent sign; write the number alone'],
      ['1_000', '"1_000" has thousands separators; write the digits alone (1000)'],
      ['', 'the cell is empty'],
      ['twelve', '"twelve" is not a number'],
    ];
    for (const [text, problem] of refused) expect(readNumber(text), text).toEqual({ problem });
  });

  it('a value beyond float32 names its CSV row and column, before any shuffling', () => {
    const table = parseCsv('x,y\n1,2\n2,3\n1e39,4\n3,5');
    expect(errorOf(() => csvTrainingData(table, { ...select('y', ['x']), task: 'regression' })).message).toBe(
      'Row 4, column "x": "1e39" is beyond the range of 32-bit floats (±3.4e38) that training uses; rescale the column. Feature columns must be numeric; fix the cell, leave the row out or leave the column out.',
    );
    expect(
      errorOf(() => csvTrainingData(parseCsv('x,y\n1,2\n2,3\n3,-1e39'), { ...select('y', ['x']), task: 'regression' }))
        .message,
    ).toMatch(/^Row 4, column "y": "-1e39" is beyond the range/);
  });

  it('a far-off value beside a constant training column is refused, not trained as Infinity', () => {
    const table = parseCsv(
      ['x,y', ...Array.from({ length: 20 }, (_, i) => `${i === 0 ? 3e38 : -3e38},${i % 2}`)].join('\n'),
    );
    const outcomes = Array.from({ length: 40 }, (_, seed) => {
      try {
        const { data } = csvTrainingData(table, { target: 'y', features: ['x'], validationFraction: 0.05, seed });
        expect([...data.train.x, ...data.validation.x].every(Number.isFinite)).toBe(true);
        return 'trained';
      } catch (e) {
        expect((e as Error).message).toBe(
          'Column "x" spans more than 32-bit floats can hold once centred; rescale the column.',
        );
        return 'refused';
      }
    });
    // The seeds where the far value lands in validation are refused; the others train on finite values.
    expect(new Set(outcomes)).toEqual(new Set(['trained', 'refused']));
  });

  it('rows left out must exist; too many classes are refused with the limit', () => {
    const table = parseCsv('x,y\n1,a\n2,b\n3,a');
    expect(errorOf(() => csvTrainingData(table, { ...select('y', ['x']), dropRows: [9] })).message).toBe(
      'Row 9 is listed to be left out, but it is not a data row of this CSV; choose again which rows to leave out.',
    );
    expect(errorOf(() => csvTrainingData(table, { ...select('y', ['x']), dropRows: [2, 3] })).message).toBe(
      '1 data row is left; training and validation need at least 2.',
    );
    const many = parseCsv(['x,y', ...Array.from({ length: MAX_CLASSES + 1 }, (_, i) => `${i},c${i}`)].join('\n'));
    expect(errorOf(() => csvTrainingData(many, select('y', ['x']))).message).toBe(
      `Target column "y" has ${MAX_CLASSES + 1} distinct values, more than the ${MAX_CLASSES} classes a classifier here may have; choose regression if the values are amounts.`,
    );
  });

  it('detects comma, semicolon, tab and pipe delimiters, with or without a final newline', () => {
    for (const delimiter of [',', ';', '\t', '|']) {
      for (const newline of ['\n', '\r\n']) {
        for (const end of ['', newline, newline + newline]) {
          const lines = [['a', 'b', 'c'], ['1', '2', '3'], [], ['4', '5', '6']].map((cells) => cells.join(delimiter));
          const table = parseCsv(lines.join(newline) + end);
          expect(table, JSON.stringify({ delimiter, newline, end })).toEqual({
            columns: ['a', 'b', 'c'],
            rows: [
              ['1', '2', '3'],
              ['4', '5', '6'],
            ],
            lines: [2, 4],
            delimiter,
          });
        }
      }
    }
    // A European file: semicolons between cells, so "1,5" is a cell with a decimal comma, refused as such.
    const european = parseCsv('x;y\n1,5;0\n2,5;1\n');
    expect(european.delimiter).toBe(';');
    expect(errorOf(() => csvTrainingData(european, select('y', ['x']))).message).toMatch(
      /^Row 2, column "x": "1,5" has a decimal comma/,
    );
  });

  it('decodes UTF-8 (with or without BOM) and UTF-16 with BOM; refuses other encodings', () => {
    const text = 'prix,étiquette\n1,chat\n2,猫\n';
    const utf8 = new TextEncoder().encode(text);
    const utf16le = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(Uint16Array.from(text, (c) => c.charCodeAt(0)).buffer),
    ]);
    const utf16be = new Uint8Array([
      0xfe,
      0xff,
      ...Array.from(text).flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff]),
    ]);
    for (const bytes of [utf8, new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]), utf16le, utf16be])
      expect(decodeCsvBytes(bytes)).toBe(text);
    const latin1 = Uint8Array.from('prix,\xe9tiquette\n', (c) => c.charCodeAt(0));
    expect(errorOf(() => decodeCsvBytes(latin1)).message).toBe(
      'The file is not UTF-8 text. Save it as "CSV UTF-8" (or UTF-16 with a byte-order mark) and choose it again.',
    );
    expect(errorOf(() => decodeCsvBytes(utf16le.subarray(2))).message).toMatch(/^The file contains NUL characters/);
    // An odd byte count (a cut UTF-16 file) is refused, not decoded with a replacement character.
    expect(errorOf(() => decodeCsvBytes(utf16le.subarray(0, utf16le.length - 1))).message).toBe(
      'The file starts as UTF-16LE text but holds bytes that are not; save it as "CSV UTF-8" and choose it again.',
    );
  });

  it('an unclosed quote names its row', () => {
    expect(errorOf(() => parseCsv('x,y\n1,2\n"3,4\n5,6')).message).toBe(
      'Row 3: a quoted cell is never closed (an opening " without its closing "); write a quote inside a quoted cell as "" or remove it.',
    );
  });

  it('bulk selection patterns: substring, or * and ? wildcards, case ignored', () => {
    const names = ['px_0', 'px_10', 'PX_2', 'label', 'a.b', 'a+b'];
    expect(names.filter((n) => matchesPattern(n, 'px_'))).toEqual(['px_0', 'px_10', 'PX_2']);
    expect(names.filter((n) => matchesPattern(n, 'px_?'))).toEqual(['px_0', 'PX_2']);
    expect(names.filter((n) => matchesPattern(n, '*b'))).toEqual(['a.b', 'a+b']);
    expect(names.filter((n) => matchesPattern(n, 'a.*'))).toEqual(['a.b']);
    expect(names.filter((n) => matchesPattern(n, '  '))).toEqual([]);
  });
});
