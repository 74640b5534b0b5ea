// Invariants of DESIGN.md "Log", as properties over random tree sizes up to 5,000 (and every
// pair of sizes for small trees): every inclusion and consistency proof verifies, and changing
// any byte of an entry, a tile, a proof hash or the checkpoint makes verification fail.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCheckpoint, signCheckpoint } from '../../src/log/checkpoint.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../../src/log/proof.js';
import { leafHash, rootFromLeafHashes } from '../../src/log/rfc6962.js';
import { encodeEntryBundle, tilesForSize } from '../../src/log/tile.js';
import { auditTiles, MemoryTiles, TiledTree } from '../../src/log/tree.js';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { entry, leafHashes } from './helpers.js';

const size_max = 5000;

interface Log {
  n: number;
  entries: Buffer[];
  hashes: Buffer[];
  store: MemoryTiles;
  tree: TiledTree;
  bundles: Map<number, Buffer>;
}

// Trees are cached per size, so shrinking and repeated sizes stay cheap.
const logs = new Map<number, Log>();
function logOf(n: number): Log {
  let log = logs.get(n);
  if (log === undefined) {
    const entries = Array.from({ length: n }, (_, i) => entry(i));
    const store = new MemoryTiles();
    const tree = new TiledTree(0, store.read);
    // Appends in uneven batches so edge tiles are reloaded and grown in every way.
    for (let i = 0; i < n; i += 97 + (i % 300))
      store.write(tree.appendEntries(entries.slice(i, i + 97 + (i % 300))).tiles);
    const bundles = new Map<number, Buffer>();
    for (let i = 0; i * 256 < n; i++)
      bundles.set(i, encodeEntryBundle(entries.slice(i * 256, i * 256 + 256)));
    log = { n, entries, hashes: entries.map((e) => leafHash(e)), store, tree, bundles };
    logs.set(n, log);
  }
  return log;
}

const flip = (b: Uint8Array, at: number, bit: number): Buffer => {
  const c = Buffer.from(b);
  c[at % c.length]! ^= 1 << bit;
  return c;
};

const sizes = fc.integer({ min: 1, max: size_max });

describe('proofs verify', () => {
  it('for every leaf and every pair of sizes up to 40', () => {
    const hashes = leafHashes(40);
    const { tree } = logOf(40);
    for (let n = 1; n <= 40; n++) {
      const root = rootFromLeafHashes(hashes.slice(0, n));
      for (let i = 0; i < n; i++) verifyInclusion(i, n, hashes[i]!, tree.inclusionProof(i, n), root);
      for (let m = 1; m <= n; m++) {
        verifyConsistency(m, n, tree.consistencyProof(m, n), rootFromLeafHashes(hashes.slice(0, m)), root);
      }
    }
  });

  it('inclusion, for random sizes and leaves', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), (n, seed) => {
        const log = logOf(n);
        const i = seed % n;
        const root = log.tree.root();
        expect(root.equals(rootFromLeafHashes(log.hashes))).toBe(true);
        verifyInclusion(i, n, leafHash(log.entries[i]!), log.tree.inclusionProof(i), root);
      }),
      { numRuns: 60 },
    );
  });

  it('consistency, for random pairs of sizes', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), (n, seed) => {
        const log = logOf(n);
        const m = 1 + (seed % n);
        const read = log.tree.hashReader();
        const proof = consistencyProof(m, n, read);
        verifyConsistency(m, n, proof, rootFromLeafHashes(log.hashes.slice(0, m)), log.tree.root());
        // A leaf of the old tree is also provable at the old size, from the same tiles.
        const i = seed % m;
        verifyInclusion(
          i,
          m,
          log.hashes[i]!,
          inclusionProof(i, m, log.tree.hashReader(m)),
          log.tree.rootAt(m),
        );
      }),
      { numRuns: 60 },
    );
  });
});

describe('tampering is detected', () => {
  it('in an entry: its leaf no longer verifies and the audit names the bundle', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), (n, seed, at, bit) => {
        const log = logOf(n);
        const i = seed % n;
        const bad = flip(log.entries[i]!, at, bit);
        const proof = log.tree.inclusionProof(i);
        expect(() => verifyInclusion(i, n, leafHash(bad), proof, log.tree.root())).toThrow(/does not match/);
        const bundle = Math.floor(i / 256);
        const badEntries = log.entries.slice(bundle * 256, bundle * 256 + 256);
        badEntries[i % 256] = bad;
        const readBundle = (k: number) => (k === bundle ? encodeEntryBundle(badEntries) : log.bundles.get(k));
        auditTiles(n, log.tree.root(), log.store.read, (k) => log.bundles.get(k));
        expect(() => auditTiles(n, log.tree.root(), log.store.read, readBundle)).toThrow(/^tile\/entries\//);
      }),
      { numRuns: 40 },
    );
  });

  it('in any tile: the audit against the checkpoint root fails', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), (n, pick, at, bit) => {
        const log = logOf(n);
        const tiles = tilesForSize(n);
        const t = tiles[pick % tiles.length]!;
        const key = `${t.level}/${t.index}`;
        const bad = flip(log.store.tiles.get(key)!, at, bit);
        const read = (level: number, index: number) =>
          `${level}/${index}` === key ? bad : log.store.read(level, index);
        expect(() => auditTiles(n, log.tree.root(), read)).toThrow();
        // Dropping the tile is caught too.
        expect(() =>
          auditTiles(n, log.tree.root(), (l, i) => (`${l}/${i}` === key ? undefined : log.store.read(l, i))),
        ).toThrow(/tile not found/);
      }),
      { numRuns: 60 },
    );
  });

  it('in a proof hash, inclusion or consistency', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: size_max }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (n, seed, which, at, bit) => {
          const log = logOf(n);
          const i = seed % n;
          const root = log.tree.root();
          const proof = log.tree.inclusionProof(i);
          const k = which % proof.length;
          proof[k] = flip(proof[k]!, at, bit);
          expect(() => verifyInclusion(i, n, log.hashes[i]!, proof, root)).toThrow();
          const m = 1 + (seed % (n - 1));
          const cproof = log.tree.consistencyProof(m, n);
          const c = which % cproof.length;
          cproof[c] = flip(cproof[c]!, at, bit);
          expect(() => verifyConsistency(m, n, cproof, log.tree.rootAt(m), root)).toThrow();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('in the signed checkpoint', () => {
    const origin = 'phaseline.example/log';
    const keys = generateKeyPair(origin);
    const signer = parseSignerKey(keys.skey);
    const verifier = parseVerifierKey(keys.vkey);
    fc.assert(
      fc.property(sizes, fc.nat(), fc.integer({ min: 0, max: 6 }), (n, at, bit) => {
        const log = logOf(n);
        const note = Buffer.from(signCheckpoint({ origin, size: n, root: log.tree.root() }, signer));
        expect(openCheckpoint(note.toString(), verifier, origin).checkpoint.size).toBe(n);
        // Bits 0-6 keep ASCII bytes ASCII, so every flip is a real change of the text.
        const bad = flip(note, at, bit).toString();
        expect(() => openCheckpoint(bad, verifier, origin)).toThrow();
      }),
      { numRuns: 100 },
    );
  });
});
