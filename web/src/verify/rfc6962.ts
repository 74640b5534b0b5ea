/**
 * RFC 6962 hashing and the RFC 9162 §2.1.3.2 inclusion-proof check: from the leaf hash and the
 * audit path, recompute the root of a tree of `size` leaves.
 */
import { concat, sha256 } from './bytes.js';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(LEAF, entry));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(NODE, left, right));
}

/**
 * The root an inclusion proof leads to, or an Error when the proof cannot belong to a tree of
 * that size (wrong length, index out of range). Arithmetic is on doubles, exact up to 2^53,
 * above the 2^48 tlog-tiles size limit.
 */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
): Promise<Uint8Array> {
  if (!(index >= 0 && index < size)) throw new Error(`index ${index} is outside a tree of size ${size}`);
  if (leaf.length !== 32 || proof.some((p) => p.length !== 32)) throw new Error('a hash is not 32 bytes');
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const odd = (n: number) => n % 2 === 1;
  for (const p of proof) {
    if (sn === 0) throw new Error('the proof is longer than the tree is deep');
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else r = await nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('the proof is shorter than the tree is deep');
  return r;
}
