// The classic tables: packed from their npm packages with the counts the data card states,
// rows missing a needed cell left out (and only those), trained through the CSV path.
import { describe, expect, it } from 'vitest';
import { standardSpace } from '../../../src/search/catalog.ts';
import { dataShapeOfTrainingData } from '../../../src/study/cost.ts';
import { loadStudyData } from '../../../src/study/data.ts';
import { decodeStudyHash, encodeStudyHash } from '../../../src/study/link.ts';
import { trialBucket, trialModel } from '../../../src/study/population.ts';
import { dataSetName, dataShapeOf, defaultStudy, parseStudy } from '../../../src/study/spec.ts';
import { createCpuEngine } from '../../../src/train/cpu/engine.ts';
import {
  TABLE_NAMES,
  TABLES,
  type TableSet,
  tableAsCsv,
  tableCard,
  tableTrainingData,
} from '../../../src/train/data/tables.ts';
import { packTables, tablesAssetBytes } from '../../../src/train/data/tablesPack.ts';

const pack = packTables();

function columnStats(x: Float32Array, width: number, c: number): { mean: number; std: number } {
  const rows = x.length / width;
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += x[r * width + c];
  const mean = sum / rows;
  let squares = 0;
  for (let r = 0; r < rows; r++) squares += (x[r * width + c] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / rows) };
}

describe('classic tables', () => {
  it('packs the columns each set uses into a small asset', () => {
    const bytes = tablesAssetBytes();
    console.log(`[tables] asset ${bytes.length} bytes for ${TABLE_NAMES.join(', ')}`);
    expect(bytes.length).toBeLessThan(64_000);
    expect(pack.iris.rows[0]).toEqual([5.1, 3.5, 1.4, 0.2, 'setosa']);
    expect(pack.penguins.rows[0]).toEqual([39.1, 18.7, 181, 3750, 'Adelie']);
    expect(pack.cars.rows[0]).toEqual([8, 307, 130, 3504, 12, 18]);
  });

  for (const name of TABLE_NAMES) {
    const set: TableSet = TABLES[name];
    it(`${name}: has the rows the data card states, leaves out exactly the rows missing a needed cell`, () => {
      const { table, dropRows } = tableAsCsv(pack, name);
      expect(table.rows.length).toBe(set.rows);
      expect(dropRows.length).toBe(set.dropped);
      const missing = pack[name].rows.flatMap((row, r) => (row.some((v) => v === null) ? [r + 2] : []));
      expect(dropRows).toEqual(missing);
      const data = tableTrainingData(pack, name, { validationFraction: 0.25, seed: 7 });
      expect(dataShapeOfTrainingData(data)).toEqual(
        dataShapeOf({ kind: 'table', name, validationFraction: 0.25, seed: 7 }),
      );
      expect(data.train.count + data.validation.count).toBe(set.rows - set.dropped);
      // Features standardised on the training split: mean 0 and sd 1 within float32 rounding.
      for (let c = 0; c < data.inputs; c++) {
        const { mean, std } = columnStats(data.train.x, data.inputs, c);
        expect(Math.abs(mean), `${name} feature ${c}`).toBeLessThan(1e-6);
        expect(Math.abs(std - 1), `${name} feature ${c}`).toBeLessThan(1e-6);
      }
      if (set.task === 'classification') expect(new Set(data.train.y)).toEqual(new Set([0, 1, 2]));
      else expect(Math.abs(columnStats(data.train.y, 1, 0).mean)).toBeLessThan(1e-6);
      const again = tableTrainingData(pack, name, { validationFraction: 0.25, seed: 7 });
      expect(again.train.x).toEqual(data.train.x);
      expect(tableTrainingData(pack, name, { validationFraction: 0.25, seed: 8 }).train.y).not.toEqual(data.train.y);
    });
  }

  it('says in the data card what was left out and under which licence', () => {
    expect(tableCard('penguins')).toBe(
      '342 rows (2 of 344 left out: no measurements); 4 features → Species (3 classes). Palmer Archipelago penguins (Gorman, Palmer Station LTER; Horst, palmerpenguins); npm vega-datasets. Licence: CC0 1.0.',
    );
    expect(tableCard('iris')).toMatch(/^150 rows, none missing; 4 features → species \(3 classes\)/);
    expect(tableCard('cars')).toMatch(
      /^392 rows \(14 of 406 left out: no miles per gallon or horsepower\); 5 features → Miles_per_Gallon \(regression\)/,
    );
  });

  it('a table study round-trips through its link and loads what it names; unknown tables are refused', async () => {
    for (const name of TABLE_NAMES) {
      const spec = { ...defaultStudy(), data: { kind: 'table' as const, name, validationFraction: 0.2, seed: 3 } };
      expect(parseStudy(spec)).toEqual({ ok: true, spec });
      const decoded = decodeStudyHash(encodeStudyHash(spec));
      expect(decoded.ok && decoded.spec?.data).toEqual(spec.data);
      expect(dataSetName(spec.data)).toBe(name);
      const data = await loadStudyData(spec.data, { tables: async () => pack });
      expect(data.train.x).toEqual(tableTrainingData(pack, name, spec.data).train.x);
    }
    expect(
      parseStudy({ ...defaultStudy(), data: { kind: 'table', name: 'titanic', validationFraction: 0.2, seed: 3 } }).ok,
    ).toBe(false);
    await expect(loadStudyData({ kind: 'table', name: 'iris', validationFraction: 0.2, seed: 3 }, {})).rejects.toThrow(
      'This lab build has no classic tables; choose another data set.',
    );
  });

  it('iris trains on the CPU engine to a validation accuracy far above chance (1/3)', async () => {
    const data = tableTrainingData(pack, 'iris', { validationFraction: 0.25, seed: 1 });
    const params = Object.fromEntries(standardSpace().map((p) => [p.name, p.default]));
    const job = {
      shape: { ...trialBucket(params, data), inputs: data.inputs, outputs: data.outputs, maxHidden: 32 },
      models: [trialModel(params, 1, 0)],
      data,
      steps: 300,
      reportEvery: 300,
    };
    const { reports } = await createCpuEngine().train(job);
    const accuracy = reports.at(-1)!.validationAccuracy[0];
    console.log(`[tables] iris, 300 steps of the default model: validation accuracy ${accuracy.toFixed(3)}`);
    expect(accuracy).toBeGreaterThan(0.85);
  });
});
