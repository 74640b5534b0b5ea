/**
 * Property: removing any single required field from a valid agreement file makes the loader
 * throw; it never returns an agreement with a hole in it. "Required" is what the published JSON
 * Schema says a file must contain, so this also checks the schema and the loader agree.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { AgreementError } from '../../src/agreement/errors.js';
import { parseAgreementText } from '../../src/agreement/load.js';
import { memIo } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema document walked generically
type Schema = { [k: string]: any };
type Path = (string | number)[];

const schema: Schema = JSON.parse(readFileSync('schema/agreement.schema.json', 'utf8'));

function deref(s: Schema): Schema {
  if (typeof s.$ref === 'string') return deref(schema.$defs[s.$ref.replace('#/$defs/', '')]);
  return s;
}

/** Does `value` plausibly match object schema `s` (its required keys present, no unknown keys)? */
function fits(s: Schema, value: unknown): boolean {
  s = deref(s);
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).some((b: Schema) => fits(b, value));
  if (s.type === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    if ((s.required ?? []).some((k: string) => !keys.includes(k))) return false;
    if (s.additionalProperties === false && keys.some((k) => !(k in (s.properties ?? {})))) return false;
    return Object.entries(s.properties ?? {}).every(
      ([k, p]) =>
        !(k in (value as object)) ||
        deref(p as Schema).const === undefined ||
        deref(p as Schema).const === (value as Record<string, unknown>)[k],
    );
  }
  if (s.type === 'array') return Array.isArray(value);
  return true;
}

/** Paths of every field the schema requires in `value`, walking the value alongside the schema. */
function requiredPaths(s: Schema, value: unknown, path: Path = []): Path[] {
  s = deref(s);
  if (s.anyOf || s.oneOf) {
    const branch = (s.anyOf ?? s.oneOf).find((b: Schema) => fits(b, value));
    return branch ? requiredPaths(branch, value, path) : [];
  }
  if (s.type === 'object' && value !== null && typeof value === 'object') {
    const out: Path[] = (s.required ?? []).map((k: string) => [...path, k]);
    for (const [k, v] of Object.entries(value)) {
      const p =
        s.properties?.[k] ??
        (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (p) out.push(...requiredPaths(p, v, [...path, k]));
    }
    return out;
  }
  if (s.type === 'array' && Array.isArray(value) && s.items) {
    return value.flatMap((v, i) => requiredPaths(s.items, v, [...path, i]));
  }
  return [];
}

/** Sets up loading for a fixture; `rejectsWithout(path)` checks the loader refuses the file without that field. */
function fixture(file: string, geoFile: string, geoPath: string) {
  const text = readFileSync(file, 'utf8');
  const io = memIo({ [`/mem/${geoPath}`]: readFileSync(geoFile, 'utf8') });
  const load = (t: string) => parseAgreementText(t, 'agreement.yaml', io);
  const paths = requiredPaths(schema, parseDocument(text).toJS());
  const rejectsWithout = (path: Path) => {
    const doc = parseDocument(text);
    expect(doc.hasIn(path)).toBe(true);
    doc.deleteIn(path);
    let returned = false;
    try {
      load(doc.toString());
      returned = true;
    } catch (e) {
      expect(e).toBeInstanceOf(AgreementError);
      expect((e as AgreementError).issues.length).toBeGreaterThan(0);
    }
    expect(returned, `loader returned an agreement without ${path.join('.')}`).toBe(false);
  };
  return { text, load, paths, rejectsWithout };
}

describe('the loader never returns an agreement missing a required field', () => {
  it('for the minimal test agreement: every required field, one at a time', () => {
    const f = fixture(
      'testdata/agreements/minimal.yaml',
      'testdata/agreements/geo/minimal.geojson',
      'geo/minimal.geojson',
    );
    expect(() => f.load(f.text)).not.toThrow();
    expect(f.paths.length).toBeGreaterThan(100);
    for (const path of f.paths) f.rejectsWithout(path);
  });

  it('for the Lebanon 2026 scenario: required fields drawn at random (fast-check)', () => {
    const f = fixture(
      'scenarios/lebanon-2026/agreement.yaml',
      'scenarios/lebanon-2026/geo/zones.geojson',
      'geo/zones.geojson',
    );
    expect(() => f.load(f.text)).not.toThrow();
    expect(f.paths.length).toBeGreaterThan(250);
    fc.assert(
      fc.property(fc.constantFrom(...f.paths), (path) => f.rejectsWithout(path)),
      { numRuns: 25, seed: 20260626 },
    );
  }, 60_000);
});
