/**
 * The truce clock (DESIGN.md, "Truce clock"): an expiry, extended when the benchmarks the
 * agreement names occur, suspended by confirmed violations of the named severity, resumed by
 * the parties the agreement lets resume it, and lapsing at its expiry (applied by `settle` at
 * the exact millisecond, so the state never depends on when someone looked).
 */
import type { PartyOrRole, Severity } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { blockingExtensions } from './deadlines.js';
import { type EngineState, iso, type Rules, SEVERITY_RANK } from './state.js';

/** Extensions the agreement ties to benchmark `benchmarkId`, applied while the truce has not lapsed. */
export function extendTruce(
  ctx: Ctx,
  benchmarkId: string,
  key: string,
  cites: number[],
  nowMs: number,
): void {
  const t = ctx.state.truce;
  for (const ext of ctx.rules.agreement.truce.extensions) {
    if (ext.on !== benchmarkId || t.status === 'lapsed') continue;
    const blockedBy = blockingExtensions(ctx.rules, ctx.state);
    if (blockedBy.length > 0) {
      t.blockedExtensions.push({ benchmark: benchmarkId, key, at: iso(nowMs), blockedBy });
      continue;
    }
    const done = t.extensions.filter((e) => e.benchmark === benchmarkId).length;
    if (ext.maxTimes !== undefined && done >= ext.maxTimes) continue;
    t.expiresMs += ext.extend_ms;
    t.extensions.push({ benchmark: benchmarkId, key, extend_ms: ext.extend_ms, at: iso(nowMs), cites });
  }
}

/** A confirmed violation of `severity` (finding `subject`) suspends a truce in force when the agreement says so; returns whether it did. */
export function suspendTruce(ctx: Ctx, subject: string, severity: Severity, cites: number[]): boolean {
  const susp = ctx.rules.agreement.truce.suspendOn;
  const t = ctx.state.truce;
  if (!susp || SEVERITY_RANK[severity] < SEVERITY_RANK[susp.severityAtLeast]) return false;
  if (t.status === 'in-force') {
    t.status = 'suspended';
    t.suspendedBy = ctx.index;
    t.suspension = { rule: 'suspendOn', subjects: [subject], cites };
    t.history.push({ status: 'suspended', at: ctx.at, cites });
    return true;
  }
  // Already suspended for violations like this one: it too keeps the truce suspended.
  if (t.status === 'suspended' && t.suspension?.rule === 'suspendOn') {
    t.suspension = { ...t.suspension, subjects: [...t.suspension.subjects, subject] };
    return true;
  }
  return false;
}

/** Who may resume the truce as it is suspended now: the rule's `resumeBy`, or null when whoever may sign `truce.resume` may. */
export function resumers(rules: Rules, state: EngineState): PartyOrRole[] | null {
  const rule = state.truce.suspension?.rule;
  if (state.truce.status !== 'suspended' || rule === undefined) return null;
  const a = rules.agreement.truce;
  const by = rule === 'suspendOn' ? a.suspendOn?.resumeBy : a.escalation.find((e) => e.id === rule)?.resumeBy;
  return by ?? null;
}

/** Whether `party` is one the list names (by id or by one of its roles). */
export function named(rules: Rules, list: readonly PartyOrRole[], party: string): boolean {
  return list.some((x) =>
    x.party !== undefined ? x.party === party : rules.partyRoles[party]?.has(x.role!),
  );
}

/** `truce.resume`: a suspended truce is in force again, when a signer may resume it (a truce in force or lapsed is unchanged). */
export function resumeTruce(ctx: Ctx): void {
  const t = ctx.state.truce;
  if (t.status !== 'suspended') return;
  const may = resumers(ctx.rules, ctx.state);
  if (may !== null && !ctx.signers.some((p) => named(ctx.rules, may, p))) return;
  t.status = 'in-force';
  t.suspendedBy = null;
  t.suspension = null;
  t.history.push({ status: 'in-force', at: ctx.at, cites: [ctx.index] });
}

/** The finding `subject` that suspended the truce was overturned: the suspension is lifted, unless another violation still holds it. */
export function liftSuspension(ctx: Ctx, subject: string): void {
  const t = ctx.state.truce;
  if (
    t.status !== 'suspended' ||
    t.suspension?.rule !== 'suspendOn' ||
    !t.suspension.subjects.includes(subject)
  )
    return;
  const rest = t.suspension.subjects.filter((x) => x !== subject);
  if (rest.length > 0) {
    t.suspension = { ...t.suspension, subjects: rest };
    return;
  }
  t.status = 'in-force';
  t.suspendedBy = null;
  t.suspension = null;
  t.history.push({ status: 'in-force', at: ctx.at, cites: [ctx.index] });
}

/** When the agreement's truce takes effect: its signature (or, without one, the log's first entry). */
export function truceStartMs(rules: Rules): number {
  const at = rules.agreement.signedAt;
  return at === undefined ? -Infinity : Date.parse(at);
}

/**
 * When the truce next changes by time alone: it starts at the agreement's signature once the
 * log holds an entry (a fresh office shows nothing lapsing before anything happened), lapses at
 * its expiry, or never again once lapsed.
 */
export function truceDueMs(rules: Rules, state: EngineState): number {
  switch (state.truce.status) {
    case 'not-started':
      return state.count > 0 ? truceStartMs(rules) : Infinity;
    case 'lapsed':
      return Infinity;
    default:
      return state.truce.expiresMs;
  }
}

/** The truce is in force from `atMs` (or lapsed at once, when the agreement's expiry has already passed). */
export function startTruce(state: EngineState, atMs: number): void {
  const t = state.truce;
  t.status = 'in-force';
  t.history.push({ status: 'in-force', at: iso(atMs), cites: [] });
  if (t.expiresMs <= atMs) lapseTruce(state, atMs);
}

/** Applies the truce's change due at `dueMs`: its start, or its lapse at its expiry. */
export function truceDue(state: EngineState, dueMs: number): void {
  if (state.truce.status === 'not-started') startTruce(state, dueMs);
  else lapseTruce(state, dueMs);
}

/** The truce lapses at `dueMs` (its expiry). */
export function lapseTruce(state: EngineState, dueMs: number): void {
  state.truce.status = 'lapsed';
  state.truce.history.push({ status: 'lapsed', at: iso(dueMs), cites: [] });
}
