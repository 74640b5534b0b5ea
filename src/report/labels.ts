/**
 * The words and number formats a report is written with. English here; the web page passes its
 * own (Arabic, Hebrew) built from its translations, so the page and the file are one renderer.
 */
export interface ReportLabels {
  /** BCP 47 language tag, for `lang` and number/date formatting. */
  lang: string;
  dir: 'ltr' | 'rtl';
  heading: (title: string, date: string) => string;
  sections: {
    summary: string;
    stageChanges: string;
    zones: string;
    incidents: string;
    strikes: string;
    findings: string;
    contested: string;
    overdue: string;
    truce: string;
    escrow: string;
    checkpoint: string;
  };
  summary: Record<keyof import('./model.js').DailyReport['summary'], string>;
  columns: Record<string, string>;
  none: string;
  madeFrom: (folded: number, size: number, asOf: string) => string;
  clearance: (c: string) => string;
  verifyHint: string;
  /** A term from the agreement or the engine (stage, incident type, outcome…); default: as it is. */
  term: (t: string) => string;
  number: (n: number) => string;
  date: (iso: string) => string;
  money: (minor: number, currency: string | null) => string;
  duration: (ms: number) => string;
}

const en = new Intl.NumberFormat('en');

export const ENGLISH_LABELS: ReportLabels = {
  lang: 'en',
  dir: 'ltr',
  heading: (title, date) => `${title} — daily report, ${date}`,
  sections: {
    summary: 'Summary',
    stageChanges: 'Stage changes',
    zones: 'What each zone waits for',
    incidents: 'Incidents reported',
    strikes: 'Strikes and their response class',
    findings: 'Findings',
    contested: 'Contested claims',
    overdue: 'Overdue obligations',
    truce: 'Truce',
    escrow: 'Escrow movements',
    checkpoint: 'Made from checkpoint',
  },
  summary: {
    statements: 'statements admitted',
    stageChanges: 'stage changes',
    incidents: 'incidents reported',
    strikes: 'strikes declared',
    findings: 'findings took effect',
    contested: 'contested claims',
    overdue: 'overdue obligations',
    transfers: 'escrow movements',
  },
  columns: {
    zone: 'Zone',
    from: 'From',
    to: 'To',
    at: 'At',
    cites: 'Statements',
    stage: 'Stage',
    waits: 'Waits for',
    withdrawal: 'Withdrawal',
    incident: 'Incident',
    type: 'Type',
    actor: 'Actor (as claimed)',
    happened: 'Happened',
    grade: 'Source',
    deaths: 'Deaths (best)',
    response: 'Response',
    finding: 'Finding',
    accounts: 'Parties’ accounts',
    by: 'By',
    class: 'Response class',
    subject: 'Subject',
    sides: 'Sides',
    status: 'Status',
    expires: 'Expires',
    remaining: 'Remaining',
    extensions: 'Extensions today',
    transfer: 'Transfer',
    amount: 'Amount',
    rule: 'Rule',
    available: 'Available',
    held: 'Held',
    pending: 'Pending',
    byType: 'By type',
    byZone: 'By zone',
    byActor: 'By actor',
  },
  none: 'None.',
  madeFrom: (folded, size, asOf) =>
    `State as of ${asOf}: the first ${en.format(folded)} entries of the log (now ${en.format(size)}), proved against this checkpoint:`,
  clearance: (c) => `Content shown: ${c}.`,
  verifyHint: 'Each #N is a log index: GET /v1/statements/N returns the statement and its receipt.',
  term: (t) => t,
  number: (n) => en.format(n),
  date: (iso) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC'),
  money: (minor, currency) =>
    `${currency ?? ''} ${new Intl.NumberFormat('en', { maximumFractionDigits: 0 }).format(minor / 100)}`.trim(),
  duration: (ms) => {
    const d = Math.floor(Math.abs(ms) / 86_400_000);
    const h = Math.floor((Math.abs(ms) % 86_400_000) / 3_600_000);
    return `${ms < 0 ? '−' : ''}${d} d ${h} h`;
  },
};
