/**
 * The daily report as data: what `GET /v1/reports/daily/:date` answers and what the renderers
 * (render-html.ts, render-markdown.ts) turn into a page, a file or a PDF. Plain JSON; no imports,
 * so the web app can use these types and the renderers without pulling in the engine.
 *
 * Every fact cites the log indexes of the statements behind it, so that any reader can fetch
 * `/v1/statements/:index` and verify it against the log.
 */

export interface ReportIncident {
  id: string;
  entry: number;
  type: string;
  zone: string | null;
  actor: string | null;
  reporter: string;
  date_start: string;
  admitted: string;
  deaths_best: number;
  source_grade: string;
  /** The deploying force's response to a notified threat, if any. */
  response: string | null;
  finding: ReportFinding | null;
}

export interface ReportFinding {
  subject: string;
  outcome: string;
  violator: string | null;
  severity: string | null;
  at: string;
  cites: number[];
  /** Each party's own account beside the finding, never overwritten. */
  accounts: { party: string; position: string; text: string; entry: number }[];
}

export interface ReportStrike {
  id: string;
  entry: number;
  by: string;
  zone: string | null;
  target: string;
  /** The response protocol's class (e.g. violation-no-notification) and why. */
  classification: string;
  reason: string;
  finding: ReportFinding | null;
}

export interface ReportZone {
  id: string;
  name: string;
  illustrative: boolean;
  stage: string;
  next: string | null;
  /** The engine's explanation of what the zone waits for, in words. */
  waitingFor: string[];
  withdrawal: string;
}

export interface DailyReport {
  agreement: string;
  title: string;
  /** The day, YYYY-MM-DD (UTC), and its bounds [from, to). */
  date: string;
  from: string;
  to: string;
  /** The state the report shows: the end of the day, or now for today. */
  asOf: string;
  clearance: string;
  notice: string;
  log: {
    /** Entries admitted by `asOf` (the state folds exactly these). */
    folded: number;
    /** Entries admitted during the day: indexes [firstIndex, folded). */
    firstIndex: number;
    /** The signed checkpoint the report was made from (covers every cited entry), or null for an empty log. */
    checkpoint: string | null;
    size: number;
  };
  summary: {
    statements: number;
    stageChanges: number;
    incidents: number;
    strikes: number;
    findings: number;
    contested: number;
    overdue: number;
    transfers: number;
  };
  stageChanges: {
    zone: string;
    zoneName: string;
    from: string;
    to: string;
    at: string;
    reason: string;
    cites: number[];
  }[];
  zones: ReportZone[];
  incidents: ReportIncident[];
  incidentsBy: { type: Record<string, number>; zone: Record<string, number>; actor: Record<string, number> };
  strikes: ReportStrike[];
  /** Findings that took effect during the day (on incidents or strikes of any day). */
  findings: ReportFinding[];
  /** Claims that parties contradict: withdrawals claimed and denied, findings disputed by a party. */
  contested: { subject: string; what: string; sides: { party: string; position: string; entry: number }[] }[];
  /** Obligations past their deadline, as the engine explains them (empty when the agreement names none). */
  overdue: { zone: string; text: string }[];
  truce: {
    status: string;
    expires: string;
    remaining_ms: number;
    warning: boolean;
    waitingFor: string[];
    extensions: { benchmark: string; key: string; extend_ms: number; at: string; cites: number[] }[];
    changes: { status: string; at: string; cites: number[] }[];
  };
  escrow: {
    currency: string | null;
    available: number;
    held: number;
    pending: number;
    transfers: {
      id: string;
      debit: string;
      credit: string;
      amount: number;
      status: string;
      rule: string;
      at: string;
      cites: number[];
    }[];
  };
}
