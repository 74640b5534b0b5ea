/**
 * The published JSON Schemas are generated from the zod model; the committed files must match,
 * or editors would validate against a different format than the loader.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaFiles } from '../../src/agreement/schema.js';

describe('published JSON Schema', () => {
  for (const f of schemaFiles()) {
    it(`${f.path} is up to date (regenerate with: npx tsx src/agreement/schema.ts --write)`, () => {
      expect(readFileSync(f.path, 'utf8')).toBe(f.text);
    });
  }

  it('describes the agreement: required top-level sections and the zone geometry reference', () => {
    const schema = JSON.parse(readFileSync('schema/agreement.schema.json', 'utf8'));
    expect(schema.required).toEqual(
      expect.arrayContaining(['id', 'parties', 'stages', 'zones', 'responseProtocol', 'truce', 'time']),
    );
    expect(schema.properties.zones.items.properties.geometryRef.required).toEqual(['file', 'feature']);
  });

  it('lets overlays be partial: only "extends" is required, and the directives are allowed', () => {
    const schema = JSON.parse(readFileSync('schema/agreement-overlay.schema.json', 'utf8'));
    expect(schema.required).toEqual(['extends']);
    expect(JSON.stringify(schema)).not.toMatch(/"required":\["id"/);
    expect(schema.properties.zones.items.properties.$delete).toEqual(
      expect.objectContaining({ const: true }),
    );
  });

  it('every scenario file points editors at the schema', () => {
    expect(readFileSync('scenarios/lebanon-2026/agreement.yaml', 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../../schema/agreement.schema.json',
    );
    for (const v of ['phased-pilot-zones', 'phased-with-custody', 'lebanese-linear', 'israeli-conditional']) {
      expect(readFileSync(`scenarios/lebanon-2026/variants/${v}.yaml`, 'utf8').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=../../../schema/agreement-overlay.schema.json',
      );
    }
  });
});
