// Splits rows into training and validation sets by a seeded permutation, so the split
// depends only on (seed, count, fraction), never on generation order.
import { hash32, permuteIndex } from '../../search/random.ts';
import type { DataSplit, TrainingData } from '../types.ts';

/** Stream tag that keeps split draws apart from any generator's draws on the same seed. */
const SPLIT_STREAM = 0x5b1177;

export interface Rows {
  task: TrainingData['task'];
  inputs: number;
  outputs: number;
  /** [count × inputs] */
  x: Float32Array;
  /** count class indices (classification) or [count × outputs] targets (regression). */
  y: Float32Array;
  count: number;
}

/** The number of validation rows: round(count · fraction), leaving at least one training row. */
export function validationCount(count: number, validationFraction: number): number {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(
      `validationFraction must lie in [0, 1), got ${validationFraction}: e.g. 0.2 keeps a fifth of the rows for validation`,
    );
  }
  return Math.min(count - 1, Math.round(count * validationFraction));
}

/** Shuffles rows with permuteIndex(·, count, hash32(seed, SPLIT_STREAM)); the first validationCount go to validation. */
export function splitRows(rows: Rows, validationFraction: number, seed: number): TrainingData {
  const { x, y, count, inputs } = rows;
  if (!(count >= 1)) throw new RangeError(`cannot split ${count} rows: give at least one row`);
  const yPerRow = rows.task === 'classification' ? 1 : rows.outputs;
  const nValidation = validationCount(count, validationFraction);
  const key = hash32(seed, SPLIT_STREAM);
  const take = (from: number, n: number): DataSplit => {
    const split = { x: new Float32Array(n * inputs), y: new Float32Array(n * yPerRow), count: n };
    for (let i = 0; i < n; i++) {
      const row = permuteIndex(from + i, count, key);
      split.x.set(x.subarray(row * inputs, (row + 1) * inputs), i * inputs);
      split.y.set(y.subarray(row * yPerRow, (row + 1) * yPerRow), i * yPerRow);
    }
    return split;
  };
  return {
    task: rows.task,
    inputs,
    outputs: rows.outputs,
    validation: take(0, nValidation),
    train: take(nValidation, count - nValidation),
  };
}
