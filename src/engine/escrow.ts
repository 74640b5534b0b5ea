/**
 * The escrow ledger (DESIGN.md, "Escrow"): double entry in integer minor units. Donors pledge
 * into the pooled funds; indicators earn and authorize releases as pending transfers; the
 * trustee posts or voids them; confirmed violations move funds to holds, and the trustee may
 * release a hold back. Every transfer cites the rule and the statements that caused it.
 */
import type { Severity } from '../agreement/model.js';
import type { Ctx } from './context.js';
import type { Bodies } from './kinds.js';
import { unreachable } from './kinds.js';
import { type EngineState, type Rules, SEVERITY_RANK } from './state.js';

/** The pooled funds from which indicators release. */
export const FUNDS = 'escrow:funds';
/** Funds held after confirmed violations. */
export const HOLDS = 'escrow:holds';

/** Posted balance minus pending debits: what may still be released or held. */
export function available(state: EngineState, account: string): number {
  return (state.escrow.accounts[account] ?? 0) - (state.escrow.pendingDebits[account] ?? 0);
}

function transfer(
  ctx: Ctx,
  debit: string,
  credit: string,
  amount: number,
  status: 'pending' | 'posted',
  rule: string,
  cites: number[],
): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new Error(`escrow: transfer amount ${amount} is not a positive integer`);
  const e = ctx.state.escrow;
  const id = `t${e.transfers.length}`;
  e.transfers.push({ id, debit, credit, amount, status, rule, cites, at: ctx.at, settledBy: null });
  if (status === 'posted') {
    e.accounts[debit] = (e.accounts[debit] ?? 0) - amount;
    e.accounts[credit] = (e.accounts[credit] ?? 0) + amount;
  } else e.pendingDebits[debit] = (e.pendingDebits[debit] ?? 0) + amount;
}

/** A donor's pledge received: posted into the funds, then whatever indicators already earned is released. */
export function pledge(ctx: Ctx, donor: string, b: Bodies['escrow.pledge']): void {
  transfer(ctx, `donor:${donor}`, FUNDS, b.amount, 'posted', 'pledge', [ctx.index]);
  ctx.state.escrow.received[donor] = (ctx.state.escrow.received[donor] ?? 0) + b.amount;
  releaseOutstanding(ctx, [ctx.index]);
}

/**
 * Scalable indicators earn per newly verified unit of a category they count in `zoneId`, within
 * every bound the agreement sets: the stages in which verification counts, the zone's baseline,
 * and the caps in total, per zone, per category and per period. What a bound refuses is not
 * earned, now or later. `count` is the rise in the zone's verified count, which `recordSites`
 * already bounds by what was found or neutralized there.
 */
export function earnScalable(ctx: Ctx, zoneId: string, category: string, count: number): void {
  const { rules, state } = ctx;
  const zone = state.zones[zoneId]!;
  for (const ind of rules.agreement.escrow?.indicators ?? []) {
    if (ind.kind !== 'scalable') continue;
    const cats = ind.categories ?? rules.nonDeferred;
    if (!cats.includes(category)) continue;
    if (ind.countsInStages !== undefined && !ind.countsInStages.includes(zone.stage)) continue;
    const s = state.escrow.indicators[ind.id]!;
    s.byZone[zoneId] ??= {};
    const inZone = s.byZone[zoneId];
    inZone[category] ??= { units: 0, earned: 0 };
    const cell = inZone[category];
    let units = count;
    if (ind.withinBaseline) units = Math.min(units, (rules.baselines[zoneId]?.[category] ?? 0) - cell.units);
    if (units <= 0) continue;
    let add = Math.min(units * ind.unitPrice, ind.cap - s.earned);
    if (ind.capPerZone !== undefined) {
      let zoneEarned = 0;
      for (const c in inZone) zoneEarned += inZone[c]!.earned;
      add = Math.min(add, ind.capPerZone - zoneEarned);
    }
    if (ind.capPerCategory !== undefined) {
      let categoryEarned = 0;
      for (const z in s.byZone) categoryEarned += s.byZone[z]![category]?.earned ?? 0;
      add = Math.min(add, ind.capPerCategory - categoryEarned);
    }
    let period = '';
    if (ind.capPerPeriod !== undefined) {
      period = String(periodIndex(rules.agreement.signedAt, ind.capPerPeriod.period_ms, ctx.nowMs));
      add = Math.min(add, ind.capPerPeriod.amount - (s.byPeriod[period] ?? 0));
    }
    cell.units += units;
    s.units += units;
    if (add <= 0) continue;
    cell.earned += add;
    s.earned += add;
    if (ind.capPerPeriod !== undefined) s.byPeriod[period] = (s.byPeriod[period] ?? 0) + add;
    s.cites.push(ctx.index);
    release(ctx, ind.id, []);
  }
}

/** Which period `nowMs` falls in, periods of `period_ms` counted from the agreement's signature (or 1970). */
export function periodIndex(signedAt: string | undefined, period_ms: number, nowMs: number): number {
  const origin = signedAt === undefined ? 0 : Date.parse(signedAt);
  return Math.floor((nowMs - origin) / Math.max(period_ms, 1));
}

/**
 * An amount of the escrow's money as people read it: `USD 250,000`, `USD 1,234.56`. Every
 * human-readable text shows money this way; JSON keeps integer minor units.
 */
export function formatMoney(
  escrow: { currency: string; minorUnitsPerUnit: number } | undefined,
  minor: number,
): string {
  if (escrow === undefined) return `${minor}`;
  const per = escrow.minorUnitsPerUnit;
  const digits = Math.max(0, Math.ceil(Math.log10(per)));
  const text = (minor / per).toLocaleString('en-US', {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
  return `${escrow.currency} ${text}`;
}

/** Fixed indicators earn their amount when the benchmark they name occurs (up to their occurrences). */
export function earnFixed(ctx: Ctx, benchmarkId: string, cites: number[]): void {
  const { rules, state } = ctx;
  for (const ind of rules.agreement.escrow?.indicators ?? []) {
    if (ind.kind !== 'fixed' || ind.on !== benchmarkId) continue;
    const s = state.escrow.indicators[ind.id]!;
    const times = ind.amount === 0 ? 0 : Math.round(s.earned / ind.amount);
    if (ind.maxOccurrences !== undefined && times >= ind.maxOccurrences) continue;
    s.earned += ind.amount;
    s.units += 1;
    for (const c of cites) s.cites.push(c);
    release(ctx, ind.id, []);
  }
}

/** Authorizes (as a pending transfer) what the indicator earned and has not yet released, up to what is available. */
function release(ctx: Ctx, indicatorId: string, extraCites: number[]): void {
  const { rules, state } = ctx;
  const ind = rules.agreement.escrow!.indicators.find((i) => i.id === indicatorId)!;
  const s = state.escrow.indicators[indicatorId]!;
  const amount = Math.min(s.earned - s.authorized, available(state, FUNDS));
  if (amount <= 0) return;
  const beneficiary = ind.beneficiary ?? rules.agreement.escrow!.beneficiary;
  const cites = [...s.cites.slice(s.citedUpTo), ...extraCites];
  s.citedUpTo = s.cites.length;
  s.authorized += amount;
  transfer(ctx, FUNDS, `beneficiary:${beneficiary}`, amount, 'pending', indicatorId, cites);
}

function releaseOutstanding(ctx: Ctx, cites: number[]): void {
  for (const ind of ctx.rules.agreement.escrow?.indicators ?? []) release(ctx, ind.id, cites);
}

/** The agreement's hold on a confirmed violation of `severity` by `violator`, if its rule applies: the hold's transfer id, or null. */
export function holdOnViolation(
  ctx: Ctx,
  subject: string,
  violator: string | null,
  severity: Severity,
  cites: number[],
): string | null {
  const { rules, state } = ctx;
  const hold = rules.agreement.escrow?.holds?.onConfirmedViolation;
  if (
    hold &&
    SEVERITY_RANK[severity] >= SEVERITY_RANK[hold.severityAtLeast] &&
    attributedTo(rules, violator, hold.attributedTo)
  ) {
    const want = hold.amount ?? Math.floor(available(state, FUNDS) * (hold.ratio ?? 0));
    return holdFunds(ctx, `hold:${subject}`, want, cites);
  }
  return null;
}

/** Moves up to `want` of the available funds to the holds under `rule`; returns the transfer id, or null when nothing could be held. */
export function holdFunds(ctx: Ctx, rule: string, want: number, cites: number[]): string | null {
  const amount = Math.min(want, available(ctx.state, FUNDS));
  if (amount <= 0) return null;
  transfer(ctx, FUNDS, HOLDS, amount, 'posted', rule, cites);
  return ctx.state.escrow.transfers.at(-1)!.id;
}

/** Returns hold `id` to the funds under `rule` (unless the trustee already released it), then releases what indicators earned meanwhile. */
export function returnHold(ctx: Ctx, id: string, rule: string, cites: number[]): void {
  const e = ctx.state.escrow;
  const i = Number(id.slice(1));
  const t = e.transfers[i]!;
  if (t.credit !== HOLDS || t.settledBy !== null) return;
  e.transfers[i] = { ...t, settledBy: ctx.index };
  transfer(ctx, HOLDS, FUNDS, t.amount, 'posted', rule, cites.length ? cites : t.cites);
  releaseOutstanding(ctx, cites.length ? cites : t.cites);
}

/** Whether `violator`, or a sponsor up its chain, is one of `filter` (no filter: anyone). */
export function attributedTo(rules: Rules, violator: string | null, filter: string[] | undefined): boolean {
  if (filter === undefined) return true;
  const seen = new Set<string>();
  for (
    let who: string | undefined = violator ?? undefined;
    who !== undefined && !seen.has(who);
    who = rules.actorSponsor[who]
  ) {
    if (filter.includes(who)) return true;
    seen.add(who);
  }
  return false;
}

/** The trustee's settlement of transfer `id`: post or void a pending release, or release a hold back to the funds. */
export function settleTransfer(ctx: Ctx, id: string, action: Bodies['escrow.settle']['action']): void {
  const e = ctx.state.escrow;
  const i = Number(id.slice(1));
  const t = e.transfers[i]!;
  switch (action) {
    case 'post':
    case 'void': {
      if (t.status !== 'pending') return; // admit rejects this; kept idempotent for replays of old logs
      e.pendingDebits[t.debit] = e.pendingDebits[t.debit]! - t.amount;
      if (action === 'post') {
        e.accounts[t.debit] = (e.accounts[t.debit] ?? 0) - t.amount;
        e.accounts[t.credit] = (e.accounts[t.credit] ?? 0) + t.amount;
      }
      e.transfers[i] = { ...t, status: action === 'post' ? 'posted' : 'voided', settledBy: ctx.index };
      return;
    }
    case 'release-hold': {
      if (t.credit !== HOLDS || t.settledBy !== null) return;
      e.transfers[i] = { ...t, settledBy: ctx.index };
      transfer(ctx, HOLDS, FUNDS, t.amount, 'posted', 'hold-release', [ctx.index, ...t.cites]);
      releaseOutstanding(ctx, [ctx.index]);
      return;
    }
    default:
      unreachable(action, 'settle action');
  }
}
