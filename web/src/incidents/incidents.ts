/**
 * Incidents on the page: every incident of a moment as columns (`/v1/incidents.columns`, one
 * answer for 100,000), the rows that pass the reader's filters and the timeline's moment, and the
 * map points. A move of the timeline cuts the rows loaded for a later moment at once (the API
 * folds the entries admitted by then, so the incidents of the earlier moment are among them);
 * their findings and responses as they were then come with the columns loaded once it rests.
 */
import type { CodedColumn, Finding, IncidentColumns, Strike } from '../api/types.js';

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

/** How a missing value of a coded column is offered in the filters. */
export const MISSING: Record<'actor' | 'finding', string> = { actor: 'unknown', finding: 'none' };

export interface Loaded {
  /** The moment the columns are of (null: live). */
  at: string | null;
  columns: IncidentColumns | null;
  done: boolean;
}

/** One incident as the zone panel and the map's popup show it. */
export interface IncidentRow {
  entry: number;
  type: string;
  date_start: string;
  actor: string | null;
  grade: string;
  finding: Finding | null;
  outcome: string;
  response: string;
}

const codedValue = (c: CodedColumn, row: number) => c.values[c.codes[row]!] ?? null;

export function incidentRow(columns: IncidentColumns, row: number): IncidentRow {
  const c = columns.incidents;
  const entry = c.entry[row]!;
  return {
    entry,
    type: codedValue(c.type, row) ?? '',
    date_start: new Date(c.date_start_ms[row]!).toISOString(),
    actor: codedValue(c.actor, row),
    grade: codedValue(c.source_grade, row) ?? '',
    finding: columns.findings[entry] ?? null,
    outcome: codedValue(c.finding, row) ?? MISSING.finding,
    response: codedValue(c.response, row) ?? 'none',
  };
}

/** The values a filter offers: the column's values, a missing one named as {@link MISSING} says. */
export function filterValues(column: CodedColumn | undefined, missing = ''): string[] {
  return [...new Set((column?.values ?? []).map((v) => v ?? missing))].sort();
}

/**
 * The rows that pass `f` and belong to the state at `at` (admitted by then; null: all), in log
 * order. A coded filter is one code comparison a row.
 */
export function selectRows(columns: IncidentColumns | null, f: IncidentFilter, at: string | null): number[] {
  if (columns === null) return [];
  const c = columns.incidents;
  const atMs = at === null ? Number.POSITIVE_INFINITY : Date.parse(at);
  // Per coded filter: the codes it lets through (null: every code).
  const allowed = (column: CodedColumn, wanted: string, missing = '', prefix = false): Set<number> | null => {
    if (!wanted) return null;
    const ok = new Set<number>();
    column.values.forEach((v, code) => {
      const value = v ?? missing;
      if (prefix ? value.startsWith(wanted) : value === wanted) ok.add(code);
    });
    return ok;
  };
  const tests: [number[], Set<number>][] = [];
  for (const [codes, ok] of [
    [c.type.codes, allowed(c.type, f.type)],
    [c.actor.codes, allowed(c.actor, f.actor, MISSING.actor)],
    [c.finding.codes, allowed(c.finding, f.finding, MISSING.finding)],
    [c.response.codes, allowed(c.response, f.response)],
    [c.source_grade.codes, allowed(c.source_grade, f.grade, '', true)],
  ] as const)
    if (ok !== null) tests.push([codes, ok]);
  const fromMs = f.from ? Date.parse(`${f.from}T00:00:00Z`) : Number.NEGATIVE_INFINITY;
  const toMs = f.to ? Date.parse(`${f.to}T00:00:00Z`) + 86_400_000 : Number.POSITIVE_INFINITY;
  const out: number[] = [];
  rows: for (let k = 0; k < c.entry.length; k++) {
    if (c.admitted_ms[k]! > atMs) continue;
    const start = c.date_start_ms[k]!;
    if (start < fromMs || start >= toMs) continue;
    for (const [codes, ok] of tests) if (!ok.has(codes[k]!)) continue rows;
    out.push(k);
  }
  return out;
}

/** Rows of zone `zone` among `rows`. */
export function rowsInZone(columns: IncidentColumns | null, rows: number[], zone: string): number[] {
  if (columns === null) return [];
  const c = columns.incidents.zone;
  const code = c.values.indexOf(zone);
  return code < 0 ? [] : rows.filter((k) => c.codes[k] === code);
}

/** Strikes in zone `zone` (of the moment the columns are of). */
export function strikesInZone(strikes: Strike[], zone: string): Strike[] {
  return strikes.filter((s) => s.zone === zone);
}

/**
 * The map points of every located row, made once per answer: a move of the timeline picks among
 * them. A point carries its row (the popup reads the rest from the columns) and its finding (the
 * colour).
 */
export function rowFeatures(columns: IncidentColumns | null): (GeoJSON.Feature | null)[] {
  if (columns === null) return [];
  const c = columns.incidents;
  return c.entry.map((entry, row) => {
    const lon = c.longitude[row];
    const lat = c.latitude[row];
    if (lon === null || lat === null || lon === undefined || lat === undefined) return null;
    return {
      type: 'Feature',
      id: entry,
      geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: { row, finding: codedValue(c.finding, row) },
    };
  });
}

export function featureCollection(
  features: (GeoJSON.Feature | null)[],
  rows: number[],
): GeoJSON.FeatureCollection {
  const out: GeoJSON.Feature[] = [];
  for (const k of rows) {
    const f = features[k];
    if (f) out.push(f);
  }
  return { type: 'FeatureCollection', features: out };
}

/** What changes between two selections of rows (each ascending, as {@link selectRows} gives them). */
export function rowsDiff(before: number[], after: number[]): { added: number[]; removed: number[] } {
  const added: number[] = [];
  const removed: number[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    if (a === undefined || (b !== undefined && b < a)) {
      removed.push(b!);
      i++;
    } else if (b === undefined || a < b) {
      added.push(a);
      j++;
    } else {
      i++;
      j++;
    }
  }
  return { added, removed };
}
