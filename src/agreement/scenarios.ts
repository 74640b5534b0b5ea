/**
 * The scenarios shipped with Phaseline (`scenarios/<name>/agreement.yaml` and its
 * `variants/*.yaml`), and what `phaseline init` needs to turn one into a data directory's own
 * agreement: party keys filled in, written out as one self-contained YAML file.
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, isMap, isPair, isScalar, visit } from 'yaml';
import { AgreementError } from './errors.js';
import { listVariantNames, validateValue } from './load.js';
import type { Agreement } from './model.js';

/** The scenario `phaseline init` uses when none is named. */
export const DEFAULT_SCENARIO = 'lebanon-2026';
/** The variant `phaseline init` uses when none is named: the signed framework. */
export const DEFAULT_VARIANT = 'phased-pilot-zones';

let root: string | undefined;

/**
 * The directory holding Phaseline's package.json, found by walking up from this module, so it
 * works from `src/` under tsx and from compiled `dist/` alike.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = nodePath.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(nodePath.join(dir, 'package.json')) && existsSync(nodePath.join(dir, 'scenarios'))) {
      root = dir;
      return dir;
    }
    const up = nodePath.dirname(dir);
    if (up === dir)
      throw new Error(
        `cannot find Phaseline's package root (package.json beside scenarios/) above ${fileURLToPath(import.meta.url)}`,
      );
    dir = up;
  }
}

/** Absolute path of `scenarios/<name>/agreement.yaml`; throws naming the known scenarios when it does not exist. */
export function scenarioPath(name: string): string {
  const file = nodePath.join(packageRoot(), 'scenarios', name, 'agreement.yaml');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(file)) {
    throw new Error(
      `unknown scenario "${name}": no ${nodePath.join('scenarios', name, 'agreement.yaml')} in ${packageRoot()} (known: ${DEFAULT_SCENARIO})`,
    );
  }
  return file;
}

/** The variant names of a scenario (the files in `scenarios/<name>/variants/`), sorted. */
export function listVariants(name: string): string[] {
  return listVariantNames(nodePath.dirname(scenarioPath(name)));
}

/**
 * A new agreement with the given parties' verifier keys set (replacing what the file had);
 * parties not named keep theirs. Throws {@link AgreementError} for an unknown party id or a
 * malformed or shared key: the result is checked exactly like a loaded file.
 */
export function withPartyKeys(
  agreement: Agreement,
  keys: Readonly<Record<string, readonly string[]>>,
): Agreement {
  const known = new Set(agreement.parties.map((p) => p.id));
  const unknown = Object.keys(keys).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AgreementError(
      unknown.map((id) => ({
        file: '(party keys)',
        line: 0,
        column: 0,
        path: '',
        message: `unknown party "${id}" (known: ${[...known].join(', ')})`,
      })),
    );
  }
  const copy = structuredClone(agreement) as Agreement;
  for (const p of copy.parties) {
    const k = keys[p.id];
    if (k !== undefined) p.keys = [...k];
  }
  return validateValue(copy, '(agreement with party keys)');
}

/** Stores the JSON text of `coords` (one ring per line) and returns the placeholder that stands for it. */
function placeholder(coords: unknown, rings: string[]): string {
  const lines = (c: unknown, depth: number): string =>
    depth === 0 || !Array.isArray(c)
      ? JSON.stringify(c)
      : `[\n  ${c.map((x) => lines(x, depth - 1)).join(',\n  ')}\n]`;
  const polygonDepth =
    Array.isArray(coords) &&
    Array.isArray(coords[0]) &&
    Array.isArray(coords[0][0]) &&
    Array.isArray(coords[0][0][0])
      ? 2
      : 1;
  rings.push(lines(coords, polygonDepth));
  return `@@coordinates-${rings.length - 1}@@`;
}

/** Options of {@link renderAgreementYaml}. */
export interface RenderOptions {
  /** Comment lines written at the top (without `#`), e.g. where the file came from. */
  header?: string[];
}

/**
 * The agreement as one self-contained YAML file: geometry inline (no references to resolve, so
 * the file can live in any data directory), defaults written out, coordinates as compact JSON.
 * `loadAgreement` on the result gives back an equal agreement. Parsing thousands of inline
 * coordinates as YAML is slow (hundreds of ms); for a data directory prefer
 * {@link renderAgreementFiles}, which keeps geometry in a GeoJSON file beside it.
 */
export function renderAgreementYaml(agreement: Agreement, opts: RenderOptions = {}): string {
  return renderYaml(agreement, opts);
}

/** Where {@link renderAgreementFiles} puts the zone geometry, relative to the agreement file. */
export const RENDERED_GEOMETRY_FILE = 'geo/zones.geojson';

/**
 * The agreement as the files of a data directory: `agreement.yaml`, whose zones reference their
 * geometry with `geometryRef`, and `geo/zones.geojson` holding one feature per zone (id, name,
 * illustrative, note). Write both, keeping the relative layout; `loadAgreement` on the YAML file
 * gives back an equal agreement. This is what `phaseline init` should write.
 */
export function renderAgreementFiles(agreement: Agreement, opts: RenderOptions = {}): Record<string, string> {
  const features = agreement.zones.flatMap((z) =>
    z.geometry === undefined
      ? []
      : [
          {
            type: 'Feature',
            properties: { id: z.id, name: z.name, illustrative: z.illustrative, note: z.note ?? null },
            geometry: z.geometry,
          },
        ],
  );
  const zones = agreement.zones.map((z) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(z)) {
      if (k === 'geometry') out.geometryRef = { file: RENDERED_GEOMETRY_FILE, feature: z.id };
      else out[k] = v;
    }
    return out;
  });
  const geojson = `{"type":"FeatureCollection","features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
  return { 'agreement.yaml': renderYaml({ ...agreement, zones }, opts), [RENDERED_GEOMETRY_FILE]: geojson };
}

function renderYaml(
  agreement: { zones: readonly { geometry?: { coordinates: unknown } }[] },
  opts: RenderOptions,
): string {
  // Coordinates are written as compact JSON (YAML is a superset of JSON), one ring per line:
  // YAML's own layout puts every number on a line of its own, ten times the size.
  // They go in as placeholders and are swapped for their JSON text after rendering.
  const rings: string[] = [];
  const withPlaceholders = {
    ...agreement,
    zones: agreement.zones.map((z) =>
      z.geometry === undefined
        ? z
        : { ...z, geometry: { ...z.geometry, coordinates: placeholder(z.geometry.coordinates, rings) } },
    ),
  };
  const doc = new Document(withPlaceholders);
  visit(doc, {
    Seq(_, seq) {
      if (seq.items.every((i) => isScalar(i)) && seq.items.length <= 16) seq.flow = true;
    },
    Map(_, map) {
      const small = map.items.length <= 3 && map.items.every((p) => isPair(p) && isScalar(p.value));
      const geometry = map.items.some((p) => isScalar(p.key) && p.key.value === 'coordinates');
      if (isMap(map) && small && !geometry) map.flow = true;
    },
  });
  const header = (opts.header ?? []).map((l) => `# ${l}`.trimEnd()).join('\n');
  const body = doc
    .toString({ lineWidth: 120, minContentWidth: 40 })
    .replace(
      /^( *)coordinates: (?:'|")?@@coordinates-(\d+)@@(?:'|")?$/gm,
      (_, indent: string, i: string) =>
        `${indent}coordinates: ${rings[Number(i)]!.replaceAll('\n', `\n${indent}  `)}`,
    );
  return header === '' ? body : `${header}\n${body}`;
}
