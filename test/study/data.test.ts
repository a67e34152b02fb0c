import { describe, expect, it } from 'vitest';
import { checkCsvPin, loadStudyData, sha256Hex } from '../../src/study/data.ts';
import { decodeStudyHash, encodeStudyHash } from '../../src/study/link.ts';
import { type DataSpec, dataSetName, defaultStudy, parseStudy } from '../../src/study/spec.ts';
import type { DigitsSide } from '../../src/train/data/digitsFormat.ts';
import { packMnist } from '../../src/train/data/digitsPack.ts';

const HASH_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('CSV study data', () => {
  it('hashes file bytes with SHA-256 (the FIPS 180-2 "abc" vector)', async () => {
    await expect(sha256Hex(new TextEncoder().encode('abc'))).resolves.toBe(HASH_ABC);
  });

  it('says whether the chosen file is the one the link pins', () => {
    const other = HASH_ABC.replace('b', 'c');
    expect(checkCsvPin('a.csv', HASH_ABC, undefined)).toEqual({ status: 'new' });
    expect(checkCsvPin('a.csv', HASH_ABC, { fileName: 'a.csv', sha256: HASH_ABC })).toMatchObject({ status: 'same' });
    const different = checkCsvPin('a.csv', other, { fileName: 'a.csv', sha256: HASH_ABC });
    expect(different.status).toBe('different');
    expect(different.message).toBe(
      `a.csv is not the file this link was made with: its SHA-256 is ${other.slice(0, 12)}…, the link pins ${HASH_ABC.slice(0, 12)}… (a.csv). The study runs on your file, but it is not reproducible: its results will differ from the link's. The link now pins your file.`,
    );
    expect(checkCsvPin('a.csv', HASH_ABC, { fileName: 'a.csv' })).toMatchObject({
      status: 'unpinned',
      message: expect.stringMatching(/^This link does not pin its file/),
    });
  });

  it('the link carries the task, the rows left out and the hash; older links without them still open', () => {
    const csv = {
      kind: 'csv' as const,
      fileName: 'homes.csv',
      target: 'price',
      features: ['rooms'],
      validationFraction: 0.25,
      seed: 1,
    };
    const withPin: DataSpec = { ...csv, task: 'regression', dropRows: [15], sha256: HASH_ABC };
    for (const data of [csv, withPin])
      expect(parseStudy({ ...defaultStudy(), data })).toEqual({ ok: true, spec: { ...defaultStudy(), data } });
    const refused = (data: object) => {
      const parsed = parseStudy({ ...defaultStudy(), data: { ...csv, ...data } });
      return parsed.ok ? [] : parsed.issues;
    };
    expect(refused({ sha256: HASH_ABC.toUpperCase() })).toHaveLength(1);
    expect(refused({ sha256: 'abc' })).toHaveLength(1);
    expect(refused({ task: 'ranking' })).toHaveLength(1);
    expect(refused({ dropRows: [1] })).toHaveLength(1);
    expect(refused({ dropRows: Array.from({ length: 1001 }, (_, i) => i + 2) })).toHaveLength(1);
  });

  it('builds what the spec says: the chosen task with the listed rows left out', async () => {
    const text = [
      'rooms,price',
      ...Array.from({ length: 30 }, (_, i) => `${i % 4},${i === 5 ? 'NA' : 1000 + i * 7.5}`),
    ].join('\n');
    const data: DataSpec = {
      kind: 'csv',
      fileName: 'homes.csv',
      target: 'price',
      features: ['rooms'],
      task: 'regression',
      dropRows: [7],
      validationFraction: 0.25,
      seed: 1,
    };
    const built = await loadStudyData(data, { csv: { fileName: 'homes.csv', text } });
    expect(built).toMatchObject({ task: 'regression', outputs: 1, inputs: 1 });
    expect(built.train.count + built.validation.count).toBe(29);
    // An older link (no task) on this file is refused with the choice to make, not trained as 30 classes.
    await expect(
      loadStudyData({ ...data, task: undefined, dropRows: undefined }, { csv: { fileName: 'homes.csv', text } }),
    ).rejects.toThrow(
      'Column "price" is numeric except row 7; choose regression (leaving those rows out) or classification (every distinct value a class).',
    );
  });
});

describe('digits study data', () => {
  const digits = { kind: 'digits' as const, count: 200, validationFraction: 0.25, seed: 5 };

  it('links name 28×28 digits by side; a link without one is 14×14, as links made before it; other sides are refused', () => {
    for (const data of [digits, { ...digits, side: 28 as const }, { ...digits, side: 14 as const }]) {
      const spec = { ...defaultStudy(), data };
      expect(parseStudy(spec)).toEqual({ ok: true, spec });
      const decoded = decodeStudyHash(encodeStudyHash(spec));
      expect(decoded.ok && decoded.spec?.data).toEqual(data);
    }
    const refused = parseStudy({ ...defaultStudy(), data: { ...digits, side: 20 } });
    expect(refused.ok).toBe(false);
    expect(dataSetName({ ...digits, side: 28 })).toBe('digits 28×28');
    expect(dataSetName(digits)).toBe('digits');
  });

  it('loads the size the spec names', async () => {
    const asked: number[] = [];
    const sources = {
      digits: async (side: DigitsSide) => {
        asked.push(side);
        return packMnist(side);
      },
    };
    const full = await loadStudyData({ ...digits, side: 28 }, sources);
    const small = await loadStudyData(digits, sources);
    expect(asked).toEqual([28, 14]);
    expect([full.inputs, small.inputs]).toEqual([784, 196]);
    expect(full.train.y).toEqual(small.train.y);
  }, 60_000);
});
