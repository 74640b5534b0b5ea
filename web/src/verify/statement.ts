/**
 * Statements as the log holds them (docs/log.md): RFC 8785 canonical JSON (through the
 * `canonicalize` package, the reference implementation's author's), statement signatures over
 * `phaseline/statement/v1\n<JCS>\n` with C2SP key strings, and salted commitments for restricted
 * content.
 */
import canonicalize from 'canonicalize';
import { concat, equalBytes, fromBase64, sha256, toHex, utf8Bytes } from './bytes.js';
import { verifyEd25519 } from './ed25519.js';
import { parseVerifierKey } from './keys.js';

export interface Statement {
  kind: string;
  agreement: string;
  issuer: string;
  key: string;
  at: string;
  nonce: string;
  classification: string;
  subject: string;
  body: unknown;
}

export interface Envelope {
  statement: Statement;
  signatures: { key: string; sig: string }[];
}

export interface Commitment {
  classification: string;
  kind: string;
  agreement: string;
  issuer: string;
  at: string;
  digest: string;
}

export type Leaf =
  | { v: 1; admitted: string; envelope: Envelope }
  | { v: 1; admitted: string; commitment: Commitment };

export const STATEMENT_SIGNING_PREFIX = 'phaseline/statement/v1\n';
const COMMITMENT_PREFIX = 'phaseline/commitment/v1\n';

/** RFC 8785 canonical JSON text of a JSON value. */
export function canonicalText(value: unknown): string {
  const t = canonicalize(value);
  if (t === undefined) throw new Error('not a JSON value');
  return t;
}

/** The statement id: hex SHA-256 of its canonical bytes. */
export async function statementId(s: Statement): Promise<string> {
  return toHex(await sha256(utf8Bytes(canonicalText(s))));
}

export interface SignatureCheck {
  key: string;
  signer: string;
  ok: boolean;
  why?: string;
}

/** Checks every signature of an envelope (the first must be by `statement.key`). */
export async function checkSignatures(envelope: Envelope): Promise<SignatureCheck[]> {
  const message = utf8Bytes(`${STATEMENT_SIGNING_PREFIX}${canonicalText(envelope.statement)}\n`);
  const out: SignatureCheck[] = [];
  for (const [i, s] of envelope.signatures.entries()) {
    let signer = s.key.split('+')[0] ?? '?';
    try {
      if (i === 0 && s.key !== envelope.statement.key)
        throw new Error('the first signature is not by the statement’s key');
      const key = await parseVerifierKey(s.key);
      signer = key.name;
      const sig = fromBase64(s.sig, 'a signature');
      if (sig.length !== 68) throw new Error('a signature is keyid (4 bytes) and Ed25519 (64 bytes)');
      const id = new DataView(sig.buffer, sig.byteOffset, 4).getUint32(0);
      if (id !== key.keyId) throw new Error('the signature names another key id');
      if (!(await verifyEd25519(key.publicKey, message, sig.subarray(4))))
        throw new Error('Ed25519 signature does not verify');
      out.push({ key: s.key, signer, ok: true });
    } catch (e) {
      out.push({ key: s.key, signer, ok: false, why: (e as Error).message });
    }
  }
  return out;
}

/** True when a disclosure (envelope and base64 salt) opens a commitment. */
export async function opensCommitment(
  commitment: Commitment,
  disclosure: { envelope: Envelope; salt: string },
): Promise<boolean> {
  const salt = fromBase64(disclosure.salt, 'the salt');
  const digest = await sha256(
    concat(utf8Bytes(COMMITMENT_PREFIX), salt, utf8Bytes(canonicalText(disclosure.envelope))),
  );
  const s = disclosure.envelope.statement;
  return (
    salt.length === 32 &&
    equalBytes(utf8Bytes(toHex(digest)), utf8Bytes(commitment.digest)) &&
    s.classification === commitment.classification &&
    s.kind === commitment.kind &&
    s.agreement === commitment.agreement &&
    s.issuer === commitment.issuer &&
    s.at === commitment.at
  );
}
