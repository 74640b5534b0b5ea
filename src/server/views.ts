/**
 * What the read endpoints return: plain JSON (and GeoJSON) rendered from an engine state that
 * was already folded at the reader's clearance. Pure functions: no clock, no I/O.
 */
import type { Agreement } from '../agreement/model.js';
import { type EngineState, explain, recordValues } from '../engine/index.js';
import type { Classification } from '../statement/types.js';

/** Shown with every state: what is simulated and what is illustrative. */
export const STATE_NOTICE =
  'Zones marked illustrative are not the real agreed shapes. Statements whose nonce starts with SIMULATED- are a generated demo history, not real events.';

export interface StateMeta {
  at: string;
  clearance: Classification;
  size: number;
  /** Which incidents and strikes to list (a large log holds hundreds of thousands). */
  page?: Page;
}

/** A window on a list kept in log order. */
export interface Page {
  offset: number;
  limit: number;
}

const first_page: Page = { offset: 0, limit: 1000 };

/** The paging part of an answer: totals, and the window on the next page (null when none). */
function paging(page: Page, totals: Record<string, number>) {
  const more = Object.values(totals).some((t) => t > page.offset + page.limit);
  return {
    offset: page.offset,
    limit: page.limit,
    total: totals,
    next: more ? { offset: page.offset + page.limit, limit: page.limit } : null,
  };
}

type Explanation = ReturnType<typeof explain>;

/** Zones: stage, what each awaits (`explain`), the stage history, withdrawal claims and inventory. */
export function renderZones(
  agreement: Agreement,
  state: EngineState,
  at: string,
  ex: Explanation = explain(agreement, state, at),
) {
  return ex.zones.map((z) => {
    const zs = state.zones[z.id]!;
    return {
      ...z,
      epoch: zs.epoch,
      history: zs.history,
      claims: zs.withdrawal,
      inventory: zs.inventory,
      violations: zs.violations,
    };
  });
}

/**
 * One page of incidents and of strikes (in log order) with the finding on each (if any), the
 * findings on them by subject, and the totals.
 */
export function renderIncidents(state: EngineState, page: Page = first_page) {
  const incidents = state.incidents.page(page.offset, page.limit).map(([, r]) => r);
  const strikes = state.strikes.page(page.offset, page.limit).map(([, r]) => r);
  const findings: Record<string, unknown> = {};
  const withFinding = <T extends { id: string }>(r: T) => {
    const f = state.findings.get(r.id);
    if (f !== undefined) findings[r.id] = f;
    return { ...r, finding: f ?? null };
  };
  return {
    ...paging(page, { incidents: state.incidents.count(), strikes: state.strikes.count() }),
    incidents: incidents.map(withFinding),
    strikes: strikes.map(withFinding),
    findings,
    violationsBy: state.violationsBy,
  };
}

export function renderEscrow(
  agreement: Agreement,
  state: EngineState,
  at: string,
  ex: Explanation = explain(agreement, state, at),
) {
  return {
    currency: agreement.escrow?.currency ?? null,
    summary: ex.escrow,
    indicators: ex.indicators,
    accounts: state.escrow.accounts,
    pendingDebits: state.escrow.pendingDebits,
    transfers: state.escrow.transfers,
  };
}

/** The whole state a reader may see at `at`. */
export function renderState(agreement: Agreement, state: EngineState, meta: StateMeta) {
  const ex = explain(agreement, state, meta.at);
  return {
    ...stateHead(agreement, state, meta),
    zones: renderZones(agreement, state, meta.at, ex),
    ...renderIncidents(state, meta.page),
    ...stateTail(agreement, state, meta, ex),
  };
}

/**
 * The state without its lists of incidents and strikes: zones, violations by actor, units,
 * benchmarks, truce and escrow. The control room fetches it each time its timeline moves: its
 * cost does not grow with the number of incidents (counting and paging the lists of a past
 * state is what costs there: they are views on the record store).
 */
export function renderOverview(agreement: Agreement, state: EngineState, meta: StateMeta) {
  const ex = explain(agreement, state, meta.at);
  return {
    ...stateHead(agreement, state, meta),
    zones: renderZones(agreement, state, meta.at, ex),
    violationsBy: state.violationsBy,
    ...stateTail(agreement, state, meta, ex),
  };
}

function stateHead(agreement: Agreement, state: EngineState, meta: StateMeta) {
  return {
    agreement: agreement.id,
    at: meta.at,
    clearance: meta.clearance,
    log: { size: meta.size, folded: state.count },
    notice: STATE_NOTICE,
  };
}

function stateTail(agreement: Agreement, state: EngineState, meta: StateMeta, ex: Explanation) {
  return {
    units: recordValues(state.units),
    benchmarks: state.benchmarks,
    truce: { ...ex.truce, extensions: state.truce.extensions, history: state.truce.history },
    escrow: renderEscrow(agreement, state, meta.at, ex),
  };
}

/** Zone polygons with their stage, as a GeoJSON FeatureCollection (RFC 7946, WGS84). */
export function zonesGeoJson(agreement: Agreement, state: EngineState, meta: StateMeta) {
  return {
    type: 'FeatureCollection' as const,
    at: meta.at,
    notice: STATE_NOTICE,
    features: agreement.zones.map((z) => ({
      type: 'Feature' as const,
      id: z.id,
      geometry: z.geometry ?? null,
      properties: {
        id: z.id,
        name: z.name,
        stage: state.zones[z.id]?.stage ?? null,
        illustrative: z.illustrative,
        ...(z.note ? { note: z.note } : {}),
      },
    })),
  };
}

/** Incidents with a known point, as a GeoJSON FeatureCollection of points. */
export function incidentsGeoJson(state: EngineState, meta: StateMeta) {
  const page = meta.page ?? first_page;
  return {
    type: 'FeatureCollection' as const,
    at: meta.at,
    notice: STATE_NOTICE,
    ...paging(page, { incidents: state.incidents.count() }),
    features: state.incidents
      .page(page.offset, page.limit)
      .map(([, i]) => i)
      .filter((i) => i.latitude !== null && i.longitude !== null)
      .map((i) => ({
        type: 'Feature' as const,
        id: i.id,
        geometry: { type: 'Point' as const, coordinates: [i.longitude!, i.latitude!] },
        properties: {
          id: i.id,
          type: i.type,
          date_start: i.date_start,
          date_end: i.date_end,
          zone: i.zone,
          actor: i.actor,
          casualties: i.casualties,
          source_grade: i.source_grade,
          where_prec: i.where_prec,
          entry: i.entry,
          finding: state.findings.get(i.id)?.effective?.outcome ?? null,
        },
      })),
  };
}
