// RFC 9162 §2.1.1 hashing: the fast scratch-buffer paths must equal the plain definition.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, nodeHash, splitPoint } from '../../src/log/rfc6962.js';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('RFC 6962 hashing', () => {
  it('leafHash is SHA-256(0x00 || data), for small, 64 KiB and larger inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (d) => {
        expect(leafHash(d).equals(sha256(Buffer.from([0]), d))).toBe(true);
      }),
    );
    for (const n of [0, 65535, 65536, 65537, 200000]) {
      const d = Buffer.alloc(n, n & 0xff);
      expect(leafHash(d).equals(sha256(Buffer.from([0]), d)), `${n} bytes`).toBe(true);
    }
  });

  it('nodeHash is SHA-256(0x01 || left || right), also for views into larger buffers', () => {
    const big = createHash('sha512').update('x').digest();
    const l = big.subarray(0, 32);
    const r = new Uint8Array(big.buffer, big.byteOffset + 32, 32);
    expect(nodeHash(l, r).equals(sha256(Buffer.from([1]), l, r))).toBe(true);
  });

  it('splits at the largest power of two below n', () => {
    expect([2, 3, 4, 5, 8, 9, 1000].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 512]);
  });
});
