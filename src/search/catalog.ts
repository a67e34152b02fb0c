// The standard search space: the table of hyperparameters (hyperparameters.ts) as the
// search library's rows, with their defaults, default ranges and scales and their tier in
// the hierarchy (the seed's ordering: the learning rate first; then momentum, batch size
// and hidden units; then layers and learning-rate decay; Adam's β2, RMSprop's α and ε are
// held at their defaults unless unlocked). Defaults are PyTorch's (torch.optim), so a value
// found here pastes into PyTorch unchanged.

import { HYPERPARAMETERS, type HyperparameterName } from './hyperparameters.ts';
import type { HyperparameterSpec, SearchSpace } from './space.ts';

export type StandardHyperparameter = HyperparameterName;

/**
 * The hyperparameters as the editor names them (the search-space table, the views, and every
 * message about a study's values): the table's labels, so a message names a field as the user sees it.
 */
export const PARAM_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  HYPERPARAMETERS.map((row) => [row.name, row.label]),
);

function catalogRow(row: (typeof HYPERPARAMETERS)[number]): HyperparameterSpec {
  const { name, distribution, default: value, tier, enabled } = row;
  return structuredClone({ name, distribution, default: value, tier, enabled }) as HyperparameterSpec;
}

/** A fresh copy of the standard space (safe to edit). */
export function standardSpace(): SearchSpace {
  return HYPERPARAMETERS.map(catalogRow);
}

/** A fresh copy of one standard hyperparameter. */
export function standardHyperparameter(name: StandardHyperparameter): HyperparameterSpec {
  const row = HYPERPARAMETERS.find((q) => q.name === name);
  if (!row) throw new Error(`no standard hyperparameter named ${name}`);
  return catalogRow(row);
}
