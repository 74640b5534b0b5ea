/**
 * Incidents by when they happened (issue 17 §6), as an explicit read beside the engine's fold.
 *
 * The engine's state at time t is what the log had admitted by t (DESIGN.md: state at t never
 * depends on entries admitted after t); an incident imported today about an event of 2024 enters
 * the state today. Readers also ask the other question — what had happened by t, as far as
 * anyone knows now — and that is this read: the incidents of a state (usually the latest one)
 * whose own `date_start` is at or before t. It never changes the fold, and it says which state
 * ("known at") it read.
 */
import type { EngineState, IncidentState } from './state.js';
import { iso } from './state.js';

export interface HappenedBy {
  /** The last admission the state read had folded: what "known now" means. */
  knownAt: string | null;
  happenedBy: string;
  count: number;
  byType: Record<string, number>;
  /** By UCDP GED date precision code (1 = the day … 5 = the year). */
  byDatePrecision: Record<string, number>;
  /** By where the record came from: `ucdp-ged`, `fpv-catalogue`, `acled`, or `reported` (made in this log). */
  bySource: Record<string, number>;
  first: string | null;
  last: string | null;
}

/** Where an incident record came from, by its id (the importers name them `<source>-<id>`). */
export function incidentSource(id: string): string {
  for (const p of ['ucdp-ged', 'fpv-catalogue', 'acled']) if (id.startsWith(`${p}-`)) return p;
  return 'reported';
}

/** The incidents of `state` that happened (began) at or before `atMs`, by their own dates. */
export function incidentsHappenedBy(state: EngineState, atMs: number): IncidentState[] {
  const out: IncidentState[] = [];
  for (const [, inc] of state.incidents.entries()) if (Date.parse(inc.date_start) <= atMs) out.push(inc);
  return out;
}

/** A summary of {@link incidentsHappenedBy}: counts by type, date precision and source. */
export function happenedBy(state: EngineState, atMs: number): HappenedBy {
  const list = incidentsHappenedBy(state, atMs);
  const byType: Record<string, number> = {};
  const byDatePrecision: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  let first: string | null = null;
  let last: string | null = null;
  for (const i of list) {
    byType[i.type] = (byType[i.type] ?? 0) + 1;
    const p = String(i.date_prec ?? 1);
    byDatePrecision[p] = (byDatePrecision[p] ?? 0) + 1;
    const src = incidentSource(i.id);
    bySource[src] = (bySource[src] ?? 0) + 1;
    if (first === null || i.date_start < first) first = i.date_start;
    if (last === null || i.date_start > last) last = i.date_start;
  }
  return {
    knownAt: Number.isFinite(state.lastAdmittedMs) ? iso(state.lastAdmittedMs) : null,
    happenedBy: iso(atMs),
    count: list.length,
    byType,
    byDatePrecision,
    bySource,
    first,
    last,
  };
}
