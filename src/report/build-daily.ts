/**
 * Builds the daily report of one UTC day from the engine's state at the day's start and end
 * (both already folded at the reader's clearance by the caller). Pure: no clock, no I/O. The
 * engine's explanation is quoted for what each zone and the truce wait for; nothing here
 * re-derives a rule.
 */
import type { Agreement } from '../agreement/model.js';
import { type EngineState, explain, recordValues } from '../engine/index.js';
import type { DailyReport, ReportFinding } from './model.js';

export const REPORT_NOTICE =
  'Zones marked illustrative are not the real agreed shapes. Statements whose nonce starts with SIMULATED- are a generated demo history, not real events.';

/** The bounds of UTC day `date` (YYYY-MM-DD); throws a message naming the value when it is not a date. */
export function dayBounds(date: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = m === null ? Number.NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date)
    throw new Error(`${date} is not a date; write YYYY-MM-DD, e.g. 2026-07-11`);
  return { from: new Date(ms).toISOString(), to: new Date(ms + 86_400_000).toISOString() };
}

export interface DailyReportInput {
  agreement: Agreement;
  date: string;
  /** The state at the day's start and at `asOf` (the day's end, or now for today). */
  start: EngineState;
  end: EngineState;
  asOf: string;
  clearance: string;
  checkpoint: string | null;
  size: number;
}

export function buildDailyReport(input: DailyReportInput): DailyReport {
  const { agreement: a, start, end, asOf } = input;
  const { from, to } = dayBounds(input.date);
  const inDay = (t: string) => t >= from && t < to;
  const ex = explain(a, end, asOf);
  const zoneName = (id: string | null) => a.zones.find((z) => z.id === id)?.name ?? id ?? '';

  const finding = (subject: string): ReportFinding | null => {
    const f = end.findings.get(subject);
    if (f === undefined || f.effective === null) return null;
    return {
      subject,
      outcome: f.effective.outcome,
      violator: f.effective.violator,
      severity: f.effective.severity,
      at: f.effective.at,
      cites: Object.values(f.effective.signers),
      accounts: f.accounts.map((x) => ({
        party: x.party,
        position: x.position,
        text: x.text,
        entry: x.entry,
      })),
    };
  };

  const stageChanges = Object.values(end.zones)
    .flatMap((z) =>
      z.history.filter((h) => inDay(h.at)).map((h) => ({ zone: z.id, zoneName: zoneName(z.id), ...h })),
    )
    .sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))
    .map((h) => ({
      zone: h.zone,
      zoneName: h.zoneName,
      from: h.from,
      to: h.to,
      at: h.at,
      reason: h.reason,
      cites: h.cites,
    }));

  const incidents = recordValues(end.incidents)
    .filter((i) => inDay(i.admitted))
    .map((i) => ({
      id: i.id,
      entry: i.entry,
      type: i.type,
      zone: i.zone,
      actor: i.actor,
      reporter: i.reporter,
      date_start: i.date_start,
      admitted: i.admitted,
      deaths_best: i.casualties.best,
      source_grade: i.source_grade,
      response: i.response?.action ?? (i.notification !== null ? 'notified' : null),
      finding: finding(i.id),
    }));
  const count = (key: (i: (typeof incidents)[number]) => string | null) => {
    const out: Record<string, number> = {};
    for (const i of incidents) {
      const k = key(i) ?? 'unknown';
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };

  const strikes = recordValues(end.strikes)
    .filter((s) => s.entry >= start.count)
    .map((s) => ({
      id: s.id,
      entry: s.entry,
      by: s.by,
      zone: s.zone,
      target: s.target,
      classification: s.classification,
      reason: s.reason,
      finding: finding(s.id),
    }));

  const findings = recordValues(end.findings)
    .filter((f) => f.effective !== null && inDay(f.effective.at))
    .map((f) => finding(f.subject)!)
    .filter((f) => f !== null);

  const contested: DailyReport['contested'] = [];
  for (const z of Object.values(end.zones)) {
    const w = z.withdrawal;
    if (w.status !== 'contested' && w.status !== 'denied' && w.status !== 'refuted') continue;
    contested.push({
      subject: z.id,
      what: `withdrawal ${w.status}`,
      sides: [
        ...Object.entries(w.claims).map(([party, entry]) => ({ party, position: 'claims', entry })),
        ...Object.entries(w.denials).map(([party, entry]) => ({ party, position: 'denies', entry })),
        ...(w.observation
          ? [
              {
                party: w.observation.party,
                position: `observed ${w.observation.observed}`,
                entry: w.observation.entry,
              },
            ]
          : []),
      ],
    });
  }
  for (const f of recordValues(end.findings)) {
    const disputes = f.accounts.filter((x) => x.position === 'disputes' && inDay(x.at));
    if (disputes.length === 0 || f.effective === null) continue;
    contested.push({
      subject: f.subject,
      what: `finding ${f.effective.outcome} disputed`,
      sides: [
        ...Object.entries(f.effective.signers).map(([party, entry]) => ({
          party,
          position: f.effective!.outcome,
          entry,
        })),
        ...disputes.map((x) => ({ party: x.party, position: 'disputes', entry: x.entry })),
      ],
    });
  }

  // Obligations past a deadline, where the engine explains them (agreements with deadlines).
  const overdue: DailyReport['overdue'] = [];
  for (const z of ex.zones) {
    const o = (z as { overdue?: unknown }).overdue;
    if (Array.isArray(o))
      for (const item of o)
        overdue.push({
          zone: z.id,
          text:
            typeof item === 'string'
              ? item
              : String((item as { text?: unknown }).text ?? JSON.stringify(item)),
        });
  }

  const transfers = end.escrow.transfers.filter((t) => inDay(t.at));
  const days = end.truce;
  const report: DailyReport = {
    agreement: a.id,
    title: a.title ?? a.id,
    date: input.date,
    from,
    to,
    asOf,
    clearance: input.clearance,
    notice: REPORT_NOTICE,
    log: { folded: end.count, firstIndex: start.count, checkpoint: input.checkpoint, size: input.size },
    summary: {
      statements: end.count - start.count,
      stageChanges: stageChanges.length,
      incidents: incidents.length,
      strikes: strikes.length,
      findings: findings.length,
      contested: contested.length,
      overdue: overdue.length,
      transfers: transfers.length,
    },
    stageChanges,
    zones: ex.zones.map((z) => ({
      id: z.id,
      name: z.name,
      illustrative: z.illustrative,
      stage: z.stage,
      next: z.next,
      waitingFor: z.waitingFor.map((w) => w.text),
      withdrawal: z.withdrawal.status,
    })),
    incidents,
    incidentsBy: { type: count((i) => i.type), zone: count((i) => i.zone), actor: count((i) => i.actor) },
    strikes,
    findings,
    contested,
    overdue,
    truce: {
      status: ex.truce.status,
      expires: ex.truce.expires,
      remaining_ms: ex.truce.remaining_ms,
      warning: ex.truce.warning,
      waitingFor: ex.truce.waitingFor.map((w) => w.text),
      extensions: days.extensions.filter((e) => inDay(e.at)),
      changes: days.history.filter((h) => inDay(h.at)),
    },
    escrow: {
      currency: a.escrow?.currency ?? null,
      available: ex.escrow.available,
      held: ex.escrow.held,
      pending: ex.escrow.pending,
      transfers: transfers.map((t) => ({
        id: t.id,
        debit: t.debit,
        credit: t.credit,
        amount: t.amount,
        status: t.status,
        rule: t.rule,
        at: t.at,
        cites: t.cites,
      })),
    },
  };
  return report;
}
