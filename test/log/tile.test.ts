// c2sp.org/tlog-tiles paths and entry bundles: one spelling per tile, and clear errors that
// name the tile when bytes are short or left over.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogFormatError } from '../../src/log/errors.js';
import {
  checkHashTile,
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  entriesPath,
  entryBundlesForSize,
  parseTilePath,
  tilePath,
  tileSpanOf,
  tilesForSize,
} from '../../src/log/tile.js';

describe('tile paths', () => {
  it('encode the index in x-prefixed 3-digit groups, as the spec example', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(1, 5, 17)).toBe('tile/1/005.p/17');
    expect(entriesPath(1234067, 255)).toBe('tile/entries/x001/x234/067.p/255');
  });

  it('round-trip through parseTilePath', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant('entries' as const)),
        fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.maxSafeNat()),
        fc.integer({ min: 1, max: 256 }),
        (level, index, width) => {
          const path = level === 'entries' ? entriesPath(index, width) : tilePath(level, index, width);
          expect(parseTilePath(path)).toEqual({ level, index, width });
        },
      ),
    );
  });

  it.each([
    ['tile/0', 'want tile/<L>/<N>'],
    ['tiles/0/000', 'want tile/<L>/<N>'],
    ['tile/00/000', 'level "00" is not a decimal'],
    ['tile/6/000', 'level 6 is above 5'],
    ['tile/0/00', 'not three digits'],
    ['tile/0/001/002', 'not x and three digits'],
    ['tile/0/x000/001', 'not canonically encoded (want 001)'],
    ['tile/0/001.p/0', 'partial width 0 is not in 1..255'],
    ['tile/0/001.p/256', 'partial width 256 is not in 1..255'],
    ['tile/0/001.p/07', 'partial width "07"'],
    ['tile/entries/x1/000', 'not x and three digits'],
  ])('rejects %s', (path, why) => {
    expect(() => parseTilePath(path)).toThrow(LogFormatError);
    expect(() => parseTilePath(path)).toThrow(`${path}: not a tlog-tiles path: `);
    expect(() => parseTilePath(path)).toThrow(why);
  });

  it('checkHashTile names the tile and the byte counts', () => {
    expect(() => checkHashTile(Buffer.alloc(8000), 0, 1234, 256)).toThrow(
      'tile/0/x001/234: expected 8192 bytes, got 8000',
    );
    expect(checkHashTile(Buffer.alloc(64), 2, 0, 2).length).toBe(64);
  });
});

describe('tiles of a tree size', () => {
  it('are the full tiles plus the partial edge of each level', () => {
    const ids = (size: number, from?: number) =>
      tilesForSize(size, from).map((t) =>
        t.level === 'entries' ? 'e' : tilePath(t.level, t.index, t.width),
      );
    expect(ids(0)).toEqual([]);
    expect(ids(1)).toEqual(['tile/0/000.p/1']);
    expect(ids(256)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
    expect(ids(513)).toEqual(['tile/0/000', 'tile/0/001', 'tile/0/002.p/1', 'tile/1/000.p/2']);
    expect(ids(65536)).toHaveLength(256 + 1 + 1);
    // Publishing 513 after 300 uploads the tile that filled, the new partial, and the level-1 partial.
    expect(ids(513, 300)).toEqual(['tile/0/001', 'tile/0/002.p/1', 'tile/1/000.p/2']);
    expect(ids(300, 300)).toEqual([]);
    expect(entryBundlesForSize(513, 300).map((t) => entriesPath(t.index, t.width))).toEqual([
      'tile/entries/001',
      'tile/entries/002.p/1',
    ]);
  });

  it('map stored hashes to tile spans (a level-L tile holds subtrees of 256^L leaves)', () => {
    expect(tileSpanOf(0, 1234)).toEqual({ level: 0, index: 4, start: 210, count: 1 });
    expect(tileSpanOf(8, 3)).toEqual({ level: 1, index: 0, start: 3, count: 1 });
    expect(tileSpanOf(10, 70)).toEqual({ level: 1, index: 1, start: 24, count: 4 });
    expect(tileSpanOf(15, 1)).toEqual({ level: 1, index: 0, start: 128, count: 128 });
  });
});

describe('entry bundles', () => {
  it('round-trip, including empty and 65535-byte entries', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 256 }), (entries) => {
        const buf = encodeEntryBundle(entries);
        const back = decodeEntryBundle(buf, 'tile/entries/000');
        expect(back.map((e) => Buffer.from(e).toString('hex'))).toEqual(
          entries.map((e) => Buffer.from(e).toString('hex')),
        );
        if (entries.length > 0)
          expect(decodeEntryBundle(buf, 'x', entries.length)).toHaveLength(entries.length);
      }),
    );
    const big = Buffer.alloc(65535, 7);
    expect(
      Buffer.from(decodeEntryBundle(encodeEntryBundle([big, Buffer.alloc(0)]), 'b')[0]!).equals(big),
    ).toBe(true);
  });

  it('are big-endian uint16 length then bytes', () => {
    expect(encodeEntryBundle([Buffer.from('ab'), Buffer.alloc(0)]).toString('hex')).toBe('000261620000');
  });

  it('reject entries over 65535 bytes and more than 256 entries', () => {
    expect(() => encodeEntryBundle([Buffer.alloc(1), Buffer.alloc(65536)])).toThrow(
      'entry 1 of bundle: 65536 bytes is over the 65535-byte entry limit',
    );
    expect(() => encodeEntryBundle(new Array(257).fill(Buffer.alloc(0)))).toThrow(/at most 256 entries/);
  });

  it('say where a bundle is truncated or has trailing bytes', () => {
    const where = 'tile/entries/x001/234.p/3';
    const buf = encodeEntryBundle([Buffer.from('one'), Buffer.from('two'), Buffer.from('three')]);
    expect(() => decodeEntryBundle(buf.subarray(0, buf.length - 1), where, 3)).toThrow(
      `${where}: truncated: entry 2 at offset 10 declares 5 bytes, 4 left`,
    );
    expect(() => decodeEntryBundle(buf.subarray(0, 11), where, 3)).toThrow(
      `${where}: truncated: entry 2 length prefix at offset 10 needs 2 bytes, 1 left`,
    );
    expect(() => decodeEntryBundle(buf.subarray(0, 10), where, 3)).toThrow(
      `${where}: truncated: expected 3 entries, got 2`,
    );
    expect(() => decodeEntryBundle(Buffer.concat([buf, Buffer.from([0, 0])]), where, 3)).toThrow(
      `${where}: 2 trailing bytes at offset 17 after entry 2`,
    );
    const full = encodeEntryBundle(new Array(256).fill(Buffer.from('e')));
    expect(() => decodeEntryBundle(Buffer.concat([full, Buffer.from([0])]), 'tile/entries/000')).toThrow(
      'tile/entries/000: 1 trailing bytes at offset 768 after entry 255',
    );
  });
});
