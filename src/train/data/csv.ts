// The user's own CSV as TrainingData: a header row names the columns; the user picks one
// target, the task (regression or classification) and some feature columns. Nothing is
// guessed silently: a cell that is not a plain decimal number within float32 range is
// refused with its CSV row (1-based as a spreadsheet shows it, the header is row 1), and
// rows are left out only when the user listed them. Features are standardised with the
// training split's mean and standard deviation (validation rows never leak into them); a
// regression target is standardised the same way so that one learning-rate range suits
// any units.
import Papa from 'papaparse';
import type { TrainingData } from '../types.ts';
import { splitRows } from './split.ts';

export type CsvTask = 'classification' | 'regression';

/** A numeric target with at most this many distinct integer values is suggested as class labels. */
export const MAX_INTEGER_CLASSES = 20;
/** The most classes a classification target may have (each is an output of the network). */
export const MAX_CLASSES = 256;
/** A column whose unreadable cells are at most this share of its rows is "numeric except a few cells". */
export const FEW_CELLS_SHARE = 0.1;
/** Largest finite float32; beyond it a value would train as Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** Delimiters detected, in order of preference; the table says which one was found. */
const DELIMITERS = [',', ';', '\t', '|'];

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  columns: string[];
  /** Data rows (header and blank rows excluded); rows[i] is record `lines[i]` of the file (the header is 1). */
  rows: string[][];
  lines: number[];
  /** The delimiter found: ',', ';', '\t' or '|'. */
  delimiter: string;
}

export interface CsvSelection {
  target: string;
  features: readonly string[];
  /** As the user chose it; absent in links made before the choice existed, then suggestTask decides or refuses. */
  task?: CsvTask;
  /** CSV rows (header = 1) the user chose to leave out. */
  dropRows?: readonly number[];
  validationFraction: number;
  seed: number;
}

export interface CsvTrainingData {
  data: TrainingData;
  /** Class labels in index order (classification only). */
  classes?: string[];
  /** How targets were scaled (regression): y' = (y - mean) / std. */
  targetScale?: { mean: number; std: number };
}

const NUL_IN_FILE =
  'The file contains NUL characters: it is binary, or UTF-16 without a byte-order mark. Save it as "CSV UTF-8" and choose it again.';

/**
 * The file's bytes as text: UTF-8 (a byte-order mark is dropped) or UTF-16 with its
 * byte-order mark. Anything else is refused rather than decoded into wrong characters.
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const [b0, b1, b2] = bytes;
  const utf16 = b0 === 0xff && b1 === 0xfe ? 'utf-16le' : b0 === 0xfe && b1 === 0xff ? 'utf-16be' : undefined;
  if (!utf16 && bytes.includes(0)) throw new CsvError(NUL_IN_FILE);
  const encoding = utf16 ?? 'utf-8';
  const start = utf16 ? 2 : b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? 3 : 0;
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new CsvError(
      utf16
        ? `The file starts as ${encoding.toUpperCase()} text but holds bytes that are not; save it as "CSV UTF-8" and choose it again.`
        : 'The file is not UTF-8 text. Save it as "CSV UTF-8" (or UTF-16 with a byte-order mark) and choose it again.',
    );
  }
  if (text.includes('\0')) throw new CsvError(NUL_IN_FILE);
  return text;
}

/** Parses CSV text with a header row. Throws CsvError saying what is wrong and where. */
export function parseCsv(text: string): CsvTable {
  // Blank records are dropped here, not by the parser, so that each kept row still knows its
  // record number: row r of a spreadsheet (the header is row 1).
  const parsed = Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: false,
    dynamicTyping: false,
    delimiter: detectDelimiter(text),
  });
  const quotes = parsed.errors.find((e) => e.type === 'Quotes');
  if (quotes) {
    const what =
      quotes.code === 'MissingQuotes'
        ? 'a quoted cell is never closed (an opening " without its closing ")'
        : 'a quoted cell has text after its closing "';
    throw new CsvError(`Row ${(quotes.row ?? 0) + 1}: ${what}; write a quote inside a quoted cell as "" or remove it.`);
  }
  const kept = parsed.data
    .map((cells, r) => ({ cells, row: r + 1 }))
    .filter(({ cells }) => cells.some((c) => c.trim() !== ''));
  const header = kept[0];
  if (!header) throw new CsvError('The CSV file is empty: it needs a header row naming the columns, then data rows.');
  const columns = header.cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const [j, name] of columns.entries()) {
    if (name === '') throw new CsvError(`Column ${j + 1} of the header has no name; give every column a name.`);
    if (seen.has(name))
      throw new CsvError(`The header names column "${name.slice(0, 40)}" twice; column names must be distinct.`);
    seen.add(name);
  }
  const body = kept.slice(1);
  if (body.length === 0) throw new CsvError('The CSV has a header but no data rows.');
  for (const { cells, row } of body) {
    if (cells.length !== columns.length) {
      throw new CsvError(
        `Row ${row} has ${cells.length} cells but the header has ${columns.length} columns; every row needs one cell per column.`,
      );
    }
  }
  return { columns, rows: body.map((r) => r.cells), lines: body.map((r) => r.row), delimiter: parsed.meta.delimiter };
}

/**
 * The delimiter the header row uses most often outside quoted cells (ties go to the earlier
 * of DELIMITERS; a comma when it uses none). The header decides because it is the one row
 * every CSV has and its names rarely hold delimiters; rows that disagree are then refused
 * as ragged, never re-split. (Papa's own guess gives up on a file ending in a newline.)
 */
function detectDelimiter(text: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  let started = false; // blank lines before the header are skipped
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      if (started) break;
    } else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
    started ||= char.trim() !== '';
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const MISSING = /^(?:na|n\/a|nan|null|none|nil|missing|\?|-|--|\.)$/i;

/**
 * A cell as a number, or why it is not one. Only plain decimal notation is read (1, -2.5,
 * .5, 3e-7): "0x1F", "1,234", "1 234", "$5", "5%" and "Infinity" are refused rather than
 * read as something the user may not mean, and so is a value float32 cannot hold.
 */
export function readNumber(text: string): number | { problem: string } {
  const cell = text.trim();
  if (cell === '') return { problem: 'the cell is empty' };
  const shown = `"${cell.slice(0, 40)}"`;
  if (DECIMAL.test(cell)) {
    const value = Number(cell);
    const stored = Math.fround(value);
    if (!Number.isFinite(stored))
      return {
        problem: `${shown} is beyond the range of 32-bit floats (±3.4e38) that training uses; rescale the column`,
      };
    if (stored === 0 && /[1-9]/.test(cell.split(/e/i)[0]))
      return {
        problem: `${shown} is too close to zero for 32-bit floats (smallest 1.4e-45) and would train as 0; rescale the column or write 0`,
      };
    return value;
  }
  if (MISSING.test(cell)) return { problem: `${shown} marks a missing value` };
  if (/^[+-]?0[xob][0-9a-f]+$/i.test(cell))
    return { problem: `${shown} is hexadecimal, octal or binary; write it as a decimal number` };
  if (/^[+-]?\d{1,3}(?:[,' _\u00a0\u202f]\d{3})+(?:\.\d+)?$/.test(cell))
    return {
      problem: `${shown} has thousands separators; write the digits alone (${cell.replace(/[,' _\u00a0\u202f]/g, '')})`,
    };
  if (/^[+-]?\d*,\d+$/.test(cell))
    return { problem: `${shown} has a decimal comma; write a decimal point (${cell.replace(',', '.')})` };
  if (/^[+-]?(?:inf|infinity)$/i.test(cell)) return { problem: `${shown} is not a finite number` };
  if (/^[$€£¥]|[$€£¥%]$/.test(cell))
    return { problem: `${shown} has a currency or percent sign; write the number alone` };
  return { problem: `${shown} is not a number` };
}

export interface ColumnProfile {
  name: string;
  /** numeric: every cell is a number; mostly-numeric: all but a few (FEW_CELLS_SHARE) are; text otherwise. */
  kind: 'numeric' | 'mostly-numeric' | 'text';
  /** The CSV rows whose cell is not a number, and why (every one of them unless the column is text). */
  unreadable: Array<{ row: number; problem: string }>;
  /** Distinct cell texts (trimmed). */
  distinct: number;
  /** Numeric with integer values only. */
  integers: boolean;
}

/** What a column holds, read cell by cell (rows listed in dropRows are not looked at). */
export function profileColumn(table: CsvTable, name: string, dropRows: readonly number[] = []): ColumnProfile {
  const j = columnIndex(table, name);
  const dropped = new Set(dropRows);
  const unreadable: ColumnProfile['unreadable'] = [];
  const texts = new Set<string>();
  let integers = true;
  let kept = 0;
  for (const [i, row] of table.rows.entries()) {
    if (dropped.has(table.lines[i])) continue;
    kept++;
    texts.add(row[j].trim());
    const value = readNumber(row[j]);
    if (typeof value === 'number') integers &&= Number.isInteger(value);
    else unreadable.push({ row: table.lines[i], problem: value.problem });
  }
  const kind =
    unreadable.length === 0
      ? 'numeric'
      : unreadable.length <= Math.max(1, Math.floor(kept * FEW_CELLS_SHARE)) && unreadable.length < kept
        ? 'mostly-numeric'
        : 'text';
  return { name, kind, unreadable, distinct: texts.size, integers: kind === 'numeric' && integers };
}

/**
 * The task a target column suggests: text → classification; numbers → regression, or
 * classification when they are few distinct integers (0/1 labels, ratings). A column that
 * is numeric except a few cells suggests nothing: the user chooses.
 */
export function suggestTask(profile: ColumnProfile): CsvTask | undefined {
  if (profile.kind === 'text') return 'classification';
  if (profile.kind === 'mostly-numeric') return undefined;
  return profile.integers && profile.distinct <= MAX_INTEGER_CLASSES ? 'classification' : 'regression';
}

/** "rows 4, 9 and 12" (the first few, then how many more). */
export function describeRows(rows: readonly number[], shown = 8): string {
  const listed = rows.slice(0, shown).join(', ');
  if (rows.length === 1) return `row ${listed}`;
  if (rows.length <= shown) return `rows ${listed.replace(/, (\d+)$/, ' and $1')}`;
  return `rows ${listed} and ${rows.length - shown} more`;
}

/** The resolved selection: column indices, the task and the rows kept. */
function resolve(table: CsvTable, selection: CsvSelection) {
  const { target, features } = selection;
  const targetColumn = columnIndex(table, target);
  if (features.length === 0) throw new CsvError('Choose at least one feature column.');
  if (features.includes(target)) throw new CsvError(`Column "${target}" is the target; it cannot also be a feature.`);
  const featureColumns = features.map((f) => columnIndex(table, f));
  const dropRows = selection.dropRows ?? [];
  const present = new Set(table.lines);
  const missing = dropRows.find((r) => !present.has(r));
  if (missing !== undefined)
    throw new CsvError(
      `Row ${missing} is listed to be left out, but it is not a data row of this CSV; choose again which rows to leave out.`,
    );
  const dropped = new Set(dropRows);
  const kept = table.rows.flatMap((_, i) => (dropped.has(table.lines[i]) ? [] : [i]));
  if (kept.length < 2)
    throw new CsvError(
      `${kept.length} data row${kept.length === 1 ? ' is' : 's are'} left; training and validation need at least 2.`,
    );
  let task = selection.task;
  if (!task) {
    const profile = profileColumn(table, target, dropRows);
    task = suggestTask(profile);
    if (!task) {
      throw new CsvError(
        `Column "${target}" is numeric except ${describeRows(profile.unreadable.map((u) => u.row))}; choose regression (leaving those rows out) or classification (every distinct value a class).`,
      );
    }
  }
  return { targetColumn, featureColumns, task, kept };
}

/**
 * The cells training would read, unscaled and in CSV row order: x is [rows × features] as
 * float32 of each cell's text, y a class index (classification) or the target value.
 * Throws CsvError naming the CSV row and column of the first cell that cannot be used.
 */
export function csvRows(
  table: CsvTable,
  selection: CsvSelection,
): { task: CsvTask; x: Float32Array; y: Float32Array; lines: number[]; classes?: string[] } {
  const { targetColumn, featureColumns, task, kept } = resolve(table, selection);
  const { target, features } = selection;
  const x = new Float32Array(kept.length * features.length);
  for (const [r, i] of kept.entries()) {
    for (const [k, j] of featureColumns.entries()) {
      const value = readNumber(table.rows[i][j]);
      if (typeof value !== 'number')
        throw new CsvError(
          `Row ${table.lines[i]}, column "${features[k]}": ${value.problem}. Feature columns must be numeric; fix the cell, leave the row out or leave the column out.`,
        );
      x[r * features.length + k] = value;
    }
  }
  const lines = kept.map((i) => table.lines[i]);
  const targetCells = kept.map((i) => table.rows[i][targetColumn].trim());
  if (task === 'regression') {
    const y = Float32Array.from(targetCells, (cell, r) => {
      const value = readNumber(cell);
      if (typeof value !== 'number')
        throw new CsvError(
          `Row ${lines[r]}, column "${target}": ${value.problem}. A regression target must be a number in every row; leave the row out or choose classification.`,
        );
      return value;
    });
    return { task, x, y, lines };
  }
  const empty = targetCells.indexOf('');
  if (empty >= 0)
    throw new CsvError(
      `Row ${lines[empty]}, column "${target}": the target cell is empty; every row needs a class (leave the row out or fill it in).`,
    );
  const distinct = [...new Set(targetCells)];
  const numbers = distinct.map(readNumber);
  const classes = numbers.every((v) => typeof v === 'number')
    ? distinct.sort((a, b) => Number(a) - Number(b))
    : distinct.sort();
  if (classes.length < 2)
    throw new CsvError(
      `Target column "${target}" has only one value ("${classes[0].slice(0, 40)}"); a classifier needs at least two classes.`,
    );
  if (classes.length > MAX_CLASSES) {
    throw new CsvError(
      `Target column "${target}" has ${classes.length} distinct values, more than the ${MAX_CLASSES} classes a classifier here may have; choose regression if the values are amounts.`,
    );
  }
  const index = new Map(classes.map((c, k) => [c, k]));
  return { task, x, y: Float32Array.from(targetCells, (c) => index.get(c)!), lines, classes };
}

/** Builds training data from a parsed table. Throws CsvError naming the row and column of a bad cell. */
export function csvTrainingData(table: CsvTable, selection: CsvSelection): CsvTrainingData {
  const { task, x, y, lines, classes } = csvRows(table, selection);
  const inputs = selection.features.length;
  const data = splitRows(
    { task, inputs, outputs: classes?.length ?? 1, x, y, count: lines.length },
    selection.validationFraction,
    selection.seed,
  );
  standardise(data.train.x, data.validation.x, selection.features);
  const targetScale =
    task === 'regression' ? standardise(data.train.y, data.validation.y, [selection.target])[0] : undefined;
  return { data, ...(classes ? { classes } : {}), ...(targetScale ? { targetScale } : {}) };
}

function columnIndex(table: CsvTable, name: string): number {
  const j = table.columns.indexOf(name);
  if (j < 0) {
    const listed = table.columns
      .slice(0, 10)
      .map((c) => `"${c.slice(0, 40)}"`)
      .join(', ');
    throw new CsvError(
      `The CSV has no column "${name}"; its columns are ${listed}${table.columns.length > 10 ? ` and ${table.columns.length - 10} more` : ''}.`,
    );
  }
  return j;
}

/**
 * Standardises each named column of both splits with the training split's mean/std; a
 * constant column becomes 0. Refuses a column whose scaled values leave float32 range (a
 * constant training column beside a far-off validation value).
 */
function standardise(
  train: Float32Array,
  validation: Float32Array,
  names: readonly string[],
): Array<{ mean: number; std: number }> {
  const width = names.length;
  const rows = train.length / width;
  const stats = [];
  for (let c = 0; c < width; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += train[r * width + c];
    const mean = sum / rows;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (train[r * width + c] - mean) ** 2;
    const std = Math.sqrt(squares / rows) || 1;
    for (const values of [train, validation]) {
      for (let i = c; i < values.length; i += width) {
        values[i] = (values[i] - mean) / std;
        if (!Number.isFinite(values[i]))
          throw new CsvError(
            `Column "${names[c]}" spans more than 32-bit floats can hold once centred; rescale the column.`,
          );
      }
    }
    stats.push({ mean, std });
  }
  return stats;
}

/**
 * Whether a column name matches what the user typed to select columns in bulk: `*` stands
 * for any text and `?` for one character, case ignored; a pattern without either matches
 * names that contain it.
 */
export function matchesPattern(name: string, pattern: string): boolean {
  const wanted = pattern.trim();
  if (wanted === '') return false;
  if (!/[*?]/.test(wanted)) return name.toLowerCase().includes(wanted.toLowerCase());
  const source = wanted
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'is').test(name);
}
