/**
 * Signing in as a party, in the browser: the party's key file (`PRIVATE+KEY+name+keyid+base64(0x01
 * ‖ seed)`, as `phaseline keys new` writes it) is read here, the token request (an `auth.token`
 * statement, see src/server/auth.ts) is signed here with WebCrypto Ed25519 (or @noble/ed25519),
 * and only the signed request goes to `POST /v1/tokens`. The private key never leaves the page
 * and is not stored; the token is kept for this tab only (sessionStorage).
 */
import * as noble from '@noble/ed25519';
import { api } from '../api/client';
import { concat, fromBase64, toBase64, utf8Bytes } from '../verify/bytes';
import { ed25519Engine } from '../verify/ed25519';
import { keyIdOf } from '../verify/keys';
import { canonicalText, STATEMENT_SIGNING_PREFIX } from '../verify/statement';

export interface Session {
  token: string;
  expires: string;
  party: string;
  clearance: string;
}

interface ParsedKey {
  name: string;
  keyId: number;
  seed: Uint8Array;
}

export function parsePrivateKey(text: string): ParsedKey {
  const m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text.trim());
  if (m === null) throw new Error('not a key file: it should hold one line PRIVATE+KEY+name+keyid+base64');
  const raw = fromBase64(m[3]!, 'the key');
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 key');
  return { name: m[1]!, keyId: Number.parseInt(m[2]!, 16), seed: raw.subarray(1) };
}

const PKCS8_ED25519_PREFIX = new Uint8Array([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

async function signer(
  seed: Uint8Array,
): Promise<{ publicKey: Uint8Array; sign: (m: Uint8Array) => Promise<Uint8Array> }> {
  if ((await ed25519Engine()) === 'webcrypto') {
    const key = await crypto.subtle.importKey(
      'pkcs8',
      concat(PKCS8_ED25519_PREFIX, seed) as BufferSource,
      { name: 'Ed25519' },
      true,
      ['sign'],
    );
    const jwk = await crypto.subtle.exportKey('jwk', key);
    const publicKey = fromBase64(jwk.x!.replace(/-/g, '+').replace(/_/g, '/').padEnd(44, '='), 'public key');
    return {
      publicKey,
      sign: async (m) =>
        new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, key, m as BufferSource)),
    };
  }
  const publicKey = await noble.getPublicKeyAsync(seed);
  return { publicKey, sign: (m) => noble.signAsync(m, seed) };
}

/** Signs a token request with the key file's key and exchanges it for a bearer token. */
export async function signIn(
  keyFileText: string,
  party: string,
  agreement: string,
  origin: string,
): Promise<Session> {
  const k = parsePrivateKey(keyFileText);
  const s = await signer(k.seed);
  const algAndKey = concat(new Uint8Array([1]), s.publicKey);
  if ((await keyIdOf(k.name, algAndKey)) !== k.keyId)
    throw new Error('the key file is damaged: its key id does not match its key');
  const vkey = `${k.name}+${k.keyId.toString(16).padStart(8, '0')}+${toBase64(algAndKey)}`;
  const nonce = toBase64(crypto.getRandomValues(new Uint8Array(16)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const statement = {
    kind: 'auth.token',
    agreement,
    issuer: party,
    key: vkey,
    at: new Date().toISOString(),
    nonce,
    classification: 'public',
    subject: origin,
    body: {},
  };
  const sig = await s.sign(utf8Bytes(`${STATEMENT_SIGNING_PREFIX}${canonicalText(statement)}\n`));
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, k.keyId);
  return api.post<Session>('/v1/tokens', {
    statement,
    signatures: [{ key: vkey, sig: toBase64(concat(id, sig)) }],
  });
}

const session_key = 'phaseline.session';

export function savedSession(): Session | null {
  const text = sessionStorage.getItem(session_key);
  if (text === null) return null;
  const s = JSON.parse(text) as Session;
  return Date.parse(s.expires) > Date.now() ? s : null;
}

export function saveSession(s: Session | null): void {
  if (s === null) sessionStorage.removeItem(session_key);
  else sessionStorage.setItem(session_key, JSON.stringify(s));
}
