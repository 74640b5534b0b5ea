/**
 * The escrow ledger as time series for the chart: running totals of pledged, available, held and
 * released (in all and per indicator), summed from the transfers the engine recorded, in time
 * order. Posted transfers count; pending and voided ones do not move balances.
 */
import type { Transfer } from '../api/types';

export const FUNDS = 'escrow:funds';
export const HOLDS = 'escrow:holds';

export interface LedgerSeries {
  times: number[];
  pledged: number[];
  available: number[];
  held: number[];
  released: number[];
  byIndicator: Record<string, number[]>;
}

export function ledgerSeries(transfers: Transfer[]): LedgerSeries {
  const sorted = transfers
    .filter((t) => t.status === 'posted')
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const indicators = [
    ...new Set(sorted.filter((t) => t.credit.startsWith('beneficiary:')).map((t) => t.rule)),
  ];
  const s: LedgerSeries = {
    times: [],
    pledged: [],
    available: [],
    held: [],
    released: [],
    byIndicator: Object.fromEntries(indicators.map((i) => [i, []])),
  };
  let pledged = 0;
  let funds = 0;
  let held = 0;
  let released = 0;
  const per: Record<string, number> = Object.fromEntries(indicators.map((i) => [i, 0]));
  for (const t of sorted) {
    if (t.rule === 'pledge') pledged += t.amount;
    if (t.credit === FUNDS) funds += t.amount;
    if (t.debit === FUNDS) funds -= t.amount;
    if (t.credit === HOLDS) held += t.amount;
    if (t.debit === HOLDS) held -= t.amount;
    if (t.credit.startsWith('beneficiary:')) {
      released += t.amount;
      per[t.rule] = (per[t.rule] ?? 0) + t.amount;
    }
    s.times.push(Date.parse(t.at) / 1000);
    s.pledged.push(pledged / 100);
    s.available.push(funds / 100);
    s.held.push(held / 100);
    s.released.push(released / 100);
    for (const i of indicators) s.byIndicator[i]!.push(per[i]! / 100);
  }
  return s;
}
