/**
 * Zone geometry: resolving references to GeoJSON files, and checking that a polygon is one a
 * map, a point-in-polygon test and a negotiator can all agree on (DESIGN.md, "Zone").
 *
 * A zone's geometry is written either inline (a GeoJSON Polygon or MultiPolygon, WGS84) or as a
 * reference `geometryRef: {file: geo/zones.geojson, feature: buffer-strip}` (also accepted:
 * `geometry: {file, feature}`) to a feature of a GeoJSON file,
 * resolved relative to the YAML file that wrote the reference. References are replaced by the
 * feature's geometry before validation, so the rest of the system only ever sees inline geometry.
 */
import { kinks, lineString } from '@turf/turf';
import type { AgreementIssue, DocPath } from './errors.js';
import { type ANode, issueAt } from './source.js';

/** Vertices per zone geometry; self-intersection checking is quadratic in this. */
export const zone_vertices_max = 20_000;

/** A problem inside a geometry value, at a path relative to the geometry. */
export interface GeometryProblem {
  path: DocPath;
  message: string;
}

/** Reads a file's text; the loader passes `fs.readFileSync`, tests may pass an in-memory map. Returns undefined when missing. */
export type ReadText = (absPath: string) => string | undefined;

/** Joins a reference with the directory of the file that wrote it (POSIX or absolute). */
export type ResolvePath = (dir: string, ref: string) => string;

/**
 * Replaces every geometry reference (`geometry: {file, feature}`) in the tree by the referenced
 * feature's geometry. The inlined nodes keep the reference's origin, with a note naming the file
 * and feature, so a geometry problem points at the line that referenced it.
 */
export function resolveGeometryRefs(
  tree: ANode,
  read: ReadText,
  resolve: ResolvePath,
): { tree: ANode; issues: AgreementIssue[]; unresolved: DocPath[] } {
  const issues: AgreementIssue[] = [];
  // `<zone path>.geometry` for each reference that failed: the missing geometry is already reported.
  const unresolved: DocPath[] = [];
  const cache = new Map<string, { features: Map<string, unknown>; single: unknown } | string>();

  const load = (abs: string, shown: string) => {
    let entry = cache.get(abs);
    if (entry === undefined) {
      entry = parseGeoJson(read(abs), shown);
      cache.set(abs, entry);
    }
    return entry;
  };

  const walk = (node: ANode, path: DocPath): ANode => {
    switch (node.kind) {
      case 'scalar':
      case 'json':
        return node;
      case 'seq':
        return { ...node, items: node.items.map((n, i) => walk(n, [...path, i])) };
      case 'map': {
        const entries = new Map<string, ANode>();
        for (const [k, v] of node.entries) {
          if (k === 'geometryRef' && v.kind === 'map') {
            // The model's spelling: `geometryRef: {file, feature}` becomes `geometry: <inline>`.
            if (node.entries.has('geometry')) {
              issues.push(
                issueAt(
                  v.origin,
                  [],
                  'write either "geometry" (inline) or "geometryRef" (a file reference), not both; an overlay replacing one writes `{$delete: true}` for the other',
                  undefined,
                  true,
                ),
              );
              continue;
            }
            const g = inline(v);
            if (g === v) unresolved.push([...path, 'geometry']);
            else entries.set('geometry', g);
          } else if (k === 'geometry' && v.kind === 'map' && v.entries.has('file')) {
            const g = inline(v);
            if (g === v) unresolved.push([...path, 'geometry']);
            else entries.set(k, g);
          } else {
            entries.set(k, walk(v, [...path, k]));
          }
        }
        return { ...node, entries };
      }
      default: {
        const never: never = node;
        return never;
      }
    }
  };

  const inline = (ref: Extract<ANode, { kind: 'map' }>): ANode => {
    const file = ref.entries.get('file');
    const feature = ref.entries.get('feature');
    for (const k of ref.entries.keys()) {
      if (k !== 'file' && k !== 'feature') {
        issues.push(
          issueAt(
            ref.origin,
            [k],
            `unknown key "${k}" in a geometry reference (expected: file, feature)`,
            undefined,
            true,
          ),
        );
      }
    }
    if (file?.kind !== 'scalar' || typeof file.value !== 'string' || file.value === '') {
      issues.push(
        issueAt(
          ref.origin,
          ['file'],
          'geometry reference needs "file": a path to a GeoJSON file, relative to this YAML file',
        ),
      );
      return ref;
    }
    if (feature !== undefined && (feature.kind !== 'scalar' || typeof feature.value !== 'string')) {
      issues.push(
        issueAt(ref.origin, ['feature'], 'geometry reference "feature" must be a feature id (a string)'),
      );
      return ref;
    }
    const shown = file.value;
    // Relative to the file that wrote `file` (an overlay may re-point a base zone to its own geometry).
    const abs = resolve(file.origin.source.dir, shown);
    const geo = load(abs, shown);
    if (typeof geo === 'string') {
      issues.push(issueAt(ref.origin, ['file'], geo));
      return ref;
    }
    let geometry: unknown;
    if (feature === undefined) {
      if (geo.single === undefined) {
        issues.push(
          issueAt(
            ref.origin,
            [],
            `${shown} holds ${geo.features.size} features: name one with "feature" (known: ${[...geo.features.keys()].join(', ')})`,
          ),
        );
        return ref;
      }
      geometry = geo.single;
    } else {
      const id = feature.value as string;
      geometry = geo.features.get(id);
      if (geometry === undefined) {
        issues.push(
          issueAt(
            ref.origin,
            ['feature'],
            `no feature "${id}" in ${shown} (known: ${[...geo.features.keys()].join(', ') || 'none'})`,
          ),
        );
        return ref;
      }
    }
    const note =
      feature === undefined ? `from ${shown}` : `from ${shown} feature "${feature.value as string}"`;
    // One node for the whole geometry: thousands of coordinates need no origin of their own,
    // since a problem inside them is reported at the reference anyway.
    return { kind: 'json', value: geometry, origin: { ...ref.origin, note } };
  };

  return { tree: walk(tree, []), issues, unresolved };
}

/** Feature geometries by id (`properties.id`, else the feature's `id`), or a message saying why the file is unusable. */
function parseGeoJson(
  text: string | undefined,
  shown: string,
): { features: Map<string, unknown>; single: unknown } | string {
  if (text === undefined)
    return `geometry file "${shown}" not found (paths are relative to the YAML file that names them)`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `geometry file "${shown}" is not valid JSON: ${(e as Error).message}`;
  }
  const features = new Map<string, unknown>();
  const obj = json as { type?: unknown; features?: unknown; geometry?: unknown };
  if (obj?.type === 'Polygon' || obj?.type === 'MultiPolygon') return { features, single: json };
  if (obj?.type === 'Feature') return { features, single: obj.geometry };
  if (obj?.type !== 'FeatureCollection' || !Array.isArray(obj.features)) {
    return `geometry file "${shown}" is not a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon`;
  }
  for (const f of obj.features as { id?: unknown; properties?: { id?: unknown }; geometry?: unknown }[]) {
    const id = f?.properties?.id ?? f?.id;
    if (typeof id === 'string' || typeof id === 'number') features.set(String(id), f.geometry);
  }
  const only = obj.features.length === 1 ? (obj.features[0] as { geometry?: unknown }).geometry : undefined;
  return { features, single: only };
}

/**
 * Checks a zone geometry: a GeoJSON Polygon or MultiPolygon whose rings are closed, have at least
 * 4 positions, do not cross themselves, and whose positions are WGS84 longitude/latitude within
 * −180..180 and −90..90. Returns every problem with its path inside the geometry.
 */
export function checkZoneGeometry(geometry: unknown): GeometryProblem[] {
  // Self-intersection checking is quadratic and the same scenario geometry is checked on every
  // load (each variant, each test): remember recent answers by content. Pure, so safe to cache.
  const key = JSON.stringify(geometry);
  const hit = checked.get(key);
  if (hit !== undefined) return hit.map((p) => ({ ...p, path: [...p.path] }));
  const problems = checkUncached(geometry);
  if (checked.size >= geometry_cache_entries_max) checked.delete(checked.keys().next().value!);
  checked.set(key, problems);
  return problems.map((p) => ({ ...p, path: [...p.path] }));
}

/** How many distinct geometries' check results are remembered. */
const geometry_cache_entries_max = 256;
const checked = new Map<string, GeometryProblem[]>();

function checkUncached(geometry: unknown): GeometryProblem[] {
  const problems: GeometryProblem[] = [];
  const g = geometry as { type?: unknown; coordinates?: unknown };
  if (typeof g !== 'object' || g === null)
    return [{ path: [], message: 'geometry must be a GeoJSON Polygon or MultiPolygon' }];
  if (g.type === 'Polygon') {
    checkPolygon(g.coordinates, ['coordinates'], problems);
  } else if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) {
      problems.push({ path: ['coordinates'], message: 'a MultiPolygon needs a non-empty list of polygons' });
    } else {
      g.coordinates.forEach((p, i) => {
        checkPolygon(p, ['coordinates', i], problems);
      });
    }
  } else {
    problems.push({
      path: ['type'],
      message: `geometry type ${JSON.stringify(g.type)} is not allowed (expected Polygon or MultiPolygon)`,
    });
  }
  if (problems.length === 0 && countVertices(g.coordinates) > zone_vertices_max) {
    problems.push({
      path: ['coordinates'],
      message: `more than ${zone_vertices_max} vertices: simplify the zone`,
    });
  }
  return problems;
}

function countVertices(c: unknown): number {
  if (!Array.isArray(c)) return 0;
  if (typeof c[0] === 'number') return 1;
  let n = 0;
  for (const x of c) n += countVertices(x);
  return n;
}

function checkPolygon(rings: unknown, at: DocPath, problems: GeometryProblem[]): void {
  if (!Array.isArray(rings) || rings.length === 0) {
    problems.push({
      path: at,
      message: 'a polygon needs a non-empty list of rings (outer ring first, then holes)',
    });
    return;
  }
  rings.forEach((ring, r) => {
    checkRing(ring, [...at, r], problems);
  });
}

function checkRing(ring: unknown, at: DocPath, problems: GeometryProblem[]): void {
  if (!Array.isArray(ring)) {
    problems.push({ path: at, message: 'a ring must be a list of [longitude, latitude] positions' });
    return;
  }
  let ok = true;
  ring.forEach((p, i) => {
    if (
      !Array.isArray(p) ||
      p.length < 2 ||
      p.length > 3 ||
      !p.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      problems.push({
        path: [...at, i],
        message: 'a position must be [longitude, latitude] (optionally with altitude), as numbers',
      });
      ok = false;
      return;
    }
    const [lon, lat] = p as number[];
    if (lon! < -180 || lon! > 180 || lat! < -90 || lat! > 90) {
      problems.push({
        path: [...at, i],
        message: `position [${lon}, ${lat}] is outside WGS84 bounds (longitude −180..180, latitude −90..90; GeoJSON order is [longitude, latitude])`,
      });
      ok = false;
    }
  });
  if (!ok) return;
  const pts = ring as number[][];
  if (pts.length < 4) {
    problems.push({
      path: at,
      message: `a ring needs at least 4 positions (a closed triangle), has ${pts.length}`,
    });
    return;
  }
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    problems.push({
      path: at,
      message: `ring is not closed: the last position [${last[0]}, ${last[1]}] must repeat the first [${first[0]}, ${first[1]}]`,
    });
    return;
  }
  const crossings = kinks(lineString(pts.map((p) => [p[0]!, p[1]!]))).features;
  if (crossings.length > 0) {
    const c = crossings[0]!.geometry.coordinates;
    problems.push({
      path: at,
      message: `ring intersects itself at [${round(c[0]!)}, ${round(c[1]!)}]${crossings.length > 1 ? ` and ${crossings.length - 1} other point(s)` : ''}: a zone boundary must not cross itself`,
    });
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
