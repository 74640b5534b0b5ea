/**
 * What held before the agreement (issue 17 §6): the agreement carries the arrangements in force
 * before it — open hostilities, a truce and its extensions — so that the state at any earlier
 * time shows what actually held then. This is agreement data read at a time, not something
 * folded from the log: before the agreement's truce starts, `explain` reports the arrangement in
 * force at the time asked about.
 */
import type { Agreement, PriorArrangement } from '../agreement/model.js';

export interface ArrangementAt {
  id: string;
  label: string;
  kind: PriorArrangement['kind'];
  from: string;
  until: string | null;
  /** `in-force`, or `expired` when its `until` has passed and nothing took over. */
  status: 'in-force' | 'expired';
  source: string;
  note: string | null;
  /** An arrangement already agreed by then that takes effect later (an extension agreed before the expiry). */
  next: { id: string; label: string; from: string; agreedAt: string } | null;
}

/** The prior arrangement in force at `atMs` (the latest one that had taken effect), or null before the first. */
export function arrangementAt(agreement: Agreement, atMs: number): ArrangementAt | null {
  let current: PriorArrangement | undefined;
  for (const a of agreement.priorArrangements)
    if (
      Date.parse(a.from) <= atMs &&
      (current === undefined || Date.parse(a.from) >= Date.parse(current.from))
    )
      current = a;
  if (current === undefined) return null;
  const later = agreement.priorArrangements.find(
    (a) =>
      Date.parse(a.from) > atMs &&
      a.agreedAt !== undefined &&
      Date.parse(a.agreedAt) <= atMs &&
      Date.parse(a.from) > Date.parse(current!.from),
  );
  return {
    id: current.id,
    label: current.label,
    kind: current.kind,
    from: current.from,
    until: current.until ?? null,
    status: current.until !== undefined && Date.parse(current.until) <= atMs ? 'expired' : 'in-force',
    source: current.source,
    note: current.note ?? null,
    next:
      later === undefined
        ? null
        : { id: later.id, label: later.label, from: later.from, agreedAt: later.agreedAt! },
  };
}

/** The arrangement in words: `truce in force since … until …: label`, `hostilities since …: label`, or `expired on …`. */
export function arrangementText(a: ArrangementAt): string {
  const day = (t: string) => t.slice(0, 10);
  const head =
    a.kind === 'hostilities'
      ? `no truce: ${a.label} (since ${day(a.from)})`
      : a.status === 'expired'
        ? `no truce in force: ${a.label} expired on ${day(a.until!)}`
        : `${a.label}, in force since ${day(a.from)}${a.until ? ` until ${a.until}` : ''}`;
  return a.next === null
    ? head
    : `${head}; agreed on ${day(a.next.agreedAt)}: ${a.next.label}, from ${a.next.from}`;
}
