import fc from 'fast-check';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeStudyHash, encodeStudyHash } from '../../src/study/link.ts';
import { defaultStudy, parseStudy, SCHEDULER_KINDS, STUDY_VERSION, type StudySpec } from '../../src/study/spec.ts';

const linkOf = (json: string) => {
  const bytes = zlibSync(new TextEncoder().encode(json));
  return `#study=v1.${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')}`;
};

function edited(): StudySpec {
  const spec = defaultStudy();
  spec.seed = 4242;
  spec.data = {
    kind: 'csv',
    fileName: 'my data.csv',
    target: 'price',
    features: ['rooms', 'área'],
    validationFraction: 0.2,
    seed: 7,
  };
  spec.scheduler = {
    kind: 'coarse-to-fine',
    budget: { kind: 'minutes', minutes: 2.5 },
    pointsPerParam: 5,
    trialsPerRound: 12,
  };
  spec.space = spec.space.map((row) => (row.name === 'hiddenUnits' ? { ...row, enabled: true } : row));
  return spec;
}

function errorOf(hash: string) {
  const decoded = decodeStudyHash(hash);
  if (decoded.ok) throw new Error(`expected an error, got ${JSON.stringify(decoded)}`);
  return decoded.error;
}

describe('share link', () => {
  it('round-trips the default and an edited study exactly', () => {
    for (const spec of [defaultStudy(), edited()]) {
      const hash = encodeStudyHash(spec);
      expect(hash).toMatch(/^#study=v1\.[A-Za-z0-9_-]+$/);
      expect(decodeStudyHash(hash)).toEqual({ ok: true, spec });
    }
  });

  it('round-trips every scheduler kind', () => {
    for (const kind of SCHEDULER_KINDS) {
      const spec = defaultStudy();
      spec.scheduler = { ...spec.scheduler, kind };
      expect(decodeStudyHash(encodeStudyHash(spec))).toEqual({ ok: true, spec });
    }
  });

  it('is compact: the default study fits in 1100 characters', () => {
    const hash = encodeStudyHash(defaultStudy());
    console.log(`[link] default study: ${hash.length} chars (JSON ${JSON.stringify(defaultStudy()).length})`);
    // 1013 once the six CNN rows came (study version 3); each row costs about 40 characters deflated.
    expect(hash.length).toBeLessThan(1100);
  });

  it('a hash without a study opens the default (spec: null)', () => {
    expect(decodeStudyHash('')).toEqual({ ok: true, spec: null });
    expect(decodeStudyHash('#other=1')).toEqual({ ok: true, spec: null });
  });

  it('garbage base64 is an encoding error', () => {
    expect(errorOf('#study=v1.@@@not*base64!!').kind).toBe('encoding');
    expect(errorOf('#study=v1.A').kind).toBe('encoding');
  });

  it('valid base64 of garbage and a truncated link are compression errors', () => {
    expect(errorOf('#study=v1.' + 'QUJDREVGR0hJSktMTU5PUA').kind).toBe('compression');
    const hash = encodeStudyHash(defaultStudy());
    const cut = errorOf(hash.slice(0, hash.length - 40));
    expect(cut.kind).toBe('compression');
    expect(cut.message).toBe(
      'This study link cannot be opened: it was cut short: its data ends before the study does (copy the whole link again, up to its last character). The default study is shown instead.',
    );
  });

  it('a link cut short anywhere says so, never "characters a study link never has"', () => {
    const hash = encodeStudyHash(defaultStudy());
    const start = hash.indexOf('.') + 1;
    // Every cut that leaves more than the zlib header and checksum's length (6 bytes, 8 characters).
    for (let end = hash.length - 1; end > start + 8; end--) {
      const error = errorOf(hash.slice(0, end));
      expect(error.message, `cut to ${end - start} of ${hash.length - start} characters`).toContain('it was cut short');
    }
    expect(errorOf(`${hash.slice(0, -10)}*${hash.slice(-9)}`).message).toContain(
      'contains characters a study link never has',
    );
  });

  it('compressed non-JSON is a json error', () => {
    expect(errorOf(linkOf('{"version":1,')).kind).toBe('json');
  });

  it('another link format or study version is a version error that names both versions', () => {
    const format = errorOf('#study=v2.abc');
    expect(format).toMatchObject({ kind: 'version' });
    expect(format.message).toContain('link format v2; this lab reads v1');
    const version = errorOf(linkOf(JSON.stringify({ ...defaultStudy(), version: STUDY_VERSION + 1 })));
    expect(version.kind).toBe('version');
    expect(version.message).toContain(`version ${STUDY_VERSION + 1} study; this lab reads version ${STUDY_VERSION}`);
    expect(errorOf('#study=nonsense').kind).toBe('format');
  });

  it('__proto__ and constructor keys are refused and pollute nothing', () => {
    const spec = defaultStudy();
    const json = JSON.stringify(spec).replace(
      `"version":${STUDY_VERSION}`,
      `"__proto__":{"polluted":true},"version":${STUDY_VERSION}`,
    );
    expect(json).toContain('__proto__');
    const error = errorOf(linkOf(json));
    expect(error.kind).toBe('schema');
    expect(error.issues?.join('\n')).toContain('__proto__');
    const nested = JSON.stringify(spec).replace(
      '"name":"learningRate"',
      '"name":"learningRate","constructor":{"prototype":{"polluted":true}}',
    );
    expect(errorOf(linkOf(nested)).kind).toBe('schema');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('huge numbers and huge sizes are schema errors naming the field', () => {
    const huge = { ...defaultStudy(), parallelism: 1e308, training: { steps: 1e12, reportEvery: 10 } };
    const error = errorOf(linkOf(JSON.stringify(huge)));
    expect(error.kind).toBe('schema');
    expect(error.issues).toEqual([
      'Trials at once: must be at most 256, got 1e308 — lower it.',
      'Steps per trial: must be at most 100000, got 1e12 — lower it.',
    ]);
  });

  it("hostile but well-formed studies are refused in the editor's words, naming the field", () => {
    const spec = defaultStudy();
    const withRow = (name: string, patch: object): StudySpec => ({
      ...spec,
      space: spec.space.map((r) => (r.name === name ? { ...r, ...patch } : r)),
    });
    const cases: Array<[StudySpec, RegExp]> = [
      [
        withRow('learningRate', { distribution: { kind: 'float', scale: 'log', low: 1e-40, high: 1 } }),
        /^Learning rate α: the log range must stay within 1e-8…10 .*got 1e-40…1 — raise the low end\.$/,
      ],
      [
        withRow('hiddenLayers', { enabled: true, distribution: { kind: 'categorical', choices: [2, 20_000] } }),
        /^Hidden layers: every choice must lie within 0…8, got 20000/,
      ],
      [
        withRow('learningRate', { enabled: false, default: -0.1 }),
        /^Learning rate α: the default must lie within 1e-8…10 .*got -0\.1/,
      ],
      [
        withRow('beta1', { enabled: false, default: 5 }),
        /^Momentum \/ Adam β1: the default must lie within 0…0\.9999999 .*got 5/,
      ],
      [withRow('epsilon', { default: 0 }), /^Adam ε: the default must lie within 1e-12…1 .*got 0/],
      [
        {
          ...spec,
          parallelism: 256,
          scheduler: { ...spec.scheduler, budget: { kind: 'trials', trials: 256 } },
          space: spec.space.map((r) =>
            r.name === 'hiddenUnits' ? { ...r, default: 1024 } : r.name === 'batchSize' ? { ...r, default: 4096 } : r,
          ),
        },
        /^This study's largest population \(256 trials at once of 2 hidden layers × 1024 hidden units, batch size 4096\) needs 4\.0 GiB for its layer 1 activations \(z\) in one GPU buffer; a GPU buffer holds at most 128 MiB — lower trials at once, batch size or hidden units\.$/,
      ],
    ];
    for (const [study, message] of cases) {
      const error = errorOf(encodeStudyHash(study));
      expect(error.kind).toBe('schema');
      expect(error.issues).toHaveLength(1);
      expect(error.issues?.[0]).toMatch(message);
      expect(error.message).toContain(`(${error.issues?.[0].replace(/\.$/, '')}).`);
      expect(error.message).not.toMatch(/space\.\d|learningRate|hiddenLayers/);
    }
  });

  it('a compression bomb is refused by size, not inflated', () => {
    const bomb = linkOf(JSON.stringify({ version: 1, pad: 'x'.repeat(200_000) }));
    expect(bomb.length).toBeLessThan(2000);
    expect(errorOf(bomb)).toMatchObject({
      kind: 'compression',
      message: expect.stringContaining('larger than 65536 bytes'),
    });
    expect(errorOf(`#study=v1.${'A'.repeat(20_000)}`).kind).toBe('format');
  });

  it('HTML in strings is kept as inert text: valid where a name is free text, never interpreted', () => {
    const spec = defaultStudy();
    spec.data = {
      kind: 'csv',
      fileName: '<img src=x onerror=alert(1)>.csv',
      target: '<b>y</b>',
      features: ['x'],
      validationFraction: 0.2,
      seed: 1,
    };
    expect(decodeStudyHash(encodeStudyHash(spec))).toEqual({ ok: true, spec });
    const badEnum = JSON.stringify(defaultStudy()).replace('"default":"relu"', '"default":"<script>alert(1)</script>"');
    const error = errorOf(linkOf(badEnum));
    expect(error.kind).toBe('schema');
    expect(error.issues).toEqual([
      'Activation: the default must be one of relu, leaky_relu, tanh, sigmoid, gelu, linear, gelu_tanh, got "<script>alert(1)</script>" — pick one of those.',
    ]);
  });

  it('a link altered in one character is refused by its checksum, not read as another study', () => {
    const link = encodeStudyHash(defaultStudy());
    const at = Math.floor(link.length / 2);
    const altered = link.slice(0, at) + (link[at] === 'A' ? 'B' : 'A') + link.slice(at + 1);
    expect(errorOf(altered).kind).toBe('compression');
  });

  it('never throws: arbitrary hashes and single-character corruptions of a real link decode to a valid spec or a typed error', () => {
    const kinds = new Set(['format', 'encoding', 'compression', 'json', 'version', 'schema']);
    const check = (hash: string) => {
      const decoded = decodeStudyHash(hash);
      if (decoded.ok) expect(decoded.spec === null || parseStudy(decoded.spec).ok).toBe(true);
      else
        expect(
          kinds.has(decoded.error.kind) && decoded.error.message.startsWith('This study link cannot be opened: '),
        ).toBe(true);
    };
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (tail) => check(`#study=${tail}`)),
      { seed: 1, numRuns: 500 },
    );
    const link = encodeStudyHash(defaultStudy());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_%<';
    fc.assert(
      fc.property(fc.nat(link.length - 1), fc.nat(alphabet.length - 1), (at, c) => {
        const decoded = decodeStudyHash(link.slice(0, at) + alphabet[c] + link.slice(at + 1));
        // Refused; or the key itself was hit (no study in the hash); or the character changed nothing the study reads.
        if (!decoded.ok) expect(kinds.has(decoded.error.kind)).toBe(true);
        else if (decoded.spec !== null) expect(decoded.spec).toEqual(defaultStudy());
      }),
      { seed: 2, numRuns: 500 },
    );
  });
});
