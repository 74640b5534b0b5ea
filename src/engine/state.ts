/**
 * The engine's state: plain JSON data (no Map, no class), so that `serializeState` is canonical
 * JSON and "replaying the same log gives byte-identical state" (DESIGN.md, Invariants) is a
 * string comparison.
 *
 * Ownership discipline (why `evolve` may mutate): `replay` owns the state it folds, and `evolve`
 * updates it in place and returns the same object, because copying a state that grows with the
 * log for each of a million entries would cost more than everything else together. Two rules
 * keep snapshots cheap and correct under that discipline:
 *   1. Records in the growing collections (`incidents`, `strikes`, `findings`, `units`,
 *      `escrow.transfers`) are never mutated after they are stored: an update stores a new
 *      record object (`{...old, field}`). `cloneState` therefore copies those collections
 *      shallowly and shares the records.
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
  reason: 'entry-condition' | 'regression';
  /** Log indexes of the statements that satisfied the entry condition, or of the finding that caused the regression. */
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
  verified: number;
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
  /** Confirmed violations in the zone, this epoch: admission ms and severity. */
  violations: { atMs: number; severity: Severity; finding: number }[];
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
  /** Whether a confirmed violation's consequences (regression, suspension, hold) have been applied; they apply once. */
  consequencesApplied: boolean;
  /** Each party's own account beside the finding: kept, never overwritten (a party's accounts accumulate). */
  accounts: { party: string; position: string; text: string; entry: number; at: string }[];
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

export interface EscrowState {
  /** Posted balances, credits minus debits, minor units. They always sum to zero. */
  accounts: Record<string, number>;
  /** Pending debits per account (reserved, not yet posted). */
  pendingDebits: Record<string, number>;
  transfers: TransferState[];
  /** Per indicator: amount earned and authorized, units counted, the statements that earned it, and how many of those a transfer already cites. */
  indicators: Record<
    string,
    { earned: number; authorized: number; units: number; cites: number[]; citedUpTo: number }
  >;
  received: Record<string, number>;
}

export interface TruceState {
  expiresMs: number;
  status: 'in-force' | 'suspended' | 'lapsed';
  extensions: { benchmark: string; key: string; extend_ms: number; at: string; cites: number[] }[];
  suspendedBy: number | null;
  history: { status: 'in-force' | 'suspended' | 'lapsed'; at: string; cites: number[] }[];
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
  units: Record<string, UnitState>;
  incidents: Record<string, IncidentState>;
  strikes: Record<string, StrikeState>;
  /** Strike ids awaiting an imminent-threat justification (small). */
  awaitingJustification: string[];
  findings: Record<string, FindingState>;
  /** Confirmed violations per attributed party or actor, including roll-ups to sponsors. */
  violationsBy: Record<string, number>;
  benchmarks: Record<string, { occurrences: BenchmarkOccurrence[]; attestations: Record<string, number> }>;
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

/** The state before any entry: the agreement's keys registered, every zone in its initial stage. */
export function initialState(agreement: Agreement): EngineState {
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
      inventory[c.id] = { declared: 0, found: 0, neutralized: 0, verified: 0 };
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
    indicators[ind.id] = { earned: 0, authorized: 0, units: 0, cites: [], citedUpTo: 0 };
  return {
    agreement: agreement.id,
    count: 0,
    lastIndex: -1,
    lastAdmittedMs: -Infinity,
    settledMs: -Infinity,
    keys,
    zones,
    units: {},
    incidents: {},
    strikes: {},
    awaitingJustification: [],
    findings: {},
    violationsBy: {},
    benchmarks,
    truce: {
      expiresMs: Date.parse(agreement.truce.expires),
      status: 'in-force',
      extensions: [],
      suspendedBy: null,
      history: [],
    },
    escrow: { accounts: {}, pendingDebits: {}, transfers: [], indicators, received: {} },
  };
}

/**
 * Growing collections may live outside the JavaScript heap: a long-running service keeps them
 * in a record store on disk (src/service/record-store.ts) and puts a Proxy in the state that
 * answers this symbol. Records are immutable once stored (rule 1 above), which is what lets a
 * frozen view of such a collection be a read "as of" a log position rather than a copy.
 */
export const EXTERNAL_RECORDS: unique symbol = Symbol.for('phaseline.engine.external-records');

export interface ExternalRecords<T> {
  /** A read-only view of the records as they are now, unaffected by later writes. */
  freeze(): Record<string, T>;
  /** Every [id, record], in the order the ids were first stored. */
  entries(): Iterable<[string, T]>;
  /** Number of ids. */
  count(): number;
  /** `limit` records from position `offset` of {@link entries}'s order. */
  page(offset: number, limit: number): [string, T][];
}

function external<T>(m: Record<string, T>): ExternalRecords<T> | undefined {
  return (m as { [EXTERNAL_RECORDS]?: ExternalRecords<T> })[EXTERNAL_RECORDS];
}

/** Every [id, record] of a growing collection (in memory, external, or an overlay of either). */
export function recordEntries<T>(m: Record<string, T>): Iterable<[string, T]> {
  const ext = external(m);
  if (ext !== undefined) return ext.entries();
  const out: [string, T][] = [];
  for (const k in m) out.push([k, m[k]!]);
  return out;
}

/** Number of records in a growing collection. */
export function recordCount<T>(m: Record<string, T>): number {
  const ext = external(m);
  if (ext !== undefined) return ext.count();
  let n = 0;
  for (const _ in m) n++;
  return n;
}

/** Records `offset` … `offset + limit − 1` of a growing collection, in the order their ids were first stored. */
export function recordPage<T>(m: Record<string, T>, offset: number, limit: number): T[] {
  const ext = external(m);
  if (ext !== undefined) return ext.page(offset, limit).map(([, v]) => v);
  const out: T[] = [];
  let i = 0;
  for (const k in m) {
    if (i >= offset + limit) break;
    if (i++ >= offset) out.push(m[k]!);
  }
  return out;
}

/** Every record of a growing collection, in the order their ids were first stored. */
export function recordValues<T>(m: Record<string, T>): T[] {
  const out: T[] = [];
  for (const [, v] of recordEntries(m)) out.push(v);
  return out;
}

/** A plain object holding every record of a growing collection. */
export function recordObject<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of recordEntries(m)) out[k] = v;
  return out;
}

/** A copy that later writes to `m` do not affect: plain copy in memory, an overlay on a frozen view outside it. */
function copyMap<T>(m: Record<string, T>): Record<string, T> {
  const ext = external(m);
  if (ext !== undefined) return overlay(ext.freeze());
  const out: Record<string, T> = {};
  for (const k in m) out[k] = m[k]!;
  return out;
}

/**
 * A copy that can be evolved without affecting `state` (see the ownership discipline above):
 * small parts deep, growing collections shallow with shared immutable records.
 */
export function cloneState(s: EngineState): EngineState {
  return withBigMaps(s, copyMap);
}

/**
 * A copy of a state that will never be mutated again (a snapshot), made in constant time for
 * the growing collections: each becomes an overlay whose writes stay in the copy and whose reads
 * fall through to the snapshot. The overlay is a Proxy that presents the union as its own keys,
 * so `Object.keys`, `JSON.stringify` and `serializeState` see every entry. The snapshot must
 * stay untouched while the copy lives.
 */
export function forkState(snapshot: EngineState): EngineState {
  return withBigMaps(snapshot, overlay);
}

function overlay<T>(base: Record<string, T>): Record<string, T> {
  const own: Record<string, T> = {};
  const baseExternal = external(base);
  // An overlay on an external collection answers like one, so readers list it in one query.
  const ext: ExternalRecords<T> | undefined =
    baseExternal === undefined
      ? undefined
      : {
          freeze: () => overlay(baseExternal.freeze()),
          entries: function* () {
            const seen = new Set<string>();
            for (const [k, v] of baseExternal.entries()) {
              seen.add(k);
              yield [k, Object.hasOwn(own, k) ? own[k]! : v];
            }
            for (const k in own) if (!seen.has(k)) yield [k, own[k]!];
          },
          // Ids new in the overlay were stored after every id of the base: they follow it.
          count: () => baseExternal.count() + added().length,
          page: (offset, limit) => {
            const n = baseExternal.count();
            const out: [string, T][] = baseExternal
              .page(offset, limit)
              .map(([k, v]) => [k, Object.hasOwn(own, k) ? own[k]! : v]);
            if (out.length < limit) {
              const extra = added().slice(
                Math.max(0, offset - n),
                Math.max(0, offset - n) + limit - out.length,
              );
              for (const k of extra) out.push([k, own[k]!]);
            }
            return out;
          },
        };
  const added = () => Object.keys(own).filter((k) => base[k] === undefined);
  return new Proxy(own, {
    get: (target, k) => {
      if (k === EXTERNAL_RECORDS) return ext;
      return typeof k === 'string' && !Object.hasOwn(target, k) ? base[k] : Reflect.get(target, k);
    },
    has: (target, k) => Reflect.has(target, k) || (typeof k === 'string' && Object.hasOwn(base, k)),
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(base), ...Reflect.ownKeys(target)])],
    getOwnPropertyDescriptor: (target, k) => {
      if (Object.hasOwn(target, k) || typeof k !== 'string' || !Object.hasOwn(base, k)) {
        return Reflect.getOwnPropertyDescriptor(target, k);
      }
      return { value: base[k], writable: true, enumerable: true, configurable: true };
    },
    // Writes land in the copy as plain data properties.
    set: (target, k, v) => {
      (target as Record<string | symbol, unknown>)[k] = v;
      return true;
    },
    deleteProperty: () => {
      throw new Error('engine state: entries of the growing collections are never deleted');
    },
  });
}

function withBigMaps(s: EngineState, big: <T>(m: Record<string, T>) => Record<string, T>): EngineState {
  return {
    ...s,
    keys: structuredClone(s.keys),
    zones: structuredClone(s.zones),
    units: big(s.units),
    incidents: big(s.incidents),
    strikes: big(s.strikes),
    awaitingJustification: [...s.awaitingJustification],
    findings: big(s.findings),
    violationsBy: { ...s.violationsBy },
    benchmarks: structuredClone(s.benchmarks),
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

/**
 * Canonical JSON (RFC 8785) of the state: the same log always gives the same string.
 * `-Infinity` (nothing folded yet) is written as null.
 */
export function serializeState(state: EngineState): string {
  return canonicalJson({
    ...state,
    units: recordObject(state.units),
    incidents: recordObject(state.incidents),
    strikes: recordObject(state.strikes),
    findings: recordObject(state.findings),
    lastAdmittedMs: Number.isFinite(state.lastAdmittedMs) ? state.lastAdmittedMs : null,
    settledMs: Number.isFinite(state.settledMs) ? state.settledMs : null,
  });
}
