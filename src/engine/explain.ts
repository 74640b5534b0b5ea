/**
 * `explain`: what each zone, the truce and each escrow indicator still waits for, in words and
 * as data (DESIGN.md: "The engine always explains what a zone is still waiting for").
 */
import type { Agreement } from '../agreement/model.js';
import { evaluate, type Wait } from './conditions.js';
import { blockingExtensions } from './deadlines.js';
import { escalationWaits } from './escalation.js';
import { available, FUNDS, formatMoney, HOLDS } from './escrow.js';
import { type ArrangementAt, arrangementAt, arrangementText } from './prior-arrangements.js';
import { cloneState, type EngineState, iso, rulesFor, type WithdrawalState } from './state.js';
import { settle } from './time.js';
import { resumers } from './truce.js';

export interface ZoneExplanation {
  id: string;
  name: string;
  illustrative: boolean;
  stage: string;
  /** The next stage, or null when the zone has reached the final stage. */
  next: string | null;
  waitingFor: Wait[];
  withdrawal: WithdrawalState;
  /** Declared minus verified sites per category (the declared-vs-verified gap). */
  gap: Record<string, number>;
  /** Sites the monitors reported verified beyond what was found or neutralized, per category: not counted. */
  unsupported: Record<string, number>;
  unitsDeployed: { unit: string; strength: number; vetting: string }[];
  /** Steps owed in the zone under the agreement's deadlines, pending or overdue. */
  obligations: ObligationExplanation[];
}

export interface ObligationExplanation {
  deadline: string;
  label: string;
  /** The stage owed. */
  stage: string;
  owedBy: string[];
  due: string;
  status: 'pending' | 'overdue';
  overdueSince: string | null;
  text: string;
}

export interface Explanation {
  at: string;
  zones: ZoneExplanation[];
  truce: {
    status: 'not-started' | 'in-force' | 'suspended' | 'lapsed';
    /**
     * Before the agreement's truce starts: the arrangement the agreement records as in force at
     * this time (open hostilities, an earlier truce or its extension), or null.
     */
    arrangement: ArrangementAt | null;
    expires: string;
    remaining_ms: number;
    /** True within the agreement's `lapse.warning_ms` of expiry. */
    warning: boolean;
    waitingFor: Wait[];
    /** Overdue steps that block every extension while they last (`deadline/zone`). */
    extensionsBlockedBy: string[];
  };
  indicators: {
    id: string;
    label: string;
    kind: 'fixed' | 'scalable';
    earned: number;
    authorized: number;
    remaining: number | null;
    waitingFor: Wait[];
  }[];
  escrow: { available: number; held: number; pending: number };
}

/** Explains `state` as of time `at` (time-driven changes up to `at` are applied to a copy). */
export function explain(agreement: Agreement, state: EngineState, at: string): Explanation {
  const rules = rulesFor(agreement);
  const atMs = Date.parse(at);
  // Time-driven changes up to `at` go into a copy; a state already settled that far (from
  // `stateAt`) is read as it is.
  const s = atMs > state.settledMs ? settle(agreement, cloneState(state), atMs) : state;
  const zones: ZoneExplanation[] = agreement.zones.map((zdef) => {
    const z = s.zones[zdef.id]!;
    const rank = rules.stageRank[z.stage]!;
    const next = rules.stageOrder[rank + 1] ?? null;
    let waitingFor: Wait[] = [];
    if (next !== null) {
      const cond = rules.stageById[next]!.entry;
      if (cond !== undefined) waitingFor = evaluate(rules, s, z, next, cond, atMs, true).waits;
    }
    const obligations = explainObligations(agreement, s, z.id);
    // What the zone waits for starts with what is owed, and by whom.
    waitingFor = [
      ...obligations.map((o) => ({
        text: o.text,
        data: { deadline: o.deadline, stage: o.stage, owedBy: o.owedBy, due: o.due, status: o.status },
      })),
      ...waitingFor,
    ];
    const gap: Record<string, number> = {};
    const unsupported: Record<string, number> = {};
    for (const c in z.inventory) {
      const inv = z.inventory[c]!;
      gap[c] = Math.max(inv.declared, inv.found) - inv.verified;
      if (inv.reported > inv.verified) unsupported[c] = inv.reported - inv.verified;
    }
    return {
      id: z.id,
      name: zdef.name,
      illustrative: zdef.illustrative,
      stage: z.stage,
      next,
      waitingFor,
      withdrawal: z.withdrawal,
      gap,
      unsupported,
      obligations,
      unitsDeployed: Object.keys(z.deployed).map((u) => ({
        unit: u,
        strength: s.units.get(u)!.strength,
        vetting: s.units.get(u)!.vetting,
      })),
    };
  });
  const t = s.truce;
  const remaining = t.expiresMs - atMs;
  const truceWaits: Wait[] = [];
  if (t.status === 'suspended') {
    const may = resumers(rules, s);
    const who =
      may === null
        ? [...rules.permissions['truce.resume']].map((r) => `role ${r}`).join(' or ')
        : may.map((x) => (x.party !== undefined ? `party ${x.party}` : `role ${x.role}`)).join(' or ');
    const rule = t.suspension?.rule;
    const why =
      rule === undefined
        ? ''
        : rule === 'suspendOn'
          ? ` (suspended by the confirmed violation ${t.suspension!.subjects.join(', ')})`
          : ` (suspended under ${rule}: ${t.suspension!.subjects.join(', ')})`;
    truceWaits.push({
      text: `a truce.resume by ${who}${why}`,
      data: { suspendedBy: t.suspendedBy, suspension: t.suspension, resumeBy: may },
    });
  }
  const arrangement = t.status === 'not-started' ? arrangementAt(agreement, atMs) : null;
  if (t.status === 'not-started')
    truceWaits.push({
      text:
        agreement.signedAt !== undefined && atMs < Date.parse(agreement.signedAt)
          ? `the agreement's signature on ${agreement.signedAt}${arrangement ? `; until then: ${arrangementText(arrangement)}` : ''}`
          : 'the first statement in this log: the truce clock starts with the mechanism',
      data: { signedAt: agreement.signedAt ?? null, arrangement },
    });
  if (t.status === 'in-force' || t.status === 'suspended')
    for (const w of escalationWaits({ rules, state: s }, atMs)) truceWaits.push(w);
  const blockers = blockingExtensions(rules, s);
  if ((t.status === 'in-force' || t.status === 'suspended') && blockers.length > 0)
    truceWaits.push({
      text: `no benchmark extends the truce while ${blockers.join(', ')} ${blockers.length > 1 ? 'are' : 'is'} overdue`,
      data: { extensionsBlockedBy: blockers },
    });
  if (t.status === 'in-force' || t.status === 'suspended') {
    for (const ext of agreement.truce.extensions) {
      const done = t.extensions.filter((e) => e.benchmark === ext.on).length;
      if (ext.maxTimes !== undefined && done >= ext.maxTimes) continue;
      const label = agreement.benchmarks.find((b) => b.id === ext.on)?.label ?? ext.on;
      truceWaits.push({
        text: `benchmark ${ext.on} (${label}) before ${iso(t.expiresMs)} extends the truce by ${Math.round(ext.extend_ms / 86_400_000)} days`,
        data: { benchmark: ext.on, extend_ms: ext.extend_ms, done, maxTimes: ext.maxTimes ?? null },
      });
    }
  }
  const money = (minor: number) => formatMoney(agreement.escrow, minor);
  const indicators = (agreement.escrow?.indicators ?? []).map((ind) => {
    const st = s.escrow.indicators[ind.id]!;
    const waits: Wait[] = [];
    const outstanding = st.earned - st.authorized;
    if (outstanding > 0)
      waits.push({
        text: `funds: ${money(outstanding)} earned but not available in escrow`,
        data: { outstanding },
      });
    if (ind.kind === 'fixed') {
      const label = agreement.benchmarks.find((b) => b.id === ind.on)?.label ?? ind.on;
      const times = ind.amount === 0 ? 0 : Math.round(st.earned / ind.amount);
      if (ind.maxOccurrences === undefined || times < ind.maxOccurrences) {
        waits.push({
          text: `benchmark ${ind.on} (${label}) releases ${money(ind.amount)}`,
          data: { benchmark: ind.on, amount: ind.amount, times },
        });
      }
      return {
        id: ind.id,
        label: ind.label,
        kind: ind.kind,
        earned: st.earned,
        authorized: st.authorized,
        remaining: ind.maxOccurrences === undefined ? null : (ind.maxOccurrences - times) * ind.amount,
        waitingFor: waits,
      };
    }
    const remainingCap = ind.cap - st.earned;
    if (remainingCap > 0) {
      waits.push({
        text: `${Math.ceil(remainingCap / Math.max(ind.unitPrice, 1))} more verified sites (${(ind.categories ?? rules.nonDeferred).join(', ')}) at ${money(ind.unitPrice)} each, up to the cap of ${money(ind.cap)}${ind.countsInStages ? `, verified while the zone is ${ind.countsInStages.join(', ')}` : ''}`,
        data: { unitPrice: ind.unitPrice, cap: ind.cap, units: st.units },
      });
    }
    return {
      id: ind.id,
      label: ind.label,
      kind: ind.kind,
      earned: st.earned,
      authorized: st.authorized,
      remaining: remainingCap,
      waitingFor: waits,
    };
  });
  return {
    at: iso(atMs),
    zones,
    truce: {
      status: t.status,
      arrangement,
      expires: iso(t.expiresMs),
      remaining_ms: remaining,
      warning:
        (t.status === 'in-force' || t.status === 'suspended') &&
        remaining <= agreement.truce.lapse.warning_ms,
      waitingFor: truceWaits,
      extensionsBlockedBy: blockingExtensions(rules, s),
    },
    indicators,
    escrow: {
      available: available(s, FUNDS),
      held: s.escrow.accounts[HOLDS] ?? 0,
      pending: s.escrow.pendingDebits[FUNDS] ?? 0,
    },
  };
}

/** The zone's pending and overdue obligations, each with a sentence naming the step, who owes it and by when. */
function explainObligations(agreement: Agreement, s: EngineState, zoneId: string): ObligationExplanation[] {
  const out: ObligationExplanation[] = [];
  for (const o of s.obligations) {
    if (o.zone !== zoneId || (o.status !== 'pending' && o.status !== 'overdue')) continue;
    const d = agreement.deadlines.find((x) => x.id === o.deadline)!;
    const who = o.owedBy.join(', ');
    const text =
      o.status === 'overdue'
        ? `OVERDUE since ${iso(o.dueMs)}: ${d.stage}, owed by ${who} (${d.label})`
        : `${d.stage} is due by ${iso(o.dueMs)}, owed by ${who} (${d.label})`;
    out.push({
      deadline: d.id,
      label: d.label,
      stage: d.stage,
      owedBy: o.owedBy,
      due: iso(o.dueMs),
      status: o.status,
      overdueSince: o.overdueAt,
      text,
    });
  }
  return out;
}
