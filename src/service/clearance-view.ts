/**
 * One clearance level's view of the log, shared by every storage back end: the engine state
 * folded from only the statements a reader cleared for that level may see (DESIGN.md,
 * "Classification": a reader never receives content above their clearance).
 *
 * A view holds no entries: it remembers which log entries it folded (one bit each) and reads
 * them back from the log when it needs them (`stateAt` in the past, a rebuild after a failed
 * fold). Given a {@link RecordStore}, its growing collections live on disk too, so its memory
 * does not grow with the number of incidents either.
 */
import type { Agreement } from '../agreement/model.js';
import {
  beginEntry,
  cloneState,
  type EngineEntry,
  type EngineState,
  entriesAdmittedBy,
  evolve,
  initialState,
  type RecordCollection,
  settle,
  snapshotState,
  undoEntry,
} from '../engine/index.js';
import { CLASSIFICATION_RANK, type Classification } from '../statement/types.js';
import type { RecordStore } from './record-store.js';

/** How a view reads back the log it follows (entries with restricted content opened). */
export interface FoldedLog {
  /** Admission time of log entry `i` in ms; `i` is below the number of entries offered to the view. */
  admittedMs(i: number): number;
  /** Log entries `from` … `to − 1`, in index order. */
  entries(from: number, to: number): Iterable<EngineEntry>;
}

/**
 * Which log entries each of up to eight views folded: one byte per log entry, one bit per view
 * (the views of one service share it: a million entries cost 1 MB for all three).
 */
export class FoldFlags {
  #bytes = new Uint8Array(1024);

  set(index: number, bit: number): void {
    if (this.#bytes.length <= index) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, index + 1));
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[index]! |= 1 << bit;
  }

  has(index: number, bit: number): boolean {
    return ((this.#bytes[index] ?? 0) & (1 << bit)) !== 0;
  }
}

/**
 * Snapshots of a view start this many entries apart; {@link view_snapshots_max} bounds how many
 * are kept. A snapshot costs the state's small parts only (the growing collections are frozen
 * views, in constant time), and `stateAt` in the past replays at most one interval: with 100,000
 * entries, 2,000 instead of 20,000, which is what lets the control room's timeline show any
 * moment at once (bench/control-room.ts, docs/control-room.md).
 */
export const view_snapshot_interval_entries = 1000;
/**
 * Snapshots kept per view: past it, every other one is dropped and the interval doubles, so
 * memory stays bounded however long the log grows (a million entries: 63 snapshots, 16,000 apart).
 */
export const view_snapshots_max = 64;

export interface ClearanceViewOptions {
  /** Entries between snapshots at first (default {@link view_snapshot_interval_entries}). */
  snapshot_interval_entries?: number;
  /** Snapshots kept; past it the interval doubles (default {@link view_snapshots_max}). */
  snapshots_max?: number;
  /** Where the growing collections live; default: in memory. `slot` numbers this view in the store (0–30): views of one store share the rows they write alike. */
  records?: { store: RecordStore; slot: number };
  /** Flags shared with other views, and this view's bit in them (0–7); default: its own. */
  folded?: { flags: FoldFlags; bit: number };
}

interface Snapshot {
  /** Log entries before this position were offered to the view when the snapshot was taken. */
  position: number;
  state: EngineState;
}

/**
 * The engine's state over the statements one clearance level may see. Like the engine's
 * `Timeline`, but entries keep their real log indexes (so citations in a public state point at
 * the real log) and need not be contiguous.
 */
export class ClearanceView {
  readonly agreement: Agreement;
  readonly clearance: Classification;
  /** Statements this view could not fold (they depend on something above its clearance). */
  skipped = 0;
  #state: EngineState;
  readonly #log: FoldedLog;
  /** Per log index: whether this view folded that entry. */
  readonly #flags: FoldFlags;
  readonly #bit: number;
  /** Log entries offered to the view so far (the next expected index). */
  #position = 0;
  #lastAdmitted: string | undefined;
  #snapshots: Snapshot[] = [];
  #interval: number;
  readonly #snapshotsMax: number;

  constructor(
    agreement: Agreement,
    clearance: Classification,
    log: FoldedLog,
    options: ClearanceViewOptions = {},
  ) {
    this.agreement = agreement;
    this.clearance = clearance;
    this.#log = log;
    this.#interval = options.snapshot_interval_entries ?? view_snapshot_interval_entries;
    this.#snapshotsMax = Math.max(2, options.snapshots_max ?? view_snapshots_max);
    this.#flags = options.folded?.flags ?? new FoldFlags();
    this.#bit = options.folded?.bit ?? 0;
    const records = options.records;
    this.#state = initialState(
      agreement,
      records === undefined
        ? undefined
        : (name: RecordCollection) => records.store.collection<unknown>(name, records.slot),
    );
    this.#snapshots.push({ position: 0, state: snapshotState(this.#state) });
  }

  /** True when a statement of `classification` is visible at this view's clearance. */
  sees(classification: Classification): boolean {
    return CLASSIFICATION_RANK[classification] <= CLASSIFICATION_RANK[this.clearance];
  }

  /** The current state (do not mutate). */
  get current(): EngineState {
    return this.#state;
  }

  /** Entries folded into this view. */
  get length(): number {
    return this.#state.count;
  }

  /** Admission time of the last folded entry, or undefined. */
  get lastAdmitted(): string | undefined {
    return this.#lastAdmitted;
  }

  /**
   * Offers log entry `entry` (every entry of the log, in index order) and folds it when it is
   * visible here. Returns false when it is not visible or could not be folded. `strict` (the
   * mechanism view) rethrows: there, a fold failure is a broken invariant.
   */
  push(entry: EngineEntry, strict = false): boolean {
    if (entry.index !== this.#position)
      throw new Error(`clearance view: expected log entry ${this.#position}, got ${entry.index}`);
    this.#position++;
    const folded = this.#fold(entry, strict);
    if (this.#position - this.#snapshots[this.#snapshots.length - 1]!.position >= this.#interval) {
      this.#snapshots.push({ position: this.#position, state: snapshotState(this.#state) });
      if (this.#snapshots.length > this.#snapshotsMax) this.#thinSnapshots();
    }
    return folded;
  }

  /** Keeps every other snapshot (the first, at position 0, stays) and doubles the interval. */
  #thinSnapshots(): void {
    this.#interval *= 2;
    this.#snapshots = this.#snapshots.filter((s) => s.position % this.#interval === 0);
  }

  #fold(entry: EngineEntry, strict: boolean): boolean {
    if (!this.sees(entry.envelope.statement.classification)) return false;
    // A statement signed by a key whose registration this reader cannot see cannot be
    // attributed at this clearance: it is left out rather than guessed at (and without the
    // cost of a failed fold and a rebuild).
    if (!strict && entry.envelope.signatures.some((sig) => this.#state.keys[sig.key] === undefined)) {
      this.skipped++;
      return false;
    }
    beginEntry(this.#state, entry.index);
    try {
      evolve(this.agreement, this.#state, entry);
    } catch (e) {
      if (strict) throw e;
      // `evolve` may have changed the state before it threw: forget its record writes, and
      // rebuild the rest from the last snapshot and the entries folded since, leaving this one out.
      undoEntry(this.#state);
      this.#rebuild();
      this.skipped++;
      return false;
    }
    this.#flags.set(entry.index, this.#bit);
    this.#lastAdmitted = entry.admitted;
    return true;
  }

  /** The entries this view folded among log entries `from` … `to − 1`. */
  *#foldedEntries(from: number, to: number): Generator<EngineEntry> {
    // Read only the stretch that holds folded entries.
    let a = from;
    while (a < to && !this.#flags.has(a, this.#bit)) a++;
    let b = to;
    while (b > a && !this.#flags.has(b - 1, this.#bit)) b--;
    if (a >= b) return;
    for (const e of this.#log.entries(a, b)) if (this.#flags.has(e.index, this.#bit)) yield e;
  }

  #rebuild(): void {
    const snap = this.#snapshots[this.#snapshots.length - 1]!;
    // Fold into a fork whose record writes are dropped: the live collections already hold them
    // (the failed entry's writes were undone, the others are the same).
    const state = cloneState(snap.state);
    for (const e of this.#foldedEntries(snap.position, this.#position - 1)) evolve(this.agreement, state, e);
    const live = this.#state;
    this.#state = {
      ...state,
      units: live.units,
      incidents: live.incidents,
      strikes: live.strikes,
      findings: live.findings,
    };
  }

  /** State at `at`: the current state settled to `at` when nothing later was folded, else a replay from the last snapshot before `at`. */
  stateAt(at: string): EngineState {
    const atMs = Date.parse(at);
    const last = this.#lastAdmitted;
    if (last === undefined || Date.parse(last) <= atMs) {
      const s = cloneState(this.#state);
      return atMs > s.settledMs ? settle(this.agreement, s, atMs) : s;
    }
    const cut = entriesAdmittedBy(this.#position, (i) => this.#log.admittedMs(i), atMs);
    let snap = this.#snapshots[0]!;
    for (const s of this.#snapshots) if (s.position <= cut) snap = s;
    const state = cloneState(snap.state);
    for (const e of this.#foldedEntries(snap.position, cut)) evolve(this.agreement, state, e);
    return settle(this.agreement, state, atMs);
  }
}
