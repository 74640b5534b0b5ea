// Signed-note keys and notes, checked against Go's golang.org/x/mod/sumdb/note test vectors
// (testdata/vectors/signed-note, BSD-3-Clause): our signer must reproduce Go's deterministic
// signature byte for byte, and malformed notes and bad keys must be rejected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  generateKeyPair,
  KeyFormatError,
  parseSignerKey,
  parseVerifierKey,
} from '../../src/statement/keys.js';
import { NoteError, openNote, signNote } from '../../src/statement/note.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../testdata/vectors/signed-note/vectors.json', import.meta.url), 'utf8'),
);
const peter = vectors.ed25519_keys[0];
const enoch = vectors.ed25519_keys[1];

describe('signed-note keys (Go vectors)', () => {
  it('parses every vector verifier key and derives the same key id', () => {
    for (const k of vectors.ed25519_keys) {
      const v = parseVerifierKey(k.vkey);
      expect(v.name).toBe(k.name);
      expect(v.keyId.toString(16).padStart(8, '0')).toBe(k.vkey.split('+')[1]);
    }
  });
  it('derives the verifier key from the private key', () => {
    expect(parseSignerKey(peter.skey).vkey).toBe(peter.vkey);
  });
  it('rejects bad verifier keys with a message saying what is wrong', () => {
    expect(() => parseVerifierKey(vectors.bad_vkeys[0])).toThrow(KeyFormatError);
    expect(() => parseVerifierKey(vectors.bad_vkeys[1])).toThrow(/algorithm|key id/);
    // A key whose id does not hash to its name and key is a corrupted identity, not a new one.
    const [name, , b64] = peter.vkey.split('+');
    expect(() => parseVerifierKey(`${name}+00000000+${b64}`)).toThrow(/does not match the key/);
    expect(() => parseVerifierKey('no-plus-signs')).toThrow(/expected name\+keyid\+base64key/);
    expect(() => parseSignerKey(peter.vkey)).toThrow(/PRIVATE\+KEY/);
  });
  it('generates keys that round-trip, deterministically from a seed', () => {
    const seed = new Uint8Array(32).fill(7);
    const a = generateKeyPair('monitors.example', seed);
    expect(generateKeyPair('monitors.example', seed)).toEqual(a);
    expect(parseSignerKey(a.skey).vkey).toBe(a.vkey);
    expect(parseVerifierKey(a.vkey).name).toBe('monitors.example');
    expect(() => generateKeyPair('has space')).toThrow(KeyFormatError);
  });
});

describe('signed notes (Go vectors)', () => {
  const [deterministic, twoSigs] = vectors.signed_notes;
  it('reproduces the deterministic Ed25519 signature byte for byte', () => {
    expect(signNote(deterministic.text, [parseSignerKey(peter.skey)])).toBe(deterministic.note);
  });
  it('opens a note with one known and one unknown signer', () => {
    const opened = openNote(twoSigs.note, [parseVerifierKey(peter.vkey)]);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    const both = openNote(twoSigs.note, [parseVerifierKey(peter.vkey), parseVerifierKey(enoch.vkey)]);
    expect(both.verified).toHaveLength(2);
  });
  it('rejects every malformed note', () => {
    for (const bad of vectors.malformed_notes) {
      expect(() => openNote(bad, [parseVerifierKey(peter.vkey)])).toThrow(NoteError);
    }
  });
  it('rejects a note no known key signed, and a tampered text', () => {
    expect(() => openNote(deterministic.note, [parseVerifierKey(enoch.vkey)])).toThrow(
      /no verifiable signatures/,
    );
    const tampered = deterministic.note.replace('cryptography', 'cryptograpHy');
    expect(() => openNote(tampered, [parseVerifierKey(peter.vkey)])).toThrow(/invalid signature/);
  });
});

describe('key names', () => {
  it('rejects names Go would refuse or that would not survive UTF-8: spaces, +, controls, NEL, lone surrogates', () => {
    for (const bad of [
      '',
      'a b',
      'a+b',
      'a\u0085b',
      'a\u00a0b',
      'a\u0001b',
      'a\u007fb',
      'a\u2028b',
      'a\ud800b',
    ]) {
      expect(() => generateKeyPair(bad), JSON.stringify(bad)).toThrow(KeyFormatError);
    }
    expect(generateKeyPair('مراقبون.example/log').vkey).toMatch(/^مراقبون\.example\/log\+/);
  });
});
