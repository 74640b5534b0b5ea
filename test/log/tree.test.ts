// The tiled tree must agree with the RFC 9162 §2.1.1 definition for every size, emit exactly
// the tiles c2sp.org/tlog-tiles says exist, and serve proofs that verify.
import { describe, expect, it } from 'vitest';
import { LogFormatError } from '../../src/log/errors.js';
import { inclusionProof, verifyConsistency, verifyInclusion } from '../../src/log/proof.js';
import { rootFromLeafHashes } from '../../src/log/rfc6962.js';
import { tile_bytes, tilePath, tilesForSize } from '../../src/log/tile.js';
import { foldTileHashes, MemoryTiles, TiledTree, tileHashReader } from '../../src/log/tree.js';
import { entry, leafHashes } from './helpers.js';

/** Builds a tree of `n` leaves in batches of `batch`, storing tiles as a log would. */
function build(n: number, batch: number) {
  const store = new MemoryTiles();
  const tree = new TiledTree(0, store.read);
  const hashes = leafHashes(n);
  for (let i = 0; i < n; i += batch) store.write(tree.append(hashes.slice(i, i + batch)).tiles);
  return { store, tree, hashes };
}

describe('TiledTree', () => {
  it('has the empty root at size 0 and emits no tiles', () => {
    const tree = new TiledTree(0, () => undefined);
    const r = tree.append([]);
    expect(r.tiles).toEqual([]);
    expect(r.root.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with the reference root at every size up to 600, appending one leaf at a time', () => {
    const store = new MemoryTiles();
    const tree = new TiledTree(0, store.read);
    const hashes = leafHashes(600);
    for (let i = 0; i < hashes.length; i++) {
      const r = tree.append([hashes[i]!]);
      store.write(r.tiles);
      expect(r.root.equals(rootFromLeafHashes(hashes.slice(0, i + 1))), `size ${i + 1}`).toBe(true);
    }
  });

  it.each([
    [255, 7],
    [256, 256],
    [257, 100],
    [65535, 1000],
    [65536, 4096],
    [65537, 65537],
    [70001, 333],
  ])('agrees with the reference root at size %i (batches of %i)', (n, batch) => {
    const { tree, hashes } = build(n, batch);
    expect(tree.size).toBe(n);
    expect(tree.root().equals(rootFromLeafHashes(hashes))).toBe(true);
  });

  it('writes exactly the tiles tlog-tiles lists for the size, with the right bytes', () => {
    const n = 65536 + 256 * 3 + 5;
    const { store, hashes } = build(n, 1000);
    const want = tilesForSize(n);
    expect([...store.tiles.keys()].sort()).toEqual(want.map((t) => `${t.level}/${t.index}`).sort());
    for (const t of want) {
      const bytes = store.tiles.get(`${t.level}/${t.index}`)!;
      expect(bytes.length, tilePath(t.level as number, t.index, t.width)).toBe(t.width * 32);
    }
    // Level 0 holds the leaf hashes themselves; level 1 hash i is the root of leaves 256i..256i+255.
    expect(store.tiles.get('0/3')!.subarray(0, 32).equals(hashes[768]!)).toBe(true);
    expect(
      store.tiles
        .get('1/0')!
        .subarray(32 * 5, 32 * 6)
        .equals(rootFromLeafHashes(hashes.slice(1280, 1536))),
    ).toBe(true);
  });

  it('returns only the tiles that changed in an append', () => {
    const { store, tree } = build(300, 300);
    const r = tree.append(leafHashes(301, 300));
    expect(r.tiles.map((t) => t.path)).toEqual(['tile/0/001.p/45']);
    store.write(r.tiles);
    const r2 = tree.append(leafHashes(512, 301));
    expect(r2.tiles.map((t) => t.path)).toEqual(['tile/0/001', 'tile/1/000.p/2']);
  });

  it('resumes from stored tiles and continues with identical roots', () => {
    const { store, hashes } = build(70001, 5000);
    const resumed = new TiledTree(70001, store.read);
    expect(resumed.root().equals(rootFromLeafHashes(hashes))).toBe(true);
    const more = leafHashes(70500, 70001);
    const r = resumed.append(more);
    expect(r.root.equals(rootFromLeafHashes([...hashes, ...more]))).toBe(true);
  });

  it('hashes entries as RFC 6962 leaves and rejects entries over 65535 bytes before appending', () => {
    const tree = new TiledTree(0, () => undefined);
    const entries = [entry(0), entry(1), entry(2)];
    expect(tree.appendEntries(entries).root.equals(rootFromLeafHashes(leafHashes(3)))).toBe(true);
    expect(() => tree.appendEntries([entry(3), Buffer.alloc(65536)])).toThrow(
      /entry 4: 65536 bytes is over the 65535-byte limit/,
    );
    expect(tree.size).toBe(3);
  });

  it('serves inclusion and consistency proofs from tiles, current and historical', () => {
    const { tree, hashes } = build(70001, 7000);
    const root = tree.root();
    for (const i of [0, 1, 255, 256, 65535, 65536, 70000]) {
      verifyInclusion(i, 70001, hashes[i]!, tree.inclusionProof(i), root);
    }
    for (const size of [1, 255, 256, 257, 65536, 69999]) {
      const old = rootFromLeafHashes(hashes.slice(0, size));
      expect(tree.rootAt(size).equals(old)).toBe(true);
      verifyConsistency(size, 70001, tree.consistencyProof(size), old, root);
      verifyInclusion(size - 1, size, hashes[size - 1]!, tree.inclusionProof(size - 1, size), old);
    }
  });

  it('needs O(log n) tile reads for an inclusion proof', () => {
    const { store, tree } = build(70001, 70001);
    let reads = 0;
    const counting = (level: number, index: number) => {
      reads++;
      return store.read(level, index);
    };
    inclusionProof(12345, 70001, tileHashReader(70001, counting));
    expect(reads).toBeLessThanOrEqual(2 * 17);
    expect(tree.size).toBe(70001);
  });

  it('names the missing or short tile when resuming', () => {
    const { store } = build(300, 300);
    const missing = () => new TiledTree(300, (l, i) => (l === 0 && i === 1 ? undefined : store.read(l, i)));
    expect(missing).toThrow(LogFormatError);
    expect(missing).toThrow('tile/0/001.p/44: tile not found');
    const short = () =>
      new TiledTree(300, (l, i) => store.read(l, i)?.subarray(0, l === 0 && i === 1 ? 40 * 32 : undefined));
    expect(short).toThrow('tile/0/001.p/44: expected 1408 bytes, got 1280');
  });

  it('names a truncated full tile when proving', () => {
    const { store } = build(600, 600);
    const read = tileHashReader(600, (l, i) =>
      l === 0 && i === 0 ? store.read(0, 0)!.subarray(0, 8000) : store.read(l, i),
    );
    expect(() => inclusionProof(3, 600, read)).toThrow('tile/0/000: expected 8192 bytes, got 8000');
  });

  it('folds a full tile into the root of its 256 leaves', () => {
    const hashes = leafHashes(256);
    expect(foldTileHashes(Buffer.concat(hashes), 0, 256).equals(rootFromLeafHashes(hashes))).toBe(true);
    expect(tile_bytes).toBe(8192);
  });
});
