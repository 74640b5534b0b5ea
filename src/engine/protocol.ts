/**
 * Incidents and the response protocol (DESIGN.md, "Response protocol": the limits on the right
 * to act). A confirmed threat is notified to the deploying force, which has a response window;
 * only if it does not act may the withdrawing force strike, within the scope the agreement
 * allows. Every strike is classified when it is declared; an imminent-threat exception must be
 * justified by a deadline, which `settle` enforces at the exact millisecond.
 */
import type { Ctx } from './context.js';
import type { Bodies } from './kinds.js';
import { type EngineState, type IncidentState, iso, type StrikeClass, type StrikeState } from './state.js';

export function reportIncident(ctx: Ctx, incidentId: string, b: Bodies['incident.report']): void {
  const inc: IncidentState = {
    id: incidentId,
    entry: ctx.index,
    reporter: ctx.issuer,
    admitted: ctx.at,
    type: b.type,
    date_start: b.date_start,
    date_end: b.date_end,
    zone: b.zone ?? null,
    latitude: b.latitude ?? null,
    longitude: b.longitude ?? null,
    where_prec: b.where_prec ?? 1,
    date_prec: b.date_prec ?? 1,
    actor: b.actor ?? null,
    casualties: { low: b.deaths_low ?? 0, best: b.deaths_best ?? 0, high: b.deaths_high ?? 0 },
    source_grade: b.source_grade,
    evidence: b.evidence ?? [],
    notification: null,
    response: null,
  };
  ctx.state.incidents.set(incidentId, inc);
}

/** `incident.notify`: the first notification starts the deploying force's response window; repeats change nothing. */
export function notifyThreat(ctx: Ctx, incidentId: string): void {
  const inc = ctx.state.incidents.get(incidentId)!;
  if (inc.notification !== null) return;
  const windowEndsMs = ctx.nowMs + ctx.rules.agreement.responseProtocol.response_window_ms;
  ctx.state.incidents.set(incidentId, {
    ...inc,
    notification: { by: ctx.issuer, entry: ctx.index, atMs: ctx.nowMs, windowEndsMs },
  });
}

/** `incident.response`: the deploying force's first response counts. */
export function respondToThreat(ctx: Ctx, incidentId: string, b: Bodies['incident.response']): void {
  const inc = ctx.state.incidents.get(incidentId)!;
  if (inc.response !== null) return;
  ctx.state.incidents.set(incidentId, {
    ...inc,
    response: { by: ctx.issuer, entry: ctx.index, atMs: ctx.nowMs, action: b.action },
  });
}

/** `strike.declare`: classified at once; `statedMs` is the strike's own time, never later than its admission. */
export function declareStrike(
  ctx: Ctx,
  strikeId: string,
  b: Bodies['strike.declare'],
  statedMs: number,
): void {
  const strike = classifyStrike(ctx, strikeId, b, Math.min(statedMs, ctx.nowMs));
  ctx.state.strikes.set(strikeId, strike);
  if (strike.classification === 'imminent-threat-awaiting-justification')
    ctx.state.awaitingJustification.push(strikeId);
}

/** `strike.justify`: in time, an imminent-threat strike goes to the adjudicators as justified; too late or never needed, the text is kept and nothing changes. */
export function justifyStrike(ctx: Ctx, strikeId: string, b: Bodies['strike.justify']): void {
  const { state } = ctx;
  const s = state.strikes.get(strikeId)!;
  if (s.classification !== 'imminent-threat-awaiting-justification') {
    state.strikes.set(strikeId, { ...s, justification: s.justification ?? b.justification });
    return;
  }
  state.strikes.set(strikeId, {
    ...s,
    classification: 'imminent-threat-justified',
    reason: `declared an imminent threat and justified it at ${ctx.at}, within the deadline; for the adjudicators`,
    justification: b.justification,
  });
  state.awaitingJustification = state.awaitingJustification.filter((x) => x !== strikeId);
}

/** The earliest justification deadline still open, and its strike, or Infinity. */
export function justificationDue(state: EngineState): { dueMs: number; strike: string } {
  let dueMs = Infinity;
  let strike = '';
  for (const sid of state.awaitingJustification) {
    const d = state.strikes.get(sid)!.justifyByMs!;
    if (d < dueMs) {
      dueMs = d;
      strike = sid;
    }
  }
  return { dueMs, strike };
}

/** The deadline passed without a justification. */
export function justificationMissed(state: EngineState, strikeId: string, dueMs: number): void {
  const s = state.strikes.get(strikeId)!;
  state.strikes.set(strikeId, {
    ...s,
    classification: 'imminent-threat-unjustified',
    reason: `declared an imminent threat but filed no justification by the deadline ${iso(dueMs)}`,
  });
  state.awaitingJustification = state.awaitingJustification.filter((x) => x !== strikeId);
}

function classifyStrike(ctx: Ctx, id: string, b: Bodies['strike.declare'], atMs: number): StrikeState {
  const { rules, state } = ctx;
  const p = rules.agreement.responseProtocol;
  const zone = b.zone ?? null;
  const inc = b.respondsTo !== undefined ? state.incidents.get(b.respondsTo) : undefined;
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
