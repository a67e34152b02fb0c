// The training data a study names: synthetic sets are generated from their seed, digits come
// from the packed asset, a CSV from the file the user supplied (a link only names it).
import { csvTrainingData, parseCsv } from '../train/data/csv.ts';
import { digitsTrainingData } from '../train/data/digits.ts';
import type { DigitsPack } from '../train/data/digitsFormat.ts';
import { makeDataset } from '../train/data/synthetic.ts';
import type { TrainingData } from '../train/types.ts';
import type { DataSpec } from './spec.ts';

export interface DataSources {
  /** The CSV the user chose for a `{kind:'csv'}` study. */
  csv?: { fileName: string; text: string };
  /** Loads the packed digits (fetch in the browser, the packer in Node tests). */
  digits?: () => Promise<DigitsPack>;
}

/** Builds the study's data; throws an Error whose message tells the user what to do. */
export async function loadStudyData(data: DataSpec, sources: DataSources): Promise<TrainingData> {
  if (data.kind === 'synthetic') return makeDataset(data.name, data);
  if (data.kind === 'digits') {
    if (!sources.digits) throw new Error('This lab build has no digits data; choose another data set.');
    return digitsTrainingData(await sources.digits(), data);
  }
  if (!sources.csv) throw new Error(`This study trains on the CSV file "${data.fileName}"; choose that file to run it.`);
  return csvTrainingData(parseCsv(sources.csv.text), data).data;
}
