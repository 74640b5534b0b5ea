// Deterministic test data: entries and leaf hashes derived from their index, so failures
// reproduce without a seed.
import { createHash } from 'node:crypto';
import { leafHash } from '../../src/log/rfc6962.js';

/** Entry `i`: a few bytes that differ for every index (length varies with i). */
export function entry(i: number): Buffer {
  return Buffer.from(`entry ${i} ${'x'.repeat(i % 17)}`);
}

/** leafHash(entry(i)) for i in [0, n). */
export function leafHashes(n: number, from = 0): Buffer[] {
  const out: Buffer[] = [];
  for (let i = from; i < n; i++) out.push(leafHash(entry(i)));
  return out;
}

/** A 32-byte pseudo-random hash for tests that only need distinct values. */
export function fakeHash(i: number): Buffer {
  return createHash('sha256').update(`fake ${i}`).digest();
}
