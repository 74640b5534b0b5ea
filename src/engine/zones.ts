/**
 * The zone state machine (DESIGN.md, "Zone"): each zone moves forward through the agreement's
 * stage graph when the next stage's entry condition holds, and back when a confirmed violation
 * meets a regression rule. Statements about a zone are counted as affirmations (per kind, per
 * signing party) in the zone's current epoch; a regression starts a new epoch in which earlier
 * statements no longer count.
 */
import type { Regression, Severity } from '../agreement/model.js';
import { checkSitesVerified, checkStageBenchmarks } from './benchmarks.js';
import { affirmationKey, evaluate } from './conditions.js';
import { type Ctx, dedupe } from './context.js';
import { zoneStageChanged } from './deadlines.js';
import { earnScalable } from './escrow.js';
import type { Bodies } from './kinds.js';
import { emptyWithdrawal, iso, type Rules, SEVERITY_RANK, type ZoneBefore, type ZoneState } from './state.js';

/** Counts the signers' statement under `key` for the zone (latest log index per party). */
export function affirm(ctx: Ctx, zoneId: string, key: string): void {
  const z = ctx.state.zones[zoneId]!;
  let by = z.affirmations[key];
  if (by === undefined) {
    by = {};
    z.affirmations[key] = by;
  }
  for (const p of ctx.signers) by[p] = ctx.index;
}

/** `zone.stage.sign`: counts only for the stage that comes next, then the zone is re-evaluated. */
export function signStage(ctx: Ctx, zoneId: string, b: Bodies['zone.stage.sign']): void {
  // A stage signature certifies the zone as it is now: it counts only for the stage that
  // comes next. A premature one stays on the log but counts for nothing.
  const z = ctx.state.zones[zoneId]!;
  if (ctx.rules.stageOrder[ctx.rules.stageRank[z.stage]! + 1] === b.stage)
    affirm(ctx, zoneId, affirmationKey('zone.stage.sign', b.stage));
  evaluateZone(ctx, zoneId, ctx.nowMs);
}

/** `withdrawal.claim` / `withdrawal.deny`: each signer's latest word replaces its earlier one. */
export function claimWithdrawal(ctx: Ctx, zoneId: string, claim: boolean): void {
  const z = ctx.state.zones[zoneId]!;
  const w = z.withdrawal;
  for (const p of ctx.signers) {
    if (claim) {
      w.claims[p] = ctx.index;
      delete w.denials[p];
    } else {
      w.denials[p] = ctx.index;
      delete w.claims[p];
    }
  }
  if (claim) affirm(ctx, zoneId, 'withdrawal.claim');
  else {
    // A party that now denies no longer counts towards a quorum of claims.
    const by = z.affirmations['withdrawal.claim'];
    if (by) for (const p of ctx.signers) delete by[p];
  }
  updateWithdrawal(ctx.rules, z);
  evaluateZone(ctx, zoneId, ctx.nowMs);
}

/** `withdrawal.observe`: a monitor's observation; one that the force is (partly) present withdraws the monitors' affirmation. */
export function observeWithdrawal(ctx: Ctx, zoneId: string, b: Bodies['withdrawal.observe']): void {
  const z = ctx.state.zones[zoneId]!;
  z.withdrawal.observation = { party: ctx.issuer, observed: b.observed, entry: ctx.index, at: ctx.at };
  if (b.observed === 'withdrawn') affirm(ctx, zoneId, 'withdrawal.observe');
  else delete z.affirmations['withdrawal.observe'];
  updateWithdrawal(ctx.rules, z);
  evaluateZone(ctx, zoneId, ctx.nowMs);
}

/** `site.declare|find|neutralize|verify`: the zone's inventory of a weapon category. */
export function recordSites(
  ctx: Ctx,
  kind: 'site.declare' | 'site.find' | 'site.neutralize' | 'site.verify',
  zoneId: string,
  b: Bodies['site.verify'],
): void {
  const inv = ctx.state.zones[zoneId]!.inventory[b.category]!;
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
      inv.reported += b.count;
      break;
  }
  // A verified count never exceeds what was found or neutralized in the zone and category: the
  // monitors verify hardware that is there. A report beyond that is kept (`reported`) and
  // counts as soon as a find or neutralization supports it.
  const verified = Math.min(inv.reported, Math.max(inv.found, inv.neutralized));
  if (verified > inv.verified) {
    const gained = verified - inv.verified;
    inv.verified = verified;
    earnScalable(ctx, zoneId, b.category, gained);
  }
  affirm(ctx, zoneId, kind);
  if (ctx.rules.benchmarksByType.sitesVerified.length) checkSitesVerified(ctx);
  evaluateZone(ctx, zoneId, ctx.nowMs);
}

/** Recomputes the withdrawal status from claims, denials and the latest monitor observation. */
export function updateWithdrawal(rules: Rules, z: ZoneState): void {
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
export function evaluateZone(ctx: Ctx, zoneId: string, nowMs: number): void {
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

/** Consequences of a zone reaching a stage: benchmarks, and zones waiting on it as a prerequisite. */
export function stageReached(ctx: Ctx, z: ZoneState, nowMs: number): void {
  const { rules } = ctx;
  zoneStageChanged(ctx, z, z.history[z.history.length - 1]!.cites);
  checkStageBenchmarks(ctx, z, z.history[z.history.length - 1]!.cites, nowMs);
  if (z.stage === rules.finalStage) for (const d of rules.dependents[z.id] ?? []) evaluateZone(ctx, d, nowMs);
}

/**
 * A confirmed violation of `severity` (finding `subject`) in the zone: recorded against the
 * zone's elapsed-time conditions, and the zone regresses by the regression rule of the
 * agreement that applies and sends it furthest back (a new epoch: affirmations, entry times and
 * withdrawal claims start over). Returns what the zone was before the regression, or null.
 */
export function violationInZone(
  ctx: Ctx,
  zoneId: string,
  subject: string,
  severity: Severity,
  cites: number[],
): ZoneBefore | null {
  const z = ctx.state.zones[zoneId]!;
  z.violations.push({ atMs: ctx.nowMs, severity, finding: ctx.index, subject });
  const before = regress(ctx, z, severity, cites);
  evaluateZone(ctx, z.id, ctx.nowMs);
  return before;
}

/**
 * Sends zone `z` back by the regression rule that applies to a violation of `severity` at its
 * stage and sends it furthest back, if any; returns what the zone was before, or null.
 */
export function regress(ctx: Ctx, z: ZoneState, severity: Severity, cites: number[]): ZoneBefore | null {
  const { rules, nowMs } = ctx;
  const rank = rules.stageRank[z.stage]!;
  let rule: Regression | undefined;
  for (const g of rules.agreement.regressions) {
    if (
      SEVERITY_RANK[severity] >= SEVERITY_RANK[g.onConfirmedViolation.severityAtLeast] &&
      rank >= rules.stageRank[g.onConfirmedViolation.zoneAtOrAfter]! &&
      rules.stageRank[g.to]! < rank &&
      (rule === undefined || rules.stageRank[g.to]! < rules.stageRank[rule.to]!)
    )
      rule = g;
  }
  if (rule === undefined) return null;
  const from = z.stage;
  const before: ZoneBefore = {
    stage: z.stage,
    enteredAtMs: z.enteredAtMs,
    affirmations: z.affirmations,
    withdrawal: z.withdrawal,
    epochAfter: z.epoch + 1,
    rule: rule.id,
  };
  z.stage = rule.to;
  z.epoch++;
  z.affirmations = {};
  z.enteredAtMs = { [rule.to]: nowMs };
  z.withdrawal = emptyWithdrawal(rules.hosts[z.id]!);
  z.history.push({ from, to: rule.to, at: ctx.at, reason: 'regression', cites, rule: rule.id });
  zoneStageChanged(ctx, z, cites);
  return before;
}
