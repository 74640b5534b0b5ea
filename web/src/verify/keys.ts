/**
 * C2SP signed-note verifier keys (https://c2sp.org/signed-note): `name+keyid+base64(0x01 ‖ key)`,
 * keyid = the first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key), big-endian.
 */
import { concat, fromBase64, sha256, utf8Bytes } from './bytes.js';

export interface VerifierKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  text: string;
}

const ALG_ED25519 = 0x01;

export async function keyIdOf(name: string, algAndKey: Uint8Array): Promise<number> {
  const h = await sha256(concat(utf8Bytes(name), utf8Bytes('\n'), algAndKey));
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0);
}

/** Parses and checks a verifier key; throws an Error saying what is wrong with it. */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  // The base64 part may itself hold '+': split at the first two only.
  const m = /^([^+]*)\+([^+]*)\+(.*)$/.exec(text.trim());
  if (m === null) throw new Error('a key is name+keyid+base64 (three parts separated by +)');
  const [, name, hash, b64] = m as unknown as [string, string, string, string];
  if (name === '' || /\s/.test(name)) throw new Error(`key name ${JSON.stringify(name)} is not valid`);
  if (!/^[0-9a-f]{8}$/.test(hash)) throw new Error(`key id ${JSON.stringify(hash)} is not 8 hex digits`);
  const raw = fromBase64(b64, 'the key');
  if (raw.length !== 33 || raw[0] !== ALG_ED25519) throw new Error('the key is not an Ed25519 key');
  const keyId = await keyIdOf(name, raw);
  if (keyId !== Number.parseInt(hash, 16)) throw new Error('the key id does not match its name and key');
  return { name, keyId, publicKey: raw.subarray(1), text: text.trim() };
}
