// The stored log: proofs answered from SQLite tiles (with their stored interiors) agree with the
// RFC 6962 reference computation, checkpoints chain consistently, and a reopened store resumes.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/log/checkpoint.js';
import { verifyConsistency, verifyInclusion } from '../../src/log/proof.js';
import { verifyReceipt } from '../../src/log/receipt.js';
import { leafHash, rootFromLeafHashes } from '../../src/log/rfc6962.js';
import { type PendingEntry, TransparencyLog } from '../../src/log/transparency-log.js';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { tempDir } from '../helpers/cli.js';

const signer = parseSignerKey(generateKeyPair('test.phaseline/log', new Uint8Array(32).fill(5)).skey);
const verifier = parseVerifierKey(signer.vkey);

function entries(from: number, count: number): PendingEntry[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const id = leafHash(Buffer.from(`id ${i}`)).toString('hex');
    return {
      bytes: Buffer.from(`entry number ${i}`),
      disclosure: null,
      meta: { statementId: id },
    };
  });
}

function openLog(path: string): TransparencyLog {
  return new TransparencyLog(new SqliteLogStore(path), { origin: signer.name, signer });
}

describe('the stored log', () => {
  it('answers inclusion and consistency proofs that match the reference tree, across growth and reopen', () => {
    const path = join(tempDir(), 'log.db');
    const all = entries(0, 70_000);
    const hashes = all.map((e) => leafHash(e.bytes));
    let log = openLog(path);
    const checkpoints: string[] = [];
    let size = 0;
    for (const step of [1, 255, 1, 300, 65_000, 4_443]) {
      log.append(all.slice(size, size + step));
      size += step;
      checkpoints.push(log.checkpoint()!);
      if (step === 300) {
        log.store.close();
        log = openLog(path); // resume from the store: the in-memory edge is rebuilt
      }
    }
    expect(log.size).toBe(70_000);
    const root = rootFromLeafHashes(hashes);
    expect(log.rootAt(log.size).equals(root)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), fc.nat(), (treeSize, r) => {
        const i = r % treeSize;
        const treeRoot = log.rootAt(treeSize);
        expect(treeRoot.equals(rootFromLeafHashes(hashes.slice(0, treeSize)))).toBe(true);
        verifyInclusion(i, treeSize, hashes[i]!, log.inclusionProof(i, treeSize), treeRoot);
      }),
      { numRuns: 40 },
    );
    // Every checkpoint is consistent with every later one.
    const opened = checkpoints.map((c) => openCheckpoint(c, verifier, signer.name).checkpoint);
    for (let a = 0; a < opened.length; a++) {
      for (let b = a; b < opened.length; b++) {
        verifyConsistency(
          opened[a]!.size,
          opened[b]!.size,
          log.consistencyProof(opened[a]!.size, opened[b]!.size),
          opened[a]!.root,
          opened[b]!.root,
        );
      }
    }
    // A receipt is an offline proof: only the log key and the entry bytes are needed to check it.
    for (const i of [0, 255, 256, 69_999]) {
      expect(verifyReceipt(log.receipt(i), all[i]!.bytes, signer.vkey, signer.name).index).toBe(i);
      expect(() => verifyReceipt(log.receipt(i), Buffer.from('forged'), signer.vkey, signer.name)).toThrow();
    }
    log.store.close();
  });

  it('answers right proofs for fresh entries after every small append (edge hashes remembered across sizes)', () => {
    const log = openLog(join(tempDir(), 'log.db'));
    const all = entries(0, 2_000);
    const hashes = all.map((e) => leafHash(e.bytes));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 37 }), { minLength: 20, maxLength: 60 }),
        fc.nat(),
        (steps, r) => {
          for (const step of steps) {
            const size = log.size;
            if (size + step > all.length) break;
            log.append(all.slice(size, size + step));
            const root = rootFromLeafHashes(hashes.slice(0, log.size));
            // As a server does after a group commit: receipts for what it just appended, and one older.
            for (const i of [log.size - 1, size, (r + size) % log.size])
              verifyInclusion(i, log.size, hashes[i]!, log.inclusionProof(i), root);
          }
        },
      ),
      { numRuns: 3 },
    );
    expect(log.size).toBeGreaterThan(256);
    log.store.close();
  });

  it('refuses a batch that does not start at the current size (a second writer) and changes nothing', () => {
    const path = join(tempDir(), 'log.db');
    const a = openLog(path);
    const b = openLog(path);
    a.append(entries(0, 10));
    expect(() => b.append(entries(10, 5))).toThrow(/batch starts at 0 but the log has 10 entries/);
    expect(() => b.append(entries(10, 5))).toThrow(/unusable after a failed write/);
    a.store.close();
    const reopened = openLog(path);
    expect(reopened.size).toBe(10);
    reopened.store.close();
    b.store.close();
  });
});
