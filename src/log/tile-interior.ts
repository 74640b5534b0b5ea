/**
 * The inner subtree hashes of a full hash tile, stored beside it so that a proof never re-hashes.
 *
 * A tile holds the 256 hashes at the bottom of an 8-level slice of the tree; a proof needs
 * hashes at every height inside it. Folding them on demand costs up to 127 node hashes per
 * stored hash (≈ 250 per proof level), which alone would blow the 100 µs proof budget. So when
 * a tile becomes full we compute its 254 inner hashes once (heights 1–7: 128 + 64 + … + 2) and
 * store them. They are a cache: never published, always derivable from the tile.
 */
import { nodeHashAt } from './rfc6962.js';
import { tile_bytes, tile_height, tile_width } from './tile.js';

/** Inner hashes of a full tile: heights 1…7, 254 hashes, 8,128 bytes. */
export const tile_interior_bytes = (tile_width - 2) * 32;

/** Offset (in hashes) of height `h` (1…7) inside the interior buffer. */
function heightOffset(h: number): number {
  // Σ_{j=1}^{h-1} 256 >> j = 256 − 2·(256 >> h) … written out so it reads as the layout.
  let off = 0;
  for (let j = 1; j < h; j++) off += tile_width >> j;
  return off;
}

/** Computes the interior of a full tile (256 hashes). */
export function tileInterior(tile: Uint8Array): Buffer {
  if (tile.length !== tile_bytes)
    throw new RangeError(`tile interior needs a full tile (${tile_bytes} bytes), got ${tile.length}`);
  const out = Buffer.allocUnsafe(tile_interior_bytes);
  let src = Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength);
  let srcOff = 0;
  let outOff = 0;
  for (let h = 1; h < tile_height; h++) {
    const n = tile_width >> h;
    for (let i = 0; i < n; i++) nodeHashAt(src, srcOff + 64 * i).copy(out, outOff + 32 * i);
    src = out;
    srcOff = outOff;
    outOff += 32 * n;
  }
  return out;
}

/** The stored hash at height `h` (1…7), position `i` within a full tile, from its interior. */
export function interiorHash(interior: Buffer, h: number, i: number): Buffer {
  const off = (heightOffset(h) + i) * 32;
  return interior.subarray(off, off + 32);
}
