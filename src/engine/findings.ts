/**
 * Findings (DESIGN.md, "Finding"): adjudicators' rulings on an incident or a strike. Rulings
 * with the same content gather signatures; one takes effect when it reaches the agreement's
 * quorum. A confirmed violation's consequences apply once: the count against the violator and
 * its sponsors, the zone's violation record and regression, the truce's suspension, an escrow
 * hold. Each party's own account is kept beside the finding, never overwritten.
 */
import type { Severity } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { escalate } from './escalation.js';
import { holdOnViolation } from './escrow.js';
import type { Bodies } from './kinds.js';
import { undoConsequences } from './overturn.js';
import type { AppliedConsequences, EngineState, FindingState, Ruling } from './state.js';
import { suspendTruce } from './truce.js';
import { violationInZone } from './zones.js';

function findingFor(state: EngineState, subject: string): FindingState {
  return (
    state.findings.get(subject) ?? {
      subject,
      subjectKind: state.incidents.get(subject) !== undefined ? 'incident' : 'strike',
      rulings: {},
      effective: null,
      consequencesApplied: false,
      applied: null,
      accounts: [],
    }
  );
}

/** `finding.issue`: the signing adjudicators' ruling on `subject`. */
export function issueFinding(ctx: Ctx, subject: string, b: Bodies['finding.issue']): void {
  const { rules, state } = ctx;
  const f = findingFor(state, subject);
  const zone = b.zone ?? state.incidents.get(subject)?.zone ?? state.strikes.get(subject)?.zone ?? null;
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
    // A new effective ruling replaces the one before: what that one did is undone from now on
    // (overturn.ts), then this one's consequences apply.
    const before = next.applied ?? null;
    next = { ...next, effective: { ...ruling, key, at: ctx.at }, consequencesApplied: false, applied: null };
    state.findings.set(subject, next);
    if (before !== null) undoConsequences(ctx, subject, before);
    if (ruling.outcome === 'confirmed-violation') {
      const applied = confirmedViolation(ctx, subject, next.subjectKind, ruling);
      state.findings.set(subject, { ...state.findings.get(subject)!, consequencesApplied: true, applied });
    }
    return;
  }
  state.findings.set(subject, next);
}

/** `account.attach`: a party's own account beside the finding (accounts accumulate). */
export function attachAccount(ctx: Ctx, subject: string, b: Bodies['account.attach']): void {
  const f = findingFor(ctx.state, subject);
  ctx.state.findings.set(subject, {
    ...f,
    accounts: [
      ...f.accounts,
      { party: ctx.issuer, position: b.position, text: b.text, entry: ctx.index, at: ctx.at },
    ],
  });
}

/** Counts a confirmed violation against `violator` and, up its chain, each sponsor once. */
export function countViolation(ctx: Ctx, violator: string | null, by = 1): void {
  const { rules, state } = ctx;
  const seen = new Set<string>();
  for (
    let who: string | undefined = violator ?? undefined;
    who !== undefined && !seen.has(who);
    who = rules.actorSponsor[who]
  ) {
    seen.add(who);
    const n = (state.violationsBy[who] ?? 0) + by;
    if (n === 0) delete state.violationsBy[who];
    else state.violationsBy[who] = n;
  }
}

function confirmedViolation(
  ctx: Ctx,
  subject: string,
  kind: FindingState['subjectKind'],
  r: Ruling,
): AppliedConsequences {
  const { state } = ctx;
  const severity: Severity = r.severity ?? 'minor';
  // A co-signed finding is one statement signed by several adjudicators: cite its index once.
  const cites = [...new Set(Object.values(r.signers))].sort((a, b) => a - b);
  countViolation(ctx, r.violator);
  let regression: AppliedConsequences['regression'] = null;
  if (r.zone !== null && state.zones[r.zone] !== undefined)
    regression = violationInZone(ctx, r.zone, subject, severity, cites);
  const suspended = suspendTruce(ctx, subject, severity, cites);
  const hold = holdOnViolation(ctx, subject, r.violator, severity, cites);
  escalate(ctx, { subject, kind, severity, violator: r.violator });
  return {
    entry: ctx.index,
    at: ctx.at,
    violator: r.violator,
    severity,
    zone: r.zone,
    regression,
    hold,
    suspended,
  };
}
