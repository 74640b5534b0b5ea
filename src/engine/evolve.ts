/**
 * `evolve`: folds one admitted log entry into the state (the decider pattern's evolve). It
 * dispatches on the statement's kind to the part of the engine the kind belongs to: keys here,
 * zones (zones.ts), units (units.ts), incidents and strikes under the response protocol
 * (protocol.ts), findings (findings.ts), escrow (escrow.ts), benchmarks (benchmarks.ts), the
 * truce (truce.ts); time-driven changes are `settle` (time.ts).
 *
 * It trusts that `admit` accepted the entry (signatures, keys, roles, body shape, subjects):
 * it re-checks nothing that costs, but a broken invariant it does meet (an unknown signing key,
 * an index out of order, time going backwards) stops loudly rather than derive a wrong state.
 *
 * Mutation: `evolve` updates `state` in place and returns it (see state.ts, "Ownership
 * discipline"); callers that need the old state clone it first (`cloneState`).
 */
import type { Agreement } from '../agreement/model.js';
import { attest } from './benchmarks.js';
import type { Ctx } from './context.js';
import { pledge, settleTransfer } from './escrow.js';
import { attachAccount, issueFinding } from './findings.js';
import { type KindedStatement, unreachable } from './kinds.js';
import { declareStrike, justifyStrike, notifyThreat, reportIncident, respondToThreat } from './protocol.js';
import { type EngineEntry, type EngineState, rulesFor } from './state.js';
import { settle } from './time.js';
import { resumeTruce, startTruce, truceStartMs } from './truce.js';
import { deployUnit, registerUnit, vetUnit } from './units.js';
import { claimWithdrawal, observeWithdrawal, recordSites, signStage } from './zones.js';

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
  // The log's first entry at or after the agreement's signature starts the truce's clock.
  if (state.truce.status === 'not-started' && nowMs >= truceStartMs(rules)) startTruce(state, nowMs);
  const st = entry.envelope.statement;
  const sigs = entry.envelope.signatures;
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
  // `admit` checked the body against its kind's schema: the one place the union is narrowed.
  apply(ctx, st as unknown as KindedStatement, st.subject, Date.parse(st.at));
  state.count++;
  state.lastIndex = entry.index;
  state.lastAdmittedMs = nowMs;
  return state;
}

function apply(ctx: Ctx, s: KindedStatement, subject: string, statedMs: number): void {
  const { state, index } = ctx;
  switch (s.kind) {
    case 'key.register':
      state.keys[s.body.key] = { party: ctx.issuer, registeredBy: index, revokedAt: null, revokedBy: null };
      return;
    case 'key.revoke':
      state.keys[s.body.key] = { ...state.keys[s.body.key]!, revokedAt: ctx.at, revokedBy: index };
      return;
    case 'zone.stage.sign':
      signStage(ctx, subject, s.body);
      return;
    case 'withdrawal.claim':
      claimWithdrawal(ctx, subject, true);
      return;
    case 'withdrawal.deny':
      claimWithdrawal(ctx, subject, false);
      return;
    case 'withdrawal.observe':
      observeWithdrawal(ctx, subject, s.body);
      return;
    case 'site.declare':
    case 'site.find':
    case 'site.neutralize':
    case 'site.verify':
      recordSites(ctx, s.kind, subject, s.body);
      return;
    case 'unit.register':
      registerUnit(ctx, subject, s.body);
      return;
    case 'unit.vet':
      vetUnit(ctx, subject, s.body);
      return;
    case 'unit.deploy':
      deployUnit(ctx, subject, s.body);
      return;
    case 'incident.report':
      reportIncident(ctx, subject, s.body);
      return;
    case 'incident.notify':
      notifyThreat(ctx, subject);
      return;
    case 'incident.response':
      respondToThreat(ctx, subject, s.body);
      return;
    case 'strike.declare':
      declareStrike(ctx, subject, s.body, statedMs);
      return;
    case 'strike.justify':
      justifyStrike(ctx, subject, s.body);
      return;
    case 'finding.issue':
      issueFinding(ctx, subject, s.body);
      return;
    case 'account.attach':
      attachAccount(ctx, subject, s.body);
      return;
    case 'escrow.pledge':
      pledge(ctx, subject, s.body);
      return;
    case 'escrow.settle':
      settleTransfer(ctx, subject, s.body.action);
      return;
    case 'benchmark.attest':
      attest(ctx, subject);
      return;
    case 'truce.resume':
      resumeTruce(ctx);
      return;
    default:
      unreachable(s, 'statement kind');
  }
}
