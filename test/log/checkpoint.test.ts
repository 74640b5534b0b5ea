// c2sp.org/tlog-checkpoint bodies and signed checkpoints, c2sp.org/tlog-proof receipts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from '../../src/log/checkpoint.js';
import { LogFormatError, ProofError } from '../../src/log/errors.js';
import { formatReceipt, parseReceipt, receipt_header, verifyReceipt } from '../../src/log/receipt.js';
import { MemoryTiles, TiledTree } from '../../src/log/tree.js';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { entry } from './helpers.js';

const origin = 'phaseline.example/log';
const root = Buffer.alloc(32, 0xab);
const rootB64 = root.toString('base64');

describe('checkpoint body', () => {
  it('formats origin, size, base64 root and extension lines', () => {
    expect(formatCheckpoint({ origin, size: 42, root })).toBe(`${origin}\n42\n${rootB64}\n`);
    expect(formatCheckpoint({ origin, size: 0, root, extensions: ['ext one', 'ext two'] })).toBe(
      `${origin}\n0\n${rootB64}\next one\next two\n`,
    );
  });

  it('parses what it formats', () => {
    const cp = parseCheckpoint(formatCheckpoint({ origin, size: 1234567, root, extensions: ['x'] }));
    expect(cp).toEqual({ origin, size: 1234567, root, extensions: ['x'] });
  });

  it.each([
    [`${origin}\n42\n${rootB64}`, 'checkpoint: does not end with a newline'],
    [`${origin}\n42\n`, 'checkpoint: has 2 lines'],
    [`\n42\n${rootB64}\n`, 'checkpoint line 1: origin is empty'],
    [`${origin}\n042\n${rootB64}\n`, 'checkpoint line 2: size "042" is not a decimal without leading zeros'],
    [`${origin}\n-1\n${rootB64}\n`, 'checkpoint line 2'],
    [`${origin}\n4 2\n${rootB64}\n`, 'checkpoint line 2'],
    [
      `${origin}\n99999999999999999999\n${rootB64}\n`,
      'checkpoint line 2: size 99999999999999999999 is above',
    ],
    [
      `${origin}\n42\n${Buffer.alloc(31).toString('base64')}\n`,
      'checkpoint line 3: root hash must be 32 bytes',
    ],
    [`${origin}\n42\n${rootB64.replace('=', '')}\n`, 'checkpoint line 3'],
    [`${origin}\n42\n${Buffer.alloc(32).toString('base64url')}x\n`, 'checkpoint line 3'],
    [`${origin}\n42\n${rootB64}\n\n`, 'checkpoint line 4: extension line is empty'],
    [`${origin}\n42\n${rootB64}\next\n\nmore\n`, 'checkpoint line 5: extension line is empty'],
    [`${origin}\t\n42\n${rootB64}\n`, 'checkpoint line 1: contains a control character'],
  ])('rejects %j', (text, why) => {
    expect(() => parseCheckpoint(text)).toThrow(LogFormatError);
    expect(() => parseCheckpoint(text)).toThrow(why);
  });

  it('refuses to format what it would not parse', () => {
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, root })).toThrow(LogFormatError);
    expect(() => formatCheckpoint({ origin, size: 1, root: Buffer.alloc(20) })).toThrow(/32 bytes/);
    expect(() => formatCheckpoint({ origin, size: 1, root, extensions: [''] })).toThrow(
      /extension line is empty/,
    );
  });
});

describe('signed checkpoint', () => {
  const keys = generateKeyPair(origin);
  const signer = parseSignerKey(keys.skey);
  const verifier = parseVerifierKey(keys.vkey);

  it('signs and opens, returning the parsed body', () => {
    const note = signCheckpoint({ origin, size: 7, root }, signer);
    expect(note.startsWith(`${origin}\n7\n${rootB64}\n\n— ${origin} `)).toBe(true);
    const opened = openCheckpoint(note, verifier, origin);
    expect(opened.checkpoint).toEqual({ origin, size: 7, root, extensions: [] });
    expect(opened.verified).toHaveLength(1);
  });

  it('rejects another origin, another key, and any changed byte', () => {
    const note = signCheckpoint({ origin, size: 7, root }, signer);
    expect(() => openCheckpoint(note, verifier, 'other.example/log')).toThrow(
      'checkpoint line 1: origin "phaseline.example/log" is not "other.example/log"',
    );
    const other = parseVerifierKey(generateKeyPair(origin).vkey);
    expect(() => openCheckpoint(note, other, origin)).toThrow();
    for (let i = 0; i < note.length; i++) {
      const c = note.charCodeAt(i);
      const tampered =
        note.slice(0, i) +
        String.fromCharCode(c === 0x41 ? 0x42 : c === 0x0a ? 0x20 : 0x41) +
        note.slice(i + 1);
      expect(() => openCheckpoint(tampered, verifier, origin), `byte ${i}`).toThrow();
    }
  });
});

describe('tlog-proof receipts', () => {
  const keys = generateKeyPair(origin);
  const signer = parseSignerKey(keys.skey);
  const store = new MemoryTiles();
  const tree = new TiledTree(0, store.read);
  const entries = Array.from({ length: 1000 }, (_, i) => entry(i));
  const r = tree.appendEntries(entries);
  store.write(r.tiles);
  const note = signCheckpoint({ origin, size: r.size, root: r.root }, signer);
  const receipt = (index: number, extra?: Buffer) =>
    formatReceipt({
      index,
      proof: tree.inclusionProof(index),
      checkpoint: note,
      ...(extra ? { extra } : {}),
    });

  it('have the c2sp.org/tlog-proof@v1 layout', () => {
    const text = receipt(5, Buffer.from('hello'));
    const lines = text.split('\n');
    expect(lines[0]).toBe(receipt_header);
    expect(lines[1]).toBe(`extra ${Buffer.from('hello').toString('base64')}`);
    expect(lines[2]).toBe('index 5');
    expect(lines.slice(3, 13).every((l) => Buffer.from(l, 'base64').length === 32)).toBe(true);
    expect(lines[13]).toBe('');
    expect(text.endsWith(`\n\n${note}`)).toBe(true);
    expect(parseReceipt(text)).toEqual({
      extra: Buffer.from('hello'),
      index: 5,
      proof: tree.inclusionProof(5),
      checkpoint: note,
    });
  });

  it('verify for the right entry and fail for any other', () => {
    const text = receipt(999);
    const v = verifyReceipt(text, entries[999]!, keys.vkey, origin);
    expect(v.index).toBe(999);
    expect(v.checkpoint.checkpoint.size).toBe(1000);
    expect(() => verifyReceipt(text, entries[998]!, keys.vkey, origin)).toThrow(ProofError);
    expect(() => verifyReceipt(text, entries[999]!, keys.vkey, 'other/log')).toThrow(LogFormatError);
    expect(() => verifyReceipt(text, entries[999]!, generateKeyPair(origin).vkey, origin)).toThrow();
  });

  it('fail when any byte of the receipt changes', () => {
    const text = receipt(300);
    let checked = 0;
    for (let i = 0; i < text.length; i += 3) {
      const c = text.charCodeAt(i);
      const tampered =
        text.slice(0, i) +
        String.fromCharCode(c === 0x41 ? 0x42 : c === 0x0a ? 0x20 : 0x41) +
        text.slice(i + 1);
      expect(() => verifyReceipt(tampered, entries[300]!, keys.vkey, origin), `byte ${i}`).toThrow();
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('parse reads back exactly what format writes, and format refuses what parse would', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(
        fc.record(
          {
            index: fc.maxSafeNat(),
            proof: fc.array(hash, { maxLength: 64 }),
            checkpoint: fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }),
            extra: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
          },
          { requiredKeys: ['index', 'proof', 'checkpoint'] },
        ),
        (r) => {
          expect(parseReceipt(formatReceipt(r))).toEqual(r);
        },
      ),
    );
    const ok = { index: 1, proof: [Buffer.alloc(32)], checkpoint: note };
    for (const bad of [
      { ...ok, index: -1 },
      { ...ok, index: 1.5 },
      { ...ok, proof: [Buffer.alloc(31)] },
      { ...ok, proof: Array.from({ length: 65 }, () => Buffer.alloc(32)) },
      { ...ok, extra: Buffer.alloc(0) },
      { ...ok, extra: Buffer.alloc(16385) },
      { ...ok, checkpoint: '' },
      { ...ok, checkpoint: 'é'.repeat(40000) },
    ])
      expect(() => formatReceipt(bad), JSON.stringify(bad).slice(0, 80)).toThrow(LogFormatError);
  });

  it.each([
    ['c2sp.org/tlog-proof@v2\nindex 0\n\nx', 'tlog-proof line 1: want "c2sp.org/tlog-proof@v1"'],
    [`${receipt_header}\nindex 01\n\nx`, 'tlog-proof line 2: want "index <N>"'],
    [`${receipt_header}\nextra \nindex 0\n\nx`, 'tlog-proof line 2: extra line with no data'],
    [`${receipt_header}\nextra !!\nindex 0\n\nx`, 'tlog-proof line 2: extra data is not standard base64'],
    [
      `${receipt_header}\nindex 0\n${Buffer.alloc(31).toString('base64')}\n\nx`,
      'tlog-proof line 3: hash is 31 bytes, want 32',
    ],
    [`${receipt_header}\nindex 0\n${Buffer.alloc(32).toString('base64')}\n`, 'tlog-proof line 4: missing'],
    [`${receipt_header}\nindex 0\n\n`, 'tlog-proof line 4: missing signed checkpoint'],
    [`${receipt_header}\nindex 0`, 'tlog-proof line 2: missing'],
  ])('parse rejects %j', (text, why) => {
    expect(() => parseReceipt(text)).toThrow(LogFormatError);
    expect(() => parseReceipt(text)).toThrow(why);
  });
});
