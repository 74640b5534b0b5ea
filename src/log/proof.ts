/**
 * Merkle inclusion and consistency proofs: generation (RFC 9162 §2.1.3.1, §2.1.4.1) from any
 * store of complete-subtree hashes, and verification (RFC 9162 §2.1.3.2, §2.1.4.2) exactly as
 * the RFC writes it, so that our verifier accepts what every other verifier accepts and nothing
 * more. https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3
 *
 * Tree sizes and indices are JavaScript numbers: exact up to 2^53 - 1, which no log of ours
 * reaches (tlog-tiles itself stops at 2^48 leaves). Arithmetic avoids 32-bit bitwise operators
 * for that reason.
 */
import { ProofError } from './errors.js';
import { emptyRoot, hash_bytes, nodeHash, splitPoint } from './rfc6962.js';

/**
 * Reads the hash of the complete subtree of 2^level leaves whose first leaf is
 * `index * 2^level` (the "stored hash" of golang.org/x/mod/sumdb/tlog). Leaf hashes are level 0.
 * Implementations only ever get asked for subtrees wholly inside the tree being proven.
 */
export type HashReader = (level: number, index: number) => Buffer;

/** Largest tree size a proof can be about: 2^53 - 1, the largest exact integer in a number. */
export const tree_size_max = Number.MAX_SAFE_INTEGER;

/**
 * Most hashes any proof can hold: one per tree level, and a tree of 2^53 leaves has 53; 64
 * matches the 64-bit sizes of RFC 9162. Longer "proofs" are rejected before any hashing.
 */
export const proof_hashes_max = 64;

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${name} must be an integer in [0, ${tree_size_max}], got ${n}`);
  }
}

function isPowerOfTwo(n: number): boolean {
  // Exact for every safe integer: powers of two are exactly representable and log2 of them is.
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * MTH(D[lo:hi]) (RFC 9162 §2.1.1) from stored hashes. `lo` is always a multiple of the largest
 * power of two not above `hi - lo` in the RFC's recursion, so each perfect subtree it meets is
 * one stored hash: at most 2·log2(n) reads, like tlog's `subTreeHash`.
 */
export function subtreeHash(lo: number, hi: number, read: HashReader): Buffer {
  const n = hi - lo;
  if (n < 1) throw new RangeError(`empty subtree [${lo}, ${hi})`);
  if (isPowerOfTwo(n)) {
    if (lo % n !== 0) throw new RangeError(`subtree [${lo}, ${hi}) is not aligned`);
    return read(Math.round(Math.log2(n)), lo / n);
  }
  const k = splitPoint(n);
  return nodeHash(subtreeHash(lo, lo + k, read), subtreeHash(lo + k, hi, read));
}

/** MTH of the first `size` leaves (RFC 9162 §2.1.1); the empty tree's root is SHA-256(""). */
export function rootAt(size: number, read: HashReader): Buffer {
  checkSize('size', size);
  if (size === 0) return Buffer.from(emptyRoot);
  return subtreeHash(0, size, read);
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size`
 * leaves, ordered from the leaf's sibling up to the root's child.
 */
export function inclusionProof(index: number, size: number, read: HashReader): Buffer[] {
  checkSize('size', size);
  checkSize('index', index);
  if (index >= size) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  // The RFC recursion appends the sibling after the deeper path; walking top-down and reversing
  // gives the same order without recursion.
  const topDown: Buffer[] = [];
  let lo = 0;
  let hi = size;
  let m = index;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      topDown.push(subtreeHash(lo + k, hi, read));
      hi = lo + k;
    } else {
      topDown.push(subtreeHash(lo, lo + k, read));
      lo += k;
      m -= k;
    }
  }
  return topDown.reverse();
}

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the consistency proof from the tree of `size1` leaves to
 * the tree of `size2` leaves. Defined for 0 < size1 <= size2; equal sizes give the empty proof.
 */
export function consistencyProof(size1: number, size2: number, read: HashReader): Buffer[] {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 === 0 || size1 > size2) {
    throw new RangeError(
      `no consistency proof from size ${size1} to size ${size2} (need 0 < size1 <= size2)`,
    );
  }
  // SUBPROOF(m, D[lo:hi], b), unrolled top-down as in inclusionProof.
  const topDown: Buffer[] = [];
  let lo = 0;
  let hi = size2;
  let m = size1;
  let b = true;
  for (;;) {
    if (m === hi - lo) {
      if (!b) topDown.push(subtreeHash(lo, hi, read));
      break;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      topDown.push(subtreeHash(lo + k, hi, read));
      hi = lo + k;
    } else {
      topDown.push(subtreeHash(lo, lo + k, read));
      lo += k;
      m -= k;
      b = false;
    }
  }
  return topDown.reverse();
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function checkProofShape(proof: readonly Uint8Array[]): void {
  if (proof.length > proof_hashes_max) {
    throw new ProofError(`proof has ${proof.length} hashes, at most ${proof_hashes_max} allowed`);
  }
  for (let i = 0; i < proof.length; i++) {
    const len = proof[i]!.length;
    if (len !== hash_bytes) throw new ProofError(`proof[${i}] is ${len} bytes, want ${hash_bytes}`);
  }
}

/**
 * RFC 9162 §2.1.3.2: checks that `leafHash` is leaf `leafIndex` of the tree of `treeSize`
 * leaves whose root is `root`. Returns nothing on success and throws `ProofError` otherwise.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || !Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new ProofError(`leaf index ${leafIndex} and tree size ${treeSize} must be non-negative integers`);
  }
  // Step 1.
  if (leafIndex >= treeSize) {
    throw new ProofError(`leaf index ${leafIndex} is not in a tree of size ${treeSize}`);
  }
  if (leafHash.length !== hash_bytes) {
    throw new ProofError(`leaf hash is ${leafHash.length} bytes, want ${hash_bytes}`);
  }
  checkProofShape(proof);
  // Steps 2-3.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  // Step 4.
  for (let i = 0; i < proof.length; i++) {
    const p = proof[i]!;
    if (sn === 0) {
      throw new ProofError(
        `proof has ${proof.length} hashes, more than the ${i} a tree of size ${treeSize} needs`,
      );
    }
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  if (sn !== 0) {
    throw new ProofError(
      `proof has ${proof.length} hashes, too few for leaf ${leafIndex} of a tree of size ${treeSize}`,
    );
  }
  if (!sameBytes(r, root)) {
    throw new ProofError(
      `inclusion of leaf ${leafIndex} in tree of size ${treeSize}: computed root ${hex(r)} does not match ${hex(root)}`,
    );
  }
}

/**
 * RFC 9162 §2.1.4.2: checks that the tree of `size1` leaves with root `root1` is a prefix of the
 * tree of `size2` leaves with root `root2`. Equal sizes need an empty proof and equal roots.
 * A proof from the empty tree (size1 = 0) is rejected: RFC 9162 §2.1.4 only defines proofs for
 * 0 < size1, and a root for size 0 commits to nothing, so a verifier must not rely on one.
 * Throws `ProofError` when the proof does not verify.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  if (!Number.isSafeInteger(size1) || size1 < 0 || !Number.isSafeInteger(size2) || size2 < 0) {
    throw new ProofError(`tree sizes ${size1} and ${size2} must be non-negative integers`);
  }
  if (size2 < size1) throw new ProofError(`size2 ${size2} is smaller than size1 ${size1}`);
  if (size1 === 0) {
    throw new ProofError(
      'a consistency proof from the empty tree proves nothing (RFC 9162 §2.1.4 needs size1 > 0)',
    );
  }
  if (size1 === size2) {
    if (proof.length !== 0) {
      throw new ProofError(`sizes are equal (${size1}) but the proof has ${proof.length} hashes, want none`);
    }
    if (!sameBytes(root1, root2)) {
      throw new ProofError(`sizes are equal (${size1}) but roots differ: ${hex(root1)} vs ${hex(root2)}`);
    }
    return;
  }
  const { fr, sr } = consistencyRoots(size1, size2, proof, root1);
  if (!sameBytes(fr, root1)) {
    throw new ProofError(
      `consistency proof from ${size1} to ${size2}: computed old root ${hex(fr)} does not match ${hex(root1)}`,
    );
  }
  if (!sameBytes(sr, root2)) {
    throw new ProofError(
      `consistency proof from ${size1} to ${size2}: computed new root ${hex(sr)} does not match ${hex(root2)}`,
    );
  }
}

/**
 * Steps 1–7 of RFC 9162 §2.1.4.2 up to the comparisons: the old root `fr` and the new root `sr`
 * that a consistency proof from `size1` to `size2` (0 < size1 < size2) commits to. When size1 is
 * a power of two the old root is not in the proof (step 2 prepends it), so `root1` supplies it.
 * Throws `ProofError` when the proof has the wrong shape for the sizes.
 */
function consistencyRoots(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
): { fr: Uint8Array; sr: Uint8Array } {
  // Step 1.
  if (proof.length === 0) throw new ProofError(`empty consistency proof from size ${size1} to ${size2}`);
  checkProofShape(proof);
  // Step 2: when size1 is a power of two, the old root is itself a node of the new tree and
  // is not repeated in the proof.
  const path: readonly Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // Steps 3-4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) {
      throw new ProofError(`consistency proof from ${size1} to ${size2} has more hashes than needed`);
    }
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 7.
  if (sn !== 0) {
    throw new ProofError(`consistency proof from ${size1} to ${size2} has too few hashes`);
  }
  return { fr, sr };
}

/**
 * The root that the tree of `size2` leaves with root `root2` had at `size1` leaves, as a
 * consistency proof from size1 to size2 shows it, or undefined when the proof does not show it:
 * its shape is wrong, its new root is not `root2`, or size1 is a power of two (then the proof
 * does not carry the old root at all). A witness holding another root for size1 uses this to
 * turn a refused proof into evidence that the log signed two inconsistent trees.
 */
export function impliedOldRoot(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root2: Uint8Array,
): Buffer | undefined {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 <= 0 || size2 <= size1)
    return undefined;
  if (isPowerOfTwo(size1)) return undefined;
  try {
    const { fr, sr } = consistencyRoots(size1, size2, proof, Buffer.alloc(hash_bytes));
    return sameBytes(sr, root2) ? Buffer.from(fr) : undefined;
  } catch (e) {
    if (e instanceof ProofError) return undefined;
    throw e;
  }
}
