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
      ([k, p]) => !(k in (value as object)) || (deref(p as Schema).const === undefined || deref(p as Schema).const === (value as any)[k]),
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
      const p = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (p) out.push(...requiredPaths(p, v, [...path, k]));
    }
    return out;
  }
  if (s.type === 'array' && Array.isArray(value) && s.items) {
    return value.flatMap((v, i) => requiredPaths(s.items, v, [...path, i]));
  }
  return [];
}

function property(file: string, geoFile: string, geoPath: string, numRuns: number) {
  const text = readFileSync(file, 'utf8');
  const io = memIo({ [`/mem/${geoPath}`]: readFileSync(geoFile, 'utf8') });
  const load = (t: string) => parseAgreementText(t, 'agreement.yaml', io);
  const whole = parseDocument(text).toJS();
  // Geometry references are resolved before validation, so the schema sees inline geometry only
  // where the file wrote it; a reference's own required fields come from its schema entry.
  const paths = requiredPaths(schema, whole);
  expect(paths.length).toBeGreaterThan(50);
  expect(() => load(text)).not.toThrow();
  fc.assert(
    fc.property(fc.constantFrom(...paths), (path) => {
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
    }),
    { numRuns, seed: 20260626 },
  );
  return paths.length;
}

describe('the loader never returns an agreement missing a required field', () => {
  it('for the minimal test agreement (every required field, sampled)', () => {
    property('testdata/agreements/minimal.yaml', 'testdata/agreements/geo/minimal.geojson', 'geo/minimal.geojson', 300);
  });

  it('for the Lebanon 2026 scenario (sampled)', () => {
    property('scenarios/lebanon-2026/agreement.yaml', 'scenarios/lebanon-2026/geo/zones.geojson', 'geo/zones.geojson', 40);
  }, 60_000);
});
