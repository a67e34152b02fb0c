// What each hyperparameter may be, checked on every value a study can produce: a row's
// default, both ends of a range and each categorical choice (a categorical "hidden layers"
// with the choice 20,000 must not slip past the limit of 8). The messages are the user's:
// the field as the editor labels it, the value, the rule, and the fix.
import { PARAM_LABELS } from '../search/catalog.ts';
import { HYPERPARAMETERS, hyperparameterRow } from '../search/hyperparameters.ts';
import { type Distribution, type ParamValue, validateDistribution } from '../search/space.ts';
import type { SpaceRow } from './spec.ts';

type TableRow = (typeof HYPERPARAMETERS)[number];
type NumericHyperparameter = Exclude<TableRow, { value: { kind: 'choice' } }>['name'];

interface NumericRule {
  min: number;
  max: number;
  integer?: boolean;
  /** Why these bounds, in a few words the message quotes. */
  why?: string;
}

/**
 * The values the engine trains sensibly with: each numeric row's `limits` in the table of
 * hyperparameters (src/search/hyperparameters.ts), whole numbers where it takes an int.
 */
export const VALUE_RULES = Object.fromEntries(
  HYPERPARAMETERS.flatMap((row) =>
    'limits' in row ? [[row.name, { ...row.limits, ...(row.value.kind === 'int' ? { integer: true } : {}) }]] : [],
  ),
) as Readonly<Record<NumericHyperparameter, NumericRule>>;

/** Whether the engine takes only whole numbers for this hyperparameter (so only the int, int-log and power-of-two scales suit it). */
export function takesWholeNumbers(name: string): boolean {
  return VALUE_RULES[name as NumericHyperparameter]?.integer === true;
}

/** A log range wider than this many decades samples almost nothing where it matters (and breaks log axes). */
export const MAX_LOG_DECADES = 8;

/** A hyperparameter's label, as the editor shows it. */
export function paramLabel(name: string): string {
  return PARAM_LABELS[name] ?? name;
}

export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A value as the user typed it: numbers plainly, text quoted, a missing number as "nothing". */
export function shown(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nothing';
    return Math.abs(value) >= 1e6 && Number.isFinite(value) ? value.toExponential().replace('e+', 'e') : String(value);
  }
  if (value === null || value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A categorical choice or default of a numeric hyperparameter may be typed text ("4"); it counts as its number. */
function asNumber(value: ParamValue): number {
  if (typeof value === 'number') return value;
  return value.trim() === '' ? NaN : Number(value);
}

function within(rule: NumericRule): string {
  return `${rule.min}…${rule.max}${rule.why ? ` (${rule.why})` : ''}`;
}

/** Why one value (a default or a choice) breaks the rule, or undefined. */
function valueProblem(value: ParamValue, rule: NumericRule, which: string, fix: string): string | undefined {
  const n = asNumber(value);
  if (!Number.isFinite(n)) return `${which} must be a number, got ${shown(value)} — ${fix}.`;
  if (rule.integer && !Number.isInteger(n)) return `${which} must be a whole number, got ${n} — ${fix}.`;
  if (n < rule.min || n > rule.max) return `${which} must lie within ${within(rule)}, got ${n} — ${fix}.`;
  return undefined;
}

function decades(d: Distribution): number {
  if (d.kind === 'categorical' || d.kind === 'power-of-two' || d.scale === 'linear') return 0;
  return d.scale === 'log' ? Math.log10(d.high / d.low) : Math.log10((1 - d.low) / (1 - d.high));
}

/** The first thing wrong with a numeric range, or undefined. */
function rangeProblem(d: Exclude<Distribution, { kind: 'categorical' }>, rule: NumericRule): string | undefined {
  const { low, high } = d;
  const range = `${shown(low)}…${shown(high)}`;
  const log = d.kind !== 'power-of-two' && d.scale !== 'linear';
  const what = `the ${log ? `${d.scale} ` : ''}range`;
  if (!Number.isFinite(low) || !Number.isFinite(high))
    return `${what} needs a number at both ends, got ${range} — fill in both.`;
  if (rule.integer && d.kind === 'float')
    return `takes whole numbers, but ${what} is of decimals — choose the int, int-log or power-of-two scale.`;
  if (d.kind === 'float' ? !(low < high) : !(low <= high))
    return `the low end must be below the high end, got ${range} — swap them.`;
  if (low < rule.min || high > rule.max) {
    const fix =
      low < rule.min && high > rule.max ? 'narrow it' : low < rule.min ? 'raise the low end' : 'lower the high end';
    return `${what} must stay within ${within(rule)}, got ${range} — ${fix}.`;
  }
  if (d.kind === 'int' && !(Number.isInteger(low) && Number.isInteger(high)))
    return `${what} needs whole numbers at both ends, got ${range} — round them.`;
  if (d.kind === 'power-of-two' && ![low, high].every((v) => v >= 1 && Number.isInteger(Math.log2(v))))
    return `the power-of-two range needs powers of two at both ends (1, 2, 4, …), got ${range} — use powers of two.`;
  if (d.kind === 'int' && d.scale === 'log' && low < 1)
    return `${what} needs a low end of at least 1, got ${range} — raise the low end.`;
  if (d.kind === 'float' && d.scale === 'log' && !(low > 0))
    return `${what} needs a low end above 0, got ${range} — raise the low end.`;
  if (d.kind === 'float' && d.scale === 'one-minus-log' && !(high < 1))
    return `${what} samples 1-x on a log scale, so its high end must be below 1, got ${range} — lower the high end.`;
  if (decades(d) > MAX_LOG_DECADES) {
    return `${what} may span at most ${MAX_LOG_DECADES} decades${d.kind === 'float' && d.scale === 'one-minus-log' ? ' of 1-x' : ''}, got ${range} (${Math.round(decades(d))}) — narrow it.`;
  }
  return undefined;
}

function duplicateChoice(
  choices: readonly ParamValue[],
  key: (c: ParamValue) => string | number,
): ParamValue | undefined {
  const seen = new Set<string | number>();
  for (const c of choices) {
    if (seen.has(key(c))) return c;
    seen.add(key(c));
  }
  return undefined;
}

const NO_CHOICES = 'needs at least one choice — list them, separated by commas.';

function numericProblems(row: SpaceRow, rule: NumericRule): string[] {
  const d = row.distribution;
  const problems: string[] = [];
  if (d.kind === 'categorical') {
    if (d.choices.length === 0) problems.push(NO_CHOICES);
    for (const choice of d.choices) {
      const problem = valueProblem(choice, rule, 'every choice', 'change or remove it');
      if (problem) problems.push(problem);
    }
    const twice = duplicateChoice(d.choices, asNumber);
    if (problems.length === 0 && twice !== undefined)
      problems.push(`the choice ${shown(twice)} appears twice — remove one.`);
  } else {
    const problem = rangeProblem(d, rule);
    if (problem) problems.push(problem);
  }
  const problem = valueProblem(row.default, rule, 'the default', 'change it');
  if (problem) problems.push(problem);
  return problems;
}

function choiceProblems(row: SpaceRow, allowed: readonly string[]): string[] {
  const d = row.distribution;
  const list = allowed.join(', ');
  const problems: string[] = [];
  if (d.kind !== 'categorical') return [`is one of ${list}, so it needs a categorical row — list choices from those.`];
  if (d.choices.length === 0) problems.push(NO_CHOICES);
  for (const choice of d.choices) {
    if (!allowed.includes(String(choice)))
      problems.push(`every choice must be one of ${list}, got ${shown(choice)} — change or remove it.`);
  }
  const twice = duplicateChoice(d.choices, String);
  if (twice !== undefined) problems.push(`the choice ${shown(twice)} appears twice — remove one.`);
  if (!allowed.includes(String(row.default)))
    problems.push(`the default must be one of ${list}, got ${shown(row.default)} — pick one of those.`);
  return problems;
}

/**
 * What is wrong with one row of the search space, one message per problem, each starting
 * with the hyperparameter's label (e.g. "Learning rate α: the log range must stay within
 * 1e-8…10 (…), got 1e-40…1 — raise the low end."). Empty when the row is fine.
 */
export function rowProblems(row: SpaceRow): string[] {
  const value = hyperparameterRow(row.name)?.value;
  const allowed = value?.kind === 'choice' ? value.choices : undefined;
  const rule = VALUE_RULES[row.name as NumericHyperparameter];
  const problems = allowed ? choiceProblems(row, allowed) : rule ? numericProblems(row, rule) : [];
  if (problems.length === 0) {
    // The search library's own rules are the last word; the checks above put them in the user's terms.
    try {
      validateDistribution(row.distribution as Distribution);
    } catch (e) {
      problems.push(`${(e as Error).message}.`);
    }
  }
  return problems.map((p) => `${capitalised(paramLabel(row.name))}: ${p}`);
}

/** Problems of the whole space, each at the index of its row (or at the space when a row is missing). */
export function spaceProblems(
  space: readonly SpaceRow[],
  names: readonly string[],
): Array<{ path: (string | number)[]; message: string }> {
  const problems: Array<{ path: (string | number)[]; message: string }> = [];
  const seen = new Set<string>();
  for (const [i, row] of space.entries()) {
    if (seen.has(row.name))
      problems.push({
        path: [i, 'name'],
        message: `The search space lists ${paramLabel(row.name)} twice — remove one of the rows.`,
      });
    seen.add(row.name);
    for (const message of rowProblems(row)) problems.push({ path: [i], message });
  }
  for (const name of names) {
    if (!seen.has(name))
      problems.push({
        path: [],
        message: `The search space has no row for ${paramLabel(name)} — every hyperparameter needs one (was the link cut short?).`,
      });
  }
  return problems;
}
