/**
 * Deadlines and overdue obligations (issue 17 §2): a step a party owes in a zone within a time
 * of another event — withdraw within N days of verified clear, deploy within N days of the
 * withdrawal. The clock starts when the zone enters the deadline's `after` stage; the step is met
 * when the zone reaches the deadline's `stage`; a zone sent back before `after` owes nothing
 * any more. When the time passes first, the obligation is overdue at that exact millisecond
 * (`settle` applies it, so it depends only on statements and time), attributed to the party
 * that owes the step, and has the consequences the agreement names: a violation of its
 * `countsAs` severity against that party, funds on hold until the step is done, truce extensions
 * blocked while it lasts.
 */
import type { Deadline } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { escalate } from './escalation.js';
import { holdFunds, returnHold } from './escrow.js';
import { countViolation } from './findings.js';
import { type EngineState, iso, type ObligationState, type Rules, type ZoneState } from './state.js';

/** The key readers use for an obligation: `deadline/zone`. */
export function obligationKey(o: Pick<ObligationState, 'deadline' | 'zone'>): string {
  return `${o.deadline}/${o.zone}`;
}

/** The parties a deadline's `owedBy` names. */
export function owingParties(rules: Rules, d: Deadline): string[] {
  if (d.owedBy.party !== undefined) return [d.owedBy.party];
  const role = d.owedBy.role;
  return Object.keys(rules.partyRoles).filter((p) => role !== undefined && rules.partyRoles[p]!.has(role));
}

/**
 * Zone `z` has just changed stage (forward or back) at `ctx.nowMs`: open obligations it now
 * meets are met, those whose starting stage it went back before are cancelled, and deadlines
 * that start at its new stage start their clocks.
 */
export function zoneStageChanged(ctx: Ctx, z: ZoneState, cites: number[]): void {
  const { rules, state } = ctx;
  const deadlines = rules.agreement.deadlines;
  if (deadlines.length === 0) return;
  const rank = rules.stageRank[z.stage]!;
  state.obligations.forEach((o, i) => {
    if (o.zone !== z.id || (o.status !== 'pending' && o.status !== 'overdue')) return;
    const d = deadlines.find((x) => x.id === o.deadline)!;
    if (rank >= rules.stageRank[d.stage]!) close(ctx, i, 'met', cites);
    else if (rank < rules.stageRank[d.after]!) close(ctx, i, 'cancelled', cites);
  });
  for (const d of deadlines) {
    if (d.after !== z.stage || (d.zones !== undefined && !d.zones.includes(z.id))) continue;
    state.obligations.push({
      deadline: d.id,
      zone: z.id,
      owedBy: owingParties(rules, d),
      startedAt: iso(ctx.nowMs),
      dueMs: ctx.nowMs + d.within_ms,
      status: 'pending',
      overdueAt: null,
      closedAt: null,
      cites,
      hold: null,
    });
  }
}

function close(ctx: Ctx, i: number, status: 'met' | 'cancelled', cites: number[]): void {
  const o = ctx.state.obligations[i]!;
  ctx.state.obligations[i] = { ...o, status, closedAt: ctx.at, cites: [...o.cites, ...cites] };
  if (o.hold !== null)
    returnHold(ctx, o.hold, `overdue-${status}:${obligationKey(o)}`, cites.length ? cites : o.cites);
}

/** The earliest due time of a pending obligation, and its position, or Infinity. */
export function obligationDue(state: EngineState): { dueMs: number; index: number } {
  let dueMs = Infinity;
  let index = -1;
  state.obligations.forEach((o, i) => {
    if (o.status === 'pending' && o.dueMs < dueMs) {
      dueMs = o.dueMs;
      index = i;
    }
  });
  return { dueMs, index };
}

/** Obligation `index` was not met by its due time: overdue, with the consequences its deadline names. */
export function obligationOverdue(ctx: Ctx, index: number): void {
  const { rules, state } = ctx;
  const o = state.obligations[index]!;
  const d = rules.agreement.deadlines.find((x) => x.id === o.deadline)!;
  let hold: string | null = null;
  if (d.countsAs !== undefined)
    for (const p of o.owedBy) {
      countViolation(ctx, p);
      escalate(ctx, {
        subject: `overdue:${obligationKey(o)}`,
        kind: 'overdue',
        severity: d.countsAs.severity,
        violator: p,
      });
    }
  if (d.holdEscrow !== undefined) hold = holdFunds(ctx, `overdue:${obligationKey(o)}`, d.holdEscrow, o.cites);
  state.obligations[index] = { ...o, status: 'overdue', overdueAt: ctx.at, hold };
}

/** Obligations overdue now whose deadline blocks truce extensions (their keys). */
export function blockingExtensions(rules: Rules, state: EngineState): string[] {
  const out: string[] = [];
  for (const o of state.obligations) {
    if (o.status !== 'overdue') continue;
    if (rules.agreement.deadlines.find((d) => d.id === o.deadline)!.blocksTruceExtension)
      out.push(obligationKey(o));
  }
  return out;
}
