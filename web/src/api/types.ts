/** The shapes of the public API's answers that the page reads (see /openapi.json). */

export interface Wait {
  text: string;
}

export interface StageChange {
  from: string;
  to: string;
  at: string;
  reason: string;
  cites: number[];
  rule?: string;
}

export interface Inventory {
  declared: number;
  found: number;
  neutralized: number;
  verified: number;
}

export interface Zone {
  id: string;
  name: string;
  illustrative: boolean;
  stage: string;
  next: string | null;
  waitingFor: Wait[];
  withdrawal: {
    status: string;
    claims: Record<string, number>;
    denials: Record<string, number>;
    observation: { party: string; observed: string; entry: number; at: string } | null;
    unknownTo: string[];
  };
  gap: Record<string, number>;
  unitsDeployed: { unit: string; strength: number; vetting: string }[];
  history: StageChange[];
  inventory: Record<string, Inventory>;
  violations: { atMs: number; severity: string; finding: number }[];
  /** Obligations past their deadline, when the engine explains them. */
  overdue?: (string | { text: string })[];
}

export interface Finding {
  subject: string;
  effective: {
    outcome: string;
    violator: string | null;
    severity: string | null;
    at: string;
    signers: Record<string, number>;
  } | null;
  accounts: { party: string; position: string; text: string; entry: number; at: string }[];
}

export interface Incident {
  id: string;
  entry: number;
  reporter: string;
  admitted: string;
  type: string;
  date_start: string;
  zone: string | null;
  latitude: number | null;
  longitude: number | null;
  actor: string | null;
  casualties: { low: number; best: number; high: number };
  source_grade: string;
  notification: { by: string; entry: number } | null;
  response: { by: string; entry: number; action: string } | null;
  finding: Finding | null;
}

export interface Strike {
  id: string;
  entry: number;
  by: string;
  zone: string | null;
  target: string;
  classification: string;
  reason: string;
  finding: Finding | null;
}

export interface Transfer {
  id: string;
  debit: string;
  credit: string;
  amount: number;
  status: string;
  rule: string;
  cites: number[];
  at: string;
}

export interface State {
  agreement: string;
  at: string;
  clearance: string;
  log: { size: number; folded: number };
  notice: string;
  zones: Zone[];
  units: {
    id: string;
    name: string;
    strength: number;
    vetting: string;
    zone: string | null;
    deployedBy: number | null;
  }[];
  truce: {
    status: string;
    expires: string;
    remaining_ms: number;
    warning: boolean;
    waitingFor: Wait[];
    extensions: { benchmark: string; key: string; extend_ms: number; at: string; cites: number[] }[];
    history: { status: string; at: string; cites: number[] }[];
  };
  escrow: {
    currency: string | null;
    summary: { available: number; held: number; pending: number };
    indicators: { id: string; label: string; earned: number; authorized: number }[];
    transfers: Transfer[];
  };
}

export interface IncidentPage {
  at: string;
  offset: number;
  limit: number;
  total: { incidents: number; strikes: number };
  next: { offset: number; limit: number } | null;
  incidents: Incident[];
  strikes: Strike[];
}

export interface ZoneFeatures {
  type: 'FeatureCollection';
  features: {
    type: 'Feature';
    id: string;
    geometry: GeoJSON.Geometry | null;
    properties: { id: string; name: string; stage: string | null; illustrative: boolean };
  }[];
}

export interface ServedStatementInfo {
  index: number;
  classification: string;
  admitted: string;
  statement?: { kind: string; issuer: string; at: string; subject: string; body: Record<string, unknown> };
  leaf: unknown;
  receipt: string;
  simulated?: boolean;
}
