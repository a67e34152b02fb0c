// The user's own CSV as TrainingData: a header row names the columns; the user picks one
// target and some feature columns. Features are standardised with the training split's mean
// and standard deviation (validation rows never leak into them). The target is a class when
// it is non-numeric or takes few integer values, else a regression target, standardised
// the same way so that one learning-rate range suits any units.
import Papa from 'papaparse';
import type { TrainingData } from '../types.ts';
import { splitRows } from './split.ts';

/** An integer target with at most this many distinct values is taken as class labels. */
export const MAX_INTEGER_CLASSES = 20;

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
}

export interface CsvSelection {
  target: string;
  features: readonly string[];
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

/** Parses CSV text with a header row. Throws CsvError saying what is wrong and where. */
export function parseCsv(text: string): CsvTable {
  // Blank records are dropped here, not by the parser, so that each kept row still knows its
  // record number: row r of a spreadsheet (the header is row 1).
  const records = Papa.parse<string[]>(text, { header: false, skipEmptyLines: false, dynamicTyping: false }).data;
  const kept = records.map((cells, r) => ({ cells, row: r + 1 })).filter(({ cells }) => cells.some((c) => c.trim() !== ''));
  const header = kept[0];
  if (!header) throw new CsvError('The CSV file is empty: it needs a header row naming the columns, then data rows.');
  const columns = header.cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const [j, name] of columns.entries()) {
    if (name === '') throw new CsvError(`Column ${j + 1} of the header has no name; give every column a name.`);
    if (seen.has(name)) throw new CsvError(`The header names column "${name}" twice; column names must be distinct.`);
    seen.add(name);
  }
  const body = kept.slice(1);
  if (body.length === 0) throw new CsvError('The CSV has a header but no data rows.');
  for (const { cells, row } of body) {
    if (cells.length !== columns.length) {
      throw new CsvError(`Row ${row} has ${cells.length} cells but the header has ${columns.length} columns; every row needs one cell per column.`);
    }
  }
  const data = body.map((r) => r.cells);
  const lines = body.map((r) => r.row);
  return { columns, rows: data, lines };
}

/** Builds training data from a parsed table. Throws CsvError naming the row and column of a bad cell. */
export function csvTrainingData(table: CsvTable, selection: CsvSelection): CsvTrainingData {
  const { target, features, validationFraction, seed } = selection;
  const columnOf = (name: string) => {
    const j = table.columns.indexOf(name);
    if (j < 0) throw new CsvError(`The CSV has no column "${name}"; its columns are ${table.columns.map((c) => `"${c}"`).join(', ')}.`);
    return j;
  };
  const targetColumn = columnOf(target);
  if (features.length === 0) throw new CsvError('Choose at least one feature column.');
  if (features.includes(target)) throw new CsvError(`Column "${target}" is the target; it cannot also be a feature.`);
  const featureColumns = features.map(columnOf);
  const n = table.rows.length;
  if (n < 2) throw new CsvError(`The CSV has ${n} data row; training and validation need at least 2.`);

  const x = new Float32Array(n * features.length);
  for (let i = 0; i < n; i++) {
    for (const [k, j] of featureColumns.entries()) {
      const cell = table.rows[i][j].trim();
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new CsvError(`Row ${table.lines[i]}, column "${features[k]}": ${cell === '' ? 'the cell is empty' : `"${cell.slice(0, 40)}" is not a number`}. Feature columns must be numeric; fix the cell or leave the column out.`);
      }
      x[i * features.length + k] = value;
    }
  }

  const targetCells = table.rows.map((row, i) => {
    const cell = row[targetColumn].trim();
    if (cell === '') throw new CsvError(`Row ${table.lines[i]}, column "${target}": the target cell is empty; every row needs a target.`);
    return cell;
  });
  const numeric = targetCells.map(Number);
  const allNumeric = numeric.every(Number.isFinite);
  const distinct = [...new Set(targetCells)];
  const isClassification = !allNumeric || (numeric.every(Number.isInteger) && distinct.length <= MAX_INTEGER_CLASSES);

  let y: Float32Array;
  let outputs: number;
  let classes: string[] | undefined;
  if (isClassification) {
    classes = allNumeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
    if (classes.length < 2) throw new CsvError(`Target column "${target}" has only one value ("${classes[0]}"); a classifier needs at least two classes.`);
    const index = new Map(classes.map((c, k) => [c, k]));
    y = Float32Array.from(targetCells, (c) => index.get(c) ?? -1);
    outputs = classes.length;
  } else {
    y = Float32Array.from(numeric);
    outputs = 1;
  }

  const task = isClassification ? 'classification' : 'regression';
  const data = splitRows({ task, inputs: features.length, outputs, x, y, count: n }, validationFraction, seed);
  standardise(data.train.x, data.validation.x, features.length);
  const targetScale = isClassification ? undefined : standardise(data.train.y, data.validation.y, 1)[0];
  return { data, ...(classes ? { classes } : {}), ...(targetScale ? { targetScale } : {}) };
}

/** Standardises each of `width` columns of both splits with the training split's mean/std; a constant column becomes 0. */
function standardise(train: Float32Array, validation: Float32Array, width: number): Array<{ mean: number; std: number }> {
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
      for (let i = c; i < values.length; i += width) values[i] = (values[i] - mean) / std;
    }
    stats.push({ mean, std });
  }
  return stats;
}
