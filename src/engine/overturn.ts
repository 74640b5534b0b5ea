/**
 * A later ruling that overturns a finding undoes its effects from that time on (issue 17 §3):
 * the count against the violator and its sponsors, the zone's violation record and the
 * regression it caused, the escrow hold, the truce's suspension, and any escalation it was part
 * of. Nothing before the overturning ruling changes: state at earlier times still shows the
 * finding in force, as it was.
 *
 * A regressed zone goes back to the stage it had before the regression, with the entry times it
 * had then and every statement about the zone made since counted with the ones from before —
 * unless a later regression happened or the zone has already moved past that stage again. A
 * stage signature that was premature in the regressed zone (made for a stage it was not yet
 * next to) counted for nothing when it was made and is not counted now: sign it again.
 */
import { checkStageBenchmarks } from './benchmarks.js';
import type { Ctx } from './context.js';
import { obligationOverdue } from './deadlines.js';
import { unescalate } from './escalation.js';
import { returnHold } from './escrow.js';
import { countViolation } from './findings.js';
import type { AppliedConsequences, ZoneBefore, ZoneState } from './state.js';
import { liftSuspension } from './truce.js';
import { evaluateZone, regress, updateWithdrawal } from './zones.js';

/** Undoes, from now on, what finding `subject`'s effective ruling did when it took effect. */
export function undoConsequences(ctx: Ctx, subject: string, applied: AppliedConsequences): void {
  const { state } = ctx;
  countViolation(ctx, applied.violator, -1);
  const z = applied.zone === null ? undefined : state.zones[applied.zone];
  if (z !== undefined) {
    z.violations = z.violations.filter((v) => v.subject !== subject);
    if (applied.regression !== null) restoreZone(ctx, z, applied.regression, applied.at);
  }
  if (applied.hold !== null) returnHold(ctx, applied.hold, `overturned:${subject}`, [ctx.index]);
  if (applied.suspended) liftSuspension(ctx, subject);
  unescalate(ctx, subject);
  if (z !== undefined) evaluateZone(ctx, z.id, ctx.nowMs);
}

function restoreZone(ctx: Ctx, z: ZoneState, before: ZoneBefore, regressedAt: string): void {
  const { rules, state } = ctx;
  if (z.epoch !== before.epochAfter) return; // a later regression stands
  if (rules.stageRank[z.stage]! >= rules.stageRank[before.stage]!) return; // moved past it again
  const from = z.stage;
  z.stage = before.stage;
  z.enteredAtMs = { ...before.enteredAtMs };
  const affirmations: ZoneState['affirmations'] = {};
  for (const k of new Set([...Object.keys(before.affirmations), ...Object.keys(z.affirmations)]))
    affirmations[k] = { ...before.affirmations[k], ...z.affirmations[k] };
  z.affirmations = affirmations;
  // Each party's latest word about the withdrawal, before the regression or since.
  const w = z.withdrawal;
  const claims = { ...before.withdrawal.claims };
  const denials = { ...before.withdrawal.denials };
  for (const p in w.claims) {
    claims[p] = w.claims[p]!;
    delete denials[p];
  }
  for (const p in w.denials) {
    denials[p] = w.denials[p]!;
    delete claims[p];
  }
  z.withdrawal = {
    ...w,
    claims,
    denials,
    observation: w.observation ?? before.withdrawal.observation,
  };
  updateWithdrawal(rules, z);
  z.history.push({
    from,
    to: before.stage,
    at: ctx.at,
    reason: 'overturned',
    cites: [ctx.index],
    rule: before.rule,
  });
  // Steps owed: those the regression cancelled are owed again (overdue now if their time has
  // passed); those started by the overturned regression's stages are moot.
  state.obligations.forEach((o, i) => {
    if (o.zone !== z.id) return;
    if (o.status === 'cancelled' && o.closedAt === regressedAt) {
      state.obligations[i] = { ...o, status: 'pending', closedAt: null };
      if (o.dueMs <= ctx.nowMs) obligationOverdue(ctx, i);
    } else if (
      (o.status === 'pending' || o.status === 'overdue') &&
      Date.parse(o.startedAt) >= Date.parse(regressedAt)
    )
      state.obligations[i] = { ...o, status: 'cancelled', closedAt: ctx.at };
  });
  // Violations confirmed since the regression, against the zone as restored: one of them may
  // regress it by itself (in the zone as it was regressed, it had nothing to undo).
  const regressedMs = Date.parse(regressedAt);
  for (const v of z.violations) if (v.atMs > regressedMs) regress(ctx, z, v.severity, [v.finding]);
  checkStageBenchmarks(ctx, z, [ctx.index], ctx.nowMs);
  if (z.stage === rules.finalStage)
    for (const d of rules.dependents[z.id] ?? []) evaluateZone(ctx, d, ctx.nowMs);
}
