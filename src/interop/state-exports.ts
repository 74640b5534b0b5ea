/**
 * Tables out of a derived state, for `phaseline export`: findings, the escrow ledger, and
 * incidents shaped as UCDP GED rows (the columns `readUcdpCsv` reads, so an export imports back).
 * The state given is already folded at the reader's clearance: what a table holds never exceeds it.
 */
import { type EngineState, recordValues } from '../engine/index.js';

export const FINDING_CSV_COLUMNS = [
  'subject',
  'subject_kind',
  'outcome',
  'violator',
  'severity',
  'zone',
  'effective_at',
  'adjudicators',
  'cites',
  'rulings_proposed',
  'party_accounts',
] as const;

/** One row per finding: the ruling in effect (or `pending`), who signed it, and each party's account. */
export function findingRows(state: EngineState): Record<(typeof FINDING_CSV_COLUMNS)[number], unknown>[] {
  return recordValues(state.findings).map((f) => {
    const e = f.effective;
    return {
      subject: f.subject,
      subject_kind: f.subjectKind,
      outcome: e?.outcome ?? 'pending',
      violator: e?.violator ?? '',
      severity: e?.severity ?? '',
      zone: e?.zone ?? '',
      effective_at: e?.at ?? '',
      adjudicators: e ? Object.keys(e.signers).sort().join(';') : '',
      cites: e
        ? Object.values(e.signers)
            .sort((a, b) => a - b)
            .join(';')
        : '',
      rulings_proposed: Object.keys(f.rulings).length,
      party_accounts: f.accounts.map((a) => `${a.party}:${a.position}@${a.entry}`).join(';'),
    };
  });
}

export const LEDGER_CSV_COLUMNS = [
  'id',
  'at',
  'debit',
  'credit',
  'amount_minor',
  'status',
  'rule',
  'cites',
  'settled_by',
] as const;

/** The escrow ledger, one row per transfer (double entry: a debit and a credit account each), in order. */
export function ledgerRows(state: EngineState): Record<(typeof LEDGER_CSV_COLUMNS)[number], unknown>[] {
  return state.escrow.transfers.map((t) => ({
    id: t.id,
    at: t.at,
    debit: t.debit,
    credit: t.credit,
    amount_minor: t.amount,
    status: t.status,
    rule: t.rule,
    cites: t.cites.join(';'),
    settled_by: t.settledBy ?? '',
  }));
}

export const UCDP_GED_CSV_COLUMNS = [
  'id',
  'relid',
  'date_start',
  'date_end',
  'date_prec',
  'latitude',
  'longitude',
  'where_prec',
  'type_of_violence',
  'side_a',
  'side_b',
  'best',
  'low',
  'high',
  'deaths_civilians',
  'adm_1',
] as const;

/**
 * Incidents as UCDP GED rows. `id` is the incident's log index (UCDP ids are numbers; the index
 * is unique in the log) and `relid` the Phaseline incident id. `type_of_violence` is UCDP's
 * category for the incident type: harm to civilians is one-sided violence (3), everything else
 * state-based (1), as the UCDP import reads it back. Incidents without coordinates have no place in
 * GED and are left out (the caller reports how many).
 */
export function ucdpGedRows(state: EngineState): {
  rows: Record<(typeof UCDP_GED_CSV_COLUMNS)[number], unknown>[];
  withoutPlace: number;
} {
  const rows: Record<(typeof UCDP_GED_CSV_COLUMNS)[number], unknown>[] = [];
  let withoutPlace = 0;
  for (const i of recordValues(state.incidents)) {
    if (i.latitude === null || i.longitude === null) {
      withoutPlace++;
      continue;
    }
    const day = (t: string) => t.slice(0, 10);
    rows.push({
      id: i.entry,
      relid: i.id,
      date_start: day(i.date_start),
      date_end: day(i.date_end),
      date_prec: i.date_start.slice(0, 10) === i.date_end.slice(0, 10) ? 1 : 4,
      latitude: i.latitude,
      longitude: i.longitude,
      where_prec: i.where_prec,
      type_of_violence: i.type === 'harm-to-civilians' ? 3 : 1,
      side_a: i.actor ?? 'unknown',
      side_b: '',
      best: i.casualties.best,
      low: i.casualties.low,
      high: i.casualties.high,
      deaths_civilians: '',
      adm_1: i.zone ?? '',
    });
  }
  return { rows, withoutPlace };
}
