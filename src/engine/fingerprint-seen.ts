/**
 * The door's memory of every admitted statement id and nonce, in about 12 bytes per statement
 * instead of two JavaScript strings (~200 bytes): a long-running server holding a million
 * statements keeps ~13 MB here rather than ~300 MB (issue: resident memory of `serve`).
 *
 * Each id is kept as a 32-bit and each nonce as a 64-bit fingerprint in compact sets
 * ({@link FingerprintSet}). A fingerprint can collide, so a hit is not proof:
 *   - an id hit is confirmed by the caller's `confirmStatement` (the log store's index of
 *     statement ids), so a duplicate is only ever reported for a statement really in the log;
 *   - a nonce hit is taken as reuse. Two different nonces share a fingerprint with probability
 *     about n / 2^64 per new statement (1e-13 with a million in the log), and a collision
 *     crafted on purpose can only get the crafter's own statement refused.
 * Written by hand: no maintained package offers a compact set of 32- or 64-bit values for Node.
 */
import { endianness } from 'node:os';
import type { SeenStatements } from './admit.js';

/**
 * A set of 32-bit (`words` 1) or 64-bit (`words` 2, as hi and lo uint32) fingerprints in
 * about `4 × words` bytes each: a sorted run of everything but the latest additions, and a
 * small open-addressing table of those, merged into the run when it reaches 1/8 of it.
 *
 * A hash table alone needs twice the room at load 1/2 and doubles at powers of two: at
 * 1,048,577 statements its tables would jump from 24 to 48 MB. The run grows by what is added,
 * and a lookup in it bisects only the bucket of its leading bits (fingerprints are uniform: ~8
 * to a bucket, the bucket starts costing half a word per fingerprint), so it touches two or
 * three cache lines rather than twenty.
 */
export class FingerprintSet {
  readonly words: 1 | 2;
  /** Sorted fingerprints, `words` uint32 each, most significant word first. */
  #run: Uint32Array = new Uint32Array(0);
  #runCount = 0;
  /** Where each bucket (top `#bits` bits of the first word) starts in the run; see {@link #index}. */
  #buckets = new Uint32Array(2);
  #bits = 0;
  /** Open-addressing table of the fingerprints not yet in the run; all-zero marks an empty slot. */
  #table: Uint32Array;
  #tableCount = 0;
  #mask: number;
  /** Whether the all-zero fingerprint is in the set (it cannot be stored in a slot). */
  #hasZero = false;

  constructor(words: 1 | 2) {
    this.words = words;
    this.#table = new Uint32Array(64 * words);
    this.#mask = 63;
  }

  get size(): number {
    return this.#runCount + this.#tableCount + (this.#hasZero ? 1 : 0);
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#run.byteLength + this.#table.byteLength + this.#buckets.byteLength;
  }

  /** Whether the fingerprint (`hi`, and `lo` when 64-bit) is in the set. */
  has(hi: number, lo = 0): boolean {
    hi >>>= 0;
    lo = this.words === 2 ? lo >>> 0 : 0;
    if (hi === 0 && lo === 0) return this.#hasZero;
    return this.#tableHas(hi, lo) || this.#runHas(hi, lo);
  }

  add(hi: number, lo = 0): void {
    hi >>>= 0;
    lo = this.words === 2 ? lo >>> 0 : 0;
    if (hi === 0 && lo === 0) {
      this.#hasZero = true;
      return;
    }
    if (this.#tableHas(hi, lo) || this.#runHas(hi, lo)) return;
    if ((this.#tableCount + 1) * 2 > this.#mask + 1) {
      if (this.#tableCount >= Math.max(1024, this.#runCount >> 3)) this.#merge();
      else this.#rehash((this.#mask + 1) * 2);
    }
    this.#insert(this.#table, this.#mask, hi, lo);
    this.#tableCount++;
  }

  #slot(hi: number, lo: number, mask: number): number {
    return (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
  }

  #tableHas(hi: number, lo: number): boolean {
    const t = this.#table;
    const w = this.words;
    for (let i = this.#slot(hi, lo, this.#mask); ; i = (i + 1) & this.#mask) {
      const h = t[i * w]!;
      const l = w === 2 ? t[i * w + 1]! : 0;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
    }
  }

  #insert(t: Uint32Array, mask: number, hi: number, lo: number): void {
    const w = this.words;
    let i = this.#slot(hi, lo, mask);
    while (t[i * w] !== 0 || (w === 2 && t[i * w + 1] !== 0)) i = (i + 1) & mask;
    t[i * w] = hi;
    if (w === 2) t[i * w + 1] = lo;
  }

  #rehash(slots: number): void {
    const old = this.#table;
    const w = this.words;
    this.#table = new Uint32Array(slots * w);
    this.#mask = slots - 1;
    for (let i = 0; i < old.length; i += w)
      if (old[i] !== 0 || (w === 2 && old[i + 1] !== 0))
        this.#insert(this.#table, this.#mask, old[i]!, w === 2 ? old[i + 1]! : 0);
  }

  /** Index in the run of the first fingerprint ≥ (hi, lo). */
  #lowerBound(hi: number, lo: number): number {
    const r = this.#run;
    const w = this.words;
    // The bucket of the top `#bits` bits of hi brackets the answer: ~8 fingerprints to bisect.
    const bucket = this.#bits === 0 ? 0 : hi >>> (32 - this.#bits);
    let a = this.#buckets[bucket]!;
    let b = this.#buckets[bucket + 1]!;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (r[m * w]! < hi || (r[m * w] === hi && w === 2 && r[m * w + 1]! < lo)) a = m + 1;
      else b = m;
    }
    return a;
  }

  /** Rebuilds the bucket starts of the run: 2^bits + 1 positions, ~8 fingerprints a bucket. */
  #index(): void {
    const n = this.#runCount;
    const bits = Math.min(24, Math.max(0, Math.floor(Math.log2(n / 8))));
    const buckets = new Uint32Array((1 << bits) + 1);
    const r = this.#run;
    const w = this.words;
    let k = 0;
    for (let bucket = 0; bucket < 1 << bits; bucket++) {
      while (k < n && (bits === 0 ? 0 : r[k * w]! >>> (32 - bits)) < bucket) k++;
      buckets[bucket] = k;
    }
    buckets[1 << bits] = n;
    this.#bits = bits;
    this.#buckets = buckets;
  }

  #runHas(hi: number, lo: number): boolean {
    if (this.#runCount === 0) return false;
    const k = this.#lowerBound(hi, lo);
    const w = this.words;
    return k < this.#runCount && this.#run[k * w] === hi && (w === 1 || this.#run[k * w + 1] === lo);
  }

  /** Moves the table's fingerprints into the run (one sorted merge) and empties the table. */
  #merge(): void {
    const w = this.words;
    const t = this.#table;
    const added = new Uint32Array(this.#tableCount * w);
    let k = 0;
    for (let i = 0; i < t.length; i += w)
      if (t[i] !== 0 || (w === 2 && t[i + 1] !== 0)) {
        added[k++] = t[i]!;
        if (w === 2) added[k++] = t[i + 1]!;
      }
    if (w === 1) added.sort();
    else sortPairs(added);
    const run = this.#run;
    const out = new Uint32Array(run.length + added.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < run.length || j < added.length) {
      const takeRun =
        j >= added.length ||
        (i < run.length &&
          (run[i]! < added[j]! || (run[i] === added[j] && w === 2 && run[i + 1]! < added[j + 1]!)));
      const src = takeRun ? run : added;
      const at = takeRun ? i : j;
      out[o++] = src[at]!;
      if (w === 2) out[o++] = src[at + 1]!;
      if (takeRun) i += w;
      else j += w;
    }
    this.#run = out;
    this.#runCount += this.#tableCount;
    this.#index();
    this.#tableCount = 0;
    this.#table = new Uint32Array(64 * w);
    this.#mask = 63;
  }
}

const little_endian = endianness() === 'LE';

/**
 * Sorts (hi, lo) uint32 pairs in place as 64-bit numbers. On a little-endian machine, swapped
 * to (lo, hi) each pair reads as one uint64 of a BigUint64Array over the same bytes, which the
 * engine sorts natively: a JavaScript comparator over an index array made the merges of the
 * door's and the record stores' filters ~2 µs of the sequencing thread's time per statement.
 */
function sortPairs(pairs: Uint32Array): void {
  if (little_endian) {
    swapWords(pairs);
    new BigUint64Array(pairs.buffer, pairs.byteOffset, pairs.length / 2).sort();
    swapWords(pairs);
    return;
  }
  const order = Array.from({ length: pairs.length / 2 }, (_, i) => i);
  order.sort((x, y) => pairs[x * 2]! - pairs[y * 2]! || pairs[x * 2 + 1]! - pairs[y * 2 + 1]!);
  const sorted = new Uint32Array(pairs.length);
  for (let i = 0; i < order.length; i++) {
    sorted[i * 2] = pairs[order[i]! * 2]!;
    sorted[i * 2 + 1] = pairs[order[i]! * 2 + 1]!;
  }
  pairs.set(sorted);
}

function swapWords(pairs: Uint32Array): void {
  for (let i = 0; i < pairs.length; i += 2) {
    const t = pairs[i]!;
    pairs[i] = pairs[i + 1]!;
    pairs[i + 1] = t;
  }
}

/** 64 bits of a lowercase hex string's first 16 digits (a SHA-256 statement id is uniformly random). */
function hexPrefix(id: string): [number, number] {
  const hi = Number.parseInt(id.slice(0, 8), 16);
  const lo = Number.parseInt(id.slice(8, 16), 16);
  if (!Number.isFinite(hi) || !Number.isFinite(lo)) return fnv64(id);
  return [hi >>> 0, lo >>> 0];
}

/** 64 bits from two independent 32-bit FNV-1a-style hashes of a string's UTF-16 code units (a nonce is any string). */
export function fnv64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

/** {@link SeenStatements} over two fingerprint sets (see the file comment for what a hit means). */
export class FingerprintSeen implements SeenStatements {
  /** 32 bits of each id suffice: a hit is confirmed against the store (1 in 4,000 at a million). */
  readonly #ids = new FingerprintSet(1);
  readonly #nonces = new FingerprintSet(2);
  readonly #confirm: (id: string) => boolean;
  /** Ids added since the last {@link durable}: admitted in a batch the store does not hold yet. */
  readonly #recent = new Set<string>();

  /** `confirmStatement(id)`: whether the log's store holds statement `id` (called on fingerprint hits only). */
  constructor(confirmStatement: (id: string) => boolean) {
    this.#confirm = confirmStatement;
  }

  hasStatement(id: string): boolean {
    return this.#ids.has(hexPrefix(id)[0]) && (this.#recent.has(id) || this.#confirm(id));
  }

  /** Every id added so far is now in the store (its batch committed): forget the exact copies. */
  durable(): void {
    this.#recent.clear();
  }

  hasNonce(nonce: string): boolean {
    const [hi, lo] = fnv64(nonce);
    return this.#nonces.has(hi, lo);
  }

  add(id: string, nonce: string): void {
    this.#recent.add(id);
    this.#ids.add(hexPrefix(id)[0]);
    const [nh, nl] = fnv64(nonce);
    this.#nonces.add(nh, nl);
  }

  get size(): number {
    return this.#ids.size;
  }

  /** Bytes held by both tables. */
  get bytes(): number {
    return this.#ids.bytes + this.#nonces.bytes;
  }
}
