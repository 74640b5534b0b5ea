/**
 * Findings (DESIGN.md, "Finding"): adjudicators' rulings on an incident or a strike. Rulings
 * with the same content gather signatures; one takes effect when it reaches the agreement's
 * quorum. A confirmed violation's consequences apply once: the count against the violator and
 * its sponsors, the zone's violation record and regression, the truce's suspension, an escrow
 * hold. Each party's own account is kept beside the finding, never overwritten.
 */
import type { Severity } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { holdOnViolation } from './escrow.js';
import type { Bodies } from './kinds.js';
import type { EngineState, FindingState, Ruling } from './state.js';
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
    next = { ...next, effective: { ...ruling, key, at: ctx.at } };
    if (ruling.outcome === 'confirmed-violation' && !next.consequencesApplied) {
      next = { ...next, consequencesApplied: true };
      state.findings.set(subject, next);
      confirmedViolation(ctx, subject, ruling);
      return;
    }
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
    state.violationsBy[who] = (state.violationsBy[who] ?? 0) + by;
  }
}

function confirmedViolation(ctx: Ctx, subject: string, r: Ruling): void {
  const { state } = ctx;
  const severity: Severity = r.severity ?? 'minor';
  // A co-signed finding is one statement signed by several adjudicators: cite its index once.
  const cites = [...new Set(Object.values(r.signers))].sort((a, b) => a - b);
  countViolation(ctx, r.violator);
  if (r.zone !== null && state.zones[r.zone] !== undefined) violationInZone(ctx, r.zone, severity, cites);
  suspendTruce(ctx, severity, cites);
  holdOnViolation(ctx, subject, r.violator, severity, cites);
}
