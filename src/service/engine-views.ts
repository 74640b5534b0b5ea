/**
 * The engine of one server process, whatever holds its log: one {@link ClearanceView} per
 * clearance level (the `mechanism` view folds everything and is the one the door consults), the
 * door's memory of statement ids and nonces, and the {@link RecordStore} holding the views'
 * growing collections. None of it keeps log entries in memory: the views read entries back
 * through a {@link FoldedLog} (the SQLite back end from its log file, a PostgreSQL node from its
 * local {@link EntryMirror}), so memory does not grow with the log.
 *
 * Classification (DESIGN.md, "Classification"): a statement is folded into the view of its own
 * classification and every view above it, so the state of the `public` view is derived from
 * public statements only and can never leak what a restricted statement said. A lower view may
 * meet a visible statement that depends on something it cannot see (a public statement signed
 * by a key registered in a restricted one); such a statement is left out of that view (see
 * {@link ClearanceView.push}).
 */
import type { Agreement } from '../agreement/model.js';
import {
  type Admission,
  admit,
  type EngineEntry,
  type EngineState,
  FingerprintSeen,
} from '../engine/index.js';
import type { CheckedEnvelope } from '../statement/envelope.js';
import type { Classification } from '../statement/types.js';
import { ClearanceView, type FoldedLog, FoldFlags } from './clearance-view.js';
import { RecordStore } from './record-store.js';

export interface EngineViewsOptions {
  /** Whether the log holds statement `id` (asked only when the door's fingerprints say it may). */
  confirmStatement(id: string): boolean;
  /** The record store's file (recreated), `:memory:`, or undefined to keep records as plain objects. */
  records: string | undefined;
  /** Entries between state snapshots of each view at first (default: the view's, see clearance-view.ts). */
  snapshot_interval_entries?: number;
}

/** Record versions held in memory before the record store writes them to its file. */
export const record_rows_pending_max = 1024;

export class EngineViews {
  readonly agreement: Agreement;
  readonly #views: Record<Classification, ClearanceView>;
  readonly #seen: FingerprintSeen;
  readonly #records: RecordStore | undefined;

  constructor(agreement: Agreement, log: FoldedLog, options: EngineViewsOptions) {
    this.agreement = agreement;
    this.#seen = new FingerprintSeen(options.confirmStatement);
    this.#records = options.records === undefined ? undefined : new RecordStore(options.records);
    const flags = new FoldFlags();
    const view = (clearance: Classification, slot: number) =>
      new ClearanceView(agreement, clearance, log, {
        ...(options.snapshot_interval_entries !== undefined
          ? { snapshot_interval_entries: options.snapshot_interval_entries }
          : {}),
        folded: { flags, bit: slot },
        ...(this.#records ? { records: { store: this.#records, slot } } : {}),
      });
    this.#views = { public: view('public', 0), parties: view('parties', 1), mechanism: view('mechanism', 2) };
  }

  /** Folds the next log entry (statement id `id`) into every view that may see it. */
  fold(entry: EngineEntry, id: string): void {
    this.#views.mechanism.push(entry, true);
    this.#views.parties.push(entry);
    this.#views.public.push(entry);
    this.#seen.add(id, entry.envelope.statement.nonce);
  }

  /**
   * The door, against the current state of the mechanism view (`verified`: signatures already
   * checked); the records a statement names are looked up in the view its issuer's party is
   * cleared to read, so that no answer depends on what the submitter may not read.
   */
  admit(envelope: unknown, at: string, verified?: CheckedEnvelope): Admission {
    return admit(
      this.agreement,
      this.#views.mechanism.current,
      envelope,
      at,
      this.#seen,
      verified,
      (party) => {
        const clearance = this.agreement.parties.find((p) => p.id === party)?.clearance ?? 'public';
        return this.#views[clearance].current;
      },
    );
  }

  /**
   * Every entry folded so far is in the log that `confirmStatement` asks: the door forgets its
   * exact copies of their ids, and the record store writes their records once enough of them
   * are pending (small group commits of single submissions share one write).
   */
  durable(): void {
    this.#seen.durable();
    this.#records?.flushOver(record_rows_pending_max);
  }

  /** Entries folded so far (the log position of the views). */
  get size(): number {
    return this.#views.mechanism.length;
  }

  /** Admission time of the last folded entry, or undefined before any. */
  get lastAdmitted(): string | undefined {
    return this.#views.mechanism.lastAdmitted;
  }

  stateAt(at: string, clearance: Classification): EngineState {
    return this.#views[clearance].stateAt(at);
  }

  /** Statements left out of a lower view because they depend on content above it. */
  skipped(clearance: Classification): number {
    return this.#views[clearance].skipped;
  }

  /** Closes (and removes) the record store's file. */
  close(): void {
    this.#records?.close();
  }
}
