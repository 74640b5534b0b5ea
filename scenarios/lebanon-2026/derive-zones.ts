/**
 * Derives the ILLUSTRATIVE pilot zones of the default lebanon-2026 scenario from real geometry.
 *
 * The real pilot-zone boundaries of the 2026 arrangement are not public. These zones are built
 * from open data so that the scenario has plausible, honest shapes: Who's On First caza (district)
 * polygons, the OpenStreetMap Litani river and a Natural Earth proxy of the Blue Line. Every feature says so in its `note`. Inputs are the files in `geo/source/` (origins and
 * licences in SOURCES.md); nothing outside this scenario is read.
 *
 * Run:  npx tsx scenarios/lebanon-2026/derive-zones.ts [--svg out.svg]
 * Writes geo/zones.geojson, geo/blue-line-proxy.geojson and geo/litani.geojson. With --svg it
 * also renders a check map (convert with `rsvg-convert out.svg -o out.png`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as turf from '@turf/turf';
import type {
  Feature,
  FeatureCollection,
  LineString,
  MultiLineString,
  MultiPolygon,
  Polygon,
  Position,
} from 'geojson';

export type ZoneKind = 'buffer-strip' | 'south-of-litani' | 'north-of-litani';

export interface ZoneProperties {
  id: string;
  name: string;
  name_ara?: string;
  kind: ZoneKind;
  illustrative: true;
  note: string;
  derivedFrom: string[];
  prerequisites: string[];
  areaKm2: number;
}

export type ZoneFeature = Feature<Polygon | MultiPolygon, ZoneProperties>;
export type ZoneCollection = FeatureCollection<Polygon | MultiPolygon, ZoneProperties>;
type Area = Feature<Polygon | MultiPolygon>;

/** Width of the strip along the Blue Line proxy on the Lebanese side. */
export const bufferStripKm = 5;
/** Polygon parts and holes smaller than this are slivers from mismatched sources, not territory. */
export const sliverKm2 = 0.5;
/** Leftover river-bank fragments smaller than this are not worth reassigning. */
const speckM2 = 100;
/** Output precision: 6 decimals is ~0.1 m, far below the accuracy of any input. */
export const coordDecimals = 6;

export const sourceFiles = {
  cazas: 'lbn_adm2_cazas_wof.geojson',
  litani: 'river_litani_osm.geojson',
  blueLine: 'blue_line_proxy_ne10m.geojson',
} as const;

/** Context layers drawn on the check map only; they do not shape any zone. */
const displayFiles = {
  countries: 'ne10m_countries_levant.geojson',
  rivers: ['river_zahrani_osm.geojson', 'river_awali_osm.geojson'],
} as const;

const src = {
  cazas: `source/${sourceFiles.cazas} (Who's On First, CC-BY)`,
  litani: `source/${sourceFiles.litani} main_stream ways (© OpenStreetMap contributors, ODbL 1.0)`,
  blueLine: `source/${sourceFiles.blueLine} (Natural Earth, public domain; a proxy, not the UN Blue Line)`,
};

/** The seven cazas the zones are cut from, by their WOF `name`. */
const cazaNames = ['Sour', 'Bent Jbeil', 'Marjaayoun', 'Hasbaya', 'El Nabatieh', 'Saida', 'Jezzine'] as const;
type CazaName = (typeof cazaNames)[number];

/**
 * Zone table, in priority order: where two sources disagree by a sliver, the earlier zone keeps
 * the ground and later zones are clipped against it, so zones never overlap. The pilot comes
 * first; prerequisites follow the intended sequence (south of the Litani from west to east,
 * then the buffer strip once its whole hinterland is held, then north of the Litani towards
 * the Awali, each opening after its neighbours across the river).
 */
interface ZoneSpec {
  id: string;
  name: string;
  name_ara: string;
  kind: ZoneKind;
  caza?: CazaName;
  /**
   * For a caza that the buffer strip cuts in two: which of the two pieces this zone is
   * (by centroid longitude). Derivation fails if the cut does not give exactly two pieces.
   */
  piece?: 'west' | 'east';
  prerequisites: string[];
  remark: string;
}

const zoneSpecs: ZoneSpec[] = [
  {
    id: 'sour-south-litani',
    name: 'Sour (Tyre), south of the Litani',
    name_ara: 'صور – جنوب الليطاني',
    kind: 'south-of-litani',
    caza: 'Sour',
    prerequisites: [],
    remark: 'Pilot zone. Sour caza south of the Litani, outside the buffer strip',
  },
  {
    id: 'bent-jbeil',
    name: 'Bent Jbeil',
    name_ara: 'بنت جبيل',
    kind: 'south-of-litani',
    caza: 'Bent Jbeil',
    prerequisites: ['sour-south-litani'],
    remark: 'Bent Jbeil caza outside the buffer strip',
  },
  // Near Metula the Blue Line comes within ~5 km of the Litani bend, so the buffer strip cuts
  // Marjaayoun caza in two. Two contiguous zones are easier to clear and hold than one in two parts.
  {
    id: 'marjaayoun-west',
    name: 'Marjaayoun west (Wadi Saluki side)',
    name_ara: 'مرجعيون – القطاع الغربي',
    kind: 'south-of-litani',
    caza: 'Marjaayoun',
    piece: 'west',
    prerequisites: ['bent-jbeil'],
    remark: 'The part of Marjaayoun caza west of the buffer strip, next to Bent Jbeil',
  },
  {
    id: 'marjaayoun-north',
    name: 'Marjaayoun north (Marjayoun town, Khiam)',
    name_ara: 'مرجعيون – القطاع الشمالي',
    kind: 'south-of-litani',
    caza: 'Marjaayoun',
    piece: 'east',
    prerequisites: ['marjaayoun-west'],
    remark: 'The part of Marjaayoun caza between the Litani bend and the buffer strip',
  },
  {
    id: 'hasbaya',
    name: 'Hasbaya',
    name_ara: 'حاصبيا',
    kind: 'south-of-litani',
    caza: 'Hasbaya',
    prerequisites: ['marjaayoun-north'],
    remark: 'Hasbaya caza east of the upper Litani, outside the buffer strip',
  },
  {
    id: 'buffer-strip',
    name: 'Blue Line buffer strip',
    name_ara: 'الشريط الحدودي',
    kind: 'buffer-strip',
    prerequisites: ['sour-south-litani', 'bent-jbeil', 'marjaayoun-west', 'marjaayoun-north', 'hasbaya'],
    remark: `The buffer zone: a ${bufferStripKm} km strip along the Lebanese side of the Blue Line proxy, within Sour, Bent Jbeil, Marjaayoun and Hasbaya`,
  },
  {
    id: 'nabatieh-north-litani',
    name: 'El Nabatieh, north of the Litani',
    name_ara: 'النبطية – شمال الليطاني',
    kind: 'north-of-litani',
    caza: 'El Nabatieh',
    // Its neighbours across the river (the buffer strip touches it only at the Litani bend).
    prerequisites: ['sour-south-litani', 'bent-jbeil', 'marjaayoun-west', 'marjaayoun-north'],
    remark: 'El Nabatieh caza north of the Litani',
  },
  {
    id: 'saida',
    name: 'Saida (Sidon), between the Litani and the Awali',
    name_ara: 'صيدا – بين الليطاني والأولي',
    kind: 'north-of-litani',
    caza: 'Saida',
    prerequisites: ['sour-south-litani'],
    remark:
      'Saida caza north of the Litani; its northern limit is the caza boundary, which approximates the Awali. WOF has no Saida polygon: it is WOF South Lebanon minus Sour and Jezzine',
  },
  {
    id: 'jezzine',
    name: 'Jezzine',
    name_ara: 'جزين',
    kind: 'north-of-litani',
    caza: 'Jezzine',
    prerequisites: ['nabatieh-north-litani', 'saida'],
    remark: 'Jezzine caza west of the upper Litani; its northern limit is the caza boundary',
  },
];

// Far-away coordinates used to close a river line into a polygon. They lie well outside
// Lebanon (sea to the west, Syria/Jordan to the east and south).
const farWest = 34.5;
const farEast = 37;
const farSouth = 32.5;

interface Sources {
  cazas: Map<CazaName, Feature<Polygon | MultiPolygon, Record<string, unknown>>>;
  litani: Position[];
  blueLine: Feature<LineString, Record<string, unknown>>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Joins OSM member ways (already in downstream order in the source) into one coordinate list. */
function chainMainStream(fc: FeatureCollection<LineString, Record<string, unknown>>): Position[] {
  const out: Position[] = [];
  for (const f of fc.features) {
    if (f.properties['role'] !== 'main_stream') continue;
    const first = f.geometry.coordinates[0];
    const end = out[out.length - 1];
    if (first && end && (first[0] !== end[0] || first[1] !== end[1])) {
      // A gap between ways would silently shortcut the river across a caza; refuse instead.
      throw new Error(`main stream is not contiguous at ${JSON.stringify(end)} -> ${JSON.stringify(first)}`);
    }
    for (const c of f.geometry.coordinates) {
      const last = out[out.length - 1];
      if (last && last[0] === c[0] && last[1] === c[1]) continue;
      out.push([c[0]!, c[1]!]);
    }
  }
  return out;
}

export function loadSources(sourceDir: string): Sources {
  const cazaFc = readJson<FeatureCollection<Polygon | MultiPolygon, Record<string, unknown>>>(
    join(sourceDir, sourceFiles.cazas),
  );
  const cazas = new Map<CazaName, Feature<Polygon | MultiPolygon, Record<string, unknown>>>();
  for (const name of cazaNames) {
    const f = cazaFc.features.find((x) => x.properties['name'] === name);
    if (!f) throw new Error(`caza ${name} not found in ${sourceFiles.cazas}`);
    cazas.set(name, f);
  }
  const blueFc = readJson<FeatureCollection<LineString, Record<string, unknown>>>(
    join(sourceDir, sourceFiles.blueLine),
  );
  const blueLine = blueFc.features[0];
  if (blueLine?.geometry.type !== 'LineString') throw new Error('Blue Line proxy is not a LineString');
  return {
    cazas,
    litani: chainMainStream(readJson(join(sourceDir, sourceFiles.litani))),
    blueLine,
  };
}

/**
 * A river is a line, and clipping needs a polygon: close the river through far-away points on
 * its south side (mouth -> far west -> far south -> far east -> level with the upstream end ->
 * back to the upstream end). For the Litani, which flows south down the Bekaa and then west to
 * the sea, this is the land south of its lower course and east of its upper course: the area
 * UNSCR 1701 calls "south of the Litani".
 */
function southOfRiver(downstream: Position[]): Feature<Polygon> {
  const up = downstream[0]!;
  const mouth = downstream[downstream.length - 1]!;
  const ring: Position[] = [
    ...downstream,
    [farWest, mouth[1]!],
    [farWest, farSouth],
    [farEast, farSouth],
    [farEast, up[1]!],
    up,
  ];
  return turf.polygon([ring]);
}

/**
 * `b` cut down to the bounding box of `a` (plus a margin), or null if they cannot meet. Clipping
 * cost grows with the vertices of both operands, and the river polygon has thousands far from
 * any one caza; outside a's box they cannot change a ∩ b or a − b, so dropping them first makes
 * the operations 2-4x faster with identical results.
 */
function nearPart(b: Area, a: Area): Area | null {
  const margin = 0.01;
  const [aw, as, ae, an] = turf.bbox(a);
  const [bw, bs, be, bn] = turf.bbox(b);
  if (bw > ae + margin || be < aw - margin || bs > an + margin || bn < as - margin) return null;
  const clipped = turf.bboxClip(b, [aw - margin, as - margin, ae + margin, an + margin]) as Area;
  // bboxClip leaves parts wholly outside the box as empty rings, which the clipper rejects.
  const polys = (
    clipped.geometry.type === 'Polygon' ? [clipped.geometry.coordinates] : clipped.geometry.coordinates
  )
    .filter((rings) => (rings[0]?.length ?? 0) >= 4)
    .map((rings) => rings.filter((r) => r.length >= 4));
  if (polys.length === 0) return null;
  return polys.length === 1 ? turf.polygon(polys[0]!) : turf.multiPolygon(polys);
}

function intersect(a: Area | null, b: Area | null): Area | null {
  if (!a || !b) return null;
  const near = nearPart(b, a);
  if (!near) return null;
  return turf.intersect(turf.featureCollection([a, near]));
}

function difference(a: Area | null, b: Area | null): Area | null {
  if (!a) return null;
  const near = b ? nearPart(b, a) : null;
  if (!near) return a;
  return turf.difference(turf.featureCollection([a, near]));
}

function union(parts: (Area | null)[]): Area | null {
  const present = parts.filter((p): p is Area => p !== null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  return turf.union(turf.featureCollection(present));
}

const km2 = (f: Area): number => turf.area(f) / 1e6;

/** One of exactly two non-sliver parts, the western or the eastern by centroid longitude. */
function pickPiece(f: Area, which: 'west' | 'east', label: string): Area {
  const parts = turf
    .flatten(f)
    .features.filter((p) => km2(p) >= sliverKm2)
    .map((p) => ({ p, lon: turf.centroid(p).geometry.coordinates[0]! }))
    .sort((a, b) => a.lon - b.lon);
  if (parts.length !== 2)
    throw new Error(`${label}: expected the buffer strip to cut 2 pieces, got ${parts.length}`);
  return (which === 'west' ? parts[0]! : parts[1]!).p;
}

/** Drops parts and holes below the sliver threshold; returns null when nothing is left. */
function dropSlivers(f: Area | null): Area | null {
  if (!f) return null;
  const polys: Position[][][] =
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const kept: Position[][][] = [];
  for (const rings of polys) {
    const [outer, ...holes] = rings;
    if (!outer || km2(turf.polygon([outer])) < sliverKm2) continue;
    kept.push([outer, ...holes.filter((h) => km2(turf.polygon([h])) >= sliverKm2)]);
  }
  if (kept.length === 0) return null;
  return kept.length === 1 ? turf.polygon(kept[0]!) : turf.multiPolygon(kept);
}

function roundPosition(p: Position): Position {
  const f = 10 ** coordDecimals;
  // `+ 0` turns -0 into 0 so that serialisation is stable.
  return [Math.round(p[0]! * f) / f + 0, Math.round(p[1]! * f) / f + 0];
}

/** Rounds a ring and removes the consecutive duplicates and spikes rounding can create. */
function roundRing(ring: Position[]): Position[] | null {
  const out: Position[] = [];
  for (const p of ring.map(roundPosition)) {
    const last = out[out.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) continue;
    out.push(p);
  }
  // Remove A-B-A back-tracks (zero-width spikes), which `kinks` does not always report.
  let changed = true;
  while (changed && out.length > 3) {
    changed = false;
    for (let i = 1; i + 1 < out.length; i++) {
      const a = out[i - 1]!;
      const c = out[i + 1]!;
      if (a[0] === c[0] && a[1] === c[1]) {
        out.splice(i, 2);
        changed = true;
        break;
      }
    }
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push(first);
  return out.length >= 4 ? out : null;
}

function roundArea(f: Area): Area {
  const polys: Position[][][] =
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const rounded: Position[][][] = [];
  for (const rings of polys) {
    const rs = rings.map(roundRing);
    if (!rs[0]) continue;
    rounded.push(rs.filter((r): r is Position[] => r !== null));
  }
  const g = rounded.length === 1 ? turf.polygon(rounded[0]!) : turf.multiPolygon(rounded);
  // Right-hand rule (RFC 7946 §3.1.6): exterior rings counter-clockwise, holes clockwise.
  return turf.rewind(g) as Area;
}

/** Throws unless the geometry is a valid, closed, kink-free polygon within WGS84 bounds. */
export function assertValidArea(f: Area, label: string): void {
  const polys: Position[][][] =
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  for (const rings of polys) {
    for (const r of rings) {
      const a = r[0]!;
      const b = r[r.length - 1]!;
      if (r.length < 4 || a[0] !== b[0] || a[1] !== b[1]) throw new Error(`${label}: ring not closed`);
      for (const p of r) {
        if (!(Math.abs(p[0]!) <= 180 && Math.abs(p[1]!) <= 90))
          throw new Error(`${label}: coordinate out of range`);
      }
    }
  }
  const k = turf.kinks(f).features.length;
  if (k > 0) throw new Error(`${label}: ${k} self-intersections`);
  if (!turf.booleanValid(f)) throw new Error(`${label}: not a valid polygon`);
}

/** Derives the zones deterministically from the files in `sourceDir`. */
export function deriveZones(sourceDir: string): ZoneCollection {
  const s = loadSources(sourceDir);
  const caza = (n: CazaName) => s.cazas.get(n)!;
  const southLitani = southOfRiver(s.litani);

  // The WOF cazas, not the proxy, bound the zones to the south: the Natural Earth proxy is off
  // by up to ~1-2 km both ways. It puts Kfar Kila, Blida, Meiss ej Jabal and Adaisseh (GeoNames
  // points) 0.4-0.7 km on its Israeli side and Metula, Zar'it, Shetula and Avivim on its Lebanese
  // side, while WOF gets all eight right. Zones therefore cross the drawn proxy in places.
  // The strip is measured from the proxy, so its depth from the WOF border varies with that error.
  const strip = intersect(
    turf.buffer(s.blueLine, bufferStripKm, { units: 'kilometers', steps: 16 }) as Area,
    southLitani,
  );
  const frontCazas: CazaName[] = ['Sour', 'Bent Jbeil', 'Marjaayoun', 'Hasbaya'];
  const bufferZone = dropSlivers(union(frontCazas.map((n) => intersect(strip, caza(n)))));

  // Each caza split at the Litani (the south part minus the buffer strip).
  const split = new Map<CazaName, { south: Area | null; north: Area | null }>();
  for (const n of cazaNames) {
    split.set(n, {
      south: difference(intersect(caza(n), southLitani), bufferZone),
      north: difference(caza(n), southLitani),
    });
  }

  // Core of each zone: its caza on its own side of the river.
  const core = new Map<string, Area | null>();
  const zoneSide = (spec: ZoneSpec) => (spec.kind === 'north-of-litani' ? 'north' : 'south');
  for (const spec of zoneSpecs) {
    if (spec.kind === 'buffer-strip') {
      core.set(spec.id, bufferZone);
      continue;
    }
    let piece = split.get(spec.caza!)![zoneSide(spec)];
    if (piece && spec.piece) piece = pickPiece(piece, spec.piece, spec.id);
    core.set(spec.id, piece);
  }

  // The WOF caza edges follow the river only roughly, so each caza leaves strips on the wrong
  // bank. Give each strip to the zone on its own bank that it touches most, so the river is the
  // boundary; strips touching no zone (e.g. facing West Bekaa, which is not zoned) are dropped.
  const zonedCazas = new Set(zoneSpecs.map((z) => z.caza));
  const leftovers: { part: Area; side: 'south' | 'north' }[] = [];
  for (const n of cazaNames) {
    if (!zonedCazas.has(n)) continue;
    const own = zoneSpecs.find((z) => z.caza === n)!;
    const wrong = zoneSide(own) === 'south' ? 'north' : 'south';
    const piece = split.get(n)![wrong];
    if (!piece) continue;
    for (const part of turf.flatten(piece).features) {
      // Specks below this only cost time; leaving them unassigned changes no visible boundary.
      if (turf.area(part) >= speckM2) leftovers.push({ part, side: wrong });
    }
  }
  const bboxes = new Map<string, number[]>();
  for (const [id, g] of core) if (g) bboxes.set(id, turf.bbox(g));
  const bboxesMeet = (a: number[], b: number[]) =>
    a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;
  for (const { part, side } of leftovers) {
    const halo = turf.buffer(part, 0.05, { units: 'kilometers', steps: 4 }) as Area;
    const haloBox = turf.bbox(halo);
    let best: string | null = null;
    let bestArea = 0;
    for (const spec of zoneSpecs) {
      if (spec.kind === 'buffer-strip' || zoneSide(spec) !== side) continue;
      const box = bboxes.get(spec.id);
      if (!box || !bboxesMeet(box, haloBox)) continue;
      const touch = intersect(halo, core.get(spec.id) ?? null);
      const a = touch ? turf.area(touch) : 0;
      if (a > bestArea) {
        bestArea = a;
        best = spec.id;
      }
    }
    if (best) core.set(best, union([core.get(best) ?? null, part]));
  }

  const features: ZoneFeature[] = [];
  let taken: Area | null = null;
  for (const spec of zoneSpecs) {
    // Clip against earlier zones so that overlaps in the source polygons cannot reach the output.
    let g = dropSlivers(difference(core.get(spec.id) ?? null, taken));
    if (!g) throw new Error(`zone ${spec.id} is empty`);
    g = dropSlivers(roundArea(g));
    if (!g) throw new Error(`zone ${spec.id} vanished when rounded`);
    assertValidArea(g, spec.id);
    taken = union([taken, g]);

    const derivedFrom =
      spec.kind === 'buffer-strip'
        ? [src.blueLine, src.cazas, src.litani]
        : [src.cazas, src.litani, src.blueLine];
    const sourcesText =
      spec.kind === 'buffer-strip'
        ? `a ${bufferStripKm} km buffer of the Natural Earth Blue Line proxy, clipped to the Who's On First cazas south of the OpenStreetMap Litani`
        : `the Who's On First ${spec.caza} caza, the OpenStreetMap Litani and the Natural Earth Blue Line proxy`;
    const properties: ZoneProperties = {
      id: spec.id,
      name: spec.name,
      name_ara: spec.name_ara,
      kind: spec.kind,
      illustrative: true,
      note: `Illustrative: the real pilot-zone boundaries are not public; derived from ${sourcesText}. ${spec.remark}.`,
      derivedFrom,
      prerequisites: spec.prerequisites,
      areaKm2: Math.round(km2(g) * 10) / 10,
    };
    features.push({ type: 'Feature', properties, geometry: g.geometry });
  }
  return { type: 'FeatureCollection', features };
}

/** The Litani main stream as one LineString, rounded like the zones, for map display. */
export function deriveLitani(sourceDir: string): FeatureCollection<LineString> {
  const s = loadSources(sourceDir);
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {
          name: 'Litani River (main stream)',
          name_ara: 'نهر الليطاني',
          osm_relation_id: 384062,
          derivation:
            'main_stream member ways of OSM relation 384062 joined in downstream order, rounded to 6 decimals',
          attribution: '© OpenStreetMap contributors, ODbL 1.0',
        },
        geometry: { type: 'LineString', coordinates: s.litani.map(roundPosition) },
      },
    ],
  };
}

/** The Blue Line proxy with its caveat, for map display. */
export function deriveBlueLine(sourceDir: string): FeatureCollection<LineString> {
  const s = loadSources(sourceDir);
  return {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: {
          ...s.blueLine.properties,
          caveat:
            'PROXY, not the UN Blue Line: the Lebanon–Israel boundary as shared by Natural Earth admin-1 polygons. Shebaa Farms, Ghajar and the 13 reserved points are not represented; error can reach hundreds of metres.',
        },
        geometry: s.blueLine.geometry,
      },
    ],
  };
}

/** One feature per line: stable bytes and readable diffs. */
export function serializeCollection(fc: FeatureCollection): string {
  const lines = fc.features.map((f) => JSON.stringify(f));
  return `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`;
}

// ---------------------------------------------------------------------------------------------
// Check map: a plain SVG so the result can be inspected by eye without a GIS.

const palette = [
  '#1b9e77',
  '#d95f02',
  '#7570b3',
  '#e7298a',
  '#66a61e',
  '#e6ab02',
  '#a6761d',
  '#1f78b4',
  '#b2df8a',
];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A label point deep inside the polygon (approximate pole of inaccessibility on a grid): the
 * centroid of a bent strip can fall outside it or on an edge.
 */
function labelPoint(f: Area): Position {
  const [w, s, e, n] = turf.bbox(f);
  const vertices = turf.coordAll(f);
  const kx = Math.cos((((s + n) / 2) * Math.PI) / 180);
  let best: Position = turf.pointOnFeature(f).geometry.coordinates;
  let bestD = -1;
  const steps = 40;
  for (let i = 1; i < steps; i++) {
    for (let j = 1; j < steps; j++) {
      const p: Position = [w + ((e - w) * i) / steps, s + ((n - s) * j) / steps];
      if (!turf.booleanPointInPolygon(p, f)) continue;
      let d = Number.POSITIVE_INFINITY;
      for (const v of vertices) d = Math.min(d, ((v[0]! - p[0]!) * kx) ** 2 + (v[1]! - p[1]!) ** 2);
      if (d > bestD) {
        bestD = d;
        best = p;
      }
    }
  }
  return best;
}

export function renderSvg(zones: ZoneCollection, sourceDir: string): string {
  const bbox = [35.08, 33.02, 35.9, 33.72] as const;
  const width = 1000;
  const kx = Math.cos(((bbox[1] + bbox[3]) / 2) * (Math.PI / 180));
  const height = Math.round((width * (bbox[3] - bbox[1])) / ((bbox[2] - bbox[0]) * kx));
  const footer = 70;
  const xy = (p: Position): string =>
    `${(((p[0]! - bbox[0]) / (bbox[2] - bbox[0])) * width).toFixed(1)},${(((bbox[3] - p[1]!) / (bbox[3] - bbox[1])) * height).toFixed(1)}`;
  const pathOf = (g: Polygon | MultiPolygon | LineString | MultiLineString): string => {
    switch (g.type) {
      case 'Polygon':
        return g.coordinates.map((r) => `M${r.map(xy).join('L')}Z`).join('');
      case 'MultiPolygon':
        return g.coordinates.flatMap((p) => p.map((r) => `M${r.map(xy).join('L')}Z`)).join('');
      case 'LineString':
        return `M${g.coordinates.map(xy).join('L')}`;
      case 'MultiLineString':
        return g.coordinates.map((l) => `M${l.map(xy).join('L')}`).join('');
    }
  };
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + footer}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height + footer}" fill="#eef4f8"/>`,
  );
  const cazaFc = readJson<FeatureCollection<Polygon | MultiPolygon>>(join(sourceDir, sourceFiles.cazas));
  for (const f of cazaFc.features) {
    parts.push(`<path d="${pathOf(f.geometry)}" fill="#fbfaf5" stroke="#b9b4a6" stroke-width="0.8"/>`);
  }
  const levant = readJson<FeatureCollection<Polygon | MultiPolygon, { name: string }>>(
    join(sourceDir, displayFiles.countries),
  );
  for (const f of levant.features) {
    if (f.properties.name === 'Lebanon') continue;
    parts.push(`<path d="${pathOf(f.geometry)}" fill="#dddddd" stroke="#aaaaaa" stroke-width="0.8"/>`);
  }
  zones.features.forEach((f, i) => {
    const colour = palette[i % palette.length]!;
    parts.push(
      `<path d="${pathOf(f.geometry)}" fill="${colour}" fill-opacity="${f.properties.kind === 'buffer-strip' ? 0.55 : 0.35}" stroke="${colour}" stroke-width="1.5" fill-rule="evenodd"/>`,
    );
  });
  for (const file of displayFiles.rivers) {
    const fc = readJson<FeatureCollection<LineString>>(join(sourceDir, file));
    for (const f of fc.features)
      parts.push(`<path d="${pathOf(f.geometry)}" fill="none" stroke="#5aa0d8" stroke-width="1.4"/>`);
  }
  const s = loadSources(sourceDir);
  parts.push(
    `<path d="${pathOf({ type: 'LineString', coordinates: s.litani })}" fill="none" stroke="#1f5fbf" stroke-width="2.6"/>`,
  );
  parts.push(
    `<path d="${pathOf(s.blueLine.geometry)}" fill="none" stroke="#111111" stroke-width="2.4" stroke-dasharray="8 4"/>`,
  );
  zones.features.forEach((f, i) => {
    const [x, y] = xy(labelPoint(f as Area))
      .split(',')
      .map(Number) as [number, number];
    const label = `${i + 1}. ${f.properties.id}`;
    parts.push(
      `<text x="${x}" y="${y}" font-size="13" font-weight="bold" text-anchor="middle" stroke="white" stroke-width="3" paint-order="stroke">${escapeXml(label)}</text>`,
      `<text x="${x}" y="${y + 15}" font-size="11" text-anchor="middle" stroke="white" stroke-width="3" paint-order="stroke">${f.properties.areaKm2} km²</text>`,
    );
  });
  const legend = [
    'ILLUSTRATIVE pilot zones, lebanon-2026 scenario: the real pilot-zone boundaries are not public. Numbers: a valid opening order.',
    'Dashed black: Blue Line PROXY (Natural Earth), not the UN line. Dark blue: Litani; light blue: Zahrani, Awali.',
    "Cazas: Data from Who's On First. Rivers: © OpenStreetMap contributors, ODbL 1.0. Borders: Natural Earth (public domain).",
  ];
  parts.push(`<rect y="${height}" width="${width}" height="${footer}" fill="white"/>`);
  legend.forEach((t, i) => {
    parts.push(`<text x="10" y="${height + 20 + i * 18}" font-size="13">${escapeXml(t)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function main(argv: string[]): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const sourceDir = join(here, 'geo', 'source');
  const zones = deriveZones(sourceDir);
  writeFileSync(join(here, 'geo', 'zones.geojson'), serializeCollection(zones));
  writeFileSync(join(here, 'geo', 'blue-line-proxy.geojson'), serializeCollection(deriveBlueLine(sourceDir)));
  writeFileSync(join(here, 'geo', 'litani.geojson'), serializeCollection(deriveLitani(sourceDir)));
  for (const f of zones.features) {
    const p = f.properties;
    console.log(
      `${p.id.padEnd(24)} ${String(p.areaKm2).padStart(7)} km2  after: ${p.prerequisites.join(', ') || '-'}`,
    );
  }
  const svgAt = argv.indexOf('--svg');
  if (svgAt >= 0) {
    const out = argv[svgAt + 1];
    if (!out) throw new Error('--svg needs a path');
    writeFileSync(out, renderSvg(zones, sourceDir));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
