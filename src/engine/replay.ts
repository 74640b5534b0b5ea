/**
 * Replay: state as a pure fold over the log, and state at any past time from snapshots.
 *
 * `replay` owns the state it folds and lets `evolve` mutate it (state.ts, "Ownership
 * discipline"). `Timeline` keeps a snapshot every `snapshot_interval_entries` entries so that
 * `stateAt(t)` clones the last snapshot at or before t and folds at most that many entries: it
 * finds how many entries were admitted by t from admission times alone and never reads an entry
 * admitted after t.
 */
import type { Agreement } from '../agreement/model.js';
import { statementId } from '../statement/envelope.js';
import { type Admission, admit, type SeenStatements } from './admit.js';
import { evolve } from './evolve.js';
import { cloneState, type EngineEntry, type EngineState, initialState, snapshotState } from './state.js';
import { settle } from './time.js';

/** The state after folding `entries` (in index order), settled to `at` when given. */
export function replay(agreement: Agreement, entries: Iterable<EngineEntry>, at?: string): EngineState {
  const state = initialState(agreement);
  const atMs = at === undefined ? Infinity : Date.parse(at);
  for (const e of entries) {
    if (Date.parse(e.admitted) > atMs) break;
    evolve(agreement, state, e);
  }
  if (at !== undefined) settle(agreement, state, atMs);
  return state;
}

/** The door's memory kept in memory: every admitted statement id and nonce. */
export class MemorySeen implements SeenStatements {
  private readonly ids = new Set<string>();
  private readonly nonces = new Set<string>();
  hasStatement(id: string): boolean {
    return this.ids.has(id);
  }
  hasNonce(nonce: string): boolean {
    return this.nonces.has(nonce);
  }
  add(id: string, nonce: string): void {
    this.ids.add(id);
    this.nonces.add(nonce);
  }
}

/** Random access to a log's entries, ordered by index with non-decreasing admission times. */
export interface EntrySource {
  readonly length: number;
  /** Admission time of entry `i` (cheap: lets `stateAt` find the cut without reading entries). */
  admittedAt(i: number): string;
  /** The entry at index `i`. */
  get(i: number): EngineEntry;
}

/** An {@link EntrySource} over an array. */
export function arraySource(entries: readonly EngineEntry[]): EntrySource {
  return { length: entries.length, admittedAt: (i) => entries[i]!.admitted, get: (i) => entries[i]! };
}

/** Default spacing of snapshots: folding this many entries takes well under 100 ms. */
export const snapshot_interval_entries = 20_000;

interface Snapshot {
  /** Entries folded into `state` (entries 0..count-1). */
  count: number;
  state: EngineState;
}

/**
 * A log being followed: the current state, the door's memory, and snapshots for `stateAt`.
 * The shell (CLI, server) owns one per agreement; everything it calls is pure.
 */
export class Timeline {
  readonly agreement: Agreement;
  readonly seen = new MemorySeen();
  private state: EngineState;
  private readonly snapshots: Snapshot[] = [];
  private readonly entries: EngineEntry[] = [];
  private readonly interval: number;

  constructor(agreement: Agreement, options: { snapshot_interval_entries?: number } = {}) {
    this.agreement = agreement;
    this.interval = options.snapshot_interval_entries ?? snapshot_interval_entries;
    this.state = initialState(agreement);
    this.snapshots.push({ count: 0, state: snapshotState(this.state) });
  }

  /** The current state (do not mutate it; clone it first). */
  get current(): EngineState {
    return this.state;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Every entry folded so far, as an {@link EntrySource}. */
  source(): EntrySource {
    return arraySource(this.entries);
  }

  /** Door check for `envelope` at time `now`, against the current state. */
  admit(envelope: unknown, now: string): Admission {
    return admit(this.agreement, this.state, envelope, now, this.seen);
  }

  /**
   * Checks `envelope` and, when admitted, appends it as the next entry (admitted at `now`) and
   * folds it. Returns the verdict and, when admitted, the entry.
   */
  append(envelope: unknown, now: string): Admission & { entry?: EngineEntry } {
    const v = this.admit(envelope, now);
    if (!v.ok) return v;
    const entry: EngineEntry = {
      index: this.entries.length,
      admitted: now,
      envelope: envelope as EngineEntry['envelope'],
    };
    this.push(entry, v.id);
    return { ...v, entry };
  }

  /** Folds an entry that was admitted before (replaying a stored log); `id` is its statement id when known. */
  push(entry: EngineEntry, id: string = statementId(entry.envelope.statement)): void {
    if (entry.index !== this.entries.length)
      throw new Error(`Timeline: expected entry ${this.entries.length}, got ${entry.index}`);
    evolve(this.agreement, this.state, entry);
    this.entries.push(entry);
    this.seen.add(id, entry.envelope.statement.nonce);
    if (this.entries.length % this.interval === 0)
      this.snapshots.push({ count: this.entries.length, state: snapshotState(this.state) });
  }

  /** State at time `at` (see {@link stateAt}). */
  stateAt(at: string): EngineState {
    return stateAt(this.agreement, this.source(), this.snapshots, at);
  }
}

/**
 * How many of the first `length` entries were admitted by `atMs`: a binary search over
 * admission times, which never decrease with the index.
 */
export function entriesAdmittedBy(length: number, admittedMs: (i: number) => number, atMs: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (admittedMs(mid) <= atMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * State at time `at`: starts from the last snapshot whose entries were all admitted by `at`,
 * folds the entries admitted by `at` after it, and settles time-driven changes up to `at`.
 * Reads no entry admitted after `at` (only admission times, to find the cut).
 */
export function stateAt(
  agreement: Agreement,
  source: EntrySource,
  snapshots: readonly Snapshot[],
  at: string,
): EngineState {
  const atMs = Date.parse(at);
  const cut = entriesAdmittedBy(source.length, (i) => Date.parse(source.admittedAt(i)), atMs);
  let snap: Snapshot | undefined;
  let a = 0;
  let b = snapshots.length - 1;
  while (a <= b) {
    const m = (a + b) >>> 1;
    if (snapshots[m]!.count <= cut) {
      snap = snapshots[m];
      a = m + 1;
    } else b = m - 1;
  }
  const state = snap ? cloneState(snap.state) : initialState(agreement);
  for (let i = snap ? snap.count : 0; i < cut; i++) evolve(agreement, state, source.get(i));
  return settle(agreement, state, atMs);
}

/** Statement ids of the cited log indexes, for readers (state cites by index). */
export function citedStatementIds(source: EntrySource, cites: readonly number[]): string[] {
  return cites.map((i) => statementId(source.get(i).envelope.statement));
}
