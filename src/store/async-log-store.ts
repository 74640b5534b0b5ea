/**
 * The asynchronous face of the log's storage: the {@link LogStore} contract (entries, tiles with
 * interiors, the checkpoint, disclosures, an atomic and durable `append` guarded by the current
 * size) with promises, so that a network database (PostgreSQL, `pg`) and the embedded SQLite
 * file share one interface and one test suite (test/store/log-store-suite.ts).
 *
 * The tree and proof code stay synchronous and are not duplicated here. Instead, each operation
 * first reads, asynchronously, exactly the tiles it will touch into a {@link SnapshotLogStore}
 * (a synchronous `LogStore` over prefetched bytes), then runs the ordinary synchronous code on it:
 * - appending needs the partial edge tiles (one per level, `tilesForSize` lists them) to rebuild
 *   the `TiledTree`; `append` on the snapshot only records the batch, which the caller then writes
 *   with {@link AsyncLogStore.append};
 * - a proof needs the tiles under the stored hashes it reads, found by running the same proof
 *   code once over a recording reader ({@link tilesTouched}) — which hashes a proof reads depends
 *   on the index and sizes only, never on hash values.
 *
 * Consistency without a read transaction: the checkpoint is read first and fixes the size; tiles
 * only ever grow by appending (a full tile never changes, a partial one only gets longer), and
 * every reader of a tile cuts it to the width the size implies. So tiles read after the
 * checkpoint always hold what that checkpoint covers.
 */
import { parseCheckpoint } from '../log/checkpoint.js';
import { consistencyProof, inclusionProof } from '../log/proof.js';
import { tile_width, tileSpanOf, tilesForSize } from '../log/tile.js';
import { type LogIdentity, type PendingEntry, TransparencyLog } from '../log/transparency-log.js';
import type { Disclosure } from '../statement/commitment.js';
import { type AppendBatch, type LogStore, StoreError } from './log-store.js';

/** A tile's current bytes and, for a full tile, its stored interior (log/tile-interior.ts). */
export interface TileNodes {
  bytes: Buffer;
  interior?: Buffer;
}

/** A tile coordinate. */
export interface TileKey {
  level: number;
  index: number;
}

/** Most tiles asked for in one {@link AsyncLogStore.readTiles} call (a proof needs ~2 per level). */
export const read_tiles_max = 4096;

/**
 * The {@link LogStore} contract, asynchronously. Everything documented there holds here: back
 * ends store bytes and never hash, sign or decide; `append` is atomic and durable and refuses a
 * batch whose `firstIndex` is not the current size, changing nothing.
 */
export interface AsyncLogStore {
  /** Number of entries durably in the log (equals the latest checkpoint's size). */
  size(): Promise<number>;
  /** The latest signed checkpoint note, or undefined for an empty log. */
  checkpoint(): Promise<string | undefined>;
  /** A tile's current bytes (possibly partial), or undefined when it does not exist yet. */
  readTile(level: number, index: number): Promise<Buffer | undefined>;
  /** Several tiles at once, with interiors, keyed by {@link tileMapKey}; missing tiles are absent. */
  readTiles(keys: readonly TileKey[]): Promise<Map<string, TileNodes>>;
  /** Entry bytes for indexes start … start+count−1 (fewer at the end of the log). */
  readEntries(start: number, count: number): Promise<Buffer[]>;
  /** The restricted content of the commitments among entries start … start+count−1, by index. */
  readDisclosures(start: number, count: number): Promise<Map<number, Disclosure>>;
  /** Statement ids of entries start … start+count−1, as recorded at append (see {@link LogStore}). */
  readStatementIds(start: number, count: number): Promise<string[]>;
  /** The index of the entry holding this statement id, if any. */
  indexOfStatement(statementId: string): Promise<number | undefined>;
  /** Indexes of those of `statementIds` already in the log (for a batch's duplicate check). */
  indexesOfStatements(statementIds: readonly string[]): Promise<Map<string, number>>;
  /** The restricted content behind entry `index`, if it is a commitment. Callers enforce clearance. */
  disclosure(index: number): Promise<Disclosure | undefined>;
  /** Atomically and durably appends a batch (see log-store.ts). */
  append(batch: AppendBatch): Promise<void>;
  /**
   * Runs `fn` as the log's only writer: no other writer (in this process or, for a shared
   * database, on any node) appends until it settles. Reads and appends through `tx` see one
   * consistent log; for PostgreSQL they are one transaction that commits when `fn` resolves and
   * rolls back when it throws. This is the sequencer lease (see the back end for its kind).
   */
  sequence<T>(fn: (tx: AsyncLogStore) => Promise<T>): Promise<T>;
  /**
   * Subscribes to the log's growth by any writer sharing this store (other nodes included):
   * `listener(size)` after each durable append. Returns an unsubscribe function.
   */
  watch(listener: (size: number) => void): () => void;
  /**
   * Durably records that the one-time `nonce` of `scope` (a token request's key) was used, until
   * `expiresMs`, after which the request's own time window refuses it; rows expired at `nowMs`
   * are forgotten. True when this call recorded it; false when it was recorded before, by any
   * node sharing the store, before any restart.
   */
  spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Key of a tile in the maps above. */
export function tileMapKey(level: number, index: number): string {
  return `${level}/${index}`;
}

/**
 * The synchronous SQLite back end (or any {@link LogStore}) as an {@link AsyncLogStore}. Its
 * sequencer is an in-process queue: better-sqlite3 appends are synchronous and take SQLite's
 * write lock up front, so one process cannot interleave two; the queue only keeps one
 * asynchronous `sequence` from running while another awaits.
 */
export class SyncLogStoreAdapter implements AsyncLogStore {
  readonly store: LogStore;
  readonly #queue: { tail: Promise<unknown> };
  readonly #listeners = new Set<(size: number) => void>();

  /**
   * `sharedQueue` (usually the database file path) makes adapters opened on the same file in
   * this process share one sequencer queue and one set of watchers.
   */
  constructor(store: LogStore, sharedQueue?: string) {
    this.store = store;
    if (sharedQueue === undefined) {
      this.#queue = { tail: Promise.resolve() };
    } else {
      let shared = sharedQueues.get(sharedQueue);
      if (shared === undefined) {
        shared = { queue: { tail: Promise.resolve() }, listeners: new Set() };
        sharedQueues.set(sharedQueue, shared);
      }
      this.#queue = shared.queue;
      this.#listeners = shared.listeners;
    }
  }

  async size(): Promise<number> {
    // From the stored checkpoint, not the store's cached size: another adapter on the same file
    // may have appended.
    return checkpointSize(this.store.checkpoint());
  }
  async checkpoint(): Promise<string | undefined> {
    return this.store.checkpoint();
  }
  async readTile(level: number, index: number): Promise<Buffer | undefined> {
    return this.store.readTile(level, index);
  }
  async readTiles(keys: readonly TileKey[]): Promise<Map<string, TileNodes>> {
    checkTileCount(keys.length);
    const out = new Map<string, TileNodes>();
    for (const k of keys) {
      const t = this.store.readTileNodes(k.level, k.index);
      if (t !== undefined) out.set(tileMapKey(k.level, k.index), t);
    }
    return out;
  }
  async readEntries(start: number, count: number): Promise<Buffer[]> {
    return this.store.readEntries(start, count);
  }
  async readStatementIds(start: number, count: number): Promise<string[]> {
    return this.store.readStatementIds(start, count);
  }
  async readDisclosures(start: number, count: number): Promise<Map<number, Disclosure>> {
    const out = new Map<number, Disclosure>();
    const end = Math.min(start + count, checkpointSize(this.store.checkpoint()));
    for (let i = start; i < end; i++) {
      const d = this.store.disclosure(i);
      if (d !== undefined) out.set(i, d);
    }
    return out;
  }
  async indexOfStatement(statementId: string): Promise<number | undefined> {
    return this.store.indexOfStatement(statementId);
  }
  async indexesOfStatements(statementIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of statementIds) {
      const i = this.store.indexOfStatement(id);
      if (i !== undefined) out.set(id, i);
    }
    return out;
  }
  async disclosure(index: number): Promise<Disclosure | undefined> {
    return this.store.disclosure(index);
  }
  async append(batch: AppendBatch): Promise<void> {
    this.store.append(batch);
    const size = batch.firstIndex + batch.entries.length;
    for (const l of this.#listeners) l(size);
  }
  sequence<T>(fn: (tx: AsyncLogStore) => Promise<T>): Promise<T> {
    const run = this.#queue.tail.then(() => fn(this));
    this.#queue.tail = run.catch(() => undefined);
    return run;
  }
  watch(listener: (size: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  async spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): Promise<boolean> {
    if (this.store.spendNonce === undefined) throw new StoreError('this log store is read-only');
    return this.store.spendNonce(scope, nonce, expiresMs, nowMs);
  }
  async close(): Promise<void> {
    await this.#queue.tail;
    this.store.close();
  }
}

const sharedQueues = new Map<
  string,
  { queue: { tail: Promise<unknown> }; listeners: Set<(size: number) => void> }
>();

function checkTileCount(n: number): void {
  if (n > read_tiles_max) throw new RangeError(`readTiles: ${n} tiles asked, at most ${read_tiles_max}`);
}

/**
 * A synchronous {@link LogStore} over bytes prefetched from an {@link AsyncLogStore}: what the
 * synchronous log code (TiledTree, TransparencyLog, ingest) runs on. Reads outside what was
 * prefetched fail loudly (a missing prefetch is a bug, not a missing tile). `append` writes
 * nothing: it records the batch in {@link staged} and advances the snapshot, so that the caller
 * can write the batches with the asynchronous store, in order, in one transaction.
 */
export class SnapshotLogStore implements LogStore {
  #size: number;
  #checkpoint: string | undefined;
  readonly #tiles: Map<string, TileNodes>;
  readonly #statements: Map<string, number>;
  readonly #statementsKnown: ReadonlySet<string> | undefined;
  /** Batches appended through this snapshot, in order, not yet written anywhere. */
  readonly staged: AppendBatch[] = [];

  constructor(options: {
    size: number;
    checkpoint: string | undefined;
    tiles: Map<string, TileNodes>;
    /** Index of each statement id looked up in the store; with `statementsAsked`, ids not in it are known absent. */
    statements?: Map<string, number>;
    statementsAsked?: ReadonlySet<string>;
  }) {
    this.#size = options.size;
    this.#checkpoint = options.checkpoint;
    this.#tiles = options.tiles;
    this.#statements = options.statements ?? new Map();
    this.#statementsKnown = options.statementsAsked;
  }

  size(): number {
    return this.#size;
  }
  checkpoint(): string | undefined {
    return this.#checkpoint;
  }
  readTile(level: number, index: number): Buffer | undefined {
    return this.readTileNodes(level, index)?.bytes;
  }
  readTileNodes(level: number, index: number): TileNodes | undefined {
    const t = this.#tiles.get(tileMapKey(level, index));
    if (t === undefined && !this.#beyondLog(level, index)) {
      throw new StoreError(`snapshot: tile ${level}/${index} was not prefetched`);
    }
    return t;
  }
  /** A tile the log does not have yet (the tree asks for a fresh edge tile's bytes). */
  #beyondLog(level: number, index: number): boolean {
    return index * tile_width ** (level + 1) >= this.#size;
  }
  readEntries(): Buffer[] {
    throw new StoreError('snapshot: entries are not prefetched; read them from the store');
  }
  readStatementIds(): string[] {
    throw new StoreError('snapshot: statement ids are not prefetched; read them from the store');
  }
  indexOfStatement(statementId: string): number | undefined {
    const i = this.#statements.get(statementId);
    if (i !== undefined) return i;
    if (this.#statementsKnown?.has(statementId)) return undefined;
    throw new StoreError(`snapshot: statement ${statementId.slice(0, 16)}… was not looked up`);
  }
  disclosure(): Disclosure | undefined {
    throw new StoreError('snapshot: disclosures are not prefetched; read them from the store');
  }
  append(batch: AppendBatch): void {
    if (batch.firstIndex !== this.#size) {
      throw new StoreError(
        `append: batch starts at ${batch.firstIndex} but the log has ${this.#size} entries`,
      );
    }
    this.staged.push(batch);
    for (const t of batch.tiles) {
      const nodes: TileNodes =
        t.interior === undefined ? { bytes: t.bytes } : { bytes: t.bytes, interior: t.interior };
      this.#tiles.set(tileMapKey(t.level, t.index), nodes);
    }
    for (const [k, m] of batch.meta.entries()) this.#statements.set(m.statementId, batch.firstIndex + k);
    this.#size = batch.firstIndex + batch.entries.length;
    this.#checkpoint = batch.checkpoint;
  }
  close(): void {}
}

/** The size a signed checkpoint note covers (0 for none). The signature is checked by TransparencyLog. */
export function checkpointSize(note: string | undefined): number {
  if (note === undefined) return 0;
  return parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).size;
}

/** The partial edge tiles (at most one per level) a TiledTree of `size` leaves reads when built. */
export function edgeTiles(size: number): TileKey[] {
  return tilesForSize(size)
    .filter((t) => t.width < tile_width)
    .map((t) => ({ level: t.level as number, index: t.index }));
}

/**
 * The tiles whose hashes `run` reads, found by running it over a recording reader that answers
 * zero hashes. Proof code chooses what to read from indexes and sizes alone, so the real run
 * reads exactly these tiles.
 */
export function tilesTouched(run: (read: (height: number, index: number) => Buffer) => unknown): TileKey[] {
  const seen = new Map<string, TileKey>();
  const zero = Buffer.alloc(32);
  run((height, index) => {
    const span = tileSpanOf(height, index);
    seen.set(tileMapKey(span.level, span.index), { level: span.level, index: span.index });
    return zero;
  });
  return [...seen.values()];
}

/** What to prefetch into a snapshot beyond the checkpoint and the edge tiles. */
export interface SnapshotNeeds {
  /** Inclusion proofs (leaf index) against the snapshot's size. */
  inclusion?: readonly number[];
  /** Consistency proofs from these sizes to the snapshot's size. */
  consistency?: readonly number[];
  /** Statement ids whose presence in the log the caller will ask about (`indexOfStatement`). */
  statementIds?: readonly string[];
}

/**
 * Reads a consistent {@link SnapshotLogStore} of `store` at its latest checkpoint: the edge tiles,
 * the tiles the requested proofs touch, and the requested statement lookups. Inside
 * {@link AsyncLogStore.sequence}, pass the transaction's store.
 */
export async function snapshotOf(store: AsyncLogStore, needs: SnapshotNeeds = {}): Promise<SnapshotLogStore> {
  const note = await store.checkpoint();
  const size = checkpointSize(note);
  const keys = new Map<string, TileKey>();
  const want = (ks: TileKey[]) => {
    for (const k of ks) keys.set(tileMapKey(k.level, k.index), k);
  };
  want(edgeTiles(size));
  for (const index of needs.inclusion ?? []) {
    if (index < 0 || index >= size) throw new RangeError(`entry ${index} is not in the log (size ${size})`);
    want(tilesTouched((read) => inclusionProof(index, size, read)));
  }
  for (const from of needs.consistency ?? []) {
    if (from < 1 || from > size) throw new RangeError(`size ${from} is not in [1, ${size}]`);
    want(tilesTouched((read) => consistencyProof(from, size, read)));
  }
  const tiles = new Map<string, TileNodes>();
  const list = [...keys.values()];
  for (let off = 0; off < list.length; off += read_tiles_max) {
    for (const [k, v] of await store.readTiles(list.slice(off, off + read_tiles_max))) tiles.set(k, v);
  }
  const ids = needs.statementIds ?? [];
  const statements = ids.length > 0 ? await store.indexesOfStatements(ids) : new Map<string, number>();
  return new SnapshotLogStore({ size, checkpoint: note, tiles, statements, statementsAsked: new Set(ids) });
}

/**
 * Appends entries through the synchronous log code and writes the resulting batches. Only safe
 * as the sole writer: call it inside {@link AsyncLogStore.sequence} with the transaction's store.
 * Returns the first index and the new size.
 */
export async function appendEntries(
  tx: AsyncLogStore,
  identity: LogIdentity,
  entries: PendingEntry[],
): Promise<{ first: number; size: number }> {
  const snapshot = await snapshotOf(tx);
  const log = new TransparencyLog(snapshot, identity);
  const first = log.append(entries);
  await writeStaged(tx, snapshot);
  return { first, size: snapshot.size() };
}

/** Writes the batches a snapshot recorded, in order. */
export async function writeStaged(tx: AsyncLogStore, snapshot: SnapshotLogStore): Promise<void> {
  for (const batch of snapshot.staged) await tx.append(batch);
}

/** A C2SP tlog-proof receipt for entry `index` against the store's latest checkpoint. */
export async function receiptOf(store: AsyncLogStore, identity: LogIdentity, index: number): Promise<string> {
  const snapshot = await snapshotOf(store, { inclusion: [index] });
  return new TransparencyLog(snapshot, identity).receipt(index);
}
