/**
 * Incidents on the page: loaded a page at a time from `/v1/incidents` (the API's limit is 10,000
 * per page), filtered in the browser by what the reader chooses, and turned into map points.
 */
import type { Incident, Strike } from '../api/types';

export const incident_page_size = 10_000;

export interface IncidentFilter {
  type: string;
  actor: string;
  finding: string;
  response: string;
  grade: string;
  from: string;
  to: string;
}

export const NO_FILTER: IncidentFilter = {
  type: '',
  actor: '',
  finding: '',
  response: '',
  grade: '',
  from: '',
  to: '',
};

export function responseOf(i: Incident): string {
  return i.response?.action ?? (i.notification !== null ? 'notified' : 'none');
}

export function findingOf(i: Incident): string {
  return i.finding?.effective?.outcome ?? 'none';
}

/**
 * True when `i` passes `f` and is part of the state at `at` (the API folds entries admitted by
 * then; while the scrubber moves, incidents loaded for a later moment are cut the same way until
 * the page reloads them for the new one).
 */
export function passes(i: Incident, f: IncidentFilter, at: string | null): boolean {
  if (at !== null && i.admitted > at) return false;
  if (f.type && i.type !== f.type) return false;
  if (f.actor && (i.actor ?? 'unknown') !== f.actor) return false;
  if (f.finding && findingOf(i) !== f.finding) return false;
  if (f.response && responseOf(i) !== f.response) return false;
  if (f.grade && !i.source_grade.startsWith(f.grade)) return false;
  if (f.from && i.date_start.slice(0, 10) < f.from) return false;
  if (f.to && i.date_start.slice(0, 10) > f.to) return false;
  return true;
}

export function toFeatures(incidents: Incident[]): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = [];
  for (const i of incidents) {
    if (i.latitude === null || i.longitude === null) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [i.longitude, i.latitude] },
      properties: {
        id: i.id,
        type: i.type,
        actor: i.actor,
        finding: i.finding?.effective?.outcome ?? null,
        date: i.date_start,
        entry: i.entry,
        grade: i.source_grade,
      },
    });
  }
  return { type: 'FeatureCollection', features };
}

export interface Loaded {
  at: string | null;
  incidents: Incident[];
  strikes: Strike[];
  total: number;
  done: boolean;
}
