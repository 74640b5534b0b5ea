/**
 * The offline basemap: every layer is drawn from GeoJSON shipped with the app (built by
 * web/build/basemap.ts from scenarios/lebanon-2026/geo), so the map needs no tile server and no
 * network beyond this server. No text is drawn by the map itself (that would need glyph files
 * from a font server); names are DOM labels (labels.ts), which also gives Arabic and Hebrew
 * shaping and bidi from the browser.
 */
import type { StyleSpecification } from 'maplibre-gl';

export const ATTRIBUTION = [
  'Natural Earth',
  'Data from <a href="https://whosonfirst.org/docs/licenses/">Who’s On First</a>',
  '© OpenStreetMap contributors, ODbL 1.0',
  'geoBoundaries',
  'UCDP GED 25.1, CC BY 4.0',
  'Blue Line: a Natural Earth proxy, not the UN line',
].join(' · ');

const file = (name: string) => new URL(`basemap/${name}.geojson`, document.baseURI).href;

export function basemapStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: file('countries'), attribution: ATTRIBUTION },
      'israel-districts': { type: 'geojson', data: file('israel-districts') },
      governorates: { type: 'geojson', data: file('governorates') },
      districts: { type: 'geojson', data: file('districts') },
      rivers: { type: 'geojson', data: file('rivers') },
      'blue-line': { type: 'geojson', data: file('blue-line-proxy') },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cfe3f2' } },
      {
        id: 'countries-fill',
        type: 'fill',
        source: 'countries',
        paint: { 'fill-color': ['match', ['get', 'iso'], 'LB', '#fbfaf6', '#ecebe6'] },
      },
      {
        id: 'countries-line',
        type: 'line',
        source: 'countries',
        paint: { 'line-color': '#8a8a8a', 'line-width': 1.2 },
      },
      {
        id: 'israel-districts-line',
        type: 'line',
        source: 'israel-districts',
        paint: { 'line-color': '#a9a9a9', 'line-width': 0.6, 'line-dasharray': [3, 2] },
      },
      {
        id: 'governorates-line',
        type: 'line',
        source: 'governorates',
        paint: { 'line-color': '#8f8f8f', 'line-width': 0.9 },
      },
      {
        id: 'districts-line',
        type: 'line',
        source: 'districts',
        minzoom: 8,
        paint: { 'line-color': '#b5b5b5', 'line-width': 0.5, 'line-dasharray': [2, 2] },
      },
    ],
  };
}

/** Layers drawn above the zones: rivers and the Blue Line proxy stay visible over zone fills. */
export const OVERLAY_LAYERS = [
  {
    id: 'rivers-line',
    type: 'line' as const,
    source: 'rivers',
    paint: { 'line-color': '#3b7dd8', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 12, 2.5] },
  },
  {
    id: 'blue-line',
    type: 'line' as const,
    source: 'blue-line',
    paint: { 'line-color': '#b2182b', 'line-width': 2, 'line-dasharray': [4, 2] },
  },
];
