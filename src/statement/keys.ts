/**
 * Ed25519 keys as C2SP signed-note key strings (https://c2sp.org/signed-note#verifier-keys),
 * byte-compatible with Go's golang.org/x/mod/sumdb/note:
 *
 *   verifier key  name+keyid+base64(0x01 ‖ 32-byte public key)
 *   signer key    PRIVATE+KEY+name+keyid+base64(0x01 ‖ 32-byte seed)
 *
 * keyid is the first four bytes (big-endian, 8 hex digits) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).
 * Because the key id commits to the name and the key, a key string with a mismatched id is
 * rejected rather than trusted: a typo must never turn into a different identity.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';

/** The signed-note signature type byte for Ed25519. */
export const ALG_ED25519 = 0x01;
/**
 * The signature type byte of C2SP tlog-cosignature `cosignature/v1` witness keys
 * (https://c2sp.org/tlog-cosignature): an Ed25519 key whose key id, and so whose signatures,
 * can never be mistaken for a note signer's.
 */
export const ALG_COSIGNATURE_V1 = 0x04;

/** The signature types a key string may carry here, with the name errors give them. */
export type KeyAlgorithm = typeof ALG_ED25519 | typeof ALG_COSIGNATURE_V1;
const ALG_NAMES: Record<KeyAlgorithm, string> = {
  [ALG_ED25519]: 'Ed25519, 0x01',
  [ALG_COSIGNATURE_V1]: 'cosignature/v1, 0x04',
};

/** Thrown for malformed key strings; the message says which part is wrong. */
export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  publicKey: KeyObject;
  /** Raw 32-byte Ed25519 public key. */
  publicKeyRaw: Buffer;
  /** The verifier key string this verifier was parsed from (or derived for). */
  vkey: string;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  privateKey: KeyObject;
  /** The verifier key string matching this signer. */
  vkey: string;
}

// DER prefixes that wrap a raw Ed25519 seed (PKCS#8) or public key (SPKI), so node:crypto can import them.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * A key name is valid when it is non-empty, has no white space (Unicode's, as Go's
 * unicode.IsSpace: U+0085 and U+00A0 included), no '+' (the separator of the key string), no
 * control character (a note may not carry one), and no lone surrogate (it would not survive UTF-8).
 * This is Go's note.isValidName plus the characters that would make Go reject the note later.
 */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    !/[\s+\u0085\u0000-\u001f\u007f]/u.test(name) &&
    !/[\uD800-\uDFFF]/.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))
  );
}

/** keyid = first 4 bytes of SHA-256(name ‖ "\n" ‖ alg ‖ key), as an unsigned 32-bit integer. */
export function keyHash(name: string, algAndKey: Uint8Array): number {
  const h = createHash('sha256').update(name, 'utf8').update('\n').update(algAndKey).digest();
  return h.readUInt32BE(0);
}

function keyIdHex(id: number): string {
  return id.toString(16).padStart(8, '0');
}

function decodeStrictBase64(b64: string, what: string): Buffer {
  // Buffer.from(…, 'base64') silently skips bad characters; a key string must round-trip exactly.
  const raw = Buffer.from(b64, 'base64');
  if (b64.length === 0 || raw.toString('base64') !== b64) {
    throw new KeyFormatError(`${what}: not valid standard base64`);
  }
  return raw;
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function privateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** Splits at the first `n - 1` '+' signs: base64 may itself contain '+', as in Go's chop. */
function splitPlus(s: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf('+');
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

function parseNameIdKey(
  rest: string[],
  where: string,
  alg: KeyAlgorithm,
): { name: string; keyId: number; key: Buffer } {
  const [name, idHex, b64] = rest;
  if (rest.length !== 3 || name === undefined || idHex === undefined || b64 === undefined) {
    throw new KeyFormatError(`${where}: expected name+keyid+base64key`);
  }
  if (!isValidKeyName(name)) throw new KeyFormatError(`${where}: invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-f]{8}$/.test(idHex))
    throw new KeyFormatError(`${where}: key id must be 8 lowercase hex digits, got ${JSON.stringify(idHex)}`);
  const key = decodeStrictBase64(b64, where);
  if (key.length !== 33)
    throw new KeyFormatError(`${where}: key must be 33 bytes (algorithm byte + 32), got ${key.length}`);
  if (key[0] !== alg)
    throw new KeyFormatError(
      `${where}: signature algorithm 0x${key[0]!.toString(16).padStart(2, '0')} where ${ALG_NAMES[alg]} is expected`,
    );
  return { name, keyId: Number.parseInt(idHex, 16), key };
}

/**
 * Parses a verifier key string; throws {@link KeyFormatError} saying what is wrong. `alg` is the
 * signature type the key must have: Ed25519 note keys by default, or cosignature/v1 witness keys.
 */
export function parseVerifierKey(vkey: string, alg: KeyAlgorithm = ALG_ED25519): NoteVerifier {
  const where = `verifier key ${JSON.stringify(vkey.length > 80 ? vkey.slice(0, 80) + '…' : vkey)}`;
  const { name, keyId, key } = parseNameIdKey(splitPlus(vkey, 3), where, alg);
  const expected = keyHash(name, key);
  if (expected !== keyId) {
    throw new KeyFormatError(
      `${where}: key id ${keyIdHex(keyId)} does not match the key (expected ${keyIdHex(expected)}); the key string is corrupted`,
    );
  }
  const publicKeyRaw = key.subarray(1);
  return { name, keyId, publicKey: publicKeyFromRaw(publicKeyRaw), publicKeyRaw, vkey };
}

/**
 * Parses a signer (private) key string; throws {@link KeyFormatError} saying what is wrong.
 * `alg` as for {@link parseVerifierKey}: a witness's private key carries 0x04 like its verifier key.
 */
export function parseSignerKey(skey: string, alg: KeyAlgorithm = ALG_ED25519): NoteSigner {
  const where = 'signer key';
  const text = skey.trim();
  if (!text.startsWith('PRIVATE+KEY+')) throw new KeyFormatError(`${where}: must start with PRIVATE+KEY+`);
  const { name, keyId, key } = parseNameIdKey(splitPlus(text.slice('PRIVATE+KEY+'.length), 3), where, alg);
  const privateKey = privateKeyFromSeed(key.subarray(1));
  const pubWithAlg = Buffer.concat([Buffer.of(alg), rawPublicKey(privateKey)]);
  const expected = keyHash(name, pubWithAlg);
  if (expected !== keyId) {
    throw new KeyFormatError(
      `${where} ${name}: key id ${keyIdHex(keyId)} does not match the key (expected ${keyIdHex(expected)}); the key file is corrupted`,
    );
  }
  const vkey = `${name}+${keyIdHex(keyId)}+${pubWithAlg.toString('base64')}`;
  return { name, keyId, privateKey, vkey };
}

/**
 * Generates a new Ed25519 key pair as signed-note key strings. `seed` (32 bytes) makes it
 * deterministic for tests and simulations; `alg` 0x04 makes a cosignature/v1 witness key.
 */
export function generateKeyPair(
  name: string,
  seed: Uint8Array = randomBytes(32),
  alg: KeyAlgorithm = ALG_ED25519,
): { skey: string; vkey: string } {
  if (!isValidKeyName(name))
    throw new KeyFormatError(`invalid key name ${JSON.stringify(name)}: no spaces or '+' allowed`);
  if (seed.length !== 32) throw new KeyFormatError(`seed must be 32 bytes, got ${seed.length}`);
  const seedBuf = Buffer.from(seed);
  const pub = Buffer.concat([Buffer.of(alg), rawPublicKey(privateKeyFromSeed(seedBuf))]);
  const id = keyIdHex(keyHash(name, pub));
  return {
    skey: `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.of(alg), seedBuf]).toString('base64')}`,
    vkey: `${name}+${id}+${pub.toString('base64')}`,
  };
}

/** `name+keyid` of a verifier key string, handy for messages. */
export function keyLabel(vkey: string): string {
  return vkey.split('+').slice(0, 2).join('+');
}
