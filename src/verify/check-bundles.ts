/**
 * The expensive half of verification, shared by the main thread and the worker threads:
 * re-hash every entry of a run of entry bundles and compare with the level-0 tiles.
 */
import { leafHash } from '../log/rfc6962.js';
import { decodeEntryBundle, entriesPath, tile_width, tilePath } from '../log/tile.js';
import { foldTileHashes } from '../log/tree.js';
import { verifyEnvelope } from '../statement/envelope.js';
import { decodeEntry } from '../statement/log-entry.js';
import type { TileSource } from './tile-source.js';

/** A verification failure; `where` names the first bad tile, entry or signature. */
export class VerifyError extends Error {
  override name = 'VerifyError';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}

export interface BundleRunResult {
  /** Roots of the full level-0 tiles in the run, 32 bytes each, in order: the level-1 hashes. */
  fullRoots: Buffer;
  /** Leaf hashes of the partial tile at the end of the log, if the run holds it. */
  partial?: Buffer;
}

/**
 * Checks bundles `from` … `to`−1 of a log of `size` entries. With `statements`, every public
 * entry's envelope signatures are checked too (slower: Ed25519 verification per entry).
 */
export async function checkBundles(
  source: TileSource,
  size: number,
  from: number,
  to: number,
  statements: boolean,
): Promise<BundleRunResult> {
  const fullTiles = Math.floor(size / tile_width);
  const fullRoots = Buffer.alloc(32 * Math.max(0, Math.min(to, fullTiles) - from));
  let partial: Buffer | undefined;
  // Read ahead a few files so disk or network latency overlaps hashing.
  const window = 8;
  const reads: Promise<[Buffer | undefined, Buffer | undefined]>[] = [];
  const widthOf = (b: number) => Math.min(tile_width, size - b * tile_width);
  const fetchPair = (b: number) =>
    Promise.all([source.read(entriesPath(b, widthOf(b))), source.read(tilePath(0, b, widthOf(b)))]);
  for (let b = from; b < Math.min(to, from + window); b++) reads.push(fetchPair(b));
  for (let b = from; b < to; b++) {
    if (b + window < to) reads.push(fetchPair(b + window));
    const [bundle, tile] = await reads[b - from]!;
    reads[b - from] = undefined as never; // let the buffers go
    const width = widthOf(b);
    const bundlePath = entriesPath(b, width);
    const tp = tilePath(0, b, width);
    if (bundle === undefined) throw new VerifyError(bundlePath, 'entry bundle missing');
    if (tile === undefined) throw new VerifyError(tp, 'tile missing');
    let entries: Uint8Array[];
    try {
      entries = decodeEntryBundle(bundle, bundlePath, width);
    } catch (e) {
      throw new VerifyError(bundlePath, (e as Error).message.replace(`${bundlePath}: `, ''));
    }
    if (tile.length !== width * 32)
      throw new VerifyError(tp, `expected ${width * 32} bytes, got ${tile.length}`);
    const hashes = Buffer.allocUnsafe(width * 32);
    for (let k = 0; k < width; k++) {
      const entry = entries[k]!;
      leafHash(entry).copy(hashes, k * 32);
      if (statements) checkStatement(entry, b * tile_width + k);
    }
    if (!hashes.equals(tile)) {
      let k = 0;
      while (hashes.subarray(k * 32, k * 32 + 32).equals(tile.subarray(k * 32, k * 32 + 32))) k++;
      throw new VerifyError(
        tp,
        `hash ${k} does not match entry ${b * tile_width + k} of ${bundlePath}: the entry or the tile was altered`,
      );
    }
    if (width === tile_width) foldTileHashes(hashes, 0, tile_width).copy(fullRoots, (b - from) * 32);
    else partial = hashes;
  }
  return partial === undefined ? { fullRoots } : { fullRoots, partial };
}

function checkStatement(entry: Uint8Array, index: number): void {
  const where = `entry ${index}`;
  let e: ReturnType<typeof decodeEntry>;
  try {
    e = decodeEntry(entry, where);
  } catch (err) {
    throw new VerifyError(where, (err as Error).message.replace(`${where}: `, ''));
  }
  if ('envelope' in e) {
    const v = verifyEnvelope(e.envelope);
    if (!v.ok) throw new VerifyError(`${where} signature`, `${v.code}: ${v.message}`);
  }
}
