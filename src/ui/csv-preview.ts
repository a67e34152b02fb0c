// What the page checks of a user's CSV before a study may use it: a header, at least one
// data row, and a number in every chosen feature cell. The messages say where the problem
// is and how to fix it; they are shown as text, never as HTML.
import Papa from 'papaparse';

export interface CsvTable {
  columns: string[];
  rows: string[][];
}

export type CsvRead = { ok: true; table: CsvTable } | { ok: false; message: string };

export function readCsv(text: string, fileName: string): CsvRead {
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: 'greedy' });
  const [header, ...rows] = parsed.data;
  if (!header || header.length === 0 || header.every((c) => c.trim() === '')) {
    return { ok: false, message: `${fileName} is empty: the lab needs a header row of column names and at least one row of numbers.` };
  }
  const columns = header.map((c, i) => c.trim() || `column ${i + 1}`);
  if (rows.length === 0) {
    return { ok: false, message: `${fileName} has a header (${columns.join(', ')}) but no data rows: add at least one row of values.` };
  }
  const ragged = rows.findIndex((r) => r.length !== columns.length);
  if (ragged >= 0) {
    return { ok: false, message: `${fileName}, line ${ragged + 2}: ${rows[ragged].length} cells where the header has ${columns.length}; every row needs one value per column.` };
  }
  return { ok: true, table: { columns, rows } };
}

/** The first cell of the chosen columns that is not a finite number, described; undefined when all are numbers. */
export function findNonNumeric(table: CsvTable, columnNames: readonly string[], fileName: string): string | undefined {
  for (const name of columnNames) {
    const c = table.columns.indexOf(name);
    if (c < 0) return `${fileName} has no column "${name}"; choose one of: ${table.columns.join(', ')}.`;
    for (let r = 0; r < table.rows.length; r++) {
      const cell = table.rows[r][c].trim();
      if (cell === '' || !Number.isFinite(Number(cell))) {
        return `${fileName}, line ${r + 2}, column "${name}": "${cell}" is not a number. Feature columns must hold numbers only; fix the cell or leave the column out of the features.`;
      }
    }
  }
  return undefined;
}
