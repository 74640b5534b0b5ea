/**
 * Which zone of an agreement a point lies in: point-in-polygon against the zone geometries (the
 * loader has already resolved `geometryRef`s into inline polygons). Zones never overlap in the
 * default scenario; if they did, the first in the agreement's order wins.
 */
import { booleanPointInPolygon, point } from '@turf/turf';
import type { Agreement } from '../agreement/model.js';

export type ZoneLocator = (longitude: number, latitude: number) => string | null;

interface Indexed {
  id: string;
  bbox: [number, number, number, number];
  geometry: NonNullable<Agreement['zones'][number]['geometry']>;
}

function bboxOf(geometry: Indexed['geometry']): Indexed['bbox'] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const poly of polys)
    for (const ring of poly)
      for (const [x, y] of ring as [number, number][]) {
        if (x < w) w = x;
        if (x > e) e = x;
        if (y < s) s = y;
        if (y > n) n = y;
      }
  return [w, s, e, n];
}

/** A locator over the agreement's zones (a bounding-box test first, then the polygon). */
export function zoneLocator(agreement: Agreement): ZoneLocator {
  const zones: Indexed[] = [];
  for (const z of agreement.zones) {
    if (z.geometry === undefined) continue;
    zones.push({ id: z.id, geometry: z.geometry, bbox: bboxOf(z.geometry) });
  }
  return (longitude, latitude) => {
    if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return null;
    const p = point([longitude, latitude]);
    for (const z of zones) {
      const [w, s, e, n] = z.bbox;
      if (longitude < w || longitude > e || latitude < s || latitude > n) continue;
      if (booleanPointInPolygon(p, z.geometry)) return z.id;
    }
    return null;
  };
}

/** The bounding box of a zone, [west, south, east, north]. */
export function zoneBbox(agreement: Agreement, zoneId: string): [number, number, number, number] {
  const z = agreement.zones.find((x) => x.id === zoneId);
  if (z?.geometry === undefined) throw new Error(`no zone geometry for ${zoneId}`);
  return bboxOf(z.geometry);
}
