/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the static layout in which the log publishes
 * its Merkle tree and its entries, so any web server or object store can serve the log and any
 * client can verify it with a handful of reads.
 *
 * A tile at level L and index N holds up to 256 consecutive hashes at tree height 8·L, starting
 * at hash 256·N of that height: a level-L tile lists hashes of complete subtrees of 256^L leaves
 * (level 0 lists leaf hashes). A full tile is 256 × 32 = 8192 bytes; the rightmost tile of a
 * level may be partial, with W < 256 hashes, served at `tile/<L>/<N>.p/<W>`.
 */
import { LogFormatError } from './errors.js';
import { hash_bytes } from './rfc6962.js';

/** Tile height in tree levels (c2sp.org/tlog-tiles fixes it at 8). */
export const tile_height = 8;
/** Hashes in a full tile: 2^tile_height. */
export const tile_width = 256;
/** Bytes in a full hash tile: 256 hashes of 32 bytes. */
export const tile_bytes = tile_width * hash_bytes;
/** Highest tile level a path may name ("between 0 and 5" in c2sp.org/tlog-tiles). */
export const tile_level_max = 5;
/**
 * Largest tree the tile layout can describe: level-5 tiles of 256 hashes of 2^40-leaf subtrees.
 * A bigger tree would need level-6 tiles, which the spec does not allow.
 */
export const tiled_tree_size_max = 2 ** 48 - 1;
/** Largest entry in an entry bundle: its length is a big-endian uint16 (c2sp.org/tlog-tiles). */
export const entry_bytes_max = 65535;

/** A hash tile (level 0..5) or an entry bundle (`level: 'entries'`), with its width 1..256. */
export interface TileId {
  level: number | 'entries';
  index: number;
  /** Number of hashes (or entries) in the tile: 256 for a full tile, 1..255 for a partial one. */
  width: number;
}

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`tile index must be a non-negative integer, got ${index}`);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > tile_width) {
    throw new RangeError(`tile width must be an integer in [1, ${tile_width}], got ${width}`);
  }
}

/**
 * The `<N>` path element of c2sp.org/tlog-tiles: 3-digit zero-padded groups, all but the last
 * prefixed with `x`, so that directories stay at most 1000 entries wide (1234067 →
 * `x001/x234/067`).
 */
export function encodeTileIndex(index: number): string {
  checkIndex(index);
  let n = index;
  let out = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  while (n > 0) {
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
    n = Math.floor(n / 1000);
  }
  return out;
}

function suffix(width: number): string {
  checkWidth(width);
  return width === tile_width ? '' : `.p/${width}`;
}

/** Path of a hash tile, `tile/<L>/<N>[.p/<W>]` (c2sp.org/tlog-tiles "Merkle Tree"). */
export function tilePath(level: number, index: number, width: number = tile_width): string {
  if (!Number.isInteger(level) || level < 0 || level > tile_level_max) {
    throw new RangeError(`tile level must be an integer in [0, ${tile_level_max}], got ${level}`);
  }
  return `tile/${level}/${encodeTileIndex(index)}${suffix(width)}`;
}

/** Path of an entry bundle, `tile/entries/<N>[.p/<W>]` (c2sp.org/tlog-tiles "Log Entries"). */
export function entriesPath(index: number, width: number = tile_width): string {
  return `tile/entries/${encodeTileIndex(index)}${suffix(width)}`;
}

/** Path of a `TileId` (hash tile or entry bundle). */
export function pathOf(tile: TileId): string {
  return tile.level === 'entries'
    ? entriesPath(tile.index, tile.width)
    : tilePath(tile.level, tile.index, tile.width);
}

const decimalRe = /^(0|[1-9][0-9]*)$/;

/**
 * Parses a c2sp.org/tlog-tiles path (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`).
 * Only the canonical spelling is accepted (no leading zeros in L or W, no empty `x000` groups,
 * W in 1..255), so each tile has exactly one name and caches cannot be split or poisoned.
 */
export function parseTilePath(path: string): TileId {
  const bad = (why: string): never => {
    throw new LogFormatError(path, `not a tlog-tiles path: ${why}`);
  };
  const parts = path.split('/');
  if (parts.length < 3 || parts[0] !== 'tile') bad('want tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]');
  const levelPart = parts[1]!;
  let level: number | 'entries';
  if (levelPart === 'entries') {
    level = 'entries';
  } else {
    if (!decimalRe.test(levelPart)) bad(`level "${levelPart}" is not a decimal without leading zeros`);
    level = Number(levelPart);
    if (level > tile_level_max) bad(`level ${level} is above ${tile_level_max}`);
  }
  let rest = parts.slice(2);
  let width = tile_width;
  const last = rest[rest.length - 1]!;
  const beforeLast = rest[rest.length - 2];
  if (beforeLast?.endsWith('.p')) {
    if (!decimalRe.test(last)) bad(`partial width "${last}" is not a decimal without leading zeros`);
    width = Number(last);
    if (width < 1 || width >= tile_width) bad(`partial width ${width} is not in 1..${tile_width - 1}`);
    rest = rest.slice(0, -1);
    rest[rest.length - 1] = beforeLast.slice(0, -2);
  }
  let index = 0;
  for (let i = 0; i < rest.length; i++) {
    const isLast = i === rest.length - 1;
    const re = isLast ? /^[0-9]{3}$/ : /^x[0-9]{3}$/;
    const el = rest[i]!;
    if (!re.test(el)) bad(`index element "${el}" is not ${isLast ? 'three digits' : 'x and three digits'}`);
    index = index * 1000 + Number(isLast ? el : el.slice(1));
  }
  if (!Number.isSafeInteger(index)) bad('index too large');
  // Re-encoding rejects `x000/001` and other second names for the same tile.
  if (encodeTileIndex(index) !== rest.join('/'))
    bad(`index is not canonically encoded (want ${encodeTileIndex(index)})`);
  return { level, index, width };
}

/**
 * Checks a hash tile's bytes against its expected width and returns them, failing with the
 * tile path in the error (e.g. `tile/0/x001/234: expected 8192 bytes, got 8000`).
 */
export function checkHashTile(bytes: Uint8Array, level: number, index: number, width: number): Uint8Array {
  const want = width * hash_bytes;
  if (bytes.length !== want) {
    throw new LogFormatError(tilePath(level, index, width), `expected ${want} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/**
 * Hash tiles (level 0..) that exist for a tree of `size` leaves (c2sp.org/tlog-tiles): at each
 * level, the full tiles and the partial tile at the right edge. With `fromSize`, only the tiles
 * that are new or have grown since the tree had `fromSize` leaves, i.e. what must be uploaded
 * to publish `size` after `fromSize` was published. Full tiles never change once written.
 */
export function tilesForSize(size: number, fromSize = 0): TileId[] {
  checkTreeSize(size);
  checkTreeSize(fromSize);
  if (fromSize > size) throw new RangeError(`fromSize ${fromSize} is above size ${size}`);
  const out: TileId[] = [];
  for (let level = 0, span = 1; level <= tile_level_max; level++, span *= tile_width) {
    const n = Math.floor(size / span); // complete hashes at height 8·level
    const n0 = Math.floor(fromSize / span);
    if (n === 0) break;
    if (n === n0) continue;
    const full = Math.floor(n / tile_width);
    for (let i = Math.floor(n0 / tile_width); i < full; i++) out.push({ level, index: i, width: tile_width });
    if (n % tile_width > 0) out.push({ level, index: full, width: n % tile_width });
  }
  return out;
}

/** Entry bundles that exist for `size` entries (new or grown since `fromSize`), as for tiles. */
export function entryBundlesForSize(size: number, fromSize = 0): TileId[] {
  return tilesForSize(size, fromSize)
    .filter((t) => t.level === 0)
    .map((t) => ({ level: 'entries' as const, index: t.index, width: t.width }));
}

function checkTreeSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > tiled_tree_size_max) {
    throw new RangeError(`tree size must be an integer in [0, ${tiled_tree_size_max}], got ${size}`);
  }
}

/** Where the stored hash of a subtree lives inside a tile: `count` hashes from `start`. */
export interface TileSpan {
  level: number;
  index: number;
  /** First hash of the tile that belongs to the subtree. */
  start: number;
  /** Number of tile hashes under the subtree: 2^(height mod 8), at most 128. */
  count: number;
}

/**
 * Maps a stored hash, the complete subtree of 2^height leaves at `index` (golang.org/x/mod/sumdb/tlog
 * numbering), to the tile hashes it is computed from: the tile at level ⌊height/8⌋ covering it,
 * whose `count` hashes from `start` fold into it. Heights that are multiples of 8 are stored
 * directly (`count` 1); others cost count - 1 node hashes.
 */
export function tileSpanOf(height: number, index: number): TileSpan {
  const level = Math.floor(height / tile_height);
  const count = 2 ** (height % tile_height);
  const first = index * count;
  return { level, index: Math.floor(first / tile_width), start: first % tile_width, count };
}

/**
 * Encodes an entry bundle (c2sp.org/tlog-tiles "Log Entries"): each entry as a big-endian uint16
 * length followed by its bytes. Entries over 65,535 bytes cannot be represented and are
 * rejected, as are bundles of more than 256 entries.
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  if (entries.length > tile_width) {
    throw new RangeError(`an entry bundle holds at most ${tile_width} entries, got ${entries.length}`);
  }
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const len = entries[i]!.length;
    if (len > entry_bytes_max) {
      throw new LogFormatError(
        `entry ${i} of bundle`,
        `${len} bytes is over the ${entry_bytes_max}-byte entry limit`,
      );
    }
    total += 2 + len;
  }
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, off);
    out.set(e, off + 2);
    off += 2 + e.length;
  }
  return out;
}

/**
 * Decodes an entry bundle. `where` (usually its path) prefixes every error. With
 * `expectedCount` (the width its path promises) the bundle must hold exactly that many entries
 * and nothing after them; without it, at most 256 entries that consume every byte.
 * Entries are views into `buf`, not copies.
 */
export function decodeEntryBundle(buf: Uint8Array, where: string, expectedCount?: number): Uint8Array[] {
  const max = expectedCount ?? tile_width;
  if (expectedCount !== undefined) checkWidth(expectedCount);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < buf.length) {
    if (out.length === max) {
      throw new LogFormatError(
        where,
        `${buf.length - off} trailing bytes at offset ${off} after entry ${max - 1}`,
      );
    }
    if (buf.length - off < 2) {
      throw new LogFormatError(
        where,
        `truncated: entry ${out.length} length prefix at offset ${off} needs 2 bytes, 1 left`,
      );
    }
    const len = (buf[off]! << 8) | buf[off + 1]!;
    const start = off + 2;
    if (buf.length - start < len) {
      throw new LogFormatError(
        where,
        `truncated: entry ${out.length} at offset ${off} declares ${len} bytes, ${buf.length - start} left`,
      );
    }
    out.push(buf.subarray(start, start + len));
    off = start + len;
  }
  if (expectedCount !== undefined && out.length !== expectedCount) {
    throw new LogFormatError(where, `truncated: expected ${expectedCount} entries, got ${out.length}`);
  }
  return out;
}
