/**
 * The asynchronous face of a mechanism office, shared by every storage back end (SQLite in
 * one process; PostgreSQL with several nodes). The HTTP server and the `serve` command are
 * written against this interface only, so a back end is a folder that implements it.
 *
 * Contract:
 * - `submit` resolves only when every admitted envelope is durable and covered by a signed
 *   checkpoint (acknowledged means durable). Concurrent calls are group-committed.
 * - Only one sequencer appends at a time (in-process queue for SQLite; an advisory-lock lease
 *   across nodes for PostgreSQL). A node that is not the sequencer forwards or waits.
 * - Every read is a pure function of the log up to the size it reports; `stateAt(at, clearance)`
 *   folds only the statements visible at `clearance` (public readers never see restricted content).
 */
import type { Agreement } from '../agreement/model.js';
import type { EngineState } from '../engine/index.js';
import type { IngestResult, SubmitGate } from '../ingest/ingest.js';
import type { Disclosure } from '../statement/commitment.js';
import type { EnvelopeText } from '../statement/envelope.js';
import type { Classification } from '../statement/types.js';
import type { AsyncLogStore } from '../store/async-log-store.js';

export interface StoredEntry {
  index: number;
  /** The exact leaf bytes (public envelope or commitment). */
  bytes: Buffer;
  /** The restricted content behind a commitment; present only for callers that ask for it. */
  disclosure?: Disclosure;
}

/** Called after entries first … first+count−1 became durable (on any node, for PostgreSQL). */
export type AppendListener = (first: number, count: number) => void;

export interface MechanismService {
  readonly agreement: Agreement;
  /** The log origin and the log's verifier key string. */
  readonly origin: string;
  readonly logKey: string;

  /** Current durable log size. */
  size(): Promise<number>;
  /** Statements waiting to be sequenced (a metric). */
  readonly queued: number;
  /** Set when a write failed and the office refuses submissions until restarted (/healthz answers 503). */
  readonly failure: Error | undefined;
  /**
   * Admits what it can of `envelopes` (values, or {@link EnvelopeText}s to parse) at time `now`;
   * one result per input, in order. `gate` is asked about each envelope once its signatures
   * verified, before it is admitted (the server's per-key rate limit).
   */
  submit(envelopes: unknown[], now: string, gate?: SubmitGate): Promise<IngestResult[]>;
  /** C2SP tlog-proof receipt for an entry against the latest checkpoint. */
  receipt(index: number): Promise<string>;
  /** The latest signed checkpoint note. */
  checkpoint(): Promise<string | undefined>;
  /** Hash tile bytes exactly as `phaseline log export` writes them, or undefined if no such tile exists. */
  tile(level: number, index: number, width: number): Promise<Buffer | undefined>;
  /** Entry bundle bytes exactly as exported, or undefined. */
  entryBundle(index: number, width: number): Promise<Buffer | undefined>;
  /** An entry; `withDisclosure` includes restricted content (callers enforce clearance). */
  entry(index: number, withDisclosure: boolean): Promise<StoredEntry | undefined>;
  /** Index of the entry holding a statement id, if any. */
  indexOfStatement(statementId: string): Promise<number | undefined>;
  /**
   * Spends a one-time request nonce (a token request's `key` and `nonce`) durably in the store,
   * remembered until `expiresMs`: true the first time, false ever after — on every node, across
   * restarts (see {@link AsyncLogStore.spendNonce}).
   */
  spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): Promise<boolean>;
  /** The derived state at `at`, folding only what a reader cleared for `clearance` may see. */
  stateAt(at: string, clearance: Classification): Promise<EngineState>;
  /** Subscribes to appends; returns an unsubscribe function. */
  onAppended(listener: AppendListener): () => void;
  close(): Promise<void>;
}
