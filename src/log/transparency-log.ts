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
import { tile_height, tile_width, tilePath, tileSpanOf } from './tile.js';
import { interiorHash, tileInterior } from './tile-interior.js';
import { TiledTree, tileHashReader } from './tree.js';

/** Full tiles (with interiors, 16 KiB each) kept in memory for proofs: 16 MiB. */
export const tile_cache_entries_max = 1024;

/**
 * Largest number of entries written in one transaction; bigger inputs are split. Larger batches
 * dirty each page of the random-order statement-id index once for more entries (1M-entry bench:
 * 4,096 → 126k inserts/s, 16,384 → 159k/s); a server's group commits are far smaller anyway.
 */
export const batch_entries_max = 16_384;

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
  readonly #tileCache = new Map<number, { bytes: Buffer; interior: Buffer }>();
  readonly #edgeMemo = new Map<number, Buffer>();

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
        tiles: result.tiles.map((t) =>
          t.width === tile_width ? { ...t, interior: tileInterior(t.bytes) } : t,
        ),
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

  /**
   * Stored hashes for a tree of `size` leaves, read from the stored tiles: a full tile answers
   * every height inside it from its stored interior (no hashing); only the partial edge tiles
   * are folded. Full tiles never change, so they are cached.
   */
  hashReader(size: number = this.size): HashReader {
    // A proof reads several hashes from the same partial tile: read each tile once per reader.
    const partial = new Map<number, Buffer | undefined>();
    const edge = tileHashReader(size, (l, i) => {
      const key = l * 2 ** 40 + i;
      if (!partial.has(key)) partial.set(key, this.store.readTile(l, i));
      return partial.get(key);
    });
    // A stored hash names a complete subtree, so it never changes once its leaves exist: hashes
    // folded from partial edge tiles stay memoized as the log grows. (Every proof about a fresh
    // entry needs the edge's subtrees; folding them again for each group commit's size was most
    // of the cost of a receipt.) The memo only ever holds hashes of committed tiles: a failed
    // append poisons the log.
    return (height, index) => {
      const span = tileSpanOf(height, index);
      const fullTiles = Math.floor(size / tile_width ** (span.level + 1));
      if (span.index >= fullTiles) {
        const key = height * 2 ** 47 + index;
        let h = this.#edgeMemo.get(key);
        if (h === undefined) {
          h = edge(height, index);
          if (this.#edgeMemo.size > 4096) this.#edgeMemo.clear();
          this.#edgeMemo.set(key, h);
        }
        return h;
      }
      const tile = this.#fullTile(span.level, span.index);
      const h = height % tile_height;
      if (h === 0) return tile.bytes.subarray(span.start * 32, span.start * 32 + 32);
      return interiorHash(tile.interior, h, span.start / span.count);
    };
  }

  #fullTile(level: number, index: number): { bytes: Buffer; interior: Buffer } {
    const key = level * 2 ** 40 + index;
    let t = this.#tileCache.get(key);
    if (t !== undefined) {
      // Map iteration order is insertion order: re-inserting makes this the most recent.
      this.#tileCache.delete(key);
      this.#tileCache.set(key, t);
      return t;
    }
    const row = this.store.readTileNodes(level, index);
    if (row === undefined || row.bytes.length !== tile_width * 32) {
      throw new Error(
        `${tilePath(level, index)}: full tile missing or short in the store; run phaseline verify`,
      );
    }
    t = { bytes: row.bytes, interior: row.interior ?? tileInterior(row.bytes) };
    if (this.#tileCache.size >= tile_cache_entries_max)
      this.#tileCache.delete(this.#tileCache.keys().next().value!);
    this.#tileCache.set(key, t);
    return t;
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
