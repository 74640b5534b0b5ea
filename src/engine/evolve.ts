/**
 * `evolve`: folds one admitted log entry into the state (the decider pattern's evolve).
 *
 * It trusts that `admit` accepted the entry (signatures, keys, roles, body shape, subjects):
 * it re-checks nothing that costs, but a broken invariant it does meet (an unknown signing key,
 * an index out of order, time going backwards) stops loudly rather than derive a wrong state.
 *
 * Time: every time-driven change (a stage due after elapsed time, the truce lapsing, a
 * justification deadline passing) is applied by `settle` at the exact time it falls due, before
 * the next entry, so the state never depends on when someone looked. Protocol clocks run on the
 * log's admission time, the one time no party chooses.
 *
 * Mutation: `evolve` updates `state` in place and returns it (see state.ts, "Ownership
 * discipline"); callers that need the old state clone it first (`cloneState`).
 */
import type { Agreement, Benchmark, Severity, StatementKind } from '../agreement/model.js';
import { affirmationKey, coverage, evaluate } from './conditions.js';
import { type Bodies, unreachable } from './kinds.js';
import {
  type EngineEntry,
  type EngineState,
  type FindingState,
  type IncidentState,
  iso,
  type Rules,
  type Ruling,
  rulesFor,
  SEVERITY_RANK,
  type StrikeClass,
  type StrikeState,
  type ZoneState,
} from './state.js';

/** Folds one admitted entry into `state` (mutating it; see the module comment) and returns it. */
export function evolve(agreement: Agreement, state: EngineState, entry: EngineEntry): EngineState {
  const rules = rulesFor(agreement);
  const nowMs = Date.parse(entry.admitted);
  if (entry.index <= state.lastIndex) {
    throw new Error(
      `evolve: entry ${entry.index} is not after the last folded entry ${state.lastIndex}; entries must be folded in index order`,
    );
  }
  if (!(nowMs >= state.lastAdmittedMs)) {
    throw new Error(
      `evolve: entry ${entry.index} admitted ${entry.admitted}, before the previous entry; admission times must not decrease`,
    );
  }
  if (nowMs > state.settledMs) settle(agreement, state, nowMs);
  const st = entry.envelope.statement;
  const sigs = entry.envelope.signatures;
  // Parties that signed (issuer first, then co-signers), distinct.
  const signers: string[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const k = state.keys[sigs[i]!.key];
    if (k === undefined)
      throw new Error(
        `evolve: entry ${entry.index} is signed by a key the state does not know; it cannot have been admitted`,
      );
    if (!signers.includes(k.party)) signers.push(k.party);
  }
  const ctx: Ctx = {
    rules,
    state,
    nowMs,
    at: entry.admitted,
    index: entry.index,
    issuer: st.issuer,
    signers,
  };
  apply(ctx, st.kind as StatementKind, st.subject, st.body as never, Date.parse(st.at));
  state.count++;
  state.lastIndex = entry.index;
  state.lastAdmittedMs = nowMs;
  return state;
}

interface Ctx {
  rules: Rules;
  state: EngineState;
  nowMs: number;
  at: string;
  index: number;
  issuer: string;
  signers: string[];
}

function apply(
  ctx: Ctx,
  kind: StatementKind,
  subject: string,
  body: Bodies[StatementKind],
  statedMs: number,
): void {
  const { state, index } = ctx;
  switch (kind) {
    case 'key.register': {
      const b = body as Bodies['key.register'];
      state.keys[b.key] = { party: ctx.issuer, registeredBy: index, revokedAt: null, revokedBy: null };
      return;
    }
    case 'key.revoke': {
      const b = body as Bodies['key.revoke'];
      const k = state.keys[b.key]!;
      state.keys[b.key] = { ...k, revokedAt: ctx.at, revokedBy: index };
      return;
    }
    case 'zone.stage.sign': {
      const b = body as Bodies['zone.stage.sign'];
      // A stage signature certifies the zone as it is now: it counts only for the stage that
      // comes next. A premature one stays on the log but counts for nothing.
      const z = state.zones[subject]!;
      if (ctx.rules.stageOrder[ctx.rules.stageRank[z.stage]! + 1] === b.stage)
        affirm(ctx, subject, affirmationKey(kind, b.stage));
      evaluateZone(ctx, subject, ctx.nowMs);
      return;
    }
    case 'withdrawal.claim':
    case 'withdrawal.deny': {
      const w = state.zones[subject]!.withdrawal;
      for (const p of ctx.signers) {
        if (kind === 'withdrawal.claim') {
          w.claims[p] = index;
          delete w.denials[p];
        } else {
          w.denials[p] = index;
          delete w.claims[p];
        }
      }
      if (kind === 'withdrawal.claim') affirm(ctx, subject, kind);
      else {
        // A party that now denies no longer counts towards a quorum of claims.
        const by = state.zones[subject]!.affirmations['withdrawal.claim'];
        if (by) for (const p of ctx.signers) delete by[p];
      }
      updateWithdrawal(ctx.rules, state.zones[subject]!);
      evaluateZone(ctx, subject, ctx.nowMs);
      return;
    }
    case 'withdrawal.observe': {
      const b = body as Bodies['withdrawal.observe'];
      const z = state.zones[subject]!;
      z.withdrawal.observation = { party: ctx.issuer, observed: b.observed, entry: index, at: ctx.at };
      if (b.observed === 'withdrawn') affirm(ctx, subject, kind);
      else {
        // A later observation that the force is (partly) present withdraws the monitors' affirmation.
        delete z.affirmations[kind];
      }
      updateWithdrawal(ctx.rules, z);
      evaluateZone(ctx, subject, ctx.nowMs);
      return;
    }
    case 'site.declare':
    case 'site.find':
    case 'site.neutralize':
    case 'site.verify': {
      const b = body as Bodies['site.verify'];
      const z = state.zones[subject]!;
      const inv = z.inventory[b.category]!;
      switch (kind) {
        case 'site.declare':
          inv.declared += b.count;
          break;
        case 'site.find':
          inv.found += b.count;
          break;
        case 'site.neutralize':
          inv.neutralized += b.count;
          break;
        case 'site.verify':
          inv.verified += b.count;
          earnScalable(ctx, b.category, b.count);
          break;
      }
      affirm(ctx, subject, kind);
      if (ctx.rules.benchmarksByType.sitesVerified.length) checkSitesVerified(ctx);
      evaluateZone(ctx, subject, ctx.nowMs);
      return;
    }
    case 'unit.register': {
      const b = body as Bodies['unit.register'];
      state.units[subject] = {
        id: subject,
        name: b.name,
        strength: b.strength,
        registeredBy: index,
        vetting: 'pending',
        vettedBy: [],
        zone: null,
        deployedBy: null,
      };
      return;
    }
    case 'unit.vet': {
      const b = body as Bodies['unit.vet'];
      const u = state.units[subject]!;
      state.units[subject] = {
        ...u,
        vetting: b.outcome,
        vettedBy: b.outcome === 'vetted' ? [...u.vettedBy, index] : [],
      };
      if (u.zone !== null) evaluateZone(ctx, u.zone, ctx.nowMs);
      return;
    }
    case 'unit.deploy': {
      const b = body as Bodies['unit.deploy'];
      const u = state.units[subject]!;
      // A unit holds one zone at a time: deploying it elsewhere leaves the zone it held.
      if (u.zone !== null) delete state.zones[u.zone]!.deployed[subject];
      state.units[subject] = { ...u, zone: b.zone, deployedBy: b.zone === null ? null : index };
      if (b.zone !== null) {
        state.zones[b.zone]!.deployed[subject] = index;
        affirm(ctx, b.zone, kind);
        evaluateZone(ctx, b.zone, ctx.nowMs);
      }
      if (u.zone !== null && u.zone !== b.zone) evaluateZone(ctx, u.zone, ctx.nowMs);
      return;
    }
    case 'incident.report': {
      const b = body as Bodies['incident.report'];
      const inc: IncidentState = {
        id: subject,
        entry: index,
        reporter: ctx.issuer,
        admitted: ctx.at,
        type: b.type,
        date_start: b.date_start,
        date_end: b.date_end,
        zone: b.zone ?? null,
        latitude: b.latitude ?? null,
        longitude: b.longitude ?? null,
        where_prec: b.where_prec ?? 1,
        actor: b.actor ?? null,
        casualties: { low: b.deaths_low ?? 0, best: b.deaths_best ?? 0, high: b.deaths_high ?? 0 },
        source_grade: b.source_grade,
        evidence: b.evidence ?? [],
        notification: null,
        response: null,
      };
      state.incidents[subject] = inc;
      return;
    }
    case 'incident.notify': {
      const inc = state.incidents[subject]!;
      if (inc.notification !== null) return; // the first notification starts the window; repeats change nothing
      const windowEndsMs = ctx.nowMs + ctx.rules.agreement.responseProtocol.response_window_ms;
      state.incidents[subject] = {
        ...inc,
        notification: { by: ctx.issuer, entry: index, atMs: ctx.nowMs, windowEndsMs },
      };
      return;
    }
    case 'incident.response': {
      const b = body as Bodies['incident.response'];
      const inc = state.incidents[subject]!;
      if (inc.response !== null) return;
      state.incidents[subject] = {
        ...inc,
        response: { by: ctx.issuer, entry: index, atMs: ctx.nowMs, action: b.action },
      };
      return;
    }
    case 'strike.declare': {
      const b = body as Bodies['strike.declare'];
      const strike = classifyStrike(ctx, subject, b, Math.min(statedMs, ctx.nowMs));
      state.strikes[subject] = strike;
      if (strike.classification === 'imminent-threat-awaiting-justification')
        state.awaitingJustification.push(subject);
      return;
    }
    case 'strike.justify': {
      const b = body as Bodies['strike.justify'];
      const s = state.strikes[subject]!;
      if (s.classification !== 'imminent-threat-awaiting-justification') {
        // Too late or never needed: kept as the party's justification, classification unchanged.
        state.strikes[subject] = { ...s, justification: s.justification ?? b.justification };
        return;
      }
      state.strikes[subject] = {
        ...s,
        classification: 'imminent-threat-justified',
        reason: `declared an imminent threat and justified it at ${ctx.at}, within the deadline; for the adjudicators`,
        justification: b.justification,
      };
      state.awaitingJustification = state.awaitingJustification.filter((x) => x !== subject);
      return;
    }
    case 'finding.issue': {
      applyFinding(ctx, subject, body as Bodies['finding.issue']);
      return;
    }
    case 'account.attach': {
      const b = body as Bodies['account.attach'];
      const f = findingFor(state, subject);
      state.findings[subject] = {
        ...f,
        accounts: [
          ...f.accounts,
          { party: ctx.issuer, position: b.position, text: b.text, entry: index, at: ctx.at },
        ],
      };
      return;
    }
    case 'escrow.pledge': {
      const b = body as Bodies['escrow.pledge'];
      transfer(ctx, `donor:${subject}`, FUNDS, b.amount, 'posted', 'pledge', [index]);
      state.escrow.received[subject] = (state.escrow.received[subject] ?? 0) + b.amount;
      releaseOutstanding(ctx, [index]);
      return;
    }
    case 'escrow.settle': {
      const b = body as Bodies['escrow.settle'];
      settleTransfer(ctx, subject, b.action);
      return;
    }
    case 'benchmark.attest': {
      const bm = state.benchmarks[subject]!;
      for (const p of ctx.signers) if (bm.attestations[p] === undefined) bm.attestations[p] = index;
      checkAttested(ctx, subject);
      return;
    }
    case 'truce.resume': {
      const t = state.truce;
      if (t.status === 'suspended') {
        t.status = 'in-force';
        t.suspendedBy = null;
        t.history.push({ status: 'in-force', at: ctx.at, cites: [index] });
      }
      return;
    }
    default:
      unreachable(kind, 'statement kind');
  }
}

// ---------------------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------------------

function affirm(ctx: Ctx, zoneId: string, key: string): void {
  const z = ctx.state.zones[zoneId]!;
  let by = z.affirmations[key];
  if (by === undefined) {
    by = {};
    z.affirmations[key] = by;
  }
  for (const p of ctx.signers) by[p] = ctx.index;
}

/** Recomputes the withdrawal status from claims, denials and the latest monitor observation. */
function updateWithdrawal(rules: Rules, z: ZoneState): void {
  const w = z.withdrawal;
  const hosts = rules.hosts[z.id]!;
  w.unknownTo = hosts.filter((h) => w.claims[h] === undefined && w.denials[h] === undefined);
  if (w.observation !== null) {
    w.status = w.observation.observed === 'withdrawn' ? 'observed' : 'refuted';
    return;
  }
  let claims = 0;
  let denials = 0;
  for (const _ in w.claims) claims++;
  for (const _ in w.denials) denials++;
  if (claims > 0 && denials > 0) w.status = 'contested';
  else if (claims > 0) {
    const byWithdrawing = Object.keys(w.claims).some((p) => rules.partyRoles[p]?.has('withdrawing-force'));
    const byHost = hosts.some((h) => w.claims[h] !== undefined);
    w.status = byWithdrawing && byHost ? 'acknowledged' : 'claimed';
  } else if (denials > 0) w.status = 'denied';
  else w.status = 'none';
}

/** Advances the zone through every stage whose entry condition holds at `nowMs`. */
function evaluateZone(ctx: Ctx, zoneId: string, nowMs: number): void {
  const { rules, state } = ctx;
  const z = state.zones[zoneId]!;
  for (;;) {
    const rank = rules.stageRank[z.stage]!;
    const next = rules.stageOrder[rank + 1];
    if (next === undefined) {
      z.dueMs = null;
      return;
    }
    const cond = rules.stageById[next]!.entry;
    let cites: number[] = [];
    if (cond !== undefined) {
      const e = evaluate(rules, state, z, next, cond, nowMs, false);
      if (e.readyMs > nowMs) {
        z.dueMs = Number.isFinite(e.readyMs) ? e.readyMs : null;
        return;
      }
      cites = e.cites;
    }
    const from = z.stage;
    z.stage = next;
    z.enteredAtMs[next] = nowMs;
    z.history.push({ from, to: next, at: iso(nowMs), reason: 'entry-condition', cites: dedupe(cites) });
    stageReached(ctx, z, nowMs);
  }
}

function dedupe(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** Consequences of a zone reaching a stage: benchmarks, and zones waiting on it as a prerequisite. */
function stageReached(ctx: Ctx, z: ZoneState, nowMs: number): void {
  const { rules, state } = ctx;
  const rank = rules.stageRank[z.stage]!;
  const cites = z.history[z.history.length - 1]!.cites;
  for (const b of rules.benchmarksByType.zoneReachesStage) {
    const w = (b.when as { zoneReachesStage: { stage: string; zones?: string[] } }).zoneReachesStage;
    if (rank < rules.stageRank[w.stage]!) continue;
    if (w.zones !== undefined && !w.zones.includes(z.id)) continue;
    if (state.benchmarks[b.id]!.occurrences.some((o) => o.key === z.id)) continue;
    occur(ctx, b, z.id, cites, nowMs);
  }
  for (const b of rules.benchmarksByType.allZonesReachStage) {
    if (state.benchmarks[b.id]!.occurrences.length) continue;
    const w = (b.when as { allZonesReachStage: { stage: string; zones?: string[] } }).allZonesReachStage;
    const zones = w.zones ?? rules.agreement.zones.map((x) => x.id);
    const need = rules.stageRank[w.stage]!;
    if (zones.every((id) => rules.stageRank[state.zones[id]!.stage]! >= need))
      occur(ctx, b, '*', cites, nowMs);
  }
  if (z.stage === rules.finalStage) for (const d of rules.dependents[z.id] ?? []) evaluateZone(ctx, d, nowMs);
}

// ---------------------------------------------------------------------------------------------
// Benchmarks, truce extensions, fixed indicators
// ---------------------------------------------------------------------------------------------

function occur(ctx: Ctx, b: Benchmark, key: string, cites: number[], nowMs: number): void {
  const { rules, state } = ctx;
  state.benchmarks[b.id]!.occurrences.push({ key, at: iso(nowMs), cites });
  // Truce extensions: only while the truce has not lapsed (settle ran up to now).
  const t = state.truce;
  for (const ext of rules.agreement.truce.extensions) {
    if (ext.on !== b.id || t.status === 'lapsed') continue;
    const done = t.extensions.filter((e) => e.benchmark === b.id).length;
    if (ext.maxTimes !== undefined && done >= ext.maxTimes) continue;
    t.expiresMs += ext.extend_ms;
    t.extensions.push({ benchmark: b.id, key, extend_ms: ext.extend_ms, at: iso(nowMs), cites });
  }
  for (const ind of rules.agreement.escrow?.indicators ?? []) {
    if (ind.kind !== 'fixed' || ind.on !== b.id) continue;
    const s = state.escrow.indicators[ind.id]!;
    const times = ind.amount === 0 ? 0 : Math.round(s.earned / ind.amount);
    if (ind.maxOccurrences !== undefined && times >= ind.maxOccurrences) continue;
    s.earned += ind.amount;
    s.units += 1;
    for (const c of cites) s.cites.push(c);
    release(ctx, ind.id, []);
  }
  for (const other of rules.benchmarksByType.allOfBenchmarks) {
    if (state.benchmarks[other.id]!.occurrences.length) continue;
    const ids = (other.when as { allOfBenchmarks: string[] }).allOfBenchmarks;
    if (!ids.includes(b.id)) continue;
    if (ids.every((id) => state.benchmarks[id]!.occurrences.length > 0)) {
      const all = ids.flatMap((id) => state.benchmarks[id]!.occurrences[0]!.cites);
      occur(ctx, other, '*', dedupe(all), nowMs);
    }
  }
  if (rules.stagesUseBenchmarks) for (const zid in state.zones) evaluateZone(ctx, zid, nowMs);
}

function checkSitesVerified(ctx: Ctx): void {
  const { rules, state } = ctx;
  for (const b of rules.benchmarksByType.sitesVerified) {
    if (state.benchmarks[b.id]!.occurrences.length) continue;
    const w = (
      b.when as {
        sitesVerified: { minRatio: number; minCount: number; categories?: string[]; zones?: string[] };
      }
    ).sitesVerified;
    const cats = w.categories ?? rules.nonDeferred;
    let known = 0;
    let verified = 0;
    const cites: number[] = [];
    for (const zid of w.zones ?? Object.keys(state.zones)) {
      const z = state.zones[zid]!;
      const c = coverage(rules, z, cats);
      known += c.known;
      verified += c.verified;
      const by = z.affirmations['site.verify'];
      if (by) for (const p in by) cites.push(by[p]!);
    }
    const ratio = known === 0 ? 1 : verified / known;
    if (verified >= w.minCount && ratio >= w.minRatio && verified > 0)
      occur(ctx, b, '*', dedupe(cites), ctx.nowMs);
  }
}

function checkAttested(ctx: Ctx, benchmarkId: string): void {
  const { rules, state } = ctx;
  const b = rules.agreement.benchmarks.find((x) => x.id === benchmarkId)!;
  if (!('attested' in b.when)) return;
  const bm = state.benchmarks[b.id]!;
  if (bm.occurrences.length) return;
  const parties = Object.keys(bm.attestations);
  const ok = b.when.attested.roles.every((r) => parties.some((p) => rules.partyRoles[p]?.has(r)));
  if (ok) occur(ctx, b, '*', dedupe(Object.values(bm.attestations)), ctx.nowMs);
}

// ---------------------------------------------------------------------------------------------
// Strikes under the response protocol
// ---------------------------------------------------------------------------------------------

function classifyStrike(ctx: Ctx, id: string, b: Bodies['strike.declare'], atMs: number): StrikeState {
  const { rules, state } = ctx;
  const p = rules.agreement.responseProtocol;
  const zone = b.zone ?? null;
  const inc = b.respondsTo !== undefined ? state.incidents[b.respondsTo] : undefined;
  let classification: StrikeClass;
  let reason: string;
  const n = inc?.notification ?? null;
  if (inc === undefined || n === null) {
    classification = 'violation-no-notification';
    reason =
      inc === undefined
        ? 'no notified threat precedes the strike'
        : `incident ${inc.id} was never notified to the deploying force`;
  } else if (!p.withdrawingForceMayActAfterWindow) {
    classification = 'violation-not-permitted';
    reason = 'the agreement does not let the withdrawing force act, even after the response window';
  } else if (p.scope === 'notified-zone' && zone !== inc.zone) {
    classification = 'violation-out-of-scope';
    reason = `the strike (zone ${zone ?? 'none'}) is outside the notified zone ${inc.zone ?? 'none'}`;
  } else if (
    inc.response !== null &&
    inc.response.atMs <= atMs &&
    inc.response.action !== 'unable' &&
    inc.response.atMs <= n.windowEndsMs
  ) {
    classification = 'violation-deploying-force-acted';
    reason = `the deploying force responded (${inc.response.action}) within the window at ${iso(inc.response.atMs)}`;
  } else if (inc.response !== null && inc.response.action === 'unable' && inc.response.atMs <= atMs) {
    classification = 'permitted-after-window';
    reason = `the deploying force declared itself unable to act at ${iso(inc.response.atMs)}`;
  } else if (atMs >= n.windowEndsMs) {
    classification = 'permitted-after-window';
    reason = `notified at ${iso(n.atMs)}; the response window ended at ${iso(n.windowEndsMs)} without a response`;
  } else {
    classification = 'violation-within-window';
    reason = `the strike came before the response window ended at ${iso(n.windowEndsMs)}`;
  }
  let justifyByMs: number | null = null;
  const ex = p.imminentThreatException;
  if (classification !== 'permitted-after-window' && b.imminentThreat && ex.allowed) {
    justifyByMs = ctx.nowMs + ex.justification_deadline_ms;
    reason = `declared an imminent threat (otherwise: ${reason}); must be justified by ${iso(justifyByMs)}`;
    classification = 'imminent-threat-awaiting-justification';
  }
  return {
    id,
    entry: ctx.index,
    by: ctx.issuer,
    atMs,
    zone,
    target: b.target,
    respondsTo: b.respondsTo ?? null,
    imminentThreat: b.imminentThreat ?? false,
    classification,
    reason,
    justifyByMs,
    justification: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Findings and their consequences
// ---------------------------------------------------------------------------------------------

function findingFor(state: EngineState, subject: string): FindingState {
  return (
    state.findings[subject] ?? {
      subject,
      subjectKind: state.incidents[subject] !== undefined ? 'incident' : 'strike',
      rulings: {},
      effective: null,
      consequencesApplied: false,
      accounts: [],
    }
  );
}

function applyFinding(ctx: Ctx, subject: string, b: Bodies['finding.issue']): void {
  const { rules, state } = ctx;
  const f = findingFor(state, subject);
  const zone = b.zone ?? state.incidents[subject]?.zone ?? state.strikes[subject]?.zone ?? null;
  const key = `${b.outcome}|${b.violator ?? ''}|${b.severity ?? ''}|${zone ?? ''}`;
  const old = f.rulings[key];
  const signers: Record<string, number> = { ...(old?.signers ?? {}) };
  for (const p of ctx.signers) {
    const roles = rules.partyRoles[p];
    if (roles && [...rules.adjudicatorRoles].some((r) => roles.has(r)) && signers[p] === undefined)
      signers[p] = ctx.index;
  }
  const ruling: Ruling = {
    outcome: b.outcome,
    violator: b.violator ?? null,
    severity: b.severity ?? null,
    zone,
    signers,
  };
  let next: FindingState = { ...f, rulings: { ...f.rulings, [key]: ruling } };
  const quorum = rules.agreement.adjudication.findingQuorum;
  if (Object.keys(signers).length >= quorum && next.effective?.key !== key) {
    next = { ...next, effective: { ...ruling, key, at: ctx.at } };
    if (ruling.outcome === 'confirmed-violation' && !next.consequencesApplied) {
      next = { ...next, consequencesApplied: true };
      state.findings[subject] = next;
      confirmedViolation(ctx, subject, ruling);
      return;
    }
  }
  state.findings[subject] = next;
}

function confirmedViolation(ctx: Ctx, subject: string, r: Ruling): void {
  const { rules, state, nowMs } = ctx;
  const severity: Severity = r.severity ?? 'minor';
  // A co-signed finding is one statement signed by several adjudicators: cite its index once.
  const cites = [...new Set(Object.values(r.signers))].sort((a, b) => a - b);
  // Attribution rolls up to sponsors (an actor's sponsor, and its sponsor…), each counted once.
  const seen = new Set<string>();
  for (
    let who: string | undefined = r.violator ?? undefined;
    who !== undefined && !seen.has(who);
    who = rules.actorSponsor[who]
  ) {
    seen.add(who);
    state.violationsBy[who] = (state.violationsBy[who] ?? 0) + 1;
  }
  if (r.zone !== null && state.zones[r.zone] !== undefined) {
    const z = state.zones[r.zone]!;
    z.violations.push({ atMs: nowMs, severity, finding: ctx.index });
    const rank = rules.stageRank[z.stage]!;
    const rule = rules.agreement.regressions.find(
      (g) =>
        SEVERITY_RANK[severity] >= SEVERITY_RANK[g.onConfirmedViolation.severityAtLeast] &&
        rank >= rules.stageRank[g.onConfirmedViolation.zoneAtOrAfter]! &&
        rules.stageRank[g.to]! < rank,
    );
    if (rule !== undefined) {
      const from = z.stage;
      z.stage = rule.to;
      z.epoch++;
      z.affirmations = {};
      z.enteredAtMs = { [rule.to]: nowMs };
      z.withdrawal = {
        status: 'none',
        claims: {},
        denials: {},
        observation: null,
        unknownTo: [...rules.hosts[z.id]!],
      };
      z.history.push({ from, to: rule.to, at: ctx.at, reason: 'regression', cites, rule: rule.id });
    }
    evaluateZone(ctx, z.id, nowMs);
  }
  const susp = rules.agreement.truce.suspendOn;
  const t = state.truce;
  if (susp && t.status === 'in-force' && SEVERITY_RANK[severity] >= SEVERITY_RANK[susp.severityAtLeast]) {
    t.status = 'suspended';
    t.suspendedBy = ctx.index;
    t.history.push({ status: 'suspended', at: ctx.at, cites });
  }
  const hold = rules.agreement.escrow?.holds?.onConfirmedViolation;
  if (
    hold &&
    SEVERITY_RANK[severity] >= SEVERITY_RANK[hold.severityAtLeast] &&
    attributedTo(rules, r.violator, hold.attributedTo)
  ) {
    const avail = available(state, FUNDS);
    const want = hold.amount ?? Math.floor(avail * (hold.ratio ?? 0));
    const amount = Math.min(want, avail);
    if (amount > 0) transfer(ctx, FUNDS, HOLDS, amount, 'posted', `hold:${subject}`, cites);
  }
}

function attributedTo(rules: Rules, violator: string | null, filter: string[] | undefined): boolean {
  if (filter === undefined) return true;
  const seen = new Set<string>();
  for (
    let who: string | undefined = violator ?? undefined;
    who !== undefined && !seen.has(who);
    who = rules.actorSponsor[who]
  ) {
    if (filter.includes(who)) return true;
    seen.add(who);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Escrow: a double-entry ledger in integer minor units
// ---------------------------------------------------------------------------------------------

/** The pooled funds from which indicators release. */
export const FUNDS = 'escrow:funds';
/** Funds held after confirmed violations. */
export const HOLDS = 'escrow:holds';

/** Posted balance minus pending debits: what may still be released or held. */
export function available(state: EngineState, account: string): number {
  return (state.escrow.accounts[account] ?? 0) - (state.escrow.pendingDebits[account] ?? 0);
}

function transfer(
  ctx: Ctx,
  debit: string,
  credit: string,
  amount: number,
  status: 'pending' | 'posted',
  rule: string,
  cites: number[],
): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new Error(`escrow: transfer amount ${amount} is not a positive integer`);
  const e = ctx.state.escrow;
  const id = `t${e.transfers.length}`;
  e.transfers.push({ id, debit, credit, amount, status, rule, cites, at: ctx.at, settledBy: null });
  if (status === 'posted') {
    e.accounts[debit] = (e.accounts[debit] ?? 0) - amount;
    e.accounts[credit] = (e.accounts[credit] ?? 0) + amount;
  } else e.pendingDebits[debit] = (e.pendingDebits[debit] ?? 0) + amount;
}

function earnScalable(ctx: Ctx, category: string, count: number): void {
  const { rules, state } = ctx;
  for (const ind of rules.agreement.escrow?.indicators ?? []) {
    if (ind.kind !== 'scalable') continue;
    const cats = ind.categories ?? rules.nonDeferred;
    if (!cats.includes(category)) continue;
    const s = state.escrow.indicators[ind.id]!;
    const add = Math.min(count * ind.unitPrice, ind.cap - s.earned);
    s.units += count;
    if (add <= 0) continue;
    s.earned += add;
    s.cites.push(ctx.index);
    release(ctx, ind.id, []);
  }
}

/** Authorizes (as a pending transfer) what the indicator earned and has not yet released, up to what is available. */
function release(ctx: Ctx, indicatorId: string, extraCites: number[]): void {
  const { rules, state } = ctx;
  const ind = rules.agreement.escrow!.indicators.find((i) => i.id === indicatorId)!;
  const s = state.escrow.indicators[indicatorId]!;
  const amount = Math.min(s.earned - s.authorized, available(state, FUNDS));
  if (amount <= 0) return;
  const beneficiary = ind.beneficiary ?? rules.agreement.escrow!.beneficiary;
  const cites = [...s.cites.slice(s.citedUpTo), ...extraCites];
  s.citedUpTo = s.cites.length;
  s.authorized += amount;
  transfer(ctx, FUNDS, `beneficiary:${beneficiary}`, amount, 'pending', indicatorId, cites);
}

function releaseOutstanding(ctx: Ctx, cites: number[]): void {
  for (const ind of ctx.rules.agreement.escrow?.indicators ?? []) release(ctx, ind.id, cites);
}

function settleTransfer(ctx: Ctx, id: string, action: 'post' | 'void' | 'release-hold'): void {
  const e = ctx.state.escrow;
  const i = Number(id.slice(1));
  const t = e.transfers[i]!;
  switch (action) {
    case 'post':
    case 'void': {
      if (t.status !== 'pending') return; // admit rejects this; kept idempotent for replays of old logs
      e.pendingDebits[t.debit] = e.pendingDebits[t.debit]! - t.amount;
      if (action === 'post') {
        e.accounts[t.debit] = (e.accounts[t.debit] ?? 0) - t.amount;
        e.accounts[t.credit] = (e.accounts[t.credit] ?? 0) + t.amount;
      }
      e.transfers[i] = { ...t, status: action === 'post' ? 'posted' : 'voided', settledBy: ctx.index };
      return;
    }
    case 'release-hold': {
      if (t.credit !== HOLDS || t.settledBy !== null) return;
      e.transfers[i] = { ...t, settledBy: ctx.index };
      transfer(ctx, HOLDS, FUNDS, t.amount, 'posted', 'hold-release', [ctx.index, ...t.cites]);
      releaseOutstanding(ctx, [ctx.index]);
      return;
    }
    default:
      unreachable(action, 'settle action');
  }
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/**
 * Applies every time-driven change due at or before `toMs`, each at its own due time and in
 * time order: stages due after elapsed time, the truce lapsing, justification deadlines.
 * Mutates `state`. Replay calls it before each entry and `stateAt` calls it at the end.
 */
export function settle(agreement: Agreement, state: EngineState, toMs: number): EngineState {
  const rules = rulesFor(agreement);
  for (;;) {
    let dueMs = Infinity;
    let which: 'zone' | 'truce' | 'strike' | null = null;
    let id = '';
    for (const zid in state.zones) {
      const d = state.zones[zid]!.dueMs;
      if (d !== null && d < dueMs) {
        dueMs = d;
        which = 'zone';
        id = zid;
      }
    }
    if (state.truce.status !== 'lapsed' && state.truce.expiresMs < dueMs) {
      dueMs = state.truce.expiresMs;
      which = 'truce';
    }
    for (const sid of state.awaitingJustification) {
      const d = state.strikes[sid]!.justifyByMs!;
      if (d < dueMs) {
        dueMs = d;
        which = 'strike';
        id = sid;
      }
    }
    // The truce lapses at its expiry; a statement admitted at that very millisecond is too late.
    if (which === null || dueMs > toMs) break;
    const ctx: Ctx = { rules, state, nowMs: dueMs, at: iso(dueMs), index: -1, issuer: '', signers: [] };
    if (which === 'zone') {
      state.zones[id]!.dueMs = null;
      evaluateZone(ctx, id, dueMs);
    } else if (which === 'truce') {
      state.truce.status = 'lapsed';
      state.truce.history.push({ status: 'lapsed', at: iso(dueMs), cites: [] });
    } else {
      const s = state.strikes[id]!;
      state.strikes[id] = {
        ...s,
        classification: 'imminent-threat-unjustified',
        reason: `declared an imminent threat but filed no justification by the deadline ${iso(dueMs)}`,
      };
      state.awaitingJustification = state.awaitingJustification.filter((x) => x !== id);
    }
  }
  if (toMs > state.settledMs) state.settledMs = toMs;
  return state;
}
