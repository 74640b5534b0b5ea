/**
 * The log as a service over a {@link LogStore}: appends entries in batches, signs a checkpoint
 * for every batch, and answers proofs and receipts from the stored tiles.
 *
 * Ordering of effects (the Sunlight habit): the tree computes the new tiles in memory, the
 * checkpoint is signed over the new root, and only then is everything written in one durable
 * transaction. If the process dies anywhere before the commit, the store still holds the old
 * checkpoint with exactly the tiles and entries it covers; the in-memory tree is rebuilt from
 * the store on the next start. A failed commit poisons this instance so that its in-memory
 * edge can never drift from what is stored.
 */

import type { Disclosure } from '../statement/commitment.js';
import { type NoteSigner, parseVerifierKey } from '../statement/keys.js';
import { openNote, signNote } from '../statement/note.js';
import type { AppendBatch, EntryMeta, LogStore } from '../store/log-store.js';
import { formatCheckpoint, parseCheckpoint } from './checkpoint.js';
import { consistencyProof, type HashReader, inclusionProof, rootAt } from './proof.js';
import { formatReceipt } from './receipt.js';
import { leafHash } from './rfc6962.js';
import { TiledTree, tileHashReader } from './tree.js';

/** Largest number of entries written in one transaction; bigger inputs are split. */
export const batch_entries_max = 4096;

export interface LogIdentity {
  /** The checkpoint origin line; by convention the log key's name. */
  origin: string;
  signer: NoteSigner;
}

export interface PendingEntry {
  bytes: Buffer;
  meta: EntryMeta;
  disclosure: Disclosure | null;
}

export class TransparencyLog {
  readonly store: LogStore;
  readonly origin: string;
  readonly #signer: NoteSigner;
  #tree: TiledTree;
  #poisoned: Error | undefined;

  constructor(store: LogStore, identity: LogIdentity) {
    if (identity.signer.name !== identity.origin) {
      // Verifiers look the checkpoint key up by the origin; a mismatch makes every checkpoint unverifiable.
      throw new Error(`log key name ${identity.signer.name} must equal the log origin ${identity.origin}`);
    }
    this.store = store;
    this.origin = identity.origin;
    this.#signer = identity.signer;
    this.#tree = new TiledTree(store.size(), (l, i) => store.readTile(l, i));
    const note = store.checkpoint();
    if (note !== undefined) {
      const cp = parseCheckpoint(openNote(note, [parseVerifierKey(identity.signer.vkey)]).text);
      if (cp.origin !== this.origin || cp.size !== store.size() || !cp.root.equals(this.#tree.root())) {
        throw new Error(
          `stored checkpoint (origin ${cp.origin}, size ${cp.size}) does not match the stored tiles; run phaseline verify`,
        );
      }
    }
  }

  get size(): number {
    return this.#tree.size;
  }

  /** The latest signed checkpoint, or undefined for an empty log. */
  checkpoint(): string | undefined {
    return this.store.checkpoint();
  }

  /**
   * Appends entries durably, in transactions of at most {@link batch_entries_max}. Returns the
   * index of the first entry. When this returns, every entry is durable and covered by a signed
   * checkpoint; `onDurable` is called after each transaction with the indexes it made durable.
   */
  append(entries: PendingEntry[], onDurable?: (first: number, count: number) => void): number {
    if (this.#poisoned) throw new Error(`log is unusable after a failed write: ${this.#poisoned.message}`);
    const first = this.size;
    for (let off = 0; off < entries.length; off += batch_entries_max) {
      const chunk = entries.slice(off, off + batch_entries_max);
      const firstIndex = this.size;
      const result = this.#tree.append(chunk.map((e) => leafHash(e.bytes)));
      const checkpoint = signNote(
        formatCheckpoint({ origin: this.origin, size: result.size, root: result.root }),
        [this.#signer],
      );
      const batch: AppendBatch = {
        firstIndex,
        entries: chunk.map((e) => e.bytes),
        meta: chunk.map((e) => e.meta),
        disclosures: chunk.map((e) => e.disclosure),
        tiles: result.tiles,
        checkpoint,
      };
      try {
        this.store.append(batch);
      } catch (e) {
        this.#poisoned = e as Error;
        throw e;
      }
      onDurable?.(firstIndex, chunk.length);
    }
    return first;
  }

  /** Stored hashes for a tree of `size` leaves, read from the stored tiles. */
  hashReader(size: number = this.size): HashReader {
    return tileHashReader(size, (l, i) => this.store.readTile(l, i));
  }

  inclusionProof(index: number, size: number = this.size): Buffer[] {
    return inclusionProof(index, size, this.hashReader(size));
  }

  consistencyProof(size1: number, size2: number = this.size): Buffer[] {
    return consistencyProof(size1, size2, this.hashReader(size2));
  }

  rootAt(size: number): Buffer {
    return rootAt(size, this.hashReader(size));
  }

  /** A C2SP tlog-proof receipt for entry `index` against the latest checkpoint. */
  receipt(index: number): string {
    const checkpoint = this.store.checkpoint();
    if (checkpoint === undefined || index >= this.size)
      throw new RangeError(`entry ${index} is not in the log (size ${this.size})`);
    return formatReceipt({ index, proof: this.inclusionProof(index), checkpoint });
  }
}
