/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 Merkle tree hashing with SHA-256.
 *
 * Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right),
 * so that a leaf can never be passed off as a node (second-preimage resistance).
 * https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1
 */
import { createHash, hash } from 'node:crypto';

/** Bytes in a SHA-256 hash, the only hash this log uses (RFC 9162 §2.1.1 with SHA-256). */
export const hash_bytes = 32;

/**
 * Largest entry hashed through the scratch buffer. Entries are at most 65,535 bytes in a
 * tlog-tiles entry bundle (c2sp.org/tlog-tiles), so in practice every leaf takes the fast path.
 */
const leaf_scratch_bytes_max = 65536;

// One-shot `crypto.hash` is the fastest SHA-256 for small inputs on Node 20.12+, but it takes a
// single buffer: prefix and payload are copied into reusable scratch buffers instead of
// allocating a concatenation per hash. Safe because hashing is synchronous.
const nodeScratch = Buffer.alloc(1 + 2 * hash_bytes);
nodeScratch[0] = 0x01;
const leafScratch = Buffer.alloc(1 + leaf_scratch_bytes_max);
leafScratch[0] = 0x00;

/** SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1, MTH({}) ). */
export const emptyRoot: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** RFC 9162 §2.1.1 leaf hash: SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length > leaf_scratch_bytes_max) {
    return createHash('sha256').update(leafScratch.subarray(0, 1)).update(data).digest();
  }
  leafScratch.set(data, 1);
  return hash('sha256', leafScratch.subarray(0, 1 + data.length), 'buffer');
}

/** RFC 9162 §2.1.1 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + hash_bytes);
  return hash('sha256', nodeScratch, 'buffer');
}

/**
 * Node hash of two 32-byte hashes stored back to back at `buf[offset .. offset+64)`: the hot
 * path when folding a tile, which avoids creating two views per node.
 */
export function nodeHashAt(buf: Buffer, offset: number): Buffer {
  buf.copy(nodeScratch, 1, offset, offset + 2 * hash_bytes);
  return hash('sha256', nodeScratch, 'buffer');
}

/** Largest power of two strictly less than `n` (n >= 2): the RFC 9162 §2.1.1 split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Reference MTH over leaf hashes, by the RFC 9162 §2.1.1 recursion. Slow on purpose (it is the
 * definition, used to check the fast code), but exact for every size.
 */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return Buffer.from(emptyRoot);
  return mth(hashes, 0, hashes.length);
}

function mth(hashes: readonly Uint8Array[], lo: number, hi: number): Buffer {
  const n = hi - lo;
  if (n === 1) return Buffer.from(hashes[lo]!);
  const k = splitPoint(n);
  return nodeHash(mth(hashes, lo, lo + k), mth(hashes, lo + k, hi));
}
