// CSV import under random input: whatever the cells, delimiter, quoting, line endings,
// encoding and width, reading a file either gives back exactly what was written or throws a
// CsvError; and training never reads a number other than the float32 of its cell's text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, csvRows, csvTrainingData, decodeCsvBytes, parseCsv } from '../../../src/train/data/csv.ts';

const DELIMITERS = [',', ';', '\t', '|'] as const;
/** Characters that stress a CSV reader: every delimiter, quotes, line breaks, spaces, non-ASCII. */
const CHARS = ['a', 'Z', '0', '7', '.', '-', 'e', ',', ';', '\t', '|', '"', ' ', '\n', '\r', 'é', '中', '😀', '\u00a0'];
const cellText = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 8 });

interface Layout {
  delimiter: string;
  newline: '\n' | '\r\n';
  finalNewline: boolean;
  quoteAll: boolean;
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';
}
const layout: fc.Arbitrary<Layout> = fc.record({
  delimiter: fc.constantFrom(...DELIMITERS),
  newline: fc.constantFrom('\n' as const, '\r\n' as const),
  finalNewline: fc.boolean(),
  quoteAll: fc.boolean(),
  encoding: fc.constantFrom('utf-8' as const, 'utf-8-bom' as const, 'utf-16le' as const, 'utf-16be' as const),
});

/** Writes a table as a spreadsheet would: a cell holding any delimiter, quote, line break or edge space is quoted. */
function writeCsv(records: string[][], { delimiter, newline, finalNewline, quoteAll }: Layout): string {
  const quote = (cell: string) =>
    quoteAll || /[,;\t|"\r\n]|^\s|\s$/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
  return records.map((cells) => cells.map(quote).join(delimiter)).join(newline) + (finalNewline ? newline : '');
}

function encode(text: string, encoding: Layout['encoding']): Uint8Array {
  const utf8 = new TextEncoder().encode(text);
  if (encoding === 'utf-8') return utf8;
  if (encoding === 'utf-8-bom') return new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
  const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
  const bytes = units.flatMap((u) => (encoding === 'utf-16le' ? [u & 0xff, u >> 8] : [u >> 8, u & 0xff]));
  return new Uint8Array(encoding === 'utf-16le' ? [0xff, 0xfe, ...bytes] : [0xfe, 0xff, ...bytes]);
}

/** Runs fn; a CsvError is an answer, any other exception fails the property. */
function csvErrorOr<T>(fn: () => T): T | CsvError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
}

/** An independent oracle for "this text is a number training may use unchanged": decimal only, finite in float32, not flushed to 0. */
function acceptable(text: string): boolean {
  const t = text.trim();
  const value = Number(t);
  if (t === '' || value !== parseFloat(t) || /^[+-]?0[xob]/i.test(t)) return false;
  const stored = Math.fround(value);
  return Number.isFinite(stored) && !(stored === 0 && /[1-9]/.test(t.split(/e/i)[0]));
}

const blank = (cells: string[]) => cells.every((c) => c.trim() === '');
const width = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 600 }) },
);

describe('CSV fuzz', () => {
  it('reading any written table gives back its cells and CSV row numbers, or a CsvError for a header it cannot use', () => {
    const table = width.chain((columns) =>
      fc.record({
        header: fc.array(cellText, { minLength: columns, maxLength: columns }),
        rows: fc.array(fc.array(cellText, { minLength: columns, maxLength: columns }), {
          maxLength: columns > 6 ? 3 : 12,
        }),
      }),
    );
    fc.assert(
      fc.property(table, layout, ({ header, rows }, format) => {
        const text = writeCsv([header, ...rows], format);
        const result = csvErrorOr(() => parseCsv(decodeCsvBytes(encode(text, format.encoding))));
        const names = header.map((c) => c.trim());
        const kept = rows.flatMap((cells, i) => (blank(cells) ? [] : [{ cells, line: i + 2 }]));
        if (blank(header)) {
          // The first non-blank record becomes the header; no claim on that file beyond "no crash".
          return;
        }
        if (result instanceof CsvError) {
          // The first bad name, left to right, is the one reported.
          const bad = names.findIndex((n, j) => n === '' || names.indexOf(n) < j);
          const why =
            bad >= 0
              ? names[bad] === ''
                ? /has no name/
                : /twice/
              : kept.length === 0
                ? /no data rows/
                : /never matches/;
          expect(result.message).toMatch(why);
          return;
        }
        expect(names.includes('') || new Set(names).size < names.length || kept.length === 0).toBe(false);
        expect(result.columns).toEqual(names);
        expect(result.rows).toEqual(kept.map((k) => k.cells));
        expect(result.lines).toEqual(kept.map((k) => k.line));
        if (header.length > 1) expect(result.delimiter).toBe(format.delimiter);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('training reads every accepted cell as the float32 of its text; a refused cell is named by its CSV row and column', () => {
    const good = fc.oneof(
      fc.float({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.integer({ min: -1e6, max: 1e6 }).map(String),
      fc.double({ noNaN: true, min: -1e6, max: 1e6, noDefaultInfinity: true }).map((v) => v.toFixed(3)),
      fc.double({ noNaN: true, min: 1e-30, max: 1e30, noDefaultInfinity: true }).map((v) => ` ${v.toExponential(4)} `),
    );
    const bad = fc.constantFrom(
      '',
      'NA',
      '?',
      '0x1F',
      '1,234',
      '1,5',
      '1e39',
      '-1e39',
      '1e-50',
      'Infinity',
      '$5',
      '5%',
      '1_000',
      '12 345',
      'abc',
      '0b11',
      '1e',
      '--1',
    );
    const cell = fc.oneof({ weight: 60, arbitrary: good }, { weight: 1, arbitrary: bad });
    const table = fc
      .integer({ min: 2, max: 5 })
      .chain((columns) =>
        fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { minLength: 2, maxLength: 15 }),
      );
    let trained = 0;
    let refused = 0;
    fc.assert(
      fc.property(table, layout, fc.integer({ min: 0, max: 1000 }), (rows, format, seed) => {
        const columns = rows[0].map((_, j) => `c${j}`);
        const text = writeCsv([columns, ...rows], format);
        const parsed = csvErrorOr(() => parseCsv(decodeCsvBytes(encode(text, format.encoding))));
        const kept = rows.flatMap((cells, i) => (blank(cells) ? [] : [{ cells, line: i + 2 }]));
        if (parsed instanceof CsvError) {
          expect(kept.length === 0 ? parsed.message : '').toMatch(kept.length === 0 ? /no data rows/ : '');
          return;
        }
        const selection = {
          target: columns.at(-1)!,
          features: columns.slice(0, -1),
          task: 'regression' as const,
          validationFraction: 0.25,
          seed,
        };
        const read = csvErrorOr(() => csvRows(parsed, selection));
        if (read instanceof CsvError) {
          refused++;
          const named = /^Row (\d+), column "c(\d+)": /.exec(read.message);
          if (!named) {
            expect(read.message).toMatch(/data rows? (is|are) left/);
            return;
          }
          const [line, column] = [Number(named[1]), Number(named[2])];
          const row = kept.find((k) => k.line === line);
          expect(row, read.message).toBeDefined();
          expect(acceptable(row!.cells[column]), `${read.message} (cell ${JSON.stringify(row!.cells[column])})`).toBe(
            false,
          );
          return;
        }
        trained++;
        expect(read.lines).toEqual(kept.map((k) => k.line));
        const features = columns.length - 1;
        for (const [r, { cells }] of kept.entries()) {
          for (let j = 0; j < features; j++) {
            expect(acceptable(cells[j]), cells[j]).toBe(true);
            expect(read.x[r * features + j]).toBe(Math.fround(Number(cells[j].trim())));
          }
          expect(read.y[r]).toBe(Math.fround(Number(cells[features].trim())));
        }
        // Scaling and splitting never fail on what was accepted, except with the overflow message.
        const built = csvErrorOr(() => csvTrainingData(parsed, selection));
        if (built instanceof CsvError) expect(built.message).toMatch(/spans more than 32-bit floats/);
        else
          for (const split of [built.data.train, built.data.validation])
            expect([...split.x, ...split.y].every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 400 },
    );
    console.log(`[csv fuzz] numeric tables: ${trained} read whole, ${refused} refused with a named row and column`);
    expect(trained).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 60_000);

  it('arbitrary bytes never throw anything but a CsvError, through parsing and building the data', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...CHARS, '\0'), maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
    );
    fc.assert(
      fc.property(
        bytes,
        fc.constantFrom(undefined, 'classification' as const, 'regression' as const),
        (input, task) => {
          const table = csvErrorOr(() => parseCsv(decodeCsvBytes(input)));
          if (table instanceof CsvError || table.columns.length < 2) return;
          csvErrorOr(() =>
            csvTrainingData(table, {
              target: table.columns.at(-1)!,
              features: table.columns.slice(0, -1),
              task,
              validationFraction: 0.25,
              seed: 1,
            }),
          );
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);
});
