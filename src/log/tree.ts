/**
 * An incremental RFC 6962 tree stored as C2SP tlog-tiles (https://c2sp.org/tlog-tiles).
 *
 * The tree keeps in memory only the right edge: one tile per level, the one still growing.
 * Appending fills those edge tiles; each time one fills up, it is emitted as a full tile and its
 * root (the hash of a 256^(L+1)-leaf subtree) is pushed into the edge tile one level up. Every
 * node hash of the tree is therefore computed exactly once, when its tile is completed, plus at
 * most 255 hashes per level to fold the partial edge tiles into a root.
 *
 * Nothing here touches storage: `append` returns the tiles to write and the new root, and the
 * caller writes the tiles before publishing a checkpoint that covers them (a checkpoint whose
 * tiles are missing could not be verified by anyone).
 */
import { LogFormatError, ProofError } from './errors.js';
import {
  consistencyProof as consistencyProofFrom,
  type HashReader,
  inclusionProof as inclusionProofFrom,
  rootAt,
} from './proof.js';
import { emptyRoot, hash_bytes, leafHash, nodeHash, nodeHashAt } from './rfc6962.js';
import {
  decodeEntryBundle,
  entriesPath,
  entry_bytes_max,
  tile_bytes,
  tile_width,
  tiled_tree_size_max,
  tilePath,
  tileSpanOf,
  tilesForSize,
} from './tile.js';

/**
 * Returns the bytes of hash tile (level, index) as currently stored (full, or the latest
 * partial), or undefined if there is none. Bytes beyond what a reader needs are ignored, so a
 * store may answer with a longer version of a partial tile than the size being read.
 */
export type TileReader = (level: number, index: number) => Uint8Array | undefined;

/** A hash tile to write after an append: `path` is its c2sp.org/tlog-tiles path. */
export interface TileWrite {
  level: number;
  index: number;
  /** 256 for a full tile, 1..255 for a partial one; `bytes.length` is width × 32. */
  width: number;
  path: string;
  bytes: Buffer;
}

/** Result of an append: the tiles to store (full ones first, in order) and the new tree head. */
export interface AppendResult {
  size: number;
  root: Buffer;
  tiles: TileWrite[];
}

/** The growing tile of one level: `width` hashes of tile `index` in `buf` (8192 bytes). */
interface Edge {
  index: number;
  width: number;
  buf: Buffer;
  /**
   * The tile's complete aligned blocks, as a binary counter of its width: for each set bit j of
   * `width`, `peaks[j]` is the hash of the 2^j hashes from `width` with bits 0..j cleared (the
   * peaks the root folds). A push merges as a counter carries, one node hash per hash pushed
   * on average, so the root costs at most 8 node hashes per level instead of refolding the
   * partial tile (up to 255) at every append: that refold cost single submissions, whose
   * group commits are small, ~20 µs each on a slow machine (bench/server-http.ts).
   */
  peaks: Buffer[];
}

/** Peaks of the first `width` hashes of `buf` (see {@link Edge.peaks}), folded from the tile. */
function peaksOf(buf: Buffer, width: number): Buffer[] {
  const peaks: Buffer[] = [];
  for (let j = 0; j < 8; j++)
    if (((width >> j) & 1) !== 0) peaks[j] = foldTileHashes(buf, (width >> (j + 1)) << (j + 1), 1 << j);
  return peaks;
}

// Scratch for folding tile hashes: 128 pair results at most (a 256-hash tile halves once
// before it is copied in). Safe to share because hashing is synchronous.
const foldScratch = Buffer.alloc(tile_bytes);

/**
 * MTH of `count` (a power of two, 1..256) consecutive hashes of `tile` from hash `start`:
 * the RFC 9162 §2.1.1 hash of that perfect subtree. Returns a fresh buffer.
 */
export function foldTileHashes(tile: Uint8Array, start: number, count: number): Buffer {
  const src = Buffer.isBuffer(tile) ? tile : Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength);
  const base = start * hash_bytes;
  if (count === 1) return Buffer.from(src.subarray(base, base + hash_bytes));
  // First round reads the tile itself; later rounds fold in place in the scratch buffer
  // (result i lands at 32·i, below the pair 64·i' it would clobber for any i' > i).
  let n = count / 2;
  for (let i = 0; i < n; i++) nodeHashAt(src, base + 2 * hash_bytes * i).copy(foldScratch, hash_bytes * i);
  while (n > 1) {
    n /= 2;
    for (let i = 0; i < n; i++) nodeHashAt(foldScratch, 2 * hash_bytes * i).copy(foldScratch, hash_bytes * i);
  }
  return Buffer.from(foldScratch.subarray(0, hash_bytes));
}

/**
 * A `HashReader` (stored hashes, as golang.org/x/mod/sumdb/tlog numbers them) over hash tiles,
 * for proofs about a tree of `size` leaves. Each stored hash costs one tile read plus at most 127
 * node hashes; an inclusion proof reads O(log n) tiles.
 */
export function tileHashReader(size: number, read: TileReader): HashReader {
  return (height, index) => {
    const span = tileSpanOf(height, index);
    const levelHashes = Math.floor(size / 256 ** span.level);
    const width = Math.min(tile_width, levelHashes - span.index * tile_width);
    if (width < span.start + span.count) {
      throw new RangeError(`hash ${height}/${index} is outside the tree of size ${size}`);
    }
    const bytes = read(span.level, span.index);
    const where = tilePath(span.level, span.index, width);
    if (bytes === undefined) throw new LogFormatError(where, 'tile not found');
    if (bytes.length < width * hash_bytes || bytes.length % hash_bytes !== 0 || bytes.length > tile_bytes) {
      throw new LogFormatError(where, `expected ${width * hash_bytes} bytes, got ${bytes.length}`);
    }
    return foldTileHashes(bytes, span.start, span.count);
  };
}

/**
 * An append-only RFC 6962 tree over C2SP tlog-tiles (c2sp.org/tlog-tiles), holding only its
 * right edge in memory. Construct it from the current size and a reader of the stored tiles;
 * `append` returns the tiles to store. Not safe for concurrent appends: one sequencer owns it.
 */
export class TiledTree {
  #size: number;
  readonly #read: TileReader;
  readonly #edges: Edge[] = [];
  #root: Buffer | undefined;
  // Tiles completed during the current append, and the levels whose edge changed.
  #out: TileWrite[] = [];
  #dirty: boolean[] = [];

  /**
   * Loads the partial edge tiles (one read per level) of a tree of `size` leaves. Fails with a
   * `LogFormatError` naming the tile if one is missing or too short.
   */
  constructor(size: number, read: TileReader) {
    if (!Number.isSafeInteger(size) || size < 0 || size > tiled_tree_size_max) {
      throw new RangeError(`tree size must be an integer in [0, ${tiled_tree_size_max}], got ${size}`);
    }
    this.#size = size;
    this.#read = read;
    for (let level = 0, span = 1; level === 0 || Math.floor(size / span) > 0; level++, span *= tile_width) {
      const n = Math.floor(size / span);
      const edge: Edge = {
        index: Math.floor(n / tile_width),
        width: n % tile_width,
        buf: Buffer.alloc(tile_bytes),
        peaks: [],
      };
      if (edge.width > 0) {
        const where = tilePath(level, edge.index, edge.width);
        const bytes = read(level, edge.index);
        if (bytes === undefined) throw new LogFormatError(where, 'tile not found');
        const want = edge.width * hash_bytes;
        if (bytes.length < want || bytes.length % hash_bytes !== 0 || bytes.length > tile_bytes) {
          throw new LogFormatError(where, `expected ${want} bytes, got ${bytes.length}`);
        }
        edge.buf.set(bytes.subarray(0, want));
        edge.peaks = peaksOf(edge.buf, edge.width);
      }
      this.#edges.push(edge);
    }
  }

  /** Number of leaves. */
  get size(): number {
    return this.#size;
  }

  /** RFC 9162 §2.1.1 root of the current tree, folded from the edge tiles (cached). */
  root(): Buffer {
    if (this.#root === undefined) this.#root = this.#computeRoot();
    return Buffer.from(this.#root);
  }

  #computeRoot(): Buffer {
    if (this.#size === 0) return Buffer.from(emptyRoot);
    // The peaks (perfect subtrees of the size's binary decomposition), smallest first: the
    // ones inside a level's edge tile are the set bits of its width; higher levels are further
    // left. RFC 9162 folds them right to left: root = H(p1, H(p2, ... H(pk-1, pk))).
    let acc: Buffer | undefined;
    for (const edge of this.#edges) {
      const w = edge.width;
      for (let j = 0; j < 8; j++) {
        if (((w >> j) & 1) === 0) continue;
        const peak = edge.peaks[j]!;
        acc = acc === undefined ? Buffer.from(peak) : nodeHash(peak, acc);
      }
    }
    return acc!;
  }

  /**
   * Appends leaf hashes (RFC 9162 §2.1.1 `leafHash` of each entry, 32 bytes each). Returns the
   * full tiles completed, then the partial edge tiles that changed, and the new root.
   */
  append(leafHashes: readonly Uint8Array[]): AppendResult {
    this.#checkRoom(leafHashes.length);
    for (let i = 0; i < leafHashes.length; i++) {
      const h = leafHashes[i]!;
      if (h.length !== hash_bytes)
        throw new RangeError(`leaf hash ${i} is ${h.length} bytes, want ${hash_bytes}`);
    }
    for (const h of leafHashes) this.#push(0, h);
    return this.#finish(leafHashes.length);
  }

  /**
   * Hashes entries as leaves (RFC 9162 §2.1.1) and appends them. Entries over the tlog-tiles
   * limit of 65,535 bytes are rejected before anything is appended.
   */
  appendEntries(entries: readonly Uint8Array[]): AppendResult {
    this.#checkRoom(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const len = entries[i]!.length;
      if (len > entry_bytes_max) {
        throw new LogFormatError(
          `entry ${this.#size + i}`,
          `${len} bytes is over the ${entry_bytes_max}-byte limit`,
        );
      }
    }
    for (const e of entries) this.#push(0, leafHash(e));
    return this.#finish(entries.length);
  }

  #checkRoom(n: number): void {
    if (this.#size + n > tiled_tree_size_max) {
      throw new RangeError(
        `appending ${n} leaves to ${this.#size} exceeds the ${tiled_tree_size_max}-leaf limit`,
      );
    }
  }

  #push(level: number, hash: Uint8Array): void {
    let edge = this.#edges[level];
    if (edge === undefined) {
      edge = { index: 0, width: 0, buf: Buffer.alloc(tile_bytes), peaks: [] };
      this.#edges[level] = edge;
    }
    // Carry: each set low bit of the width is a complete block to the left of this hash.
    let block: Buffer = Buffer.from(hash);
    let j = 0;
    for (let w = edge.width; (w & 1) !== 0; w >>= 1, j++) block = nodeHash(edge.peaks[j]!, block);
    edge.peaks[j] = block;
    edge.buf.set(hash, edge.width * hash_bytes);
    edge.width++;
    this.#dirty[level] = true;
    if (edge.width === tile_width) {
      // Hand the full buffer to the caller and start a fresh one: full tiles are immutable.
      const full = edge.buf;
      this.#out.push({
        level,
        index: edge.index,
        width: tile_width,
        path: tilePath(level, edge.index),
        bytes: full,
      });
      edge.buf = Buffer.alloc(tile_bytes);
      edge.index++;
      edge.width = 0;
      // The carry reached bit 8: `block` is the hash of the whole tile.
      edge.peaks = [];
      this.#push(level + 1, block);
    }
  }

  #finish(added: number): AppendResult {
    this.#size += added;
    const tiles = this.#out;
    for (let level = 0; level < this.#edges.length; level++) {
      const edge = this.#edges[level]!;
      if (this.#dirty[level] && edge.width > 0) {
        tiles.push({
          level,
          index: edge.index,
          width: edge.width,
          path: tilePath(level, edge.index, edge.width),
          bytes: Buffer.from(edge.buf.subarray(0, edge.width * hash_bytes)),
        });
      }
    }
    this.#out = [];
    this.#dirty = [];
    this.#root = added > 0 || this.#root === undefined ? this.#computeRoot() : this.#root;
    return { size: this.#size, root: Buffer.from(this.#root), tiles };
  }

  /**
   * Stored-hash reader for proofs about the tree at `size` (default: now). Edge tiles come from
   * memory; every other tile from the reader, so the tiles returned by `append` must have been
   * stored where the reader finds them.
   */
  hashReader(size: number = this.#size): HashReader {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#size) {
      throw new RangeError(`size ${size} is not in [0, ${this.#size}]`);
    }
    return tileHashReader(size, (level, index) => {
      const edge = this.#edges[level];
      if (edge !== undefined && edge.index === index) return edge.buf.subarray(0, edge.width * hash_bytes);
      return this.#read(level, index);
    });
  }

  /** RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree at `size` (default: now). */
  inclusionProof(index: number, size: number = this.#size): Buffer[] {
    return inclusionProofFrom(index, size, this.hashReader(size));
  }

  /** RFC 9162 §2.1.4.1 consistency proof from `size1` to `size2` (default: now). */
  consistencyProof(size1: number, size2: number = this.#size): Buffer[] {
    return consistencyProofFrom(size1, size2, this.hashReader(size2));
  }

  /** RFC 9162 §2.1.1 root of the tree at an earlier `size`, from the tiles. */
  rootAt(size: number): Buffer {
    return rootAt(size, this.hashReader(size));
  }
}

/**
 * In-memory tile store for tests, benchmarks and tools: keeps the latest bytes of each tile.
 * `read` is a `TileReader`; `write` stores the tiles an append returned.
 */
export class MemoryTiles {
  readonly tiles = new Map<string, Buffer>();

  readonly read: TileReader = (level, index) => this.tiles.get(`${level}/${index}`);

  write(tiles: readonly TileWrite[]): void {
    for (const t of tiles) this.tiles.set(`${t.level}/${t.index}`, t.bytes);
  }
}

/**
 * Reads entry bundle `index` (c2sp.org/tlog-tiles "Log Entries") as currently stored, or
 * undefined if there is none.
 */
export type BundleReader = (index: number) => Uint8Array | undefined;

/**
 * Audits a stored tiled log of `size` leaves against its checkpoint `root`: rebuilds the tree
 * from the level-0 tiles (and, with `readBundle`, checks every entry bundle hashes to them),
 * then requires every stored tile c2sp.org/tlog-tiles lists for the size to match the rebuilt
 * one byte for byte and the rebuilt root to equal `root`. Any changed, dropped or reordered
 * byte in a tile or bundle therefore fails. Costs one hash per node (what building cost);
 * this is what a party verifying the whole log runs. Throws `LogFormatError` naming the first
 * bad tile or bundle, or `ProofError` if the root differs.
 */
export function auditTiles(
  size: number,
  root: Uint8Array,
  read: TileReader,
  readBundle?: BundleReader,
): void {
  const rebuilt = new MemoryTiles();
  const tree = new TiledTree(0, rebuilt.read);
  for (let index = 0; index * tile_width < size; index++) {
    const width = Math.min(tile_width, size - index * tile_width);
    const where = tilePath(0, index, width);
    const bytes = read(0, index);
    if (bytes === undefined) throw new LogFormatError(where, 'tile not found');
    if (bytes.length < width * hash_bytes)
      throw new LogFormatError(where, `expected ${width * hash_bytes} bytes, got ${bytes.length}`);
    const hashes: Uint8Array[] = [];
    for (let k = 0; k < width; k++) hashes.push(bytes.subarray(k * hash_bytes, (k + 1) * hash_bytes));
    if (readBundle !== undefined) {
      const bundleWhere = entriesPath(index, width);
      const bundle = readBundle(index);
      if (bundle === undefined) throw new LogFormatError(bundleWhere, 'entry bundle not found');
      const entries = decodeEntryBundle(bundle, bundleWhere, width);
      for (let k = 0; k < width; k++) {
        if (!leafHash(entries[k]!).equals(hashes[k]!)) {
          throw new LogFormatError(
            bundleWhere,
            `entry ${k} (leaf ${index * tile_width + k}) does not hash to ${where} hash ${k}`,
          );
        }
      }
    }
    rebuilt.write(tree.append(hashes).tiles);
  }
  for (const t of tilesForSize(size)) {
    const level = t.level as number;
    const where = tilePath(level, t.index, t.width);
    const want = rebuilt.tiles.get(`${level}/${t.index}`)!.subarray(0, t.width * hash_bytes);
    const got = read(level, t.index);
    if (got === undefined) throw new LogFormatError(where, 'tile not found');
    if (got.length < want.length)
      throw new LogFormatError(where, `expected ${want.length} bytes, got ${got.length}`);
    if (!want.equals(got.subarray(0, want.length))) {
      let k = 0;
      while (want[k] === got[k]) k++;
      throw new LogFormatError(
        where,
        `hash ${Math.floor(k / hash_bytes)} differs from the one recomputed from the level below`,
      );
    }
  }
  const computed = tree.root();
  if (!computed.equals(root)) {
    throw new ProofError(
      `tiles of size ${size} hash to root ${computed.toString('hex')}, not ${Buffer.from(root).toString('hex')}`,
    );
  }
}
