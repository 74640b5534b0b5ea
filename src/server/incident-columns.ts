/**
 * Every incident a reader may see at a moment, as columns: what a map and its filters need, for
 * a hundred thousand incidents in one answer of a few megabytes (the paged `/v1/incidents` gives
 * whole records, ~430 bytes each, 10,000 a page). Strings that repeat (zone, type, actor, source
 * grade, finding, response) are codes into the list of their values. Incidents with a finding
 * have it whole (each party's account beside it), by the incident's log index; strikes are few
 * and come whole too. Pure, like views.ts: rendered from a state already folded at the reader's
 * clearance.
 */
import { type EngineState, type FindingState, type IncidentState, recordValues } from '../engine/index.js';
import { STATE_NOTICE, type StateMeta } from './views.js';

/** A column of repeated strings: `codes[k]` is the index in `values` of row k's value. */
export interface CodedColumn {
  values: (string | null)[];
  codes: number[];
}

function codedColumn(): CodedColumn & { push(v: string | null): void } {
  const index = new Map<string | null, number>();
  const column = {
    values: [] as (string | null)[],
    codes: [] as number[],
    push(v: string | null) {
      let code = index.get(v);
      if (code === undefined) {
        code = column.values.length;
        index.set(v, code);
        column.values.push(v);
      }
      column.codes.push(code);
    },
  };
  return column;
}

/** What a reader is told of the response protocol for an incident: the response, or whether it was notified. */
export function responseOf(i: IncidentState): string {
  return i.response?.action ?? (i.notification !== null ? 'notified' : 'none');
}

export function incidentColumns(state: EngineState, meta: StateMeta) {
  const findings = new Map<string, FindingState>();
  for (const [id, f] of state.findings.entries()) findings.set(id, f);
  const entry: number[] = [];
  const admitted_ms: number[] = [];
  const date_start_ms: number[] = [];
  const longitude: (number | null)[] = [];
  const latitude: (number | null)[] = [];
  const coded = {
    zone: codedColumn(),
    type: codedColumn(),
    actor: codedColumn(),
    source_grade: codedColumn(),
    finding: codedColumn(),
    response: codedColumn(),
  };
  const incidentFindings: Record<number, FindingState> = {};
  for (const [, i] of state.incidents.entries()) {
    const f = findings.get(i.id);
    entry.push(i.entry);
    admitted_ms.push(Date.parse(i.admitted));
    date_start_ms.push(Date.parse(i.date_start));
    longitude.push(i.longitude);
    latitude.push(i.latitude);
    coded.zone.push(i.zone);
    coded.type.push(i.type);
    coded.actor.push(i.actor);
    coded.source_grade.push(i.source_grade);
    coded.finding.push(f?.effective?.outcome ?? null);
    coded.response.push(responseOf(i));
    if (f !== undefined) incidentFindings[i.entry] = f;
  }
  const column = ({ values, codes }: CodedColumn): CodedColumn => ({ values, codes });
  return {
    at: meta.at,
    notice: STATE_NOTICE,
    count: entry.length,
    incidents: {
      entry,
      admitted_ms,
      date_start_ms,
      longitude,
      latitude,
      zone: column(coded.zone),
      type: column(coded.type),
      actor: column(coded.actor),
      source_grade: column(coded.source_grade),
      finding: column(coded.finding),
      response: column(coded.response),
    },
    findings: incidentFindings,
    strikes: recordValues(state.strikes).map((s) => ({ ...s, finding: findings.get(s.id) ?? null })),
  };
}

export type IncidentColumns = ReturnType<typeof incidentColumns>;
