/**
 * The engine's state: plain JSON data (no Map, no class), so that `serializeState` is canonical
 * JSON and "replaying the same log gives byte-identical state" (DESIGN.md, Invariants) is a
 * string comparison. The one exception is explicit: the four collections that grow with the log
 * (units, incidents, strikes, findings) are record tables behind the small interface of
 * records.ts, so that their owner may keep them on disk; they serialize as plain objects.
 *
 * Ownership discipline (why `evolve` may mutate): `replay` owns the state it folds, and `evolve`
 * updates it in place and returns the same object, because copying a state that grows with the
 * log for each of a million entries would cost more than everything else together. Two rules
 * keep snapshots cheap and correct under that discipline:
 *   1. Records in the growing collections (`incidents`, `strikes`, `findings`, `units`,
 *      `escrow.transfers`) are never mutated after they are stored: an update stores a new
 *      record object (`{...old, field}`). `cloneState` therefore forks the record tables
 *      (constant time) and copies `escrow.transfers` shallowly, sharing the records.
 *   2. Everything else is small (bounded by the number of zones, parties, benchmarks) and is
 *      deep-copied by `cloneState`.
 * The property test "state at t is unaffected by later entries" checks the discipline.
 *
 * Citations: state cites statements by their log index (`cites: number[]`, `entry: number`).
 * An index names exactly one admitted statement, is what a receipt proves, and costs nothing to
 * compute while the statement id (a SHA-256 over canonical JSON) would cost more than the whole
 * fold; `citedStatementIds` in `replay.ts` maps indexes to ids for readers.
 */

import type { Agreement, Benchmark, Role, Severity, Stage, StatementKind } from '../agreement/model.js';
import { canonicalJson } from '../statement/canonical.js';
import type { Envelope } from '../statement/types.js';
import { DEFAULT_PERMISSIONS, type IncidentType } from './kinds.js';
import { MemoryRecords, type Records } from './records.js';

/** A log entry as the engine sees it: position, the log's admission time, and the envelope. */
export interface EngineEntry {
  /** 0-based position in the log; entries are folded in index order. */
  index: number;
  /** The log's admission time, RFC 3339 UTC with milliseconds; non-decreasing with index. */
  admitted: string;
  envelope: Envelope;
}

/** One change of a zone's stage and the statements that caused it. */
export interface StageChange {
  from: string;
  to: string;
  at: string;
  reason: 'entry-condition' | 'regression' | 'overturned';
  /** Log indexes of the statements that satisfied the entry condition, or of the finding that caused the regression (or overturned it). */
  cites: number[];
  /** The regression rule id, for regressions. */
  rule?: string;
}

export type WithdrawalStatus =
  | 'none' // nobody has said anything
  | 'claimed' // claimed by one side only; nobody denies, no monitor has observed
  | 'acknowledged' // claimed by the withdrawing force and the host state, not yet observed
  | 'denied' // denied, not claimed
  | 'contested' // claimed by some, denied by others, not observed
  | 'observed' // a monitor observed the withdrawal
  | 'refuted'; // a monitor observed the force still present (or only partly withdrawn)

export interface WithdrawalState {
  status: WithdrawalStatus;
  /** party id → log index of its latest claim (a later denial by the same party replaces it). */
  claims: Record<string, number>;
  denials: Record<string, number>;
  /** Latest monitor observation. */
  observation: {
    party: string;
    observed: 'withdrawn' | 'partial' | 'present';
    entry: number;
    at: string;
  } | null;
  /** Host-state parties that have said nothing about it. */
  unknownTo: string[];
}

export interface InventoryCounts {
  declared: number;
  found: number;
  neutralized: number;
  /** What the monitors verified and was found or neutralized: min(reported, max(found, neutralized)). */
  verified: number;
  /** Every count the monitors' `site.verify` statements reported, supported or not. */
  reported: number;
}

export interface ZoneState {
  id: string;
  stage: string;
  /** Regressions so far; statements made before the latest regression no longer count. */
  epoch: number;
  /** Admission time (ms since epoch) at which the zone entered each stage in this epoch. */
  enteredAtMs: Record<string, number>;
  history: StageChange[];
  /**
   * Affirming statements about the zone in this epoch, keyed `kind` or `zone.stage.sign:<stage>`,
   * then by signing party → log index of its latest such statement.
   */
  affirmations: Record<string, Record<string, number>>;
  withdrawal: WithdrawalState;
  inventory: Record<string, InventoryCounts>;
  /** Confirmed violations in the zone, this epoch: admission ms, severity, the finding's statement and subject. */
  violations: { atMs: number; severity: Severity; finding: number; subject?: string }[];
  /** Units deployed in the zone → log index of the deployment. */
  deployed: Record<string, number>;
  /** When the next stage becomes due by elapsed time alone (ms), or null. */
  dueMs: number | null;
}

export interface KeyState {
  party: string;
  registeredBy: number | null; // log index, null for keys in the agreement
  revokedAt: string | null;
  revokedBy: number | null;
}

export interface UnitState {
  id: string;
  name: string;
  strength: number;
  registeredBy: number;
  vetting: 'pending' | 'vetted' | 'rejected';
  vettedBy: number[];
  zone: string | null;
  deployedBy: number | null;
}

export interface IncidentState {
  id: string;
  entry: number;
  reporter: string;
  admitted: string;
  type: IncidentType;
  date_start: string;
  date_end: string;
  zone: string | null;
  latitude: number | null;
  longitude: number | null;
  where_prec: number;
  /** UCDP GED date precision of date_start/date_end: 1 = the day … 5 = the year. */
  date_prec: number;
  actor: string | null;
  casualties: { low: number; best: number; high: number };
  source_grade: string;
  evidence: string[];
  notification: { by: string; entry: number; atMs: number; windowEndsMs: number } | null;
  response: {
    by: string;
    entry: number;
    atMs: number;
    action: 'acted' | 'unable' | 'no-threat-found';
  } | null;
}

export type StrikeClass =
  | 'permitted-after-window' // notified, window passed (or deploying force unable), in scope
  | 'violation-no-notification'
  | 'violation-within-window'
  | 'violation-deploying-force-acted'
  | 'violation-out-of-scope'
  | 'violation-not-permitted' // the agreement gives the withdrawing force no right to act
  | 'imminent-threat-awaiting-justification'
  | 'imminent-threat-justified' // justified in time: for the adjudicators
  | 'imminent-threat-unjustified'; // the deadline passed without justification

export interface StrikeState {
  id: string;
  entry: number;
  by: string;
  atMs: number;
  zone: string | null;
  target: string;
  respondsTo: string | null;
  imminentThreat: boolean;
  classification: StrikeClass;
  /** Why, in words. */
  reason: string;
  justifyByMs: number | null;
  justification: string | null;
}

export interface Ruling {
  outcome: 'confirmed-violation' | 'not-a-violation' | 'unfounded' | 'inconclusive';
  violator: string | null;
  severity: Severity | null;
  zone: string | null;
  /** Adjudicating parties → log index of their finding. */
  signers: Record<string, number>;
}

export interface FindingState {
  subject: string;
  subjectKind: 'incident' | 'strike';
  /** Rulings proposed, keyed by their content; one takes effect when it reaches the quorum. */
  rulings: Record<string, Ruling>;
  effective: (Ruling & { key: string; at: string }) | null;
  /** Whether the effective ruling's consequences (regression, suspension, hold) are in effect. */
  consequencesApplied: boolean;
  /** What those consequences were, so that a later ruling that overturns this one undoes them. */
  applied?: AppliedConsequences | null;
  /** Each party's own account beside the finding: kept, never overwritten (a party's accounts accumulate). */
  accounts: { party: string; position: string; text: string; entry: number; at: string }[];
}

/** The zone as it was before a regression, kept so that overturning the finding can restore it. */
export interface ZoneBefore {
  stage: string;
  enteredAtMs: Record<string, number>;
  affirmations: Record<string, Record<string, number>>;
  withdrawal: WithdrawalState;
  /** The epoch the regression started (a later regression makes the restore moot). */
  epochAfter: number;
  rule: string;
}

export interface AppliedConsequences {
  /** The finding statement that made the ruling effective, and when. */
  entry: number;
  at: string;
  violator: string | null;
  severity: Severity;
  zone: string | null;
  regression: ZoneBefore | null;
  /** The escrow hold transfer, if one was put. */
  hold: string | null;
  /** Whether this finding suspended the truce. */
  suspended: boolean;
}

export interface BenchmarkOccurrence {
  /** Zone id for per-zone benchmarks, `*` for country-wide ones. */
  key: string;
  at: string;
  cites: number[];
}

export interface TransferState {
  id: string;
  debit: string;
  credit: string;
  amount: number;
  status: 'pending' | 'posted' | 'voided';
  /** The rule that caused it: `pledge`, an indicator id, `hold:<finding subject>`, `hold-release`. */
  rule: string;
  cites: number[];
  at: string;
  settledBy: number | null;
}

export interface IndicatorState {
  earned: number;
  authorized: number;
  units: number;
  cites: number[];
  citedUpTo: number;
  /** Scalable indicators: units counted and amount earned per zone, then per category. */
  byZone: Record<string, Record<string, { units: number; earned: number }>>;
  /** Scalable indicators with a `capPerPeriod`: amount earned per period index. */
  byPeriod: Record<string, number>;
}

export interface EscrowState {
  /** Posted balances, credits minus debits, minor units. They always sum to zero. */
  accounts: Record<string, number>;
  /** Pending debits per account (reserved, not yet posted). */
  pendingDebits: Record<string, number>;
  transfers: TransferState[];
  /** Per indicator: amount earned and authorized, units counted, the statements that earned it, and how many of those a transfer already cites. */
  indicators: Record<string, IndicatorState>;
  received: Record<string, number>;
}

/**
 * A step owed in a zone under one of the agreement's deadlines: the clock starts when the zone
 * enters the deadline's `after` stage. Records are replaced, never mutated, once stored.
 */
export interface ObligationState {
  deadline: string;
  zone: string;
  /** The parties that owe the step. */
  owedBy: string[];
  /** When the zone entered `after` (the clock's start). */
  startedAt: string;
  dueMs: number;
  /** `met` with an `overdueAt` was met late; `cancelled`: the zone went back before `after`. */
  status: 'pending' | 'overdue' | 'met' | 'cancelled';
  overdueAt: string | null;
  closedAt: string | null;
  /** The statements that started the clock, then those that met the step. */
  cites: number[];
  /** The escrow hold while overdue (a transfer id), if the deadline holds funds. */
  hold: string | null;
}

export interface TruceState {
  expiresMs: number;
  /** `not-started` until the agreement takes effect: its signature, once the log holds an entry. */
  status: 'not-started' | 'in-force' | 'suspended' | 'lapsed';
  extensions: { benchmark: string; key: string; extend_ms: number; at: string; cites: number[] }[];
  /** Extensions a benchmark would have given while an overdue step blocked them (`deadline/zone`). */
  blockedExtensions: { benchmark: string; key: string; at: string; blockedBy: string[] }[];
  suspendedBy: number | null;
  /** Why the truce is suspended: `suspendOn` or an escalation rule id, and the subjects that did it. */
  suspension: { rule: string; subjects: string[]; cites: number[] } | null;
  /** Per escalation rule: the violations it counted and the times it triggered. */
  escalation: Record<string, EscalationState>;
  history: { status: 'in-force' | 'suspended' | 'lapsed'; at: string; cites: number[] }[];
}

export interface EscalationState {
  /** Violations counted, oldest first; `consumedBy` is the trigger that used one (its position). */
  events: {
    subject: string;
    kind: 'strike' | 'incident' | 'overdue';
    atMs: number;
    consumedBy: number | null;
  }[];
  triggers: {
    at: string;
    subjects: string[];
    cites: number[];
    suspended: boolean;
    /** How much nearer the expiry was brought. */
    shortened_ms: number;
    /** When an overturned finding undid the trigger. */
    undone: string | null;
  }[];
}

export interface EngineState {
  agreement: string;
  /** Entries folded so far and the last one's index and admission time. */
  count: number;
  lastIndex: number;
  lastAdmittedMs: number;
  /** Time the state has been settled to (time-driven changes applied up to it), ms. */
  settledMs: number;
  keys: Record<string, KeyState>;
  zones: Record<string, ZoneState>;
  /** The growing collections (records.ts): read and written by id, never iterated by the rules. */
  units: Records<UnitState>;
  incidents: Records<IncidentState>;
  strikes: Records<StrikeState>;
  /** Strike ids awaiting an imminent-threat justification (small). */
  awaitingJustification: string[];
  findings: Records<FindingState>;
  /** Confirmed violations per attributed party or actor, including roll-ups to sponsors. */
  violationsBy: Record<string, number>;
  benchmarks: Record<string, { occurrences: BenchmarkOccurrence[]; attestations: Record<string, number> }>;
  /** Steps owed under the agreement's deadlines, in the order their clocks started. */
  obligations: ObligationState[];
  truce: TruceState;
  escrow: EscrowState;
}

/** A zone's withdrawal before anyone said anything (and after a regression). */
export function emptyWithdrawal(hosts: readonly string[]): WithdrawalState {
  return { status: 'none', claims: {}, denials: {}, observation: null, unknownTo: [...hosts] };
}

/** Severity rank: minor < serious < grave. */
export const SEVERITY_RANK: Record<Severity, number> = { minor: 0, serious: 1, grave: 2 };

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Look-up tables derived once per agreement object (cached), so `evolve` does no searching.
 * An agreement must not be mutated after it is first used by the engine.
 */
export interface Rules {
  agreement: Agreement;
  partyRoles: Record<string, Set<Role>>;
  permissions: Record<StatementKind, Set<Role>>;
  /** Stage ids in forward order (following `next`), and each stage's rank. */
  stageOrder: string[];
  stageRank: Record<string, number>;
  stageById: Record<string, Stage>;
  finalStage: string;
  zoneIds: Set<string>;
  /** zone id → zones that list it as a prerequisite. */
  dependents: Record<string, string[]>;
  prerequisites: Record<string, string[]>;
  /** Baseline site estimates: zone → category → count. */
  baselines: Record<string, Record<string, number>>;
  hosts: Record<string, string[]>;
  categories: Set<string>;
  nonDeferred: string[];
  actorSponsor: Record<string, string | undefined>;
  donors: Set<string>;
  benchmarkIds: Set<string>;
  adjudicatorRoles: Set<Role>;
  /** Whether any stage condition refers to benchmarks (then a benchmark re-evaluates every zone). */
  stagesUseBenchmarks: boolean;
  benchmarksByType: {
    zoneReachesStage: Benchmark[];
    allZonesReachStage: Benchmark[];
    sitesVerified: Benchmark[];
    attested: Benchmark[];
    allOfBenchmarks: Benchmark[];
  };
}

const rulesCache = new WeakMap<Agreement, Rules>();

/** The look-up tables for `agreement` (computed once per agreement object). */
export function rulesFor(agreement: Agreement): Rules {
  let r = rulesCache.get(agreement);
  if (r === undefined) {
    r = compileRules(agreement);
    rulesCache.set(agreement, r);
  }
  return r;
}

function compileRules(a: Agreement): Rules {
  const partyRoles: Record<string, Set<Role>> = {};
  for (const p of a.parties) partyRoles[p.id] = new Set(p.roles);
  const permissions = {} as Record<StatementKind, Set<Role>>;
  for (const k of Object.keys(DEFAULT_PERMISSIONS) as StatementKind[]) {
    permissions[k] = new Set(a.permissions?.[k] ?? DEFAULT_PERMISSIONS[k]);
  }
  // Whoever the agreement makes an adjudicator may issue findings, unless the table says otherwise.
  if (a.permissions?.['finding.issue'] === undefined)
    permissions['finding.issue'] = new Set(a.adjudication.adjudicatorRoles);
  const byId = new Map(a.stages.map((s, i) => [s.id, i]));
  const stageOrder: string[] = [];
  let i: number | undefined = 0;
  while (i !== undefined) {
    const s = a.stages[i]!;
    if (stageOrder.includes(s.id))
      throw new Error(`stage graph: following next from ${a.stages[0]!.id} revisits ${s.id}`);
    stageOrder.push(s.id);
    if (s.next !== undefined) {
      i = byId.get(s.next);
      if (i === undefined) throw new Error(`stage graph: stage ${s.id} names unknown next stage ${s.next}`);
    } else i = i + 1 < a.stages.length ? i + 1 : undefined;
  }
  const stageRank: Record<string, number> = {};
  stageOrder.forEach((s, k) => {
    stageRank[s] = k;
  });
  const dependents: Record<string, string[]> = {};
  const prerequisites: Record<string, string[]> = {};
  const baselines: Record<string, Record<string, number>> = {};
  const hosts: Record<string, string[]> = {};
  const defaultHosts = a.parties
    .filter((p) => p.roles.includes('sovereign') && !p.roles.includes('withdrawing-force'))
    .map((p) => p.id);
  for (const z of a.zones) {
    dependents[z.id] ??= [];
    prerequisites[z.id] = z.prerequisites;
    baselines[z.id] = Object.fromEntries(z.knownSites.map((k) => [k.category, k.count]));
    for (const p of z.prerequisites) {
      dependents[p] ??= [];
      dependents[p].push(z.id);
    }
    hosts[z.id] = z.host !== undefined ? [z.host] : defaultHosts;
  }
  const actorSponsor: Record<string, string | undefined> = {};
  for (const ac of a.actors) actorSponsor[ac.id] = ac.sponsor;
  const stagesUseBenchmarks = JSON.stringify(a.stages).includes('"benchmark"');
  return {
    agreement: a,
    partyRoles,
    permissions,
    stageOrder,
    stageRank,
    stageById: Object.fromEntries(a.stages.map((s) => [s.id, s])),
    finalStage: stageOrder[stageOrder.length - 1]!,
    zoneIds: new Set(a.zones.map((z) => z.id)),
    dependents,
    prerequisites,
    baselines,
    hosts,
    categories: new Set(a.weaponCategories.map((c) => c.id)),
    nonDeferred: a.weaponCategories.filter((c) => !c.deferred).map((c) => c.id),
    actorSponsor,
    donors: new Set((a.escrow?.pledges ?? []).map((p) => p.donor)),
    benchmarkIds: new Set(a.benchmarks.map((b) => b.id)),
    adjudicatorRoles: new Set(a.adjudication.adjudicatorRoles),
    stagesUseBenchmarks,
    benchmarksByType: {
      zoneReachesStage: a.benchmarks.filter((b) => 'zoneReachesStage' in b.when),
      allZonesReachStage: a.benchmarks.filter((b) => 'allZonesReachStage' in b.when),
      sitesVerified: a.benchmarks.filter((b) => 'sitesVerified' in b.when),
      attested: a.benchmarks.filter((b) => 'attested' in b.when),
      allOfBenchmarks: a.benchmarks.filter((b) => 'allOfBenchmarks' in b.when),
    },
  };
}

/**
 * The state before any entry: the agreement's keys registered, every zone in its initial stage.
 * Its growing collections are in memory unless `records` makes them elsewhere (the server's
 * read model on disk).
 */
export function initialState(agreement: Agreement, records?: RecordsFactory): EngineState {
  const table = <T>(name: RecordCollection): Records<T> =>
    records === undefined ? new MemoryRecords<T>() : (records(name) as Records<T>);
  const rules = rulesFor(agreement);
  const keys: Record<string, KeyState> = {};
  for (const p of agreement.parties) {
    for (const k of p.keys) keys[k] = { party: p.id, registeredBy: null, revokedAt: null, revokedBy: null };
  }
  const zones: Record<string, ZoneState> = {};
  for (const z of agreement.zones) {
    const stage = z.initialStage ?? rules.stageOrder[0]!;
    const inventory: Record<string, InventoryCounts> = {};
    for (const c of agreement.weaponCategories)
      inventory[c.id] = { declared: 0, found: 0, neutralized: 0, verified: 0, reported: 0 };
    zones[z.id] = {
      id: z.id,
      stage,
      epoch: 0,
      enteredAtMs: {},
      history: [],
      affirmations: {},
      withdrawal: emptyWithdrawal(rules.hosts[z.id]!),
      inventory,
      violations: [],
      deployed: {},
      dueMs: null,
    };
  }
  const benchmarks: EngineState['benchmarks'] = {};
  for (const b of agreement.benchmarks) benchmarks[b.id] = { occurrences: [], attestations: {} };
  const indicators: EscrowState['indicators'] = {};
  for (const ind of agreement.escrow?.indicators ?? [])
    indicators[ind.id] = {
      earned: 0,
      authorized: 0,
      units: 0,
      cites: [],
      citedUpTo: 0,
      byZone: {},
      byPeriod: {},
    };
  return {
    agreement: agreement.id,
    count: 0,
    lastIndex: -1,
    lastAdmittedMs: -Infinity,
    settledMs: -Infinity,
    keys,
    zones,
    units: table('units'),
    incidents: table('incidents'),
    strikes: table('strikes'),
    awaitingJustification: [],
    findings: table('findings'),
    violationsBy: {},
    benchmarks,
    obligations: [],
    truce: {
      expiresMs: Date.parse(agreement.truce.expires),
      status: 'not-started',
      extensions: [],
      blockedExtensions: [],
      suspendedBy: null,
      suspension: null,
      escalation: Object.fromEntries(
        agreement.truce.escalation.map((e) => [e.id, { events: [], triggers: [] } as EscalationState]),
      ),
      history: [],
    },
    escrow: { accounts: {}, pendingDebits: {}, transfers: [], indicators, received: {} },
  };
}

/**
 * A copy that can be evolved without affecting `s` (see the ownership discipline above): small
 * parts deep, each growing collection a fork (constant time; its writes stay in the copy).
 */
export function cloneState(s: EngineState): EngineState {
  return withRecords(s, (r) => r.fork());
}

/**
 * A copy of `s` as it is now that nothing can change (a snapshot): small parts deep, each
 * growing collection frozen (constant time). Fork it ({@link cloneState}) to evolve from it.
 */
export function snapshotState(s: EngineState): EngineState {
  return withRecords(s, (r) => r.freeze());
}

function withRecords(s: EngineState, records: <T>(r: Records<T>) => Records<T>): EngineState {
  return {
    ...s,
    keys: structuredClone(s.keys),
    zones: structuredClone(s.zones),
    units: records(s.units),
    incidents: records(s.incidents),
    strikes: records(s.strikes),
    awaitingJustification: [...s.awaitingJustification],
    findings: records(s.findings),
    violationsBy: { ...s.violationsBy },
    benchmarks: structuredClone(s.benchmarks),
    obligations: [...s.obligations],
    truce: structuredClone(s.truce),
    escrow: {
      accounts: { ...s.escrow.accounts },
      pendingDebits: { ...s.escrow.pendingDebits },
      transfers: [...s.escrow.transfers],
      indicators: structuredClone(s.escrow.indicators),
      received: { ...s.escrow.received },
    },
  };
}

/** The state's growing collections, by name (see records.ts). */
export const RECORD_COLLECTIONS = ['units', 'incidents', 'strikes', 'findings'] as const;
export type RecordCollection = (typeof RECORD_COLLECTIONS)[number];

/** Where a state's growing collections live: in memory unless the owner supplies its own. */
export type RecordsFactory = (name: RecordCollection) => Records<unknown>;

/** Tells each growing collection that the writes from now on belong to log entry `index`. */
export function beginEntry(s: EngineState, index: number): void {
  for (const name of RECORD_COLLECTIONS) s[name].begin(index);
}

/** Forgets the growing collections' writes since {@link beginEntry} (the fold failed). */
export function undoEntry(s: EngineState): void {
  for (const name of RECORD_COLLECTIONS) s[name].undo();
}

/**
 * Canonical JSON (RFC 8785) of the state: the same log always gives the same string.
 * `-Infinity` (nothing folded yet) is written as null.
 */
export function serializeState(state: EngineState): string {
  return canonicalJson({
    ...state,
    units: state.units.toJSON(),
    incidents: state.incidents.toJSON(),
    strikes: state.strikes.toJSON(),
    findings: state.findings.toJSON(),
    lastAdmittedMs: Number.isFinite(state.lastAdmittedMs) ? state.lastAdmittedMs : null,
    settledMs: Number.isFinite(state.settledMs) ? state.settledMs : null,
  });
}
