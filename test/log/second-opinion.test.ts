// Second opinions from code nobody on this team wrote: merkletreejs (configured for RFC 6962)
// must agree on roots and inclusion proofs, and @sigstore/verify must accept our inclusion
// proofs and parse and verify our signed checkpoints.
import { hash } from 'node:crypto';
import { verifyCheckpoint } from '@sigstore/verify/dist/tlog/checkpoint.js';
import { verifyMerkleInclusion } from '@sigstore/verify/dist/tlog/merkle.js';
import fc from 'fast-check';
import { MerkleTree } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../src/log/checkpoint.js';
import { MemoryTiles, TiledTree } from '../../src/log/tree.js';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { entry, leafHashes } from './helpers.js';

const nodePrefix = Buffer.from([0x01]);

/** merkletreejs as RFC 6962: leaves pre-hashed as H(0x00||d), nodes as H(0x01||l||r), odd nodes promoted. */
function merkletreejs(leaves: Buffer[]): MerkleTree {
  return new MerkleTree(leaves, (d: Buffer) => hash('sha256', d, 'buffer'), {
    hashLeaves: false,
    concatenator: (bufs: Buffer[]) => Buffer.concat([nodePrefix, ...bufs]),
  });
}

function built(n: number) {
  const store = new MemoryTiles();
  const tree = new TiledTree(0, store.read);
  store.write(tree.appendEntries(Array.from({ length: n }, (_, i) => entry(i))).tiles);
  return tree;
}

describe('merkletreejs agrees', () => {
  it('on roots and inclusion proofs of random trees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), (n, seed) => {
        const tree = built(n);
        const hashes = leafHashes(n);
        const mt = merkletreejs(hashes);
        expect(mt.getRoot().equals(tree.root())).toBe(true);
        for (const i of [0, n - 1, seed % n]) {
          const theirs = mt.getProof(hashes[i]!, i).map((p) => p.data.toString('hex'));
          expect(tree.inclusionProof(i).map((h) => h.toString('hex'))).toEqual(theirs);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('@sigstore/verify agrees', () => {
  const origin = 'phaseline.example/log';
  const keys = generateKeyPair(origin);
  const signer = parseSignerKey(keys.skey);
  const verifier = parseVerifierKey(keys.vkey);
  const logID = Buffer.alloc(4);
  logID.writeUInt32BE(verifier.keyId);
  const tlogs = [
    { logID, baseURL: `https://${origin}`, publicKey: verifier.publicKey, validFor: { start: new Date(0) } },
  ];

  it('parses our signed checkpoints and checks their signature', () => {
    const tree = built(1000);
    const note = signCheckpoint({ origin, size: 1000, root: tree.root(), extensions: ['ext'] }, signer);
    const cp = verifyCheckpoint(
      { inclusionProof: { checkpoint: { envelope: note } } } as never,
      tlogs as never,
    );
    expect(cp.origin).toBe(origin);
    expect(cp.logSize).toBe(1000n);
    expect(cp.logHash.equals(tree.root())).toBe(true);
    expect(cp.rest).toEqual(['ext']);
    const forged = note.replace('\n1000\n', '\n1001\n');
    expect(() =>
      verifyCheckpoint({ inclusionProof: { checkpoint: { envelope: forged } } } as never, tlogs as never),
    ).toThrow(/invalid checkpoint signature/);
  });

  it('verifies our inclusion proofs and rejects a wrong entry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(), (n, seed) => {
        const tree = built(n);
        const i = seed % n;
        const cp = { logSize: BigInt(n), logHash: tree.root() };
        const proofEntry = (body: Buffer) =>
          ({
            canonicalizedBody: body,
            inclusionProof: { logIndex: String(i), hashes: tree.inclusionProof(i) },
          }) as never;
        verifyMerkleInclusion(proofEntry(entry(i)), cp as never);
        expect(() => verifyMerkleInclusion(proofEntry(entry(i + 1)), cp as never)).toThrow();
      }),
      { numRuns: 40 },
    );
  });
});
