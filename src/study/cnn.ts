// The CNN architecture of a study: a trial's layer list from the table's 'layers' rows
// (convBlocks blocks of conv2d + activation + 2×2 pooling, the first with convFilters filters,
// doubling per block; then flatten, the MLP's hidden dense layers, each followed by batch norm
// when batchNorm is on, and dropout before the output layer), and what a study may ask of it
// before it runs.
import { hyperparameterRow, type LayerHyperparameters } from '../search/hyperparameters.ts';
import type { ParamValue } from '../search/space.ts';
import { type Dims, type HiddenLayerSpec, MAX_FILTERS } from '../train/layers.ts';
import type { Activation } from '../train/types.ts';
import { capitalised, paramLabel } from './spaceRules.ts';

/** The data sets whose rows are images, in the editor's words (the error messages name them). */
export const IMAGE_DATA_SETS = 'digits (14×14 or 28×28)';

/** A trial's value of a 'layers' row; a trial planned before the row existed (an old journal) has its default. */
function layerValue<K extends keyof LayerHyperparameters>(
  params: Readonly<Record<string, ParamValue>>,
  name: K,
): ParamValue {
  return params[name] ?? (hyperparameterRow(name)?.default as ParamValue);
}

function wholeNumber(params: Readonly<Record<string, ParamValue>>, name: keyof LayerHyperparameters): number {
  const n = Number(layerValue(params, name));
  if (!Number.isInteger(n) || n < 1) throw new Error(`trial parameter ${name} must be a whole number >= 1, got ${n}`);
  return n;
}

/** The filters of each conv block: the first block's, doubling per block. */
export function blockFilters(convFilters: number, convBlocks: number): number[] {
  return Array.from({ length: convBlocks }, (_, b) => convFilters * 2 ** b);
}

/**
 * The layers a trial's model lists before its output layer (PopulationShape.layers), or
 * undefined for an MLP (its hiddenLayers dense layers, as ever). Throws, naming what is
 * wrong, when a CNN cannot be built: no image data, more filters than a conv layer takes,
 * an unknown kernel or pooling, a dropout rate outside [0, 1).
 */
export function trialLayers(
  params: Readonly<Record<string, ParamValue>>,
  hidden: { hiddenLayers: number; activation: Activation },
  image: Dims | undefined,
): HiddenLayerSpec[] | undefined {
  const architecture = layerValue(params, 'architecture');
  const batchNorm = layerValue(params, 'batchNorm');
  if (batchNorm !== 'off' && batchNorm !== 'on')
    throw new Error(`trial parameter batchNorm must be off or on, got ${batchNorm}`);
  // With batch norm each hidden dense layer is linear, and the batch norm after it applies the activation.
  const dense = Array.from({ length: hidden.hiddenLayers }, (): HiddenLayerSpec[] =>
    batchNorm === 'on'
      ? [
          { kind: 'dense', activation: 'linear' },
          { kind: 'batchnorm', activation: hidden.activation },
        ]
      : [{ kind: 'dense', activation: hidden.activation }],
  ).flat();
  if (architecture === 'mlp') return batchNorm === 'on' ? dense : undefined;
  if (architecture !== 'cnn') throw new Error(`trial parameter architecture must be mlp or cnn, got ${architecture}`);
  if (!image) throw new Error(`a CNN needs image data: only ${IMAGE_DATA_SETS} are images`);
  const filters = blockFilters(wholeNumber(params, 'convFilters'), wholeNumber(params, 'convBlocks'));
  if (filters[filters.length - 1] > MAX_FILTERS)
    throw new Error(
      `${filters.length} conv blocks from ${filters[0]} filters end with ${filters[filters.length - 1]}; a conv layer takes at most ${MAX_FILTERS}`,
    );
  const kernel = Number(layerValue(params, 'kernelSize'));
  if (kernel !== 3 && kernel !== 5) throw new Error(`trial parameter kernelSize must be 3 or 5, got ${kernel}`);
  const mode = layerValue(params, 'poolMode');
  if (mode !== 'max' && mode !== 'avg') throw new Error(`trial parameter poolMode must be max or avg, got ${mode}`);
  const rate = Number(layerValue(params, 'dropout'));
  if (!(rate >= 0 && rate < 1)) throw new Error(`trial parameter dropout must lie in [0, 1), got ${rate}`);
  return [
    ...filters.flatMap((f): HiddenLayerSpec[] => [
      { kind: 'conv2d', filters: f, kernel, activation: hidden.activation },
      { kind: 'pool2d', mode },
    ]),
    { kind: 'flatten' },
    ...dense,
    ...(rate > 0 ? [{ kind: 'dropout', rate } as const] : []),
  ];
}

/** The part of a study these rules read: its search space's rows (as the schema types them) and its data's image. */
export interface SpaceRowLike {
  name: string;
  distribution: { kind: string; choices?: readonly ParamValue[]; high?: number };
  default: ParamValue;
  enabled: boolean;
}

/** The values a row gives trials: its default while off, else its choices or its range's ends. */
function rowValues(row: SpaceRowLike): ParamValue[] {
  if (!row.enabled) return [row.default];
  const d = row.distribution;
  return d.kind === 'categorical' ? [...(d.choices ?? [])] : [d.high ?? Number.NaN];
}

/** Whether the space can give a trial the CNN architecture. */
export function mayBeCnn(space: readonly SpaceRowLike[]): boolean {
  const row = space.find((r) => r.name === 'architecture');
  return row !== undefined && rowValues(row).includes('cnn');
}

/** Whether the space can give a trial batch norm. */
export function mayBatchNorm(space: readonly SpaceRowLike[]): boolean {
  const row = space.find((r) => r.name === 'batchNorm');
  return row !== undefined && rowValues(row).includes('on');
}

/** Whether the space can give a trial a model that lists its layers (a CNN, or batch norm): the WASM engine trains neither. */
export function mayListLayers(space: readonly SpaceRowLike[]): boolean {
  return mayBeCnn(space) || mayBatchNorm(space);
}

/** The largest value a numeric row gives any trial (NaN where it is not a number: the row's own rules say so). */
export function largestValue(space: readonly SpaceRowLike[], name: string): number {
  const row = space.find((r) => r.name === name);
  return row ? Math.max(...rowValues(row).map(Number)) : Number.NaN;
}

/**
 * What is wrong with a study's CNN, each at the index of the row to change, in the editor's
 * words: a CNN on data that is not images, more conv blocks than the image can be halved,
 * more filters in the last block than a conv layer takes. Empty when the space gives no CNN.
 */
export function cnnProblems(
  space: readonly SpaceRowLike[],
  image: Dims | undefined,
  dataName: string,
): Array<{ index: number; message: string }> {
  if (!mayBeCnn(space)) return [];
  const at = (name: string) => space.findIndex((r) => r.name === name);
  const label = (name: string) => capitalised(paramLabel(name));
  if (!image)
    return [
      {
        index: at('architecture'),
        message: `${label('architecture')}: a CNN needs image data, and ${dataName} is not images — of the data sets only ${IMAGE_DATA_SETS} are; choose digits, or the mlp architecture.`,
      },
    ];
  const problems: Array<{ index: number; message: string }> = [];
  const blocks = largestValue(space, 'convBlocks');
  const side = Math.min(image.height, image.width);
  const most = Math.floor(Math.log2(side));
  if (blocks > most)
    problems.push({
      index: at('convBlocks'),
      message: `${label('convBlocks')}: each block halves the image, so ${image.height}×${image.width} images take at most ${most} blocks, got up to ${blocks} — lower it.`,
    });
  const last = largestValue(space, 'convFilters') * 2 ** (Math.min(blocks, most) - 1);
  if (last > MAX_FILTERS)
    problems.push({
      index: at('convFilters'),
      message: `${label('convFilters')}: the filters double per block, so the last of ${Math.min(blocks, most)} blocks would have ${last}; a conv layer takes at most ${MAX_FILTERS} — lower conv filters or conv blocks.`,
    });
  return problems;
}
