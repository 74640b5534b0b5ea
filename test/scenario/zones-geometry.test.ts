/**
 * The committed illustrative zones of the lebanon-2026 scenario: valid geometry, a sound
 * prerequisite graph, no overlaps, the right side of the Litani, and reproducible from the
 * copied sources by derive-zones.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import type { Feature, FeatureCollection, LineString, MultiPolygon, Polygon, Position } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  coordDecimals,
  deriveBlueLine,
  deriveLitani,
  deriveZones,
  serializeCollection,
  sliverKm2,
  type ZoneCollection,
  type ZoneFeature,
} from '../../scenarios/lebanon-2026/derive-zones.js';

const scenarioDir = fileURLToPath(new URL('../../scenarios/lebanon-2026/', import.meta.url));
const geoDir = `${scenarioDir}geo/`;
const sourceDir = `${geoDir}source`;

const readText = (path: string): string => readFileSync(path, 'utf8');
const zonesText = readText(`${geoDir}zones.geojson`);
const zones = JSON.parse(zonesText) as ZoneCollection;
const byId = new Map(zones.features.map((f) => [f.properties.id, f]));
const blueLine = (JSON.parse(readText(`${geoDir}blue-line-proxy.geojson`)) as FeatureCollection<LineString>)
  .features[0]!;
const litani = (JSON.parse(readText(`${geoDir}litani.geojson`)) as FeatureCollection<LineString>)
  .features[0]!;

/** Overlap allowed between two zones: rounding to 1e-6 degrees leaves shared edges a hair apart. */
const overlapToleranceM2 = 1000;

/** The part of a zone inside a box, or null; bboxClip's empty rings are dropped. */
function clipToBox(
  f: ZoneFeature,
  box: [number, number, number, number],
): Feature<Polygon | MultiPolygon> | null {
  const margin = 1e-4;
  const clipped = turf.bboxClip(f, [
    box[0] - margin,
    box[1] - margin,
    box[2] + margin,
    box[3] + margin,
  ]) as Feature<Polygon | MultiPolygon>;
  const polys = (
    clipped.geometry.type === 'Polygon' ? [clipped.geometry.coordinates] : clipped.geometry.coordinates
  )
    .filter((rings) => (rings[0]?.length ?? 0) >= 4)
    .map((rings) => rings.filter((r) => r.length >= 4));
  if (polys.length === 0) return null;
  return turf.multiPolygon(polys);
}

function polygonsOf(f: ZoneFeature): Position[][][] {
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
}

describe('lebanon-2026 zones.geojson', () => {
  it('is a FeatureCollection of 6 to 10 illustrative polygon zones', () => {
    expect(zones.type).toBe('FeatureCollection');
    expect(zones.features.length).toBeGreaterThanOrEqual(6);
    expect(zones.features.length).toBeLessThanOrEqual(10);
    for (const f of zones.features) {
      const p = f.properties;
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      expect(p.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.illustrative).toBe(true);
      expect(p.note).toMatch(/^Illustrative: the real pilot-zone boundaries are not public; derived from /);
      expect(p.name.length).toBeGreaterThan(0);
      expect(['buffer-strip', 'south-of-litani', 'north-of-litani']).toContain(p.kind);
      expect(p.derivedFrom.length).toBeGreaterThan(0);
      // areaKm2 is a rounded copy of the geometry's area, not an independent claim.
      expect(Math.abs(p.areaKm2 - turf.area(f) / 1e6)).toBeLessThan(0.06);
    }
  });

  it('has only valid polygons: closed rings, WGS84 bounds, rounded, no kinks, no slivers', {
    timeout: 60_000,
  }, () => {
    const scale = 10 ** coordDecimals;
    for (const f of zones.features) {
      const id = f.properties.id;
      for (const rings of polygonsOf(f)) {
        expect(turf.area(turf.polygon([rings[0]!])) / 1e6, `${id} part`).toBeGreaterThanOrEqual(sliverKm2);
        for (const ring of rings) {
          expect(ring.length, id).toBeGreaterThanOrEqual(4);
          expect(ring[0], `${id} ring closed`).toEqual(ring[ring.length - 1]);
          for (const [lon, lat] of ring) {
            expect(Math.abs(lon!)).toBeLessThanOrEqual(180);
            expect(Math.abs(lat!)).toBeLessThanOrEqual(90);
            expect(Math.round(lon! * scale) / scale, `${id} rounded`).toBe(lon);
            expect(Math.round(lat! * scale) / scale, `${id} rounded`).toBe(lat);
          }
        }
      }
      expect(turf.kinks(f).features, `${id} kinks`).toHaveLength(0);
      expect(turf.booleanValid(f), `${id} valid`).toBe(true);
    }
  });

  it('has unique ids and an acyclic prerequisite graph over existing zones', () => {
    expect(byId.size).toBe(zones.features.length);
    for (const f of zones.features) {
      for (const pre of f.properties.prerequisites) {
        expect(byId.has(pre), `${f.properties.id} needs unknown ${pre}`).toBe(true);
        expect(pre).not.toBe(f.properties.id);
      }
    }
    // Kahn's algorithm: every zone must become openable, i.e. no cycle.
    const pending = new Map(
      zones.features.map((f) => [f.properties.id, new Set(f.properties.prerequisites)]),
    );
    const order: string[] = [];
    let ready = [...pending].filter(([, pre]) => pre.size === 0).map(([id]) => id);
    expect(ready.length, 'at least one zone (the pilot) opens first').toBeGreaterThan(0);
    while (ready.length > 0) {
      const id = ready.shift()!;
      order.push(id);
      pending.delete(id);
      for (const [other, pre] of pending) {
        if (pre.delete(id) && pre.size === 0) ready = [...ready, other];
      }
    }
    expect(order).toHaveLength(zones.features.length);
    // The file's own order is a valid opening order (the check map numbers zones by it).
    const seen = new Set<string>();
    for (const f of zones.features) {
      for (const pre of f.properties.prerequisites)
        expect(seen.has(pre), `${f.properties.id} after ${pre}`).toBe(true);
      seen.add(f.properties.id);
    }
  });

  it('has no two zones overlapping beyond rounding tolerance', { timeout: 60_000 }, () => {
    const fs = zones.features;
    const boxes = fs.map((f) => turf.bbox(f));
    for (let i = 0; i < fs.length; i++) {
      for (let j = i + 1; j < fs.length; j++) {
        const a = fs[i]!;
        const b = fs[j]!;
        const [p, q] = [boxes[i]!, boxes[j]!];
        const box: [number, number, number, number] = [
          Math.max(p[0]!, q[0]!),
          Math.max(p[1]!, q[1]!),
          Math.min(p[2]!, q[2]!),
          Math.min(p[3]!, q[3]!),
        ];
        if (box[0] > box[2] || box[1] > box[3]) continue;
        // Only the common bounding box can hold an overlap; clipping to it first is much faster.
        const [ca, cb] = [clipToBox(a, box), clipToBox(b, box)];
        const overlap = ca && cb ? turf.intersect(turf.featureCollection([ca, cb])) : null;
        const m2 = overlap ? turf.area(overlap) : 0;
        expect(m2, `${a.properties.id} x ${b.properties.id}`).toBeLessThan(overlapToleranceM2);
      }
    }
  });

  it('has a buffer strip along the whole Blue Line proxy', () => {
    const strips = zones.features.filter((f) => f.properties.kind === 'buffer-strip');
    expect(strips).toHaveLength(1);
    const strip = strips[0]!;
    expect(turf.booleanIntersects(strip, blueLine)).toBe(true);
    // The strip follows WOF's border, which departs from the proxy by up to ~1.5 km (the Metula
    // finger), so every vertex of the line is within 2 km of the strip; except the Hermon
    // tri-point, which WOF's Hasbaya stops ~3.4 km short of (Shebaa Farms are not in WOF Lebanon).
    const outline = turf.polygonToLine(strip) as Feature<LineString>;
    const line = blueLine.geometry.coordinates;
    line.forEach((v, i) => {
      if (turf.booleanPointInPolygon(v, strip)) return;
      const km = turf.pointToLineDistance(v, outline, { units: 'kilometers' });
      expect(km, JSON.stringify(v)).toBeLessThan(i === line.length - 1 ? 4 : 2);
    });
  });

  it('puts south-of-Litani zones south of the river and north-of-Litani zones north of it', () => {
    for (const f of zones.features) {
      const c = turf.centroid(f).geometry.coordinates;
      const near = turf.nearestPointOnLine(litani, c).geometry.coordinates;
      const id = f.properties.id;
      if (f.properties.kind === 'north-of-litani') expect(c[1], id).toBeGreaterThan(near[1]!);
      else expect(c[1], id).toBeLessThan(near[1]!);
    }
  });

  it('covers every South Lebanon and Nabatieh locality and no Israeli border community', () => {
    // WOF localities (GeoNames points) of the two southern governorates: all must be zoned, so
    // that an incident in any of them can be attributed to a zone.
    const rows = readText(`${sourceDir}/lbn_localities_wof.csv`).trim().split('\n');
    const header = rows[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    let checked = 0;
    for (const row of rows.slice(1)) {
      const c = row.split(',');
      if (c[col('region')] !== 'South Lebanon' && c[col('region')] !== 'Nabatieh') continue;
      const p: Position = [Number(c[col('lon')]), Number(c[col('lat')])];
      checked++;
      expect(
        zones.features.some((f) => turf.booleanPointInPolygon(p, f)),
        `${c[col('name')]} ${JSON.stringify(p)}`,
      ).toBe(true);
    }
    expect(checked).toBeGreaterThan(500);
    // Israeli communities next to the line (WOF-IL coordinates); the Natural Earth outline
    // would put several of them in Lebanon.
    const israeli: Record<string, Position> = {
      Metulla: [35.5795, 33.27918],
      Yuval: [35.59811, 33.24748],
      'Misgav Am': [35.54891, 33.24744],
      "Zar'it": [35.2889, 33.09955],
      Shetula: [35.3149, 33.0852],
      Avivim: [35.47228, 33.08892],
      Malkiyya: [35.51079, 33.0983],
    };
    for (const [name, p] of Object.entries(israeli)) {
      expect(
        zones.features.some((f) => turf.booleanPointInPolygon(p, f)),
        name,
      ).toBe(false);
    }
  });
});

describe('derive-zones.ts', () => {
  let derived: ZoneCollection;
  // A few seconds of polygon clipping; generous limits for loaded CI machines.
  beforeAll(() => {
    derived = deriveZones(sourceDir);
  }, 120_000);

  it('reproduces the committed zones.geojson byte for byte', () => {
    expect(serializeCollection(derived)).toBe(zonesText);
  });

  it('reproduces the committed display layers', () => {
    expect(serializeCollection(deriveBlueLine(sourceDir))).toBe(readText(`${geoDir}blue-line-proxy.geojson`));
    expect(serializeCollection(deriveLitani(sourceDir))).toBe(readText(`${geoDir}litani.geojson`));
  });
});
