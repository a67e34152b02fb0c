// Every field a study has is named in the editor's words: a field added to the schema
// without a label here would reach the user as "a field of the study".
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { defaultStudy, studySchema } from '../../src/study/spec.ts';
import { fieldLabel, userIssue } from '../../src/study/wording.ts';

/** Every leaf of a schema by its path (array items at index 0). */
function leafPaths(schema: z.ZodType, path: (string | number)[] = []): (string | number)[][] {
  const def = (schema as unknown as { def: { type: string } }).def;
  if (def.type === 'object')
    return Object.entries((schema as z.ZodObject).shape).flatMap(([key, child]) =>
      leafPaths(child as z.ZodType, [...path, key]),
    );
  if (def.type === 'union')
    return (schema as unknown as { options: z.ZodType[] }).options.flatMap((option) => leafPaths(option, path));
  if (def.type === 'array') return [path, ...leafPaths((schema as z.ZodArray<z.ZodType>).element, [...path, 0])];
  if (def.type === 'optional') return leafPaths((schema as z.ZodOptional<z.ZodType>).unwrap(), path);
  return [path];
}

describe('field labels', () => {
  it('every field of the schema has a label, search-space rows by their hyperparameter', () => {
    const root = defaultStudy();
    const paths = leafPaths(studySchema);
    const keys = paths.map((p) => p.join('.'));
    for (const key of [
      'data.sha256',
      'data.dropRows.0',
      'scheduler.budget.minutes',
      'space.0.distribution.choices.0',
      'training.reportEvery',
    ])
      expect(keys).toContain(key);
    for (const path of paths) {
      const label = fieldLabel(path, root);
      expect(label, path.join('.')).not.toMatch(/a field/);
    }
    expect(fieldLabel(['space', 0, 'distribution', 'low'], root)).toBe('learning rate α, low end');
    expect(fieldLabel(['space', 3, 'distribution', 'choices', 2], root)).toBe('hidden units, choice 3');
    expect(fieldLabel(['data', 'features', 4], root)).toBe('feature column 5');
  });

  it('a malformed fingerprint is told in words, not as a regex', () => {
    const spec = defaultStudy();
    const result = studySchema.safeParse(
      {
        ...spec,
        data: {
          kind: 'csv',
          fileName: 'a.csv',
          target: 'y',
          features: ['x'],
          validationFraction: 0.2,
          seed: 1,
          sha256: 'XYZ',
        },
      },
      { reportInput: true },
    );
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => userIssue(i, spec))).toEqual([
      'File fingerprint (SHA-256): is not in the form it needs, got "XYZ" — the link may have been altered.',
    ]);
  });
});
