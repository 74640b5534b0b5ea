/**
 * The door's memory of every admitted statement id and nonce, in 24 bytes per statement
 * instead of two JavaScript strings (~200 bytes): a long-running server holding a million
 * statements keeps 24 MB here rather than ~300 MB (issue: resident memory of `serve`).
 *
 * Each id is kept as a 32-bit and each nonce as a 64-bit fingerprint in open-addressing hash
 * tables (linear probing, load at most 1/2). A fingerprint can collide, so a hit is not proof:
 *   - an id hit is confirmed by the caller's `confirmStatement` (the log store's index of
 *     statement ids), so a duplicate is only ever reported for a statement really in the log;
 *   - a nonce hit is taken as reuse. Two different nonces share a fingerprint with probability
 *     about n / 2^64 per new statement (1e-13 with a million in the log), and a collision
 *     crafted on purpose can only get the crafter's own statement refused.
 * Written by hand: no maintained package offers a compact 64-bit set for Node.
 */
import type { SeenStatements } from './admit.js';

/** Open-addressing set of 64-bit values held as (hi, lo) uint32 pairs; (0, 0) marks an empty slot. */
export class Fingerprint64Set {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;
  /** Whether the value (0, 0) is in the set (it cannot be stored in a slot). */
  #hasZero = false;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.#slots = new Uint32Array(n * 2);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size + (this.#hasZero ? 1 : 0);
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(hi: number, lo: number): boolean {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) return this.#hasZero;
    const s = this.#slots;
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const h = s[i * 2]!;
      const l = s[i * 2 + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
      i = (i + 1) & this.#mask;
    }
  }

  add(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    if (hi === 0 && lo === 0) {
      this.#hasZero = true;
      return;
    }
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow();
    if (this.#insert(this.#slots, this.#mask, hi, lo)) this.#size++;
  }

  #insert(s: Uint32Array, mask: number, hi: number, lo: number): boolean {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const h = s[i * 2]!;
      const l = s[i * 2 + 1]!;
      if (h === 0 && l === 0) {
        s[i * 2] = hi;
        s[i * 2 + 1] = lo;
        return true;
      }
      if (h === hi && l === lo) return false;
      i = (i + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    const n = (this.#mask + 1) * 2;
    const slots = new Uint32Array(n * 2);
    const mask = n - 1;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i]!;
      const l = old[i + 1]!;
      if (h !== 0 || l !== 0) this.#insert(slots, mask, h, l);
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** Open-addressing set of 32-bit values (0 stored apart), load at most 1/2: 8 bytes a value. */
export class Fingerprint32Set {
  #slots: Uint32Array;
  #mask: number;
  #size = 0;
  #hasZero = false;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.#slots = new Uint32Array(n);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size + (this.#hasZero ? 1 : 0);
  }

  get bytes(): number {
    return this.#slots.byteLength;
  }

  has(v: number): boolean {
    v >>>= 0;
    if (v === 0) return this.#hasZero;
    const s = this.#slots;
    for (let i = Math.imul(v, 0x9e3779b1) & this.#mask; ; i = (i + 1) & this.#mask) {
      const x = s[i]!;
      if (x === 0) return false;
      if (x === v) return true;
    }
  }

  add(v: number): void {
    v >>>= 0;
    if (v === 0) {
      this.#hasZero = true;
      return;
    }
    if ((this.#size + 1) * 2 > this.#mask + 1) {
      const old = this.#slots;
      this.#slots = new Uint32Array(old.length * 2);
      this.#mask = this.#slots.length - 1;
      for (const x of old) if (x !== 0) this.#insert(x);
    }
    if (this.#insert(v)) this.#size++;
  }

  #insert(v: number): boolean {
    const s = this.#slots;
    for (let i = Math.imul(v, 0x9e3779b1) & this.#mask; ; i = (i + 1) & this.#mask) {
      const x = s[i]!;
      if (x === 0) {
        s[i] = v;
        return true;
      }
      if (x === v) return false;
    }
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
  readonly #ids = new Fingerprint32Set(4096);
  readonly #nonces = new Fingerprint64Set(4096);
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
