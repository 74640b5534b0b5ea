/**
 * The door's compact memory of statement ids and nonces (src/engine/fingerprint-seen.ts):
 * the hash sets agree with a plain Set on any sequence, and a fingerprint hit on an id is
 * only reported as a duplicate when the store confirms it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintSeen, FingerprintSet } from '../../src/engine/fingerprint-seen.js';

describe('fingerprint sets', () => {
  it('answer membership exactly like a Set of the same values, through merges and with zero', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })), {
          maxLength: 3000,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })), {
          maxLength: 200,
        }),
        (added, probes) => {
          const s64 = new FingerprintSet(2);
          const s32 = new FingerprintSet(1);
          const ref64 = new Set<string>();
          const ref32 = new Set<number>();
          for (const [hi, lo] of added) {
            s64.add(hi, lo);
            s32.add(lo);
            ref64.add(`${hi}/${lo}`);
            ref32.add(lo);
          }
          expect(s64.size).toBe(ref64.size);
          expect(s32.size).toBe(ref32.size);
          for (const [hi, lo] of [...added, ...probes]) {
            expect(s64.has(hi, lo)).toBe(ref64.has(`${hi}/${lo}`));
            expect(s32.has(lo)).toBe(ref32.has(lo));
          }
        },
      ),
    );
  });

  it('holds a million values in about 4 and 8 bytes each, with no doubling past 2^20', () => {
    const s32 = new FingerprintSet(1);
    const s64 = new FingerprintSet(2);
    const n = 1_100_000;
    for (let i = 1; i <= n; i++) {
      s32.add(Math.imul(i, 2654435761));
      s64.add(Math.imul(i, 2246822519), i);
    }
    expect(s32.size).toBe(n);
    expect(s64.size).toBe(n);
    // The sorted run plus a table of at most 1/8 of it, at most half full.
    expect(s32.bytes).toBeLessThanOrEqual(n * 4 * 1.26);
    expect(s64.bytes).toBeLessThanOrEqual(n * 8 * 1.26);
    for (let i = 1; i <= n; i += 997) {
      expect(s32.has(Math.imul(i, 2654435761))).toBe(true);
      expect(s64.has(Math.imul(i, 2246822519), i)).toBe(true);
      expect(s64.has(Math.imul(i, 2246822519), i + 1)).toBe(false);
    }
  });
});

describe('FingerprintSeen', () => {
  // Ids that differ in their first 32 bits (the fingerprint), as SHA-256 ids almost always do.
  const id = (n: number) => `${n.toString(16).padStart(8, '0')}${'0'.repeat(56)}`;

  it('reports an id as seen only when it was added and is recent or confirmed by the store', () => {
    const inStore = new Set<string>();
    const asked: string[] = [];
    const seen = new FingerprintSeen((x) => {
      asked.push(x);
      return inStore.has(x);
    });
    seen.add(id(1), 'nonce-1');
    // Added in the batch being written: known without asking the store.
    expect(seen.hasStatement(id(1))).toBe(true);
    expect(asked).toEqual([]);
    inStore.add(id(1));
    seen.durable();
    expect(seen.hasStatement(id(1))).toBe(true);
    expect(asked).toEqual([id(1)]);
    // Never added: no fingerprint, no question to the store.
    expect(seen.hasStatement(id(2))).toBe(false);
    expect(asked).toEqual([id(1)]);
  });

  it('does not call a fingerprint collision a duplicate: the store has the last word', () => {
    // Same first 8 hex digits (the 32-bit fingerprint), different ids.
    const a = `deadbeef${'1'.repeat(56)}`;
    const b = `deadbeef${'2'.repeat(56)}`;
    const seen = new FingerprintSeen((x) => x === a);
    seen.add(a, 'n-a');
    seen.durable();
    expect(seen.hasStatement(a)).toBe(true);
    expect(seen.hasStatement(b)).toBe(false);
  });

  it('remembers nonces of any shape', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 40 }), { minLength: 2, maxLength: 300 }),
        (nonces) => {
          const seen = new FingerprintSeen(() => false);
          const [probe, ...rest] = nonces;
          rest.forEach((n, i) => {
            seen.add(id(i + 1), n);
          });
          for (const n of rest) expect(seen.hasNonce(n)).toBe(true);
          expect(seen.hasNonce(probe!)).toBe(false);
        },
      ),
    );
  });
});
