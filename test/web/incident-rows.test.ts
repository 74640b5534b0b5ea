// The control room's incident rows (web/src/incidents/incidents.ts): the rows a filter and a
// moment of the timeline select from the columns the API serves, and what the map is sent when
// the selection changes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CodedColumn, IncidentColumns } from '../../web/src/api/types.js';
import { NO_FILTER, rowsDiff, rowsInZone, selectRows } from '../../web/src/incidents/incidents.js';

const coded = (xs: (string | null)[]): CodedColumn => {
  const values = [...new Set(xs)];
  return { values, codes: xs.map((x) => values.indexOf(x)) };
};

/** Columns of incidents given as rows (the server's shape, src/server/incident-columns.ts). */
function columns(
  rows: {
    admitted: string;
    start: string;
    type: string;
    actor: string | null;
    finding: string | null;
    response: string;
    grade: string;
    zone: string | null;
  }[],
): IncidentColumns {
  return {
    at: '2026-09-01T00:00:00.000Z',
    count: rows.length,
    incidents: {
      entry: rows.map((_, k) => 10 + 2 * k),
      admitted_ms: rows.map((r) => Date.parse(r.admitted)),
      date_start_ms: rows.map((r) => Date.parse(r.start)),
      longitude: rows.map(() => 35.3),
      latitude: rows.map(() => 33.2),
      zone: coded(rows.map((r) => r.zone)),
      type: coded(rows.map((r) => r.type)),
      actor: coded(rows.map((r) => r.actor)),
      source_grade: coded(rows.map((r) => r.grade)),
      finding: coded(rows.map((r) => r.finding)),
      response: coded(rows.map((r) => r.response)),
    },
    findings: {},
    strikes: [],
  };
}

const table = columns([
  {
    admitted: '2026-07-01T10:00:00Z',
    start: '2026-07-01T08:00:00Z',
    type: 'air-strike',
    actor: 'israel',
    finding: null,
    response: 'none',
    grade: 'B2',
    zone: 'saida',
  },
  {
    admitted: '2026-07-02T10:00:00Z',
    start: '2026-07-02T08:00:00Z',
    type: 'artillery',
    actor: null,
    finding: 'confirmed-violation',
    response: 'acted',
    grade: 'C3',
    zone: 'bent-jbeil',
  },
  {
    admitted: '2026-07-03T10:00:00Z',
    start: '2026-06-30T23:00:00Z',
    type: 'air-strike',
    actor: null,
    finding: null,
    response: 'notified',
    grade: 'B4',
    zone: 'saida',
  },
  {
    admitted: '2026-07-04T10:00:00Z',
    start: '2026-07-04T09:00:00Z',
    type: 'demolition',
    actor: 'hezbollah',
    finding: 'unfounded',
    response: 'none',
    grade: 'A1',
    zone: null,
  },
]);

describe('the rows a filter and a moment select', () => {
  it('keeps the incidents admitted by the moment, in log order', () => {
    expect(selectRows(table, NO_FILTER, null)).toEqual([0, 1, 2, 3]);
    expect(selectRows(table, NO_FILTER, '2026-07-02T10:00:00.000Z')).toEqual([0, 1]);
    expect(selectRows(table, NO_FILTER, '2026-07-02T09:59:59.999Z')).toEqual([0]);
    expect(selectRows(null, NO_FILTER, null)).toEqual([]);
  });

  it('filters by type, actor (unknown when none), finding (none when none), response, grade letter and event dates', () => {
    const rows = (f: Partial<typeof NO_FILTER>) => selectRows(table, { ...NO_FILTER, ...f }, null);
    expect(rows({ type: 'air-strike' })).toEqual([0, 2]);
    expect(rows({ actor: 'unknown' })).toEqual([1, 2]);
    expect(rows({ actor: 'hezbollah' })).toEqual([3]);
    expect(rows({ finding: 'none' })).toEqual([0, 2]);
    expect(rows({ finding: 'confirmed-violation' })).toEqual([1]);
    expect(rows({ response: 'notified' })).toEqual([2]);
    expect(rows({ grade: 'B' })).toEqual([0, 2]);
    expect(rows({ from: '2026-07-01', to: '2026-07-02' })).toEqual([0, 1]);
    expect(rows({ to: '2026-06-30' })).toEqual([2]);
    expect(rows({ type: 'air-strike', actor: 'israel' })).toEqual([0]);
    expect(rows({ type: 'tunnel-activity' })).toEqual([]);
  });

  it('finds a zone’s rows among those selected', () => {
    expect(rowsInZone(table, [0, 1, 2, 3], 'saida')).toEqual([0, 2]);
    expect(rowsInZone(table, [0, 1], 'saida')).toEqual([0]);
    expect(rowsInZone(table, [0, 1, 2, 3], 'jezzine')).toEqual([]);
  });
});

describe('what the map is sent when the selection changes', () => {
  it('is the rows that come and go: applied to the old selection, it gives the new one', () => {
    const selection = fc.uniqueArray(fc.integer({ min: 0, max: 60 })).map((xs) => xs.sort((a, b) => a - b));
    fc.assert(
      fc.property(selection, selection, (before, after) => {
        const { added, removed } = rowsDiff(before, after);
        const kept = before.filter((k) => !removed.includes(k));
        expect([...kept, ...added].sort((a, b) => a - b)).toEqual(after);
        for (const k of added) expect(before).not.toContain(k);
        for (const k of removed) expect(after).not.toContain(k);
      }),
    );
  });
});
