// The study's fields in the words the editor uses, and the schema's problems told in them:
// "Trials: must be at most 2000, got 3000 — lower it." rather than
// "scheduler.budget.trials: Too big: expected number to be <=2000". The page, the link
// decoder and the trainer all show these sentences as they are.
import type { z } from 'zod';
import { capitalised, paramLabel, shown } from './spaceRules.ts';

/** Every field of a study outside the search space, by its path (array indices left out), as its editor labels it. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  '': 'the study',
  version: 'study version',
  seed: 'study seed',
  data: 'data set',
  'data.kind': 'data set',
  'data.name': 'data set',
  'data.count': 'examples',
  'data.noise': 'noise',
  'data.side': 'digit image size',
  'data.validationFraction': 'validation share',
  'data.seed': 'data seed',
  'data.fileName': 'CSV file name',
  'data.target': 'target column',
  'data.features': 'feature columns',
  'data.task': 'task',
  'data.dropRows': 'rows left out',
  'data.sha256': 'file fingerprint (SHA-256)',
  space: 'search space',
  scheduler: 'search settings',
  'scheduler.kind': 'scheduler',
  'scheduler.budget': 'budget',
  'scheduler.budget.kind': 'budget in',
  'scheduler.budget.trials': 'trials',
  'scheduler.budget.minutes': 'minutes',
  'scheduler.pointsPerParam': 'points per hyperparameter',
  'scheduler.trialsPerRound': 'trials per round',
  'scheduler.pbtInterval': 'steps between PBT exploits',
  pruning: 'pruning',
  'pruning.kind': 'pruning',
  parallelism: 'trials at once',
  training: 'training settings',
  'training.steps': 'steps per trial',
  'training.reportEvery': 'report every (steps)',
};

/** The parts of a search-space row, as the table's columns name them. */
const ROW_PART_LABELS: Readonly<Record<string, string>> = {
  name: 'hyperparameter',
  enabled: 'search on/off',
  tier: 'tier',
  default: 'default',
  distribution: 'scale',
  'distribution.kind': 'scale',
  'distribution.scale': 'scale',
  'distribution.low': 'low end',
  'distribution.high': 'high end',
  'distribution.choices': 'choices',
};

type Path = readonly PropertyKey[];

function rowName(root: unknown, index: number): string | undefined {
  const space = (root as { space?: unknown } | null)?.space;
  const row = Array.isArray(space) ? (space[index] as { name?: unknown } | undefined) : undefined;
  return typeof row?.name === 'string' ? row.name : undefined;
}

/** The field at `path` as the user knows it, e.g. "learning rate α, low end" or "trials at once". */
export function fieldLabel(path: Path, root: unknown): string {
  if (path[0] === 'space' && typeof path[1] === 'number') {
    const name = rowName(root, path[1]);
    const row = name && /^[A-Za-z]+$/.test(name) ? paramLabel(name) : `row ${path[1] + 1} of the search space`;
    const rest = path.slice(2);
    const part = ROW_PART_LABELS[rest.filter((k) => typeof k === 'string').join('.')];
    const choice = rest.includes('choices') ? rest.find((k): k is number => typeof k === 'number') : undefined;
    if (rest.length === 0) return row;
    return `${row}, ${choice !== undefined ? `choice ${choice + 1}` : (part ?? 'a field')}`;
  }
  const key = path.filter((k) => typeof k === 'string').join('.');
  const label = FIELD_LABELS[key] ?? 'a field of the study';
  const index = path.find((k): k is number => typeof k === 'number');
  return index !== undefined && key === 'data.features' ? `feature column ${index + 1}` : label;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One schema problem as a sentence for the user: the field, the rule, the value and the fix. */
export function userIssue(issue: z.core.$ZodIssue, root: unknown): string {
  if (issue.code === 'custom') return issue.message;
  const label = capitalised(fieldLabel(issue.path, root));
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array')
        return `${label}: needs at least ${count(min, 'entry', 'entries')} — add ${min === 1 ? 'one' : 'more'}.`;
      if (issue.origin === 'string') return `${label}: must not be empty — fill it in.`;
      return `${label}: must be ${issue.inclusive ? 'at least' : 'above'} ${min}, got ${shown(input)} — raise it.`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array')
        return `${label}: takes at most ${max}, got ${Array.isArray(input) ? input.length : 'more'} — choose fewer.`;
      if (issue.origin === 'string')
        return `${label}: may be at most ${max} characters long, got ${typeof input === 'string' ? input.length : 'more'} — shorten it.`;
      return `${label}: must be at most ${max}, got ${shown(input)} — lower it.`;
    }
    case 'invalid_type':
      if (input === undefined) return `${label}: is missing — the link may be incomplete.`;
      if (issue.expected === 'int') return `${label}: must be a whole number, got ${shown(input)} — round it.`;
      if (issue.expected === 'number') return `${label}: needs a number, got ${shown(input)} — enter one.`;
      return `${label}: must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a group of settings' : `a ${issue.expected}`}, got ${shown(input)}.`;
    case 'invalid_value':
      return `${label}: must be ${issue.values.length === 1 ? shown(issue.values[0]) : `one of ${issue.values.map(shown).join(', ')}`}, got ${shown(input)}.`;
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const value = (input as Record<string, unknown> | null)?.[issue.discriminator];
        const options = (issue as { options?: unknown[] }).options ?? [];
        return `${label}: must be one of ${options.map(shown).join(', ')}, got ${shown(value)}.`;
      }
      return `${label}: is neither a number nor a text, got ${shown(input)}.`;
    }
    case 'invalid_format':
      return `${label}: is not in the form it needs, got ${shown(input)} — the link may have been altered.`;
    case 'unrecognized_keys':
      return `${issue.path.length === 0 ? 'The study' : `${label}:`} has ${issue.keys.length === 1 ? 'a field' : 'fields'} this lab does not know (${issue.keys.map((k) => shown(k)).join(', ')}) — remove ${issue.keys.length === 1 ? 'it' : 'them'}.`;
    default:
      return `${label}: ${issue.message}.`;
  }
}
