/**
 * The storage interface of the log: one interface, one test suite, a folder per back end
 * (as Tessera does). Back ends store bytes; they never hash, sign or decide anything.
 *
 * The contract that makes crashes safe: {@link LogStore.append} writes a whole batch — entries,
 * the tiles they change and the checkpoint that covers them — atomically and durably. A crash
 * before it returns leaves the store exactly at the previous checkpoint; after it returns the
 * batch survives a crash. Acknowledging a statement before `append` returns would be a lie.
 */
import type { TileWrite } from '../log/tree.js';

/** A tile write, with the inner subtree hashes of a full tile so proofs need no re-hashing. */
export type StoredTileWrite = TileWrite & { interior?: Buffer };

import type { Disclosure } from '../statement/commitment.js';

/** What the store indexes about each entry, so lookups and duplicate checks need no parsing. */
export interface EntryMeta {
  /** Hex SHA-256 of the statement's canonical bytes. */
  statementId: string;
}

export interface AppendBatch {
  /** Must equal the store's current size: a guard against two writers. */
  firstIndex: number;
  entries: Buffer[];
  meta: EntryMeta[];
  /** Per entry, the restricted content behind a commitment (null for public entries). */
  disclosures: (Disclosure | null)[];
  tiles: StoredTileWrite[];
  /** The signed checkpoint note for size firstIndex + entries.length. */
  checkpoint: string;
}

export interface LogStore {
  /** See {@link AsyncLogStore.spendNonce}; absent on read-only snapshots. */
  spendNonce?(scope: string, nonce: string, expiresMs: number, nowMs: number): boolean;
  /** Number of entries durably in the log (equals the latest checkpoint's size). */
  size(): number;
  /** The latest signed checkpoint note, or undefined for an empty log. */
  checkpoint(): string | undefined;
  /** A tile's current bytes (possibly partial), or undefined when it does not exist yet. */
  readTile(level: number, index: number): Buffer | undefined;
  /** A tile with its stored inner hashes (present for full tiles only). */
  readTileNodes(level: number, index: number): { bytes: Buffer; interior?: Buffer } | undefined;
  /** Entry bytes for indexes start … start+count−1 (fewer at the end of the log). */
  readEntries(start: number, count: number): Buffer[];
  /**
   * The statement ids of entries start … start+count−1 (fewer at the end of the log), as
   * recorded with each entry when it was appended: a replay reads them rather than
   * canonicalizing and hashing every statement again.
   */
  readStatementIds(start: number, count: number): string[];
  /** The index of the entry holding this statement id, if any. */
  indexOfStatement(statementId: string): number | undefined;
  /** The restricted content behind entry `index`, if it is a commitment. Callers enforce clearance. */
  disclosure(index: number): Disclosure | undefined;
  /** Atomically and durably appends a batch (see the file comment). */
  append(batch: AppendBatch): void;
  close(): void;
}

/** Thrown when the store is asked to do something that would corrupt the log. */
export class StoreError extends Error {
  override name = 'StoreError';
}
