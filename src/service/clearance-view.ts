/**
 * One clearance level's view of the log, shared by every storage back end: the engine state
 * folded from only the statements a reader cleared for that level may see (DESIGN.md,
 * "Classification": a reader never receives content above their clearance).
 */
import type { Agreement } from '../agreement/model.js';
import {
  cloneState,
  type EngineEntry,
  type EngineState,
  type EntrySource,
  stateAt as engineStateAt,
  evolve,
  initialState,
  settle,
  snapshot_interval_entries,
} from '../engine/index.js';
import { CLASSIFICATION_RANK, type Classification } from '../statement/types.js';

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
  readonly #entries: EngineEntry[] = [];
  readonly #snapshots: { count: number; state: EngineState }[] = [];
  readonly #interval: number;

  constructor(agreement: Agreement, clearance: Classification, interval = snapshot_interval_entries) {
    this.agreement = agreement;
    this.clearance = clearance;
    this.#interval = interval;
    this.#state = initialState(agreement);
    this.#snapshots.push({ count: 0, state: cloneState(this.#state) });
  }

  /** True when a statement of `classification` is visible at this view's clearance. */
  sees(classification: Classification): boolean {
    return CLASSIFICATION_RANK[classification] <= CLASSIFICATION_RANK[this.clearance];
  }

  /** The current state (do not mutate). */
  get current(): EngineState {
    return this.#state;
  }

  get length(): number {
    return this.#entries.length;
  }

  /** Admission time of the last folded entry, or undefined. */
  get lastAdmitted(): string | undefined {
    return this.#entries[this.#entries.length - 1]?.admitted;
  }

  /**
   * Folds `entry` when it is visible here. Returns false when it is not visible or could not be
   * folded. `strict` (the mechanism view) rethrows: there, a fold failure is a broken invariant.
   */
  push(entry: EngineEntry, strict = false): boolean {
    if (!this.sees(entry.envelope.statement.classification)) return false;
    // A statement signed by a key whose registration this reader cannot see cannot be
    // attributed at this clearance: it is left out rather than guessed at (and without the
    // cost of a failed fold and a rebuild).
    if (!strict && entry.envelope.signatures.some((sig) => this.#state.keys[sig.key] === undefined)) {
      this.skipped++;
      return false;
    }
    try {
      evolve(this.agreement, this.#state, entry);
    } catch (e) {
      if (strict) throw e;
      // `evolve` may have changed the state before it threw: rebuild it from the last snapshot
      // from the entries this view holds (each folded cleanly before), leaving this one out.
      this.#rebuild();
      this.skipped++;
      return false;
    }
    this.#entries.push(entry);
    if (this.#entries.length % this.#interval === 0)
      this.#snapshots.push({ count: this.#entries.length, state: cloneState(this.#state) });
    return true;
  }

  #rebuild(): void {
    const snap = this.#snapshots[this.#snapshots.length - 1]!;
    const state = cloneState(snap.state);
    for (let i = snap.count; i < this.#entries.length; i++) evolve(this.agreement, state, this.#entries[i]!);
    this.#state = state;
  }

  /** State at `at`: the current state settled to `at` when nothing later was folded, else a replay from the last snapshot before `at`. */
  stateAt(at: string): EngineState {
    const atMs = Date.parse(at);
    const last = this.lastAdmitted;
    if (last === undefined || Date.parse(last) <= atMs) {
      const s = cloneState(this.#state);
      return atMs > s.settledMs ? settle(this.agreement, s, atMs) : s;
    }
    const entries = this.#entries;
    const source: EntrySource = {
      length: entries.length,
      admittedAt: (i) => entries[i]!.admitted,
      get: (i) => entries[i]!,
    };
    return engineStateAt(this.agreement, source, this.#snapshots, at);
  }
}
