/**
 * Place names as DOM labels over the map (see basemap.ts for why not map text): zone names always,
 * localities from zoom 10 in the visible area, at most `locality_labels_max` at a time.
 */
import type { Marker, Map as MlMap } from 'maplibre-gl';
import * as maplibregl from 'maplibre-gl';

export const locality_labels_max = 120;
export const locality_labels_minzoom = 10;

interface Locality {
  lon: number;
  lat: number;
  name: string;
  name_ar: string | null;
  name_he: string | null;
}

export function localName(
  p: { name: string; name_ar?: string | null; name_he?: string | null },
  lang: string,
): string {
  if (lang === 'ar' && p.name_ar) return p.name_ar;
  if (lang === 'he' && p.name_he) return p.name_he;
  return p.name;
}

export class LocalityLabels {
  #all: Locality[] = [];
  #markers: Marker[] = [];
  #lang = 'en';
  constructor(private readonly map: MlMap) {
    void fetch(new URL('basemap/localities.geojson', document.baseURI).href)
      .then((r) => r.json())
      .then((fc: { features: { geometry: { coordinates: [number, number] }; properties: Locality }[] }) => {
        this.#all = fc.features.map((f) => ({
          ...f.properties,
          lon: f.geometry.coordinates[0],
          lat: f.geometry.coordinates[1],
        }));
        this.update();
      });
    map.on('moveend', () => this.update());
  }

  setLanguage(lang: string): void {
    this.#lang = lang;
    this.update();
  }

  update(): void {
    for (const m of this.#markers) m.remove();
    this.#markers = [];
    if (this.map.getZoom() < locality_labels_minzoom) return;
    const b = this.map.getBounds();
    for (const l of this.#all) {
      if (this.#markers.length >= locality_labels_max) break;
      if (!b.contains([l.lon, l.lat])) continue;
      const el = document.createElement('div');
      el.className = 'locality-label';
      el.textContent = localName(l, this.#lang);
      el.setAttribute('aria-hidden', 'true');
      this.#markers.push(
        new maplibregl.Marker({ element: el, anchor: 'left', offset: [4, 0] })
          .setLngLat([l.lon, l.lat])
          .addTo(this.map),
      );
    }
  }
}

/** A point inside (or near the middle of) a polygon's largest ring, for its label. */
export function labelPoint(geometry: GeoJSON.Geometry | null): [number, number] | null {
  if (geometry === null) return null;
  const rings: GeoJSON.Position[][] =
    geometry.type === 'Polygon'
      ? [geometry.coordinates[0]!]
      : geometry.type === 'MultiPolygon'
        ? geometry.coordinates.map((p) => p[0]!)
        : [];
  let best: GeoJSON.Position[] | undefined;
  let bestArea = -1;
  for (const r of rings) {
    let a = 0;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++)
      a += (r[j]![0]! - r[i]![0]!) * (r[j]![1]! + r[i]![1]!);
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = r;
    }
  }
  if (best === undefined) return null;
  let x = 0;
  let y = 0;
  for (const p of best) {
    x += p[0]!;
    y += p[1]!;
  }
  return [x / best.length, y / best.length];
}
