/**
 * The truce clock (DESIGN.md, "Truce clock"): an expiry, extended when the benchmarks the
 * agreement names occur, suspended by confirmed violations of the named severity, resumed by
 * the parties the agreement lets resume it, and lapsing at its expiry (applied by `settle` at
 * the exact millisecond, so the state never depends on when someone looked).
 */
import type { Severity } from '../agreement/model.js';
import type { Ctx } from './context.js';
import { blockingExtensions } from './deadlines.js';
import { type EngineState, iso, SEVERITY_RANK } from './state.js';

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

/** A confirmed violation of `severity` suspends a truce in force when the agreement says so. */
export function suspendTruce(ctx: Ctx, severity: Severity, cites: number[]): void {
  const susp = ctx.rules.agreement.truce.suspendOn;
  const t = ctx.state.truce;
  if (susp && t.status === 'in-force' && SEVERITY_RANK[severity] >= SEVERITY_RANK[susp.severityAtLeast]) {
    t.status = 'suspended';
    t.suspendedBy = ctx.index;
    t.history.push({ status: 'suspended', at: ctx.at, cites });
  }
}

/** `truce.resume`: a suspended truce is in force again (a truce in force or lapsed is unchanged). */
export function resumeTruce(ctx: Ctx): void {
  const t = ctx.state.truce;
  if (t.status === 'suspended') {
    t.status = 'in-force';
    t.suspendedBy = null;
    t.history.push({ status: 'in-force', at: ctx.at, cites: [ctx.index] });
  }
}

/** The time the truce lapses if nothing changes, or Infinity once it has lapsed. */
export function truceDueMs(state: EngineState): number {
  return state.truce.status === 'lapsed' ? Infinity : state.truce.expiresMs;
}

/** The truce lapses at `dueMs` (its expiry). */
export function lapseTruce(state: EngineState, dueMs: number): void {
  state.truce.status = 'lapsed';
  state.truce.history.push({ status: 'lapsed', at: iso(dueMs), cites: [] });
}
