// The training data a study names: synthetic sets are generated from their seed, digits and
// the classic tables come from packed assets, a CSV from the file the user supplied (a link names it and pins it
// by the SHA-256 of its bytes).
import { csvTrainingData, parseCsv } from '../train/data/csv.ts';
import { digitsTrainingData } from '../train/data/digits.ts';
import type { DigitsPack, DigitsSide } from '../train/data/digitsFormat.ts';
import { makeDataset } from '../train/data/synthetic.ts';
import { type TablesPack, tableTrainingData } from '../train/data/tables.ts';
import type { TrainingData } from '../train/types.ts';
import type { DataSpec } from './spec.ts';

export interface DataSources {
  /** The CSV the user chose for a `{kind:'csv'}` study. */
  csv?: { fileName: string; text: string };
  /** Loads the packed digits of one size (fetch in the browser, the packer in Node). */
  digits?: (side: DigitsSide) => Promise<DigitsPack>;
  /** Loads the packed classic tables (fetch in the browser, the packer in Node). */
  tables?: () => Promise<TablesPack>;
}

/** Builds the study's data; throws an Error whose message tells the user what to do. */
export async function loadStudyData(data: DataSpec, sources: DataSources): Promise<TrainingData> {
  if (data.kind === 'synthetic') return makeDataset(data.name, data);
  if (data.kind === 'digits') {
    if (!sources.digits) throw new Error('This lab build has no digits data; choose another data set.');
    return digitsTrainingData(await sources.digits(data.side ?? 14), data);
  }
  if (data.kind === 'table') {
    if (!sources.tables) throw new Error('This lab build has no classic tables; choose another data set.');
    return tableTrainingData(await sources.tables(), data.name, data);
  }
  if (!sources.csv)
    throw new Error(`This study trains on the CSV file "${data.fileName}"; choose that file to run it.`);
  return csvTrainingData(parseCsv(sources.csv.text), data).data;
}

/** SHA-256 of the bytes, lowercase hex (WebCrypto: pages, workers and Node 20 alike). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * How a chosen file relates to the one a study link pins:
 *  new       – no link asked for a file (the user is starting a CSV study);
 *  same      – the link pins this very file: the study reproduces;
 *  different – another file: the study runs on it but will not reproduce the link's results;
 *  unpinned  – the link predates pinning: nobody can tell.
 */
export interface CsvPin {
  status: 'new' | 'same' | 'different' | 'unpinned';
  /** What to tell the user (absent for new). */
  message?: string;
}

/** Compares the file's hash with the one the link pins (`pinned` undefined: an old link). */
export function checkCsvPin(
  fileName: string,
  sha256: string,
  link: { fileName: string; sha256?: string } | undefined,
): CsvPin {
  const short = (hash: string) => `${hash.slice(0, 12)}…`;
  if (!link) return { status: 'new' };
  if (!link.sha256) {
    return {
      status: 'unpinned',
      message: `This link does not pin its file (it was made before links carried the file's SHA-256), so the lab cannot tell whether ${fileName} is the file the study used. From now on the link pins ${fileName}.`,
    };
  }
  if (link.sha256 === sha256)
    return {
      status: 'same',
      message: `${fileName} is the file this link pins (SHA-256 ${short(sha256)}): the study reproduces.`,
    };
  return {
    status: 'different',
    message: `${fileName} is not the file this link was made with: its SHA-256 is ${short(sha256)}, the link pins ${short(link.sha256)} (${link.fileName}). The study runs on your file, but it is not reproducible: its results will differ from the link's. The link now pins your file.`,
  };
}
