/**
 * Salted commitments for restricted statements (DESIGN.md, "Classification").
 *
 * The public log must verify end to end, yet `parties` and `mechanism` content may only reach
 * readers cleared for it. So the log entry of a restricted statement holds
 * SHA-256(prefix ‖ salt ‖ canonical envelope) plus minimal metadata; the salt and the envelope
 * (the disclosure) are kept off the public log. A cleared reader given the disclosure recomputes
 * the digest and checks it against the leaf. The 256-bit random salt is what stops anyone from
 * confirming a guessed content against the public digest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { canonicalBytes } from './canonical.js';
import type { Classification, Envelope } from './types.js';

const COMMITMENT_PREFIX = 'phaseline/commitment/v1\n';
export const commitment_salt_bytes = 32;

/** What the public log holds in place of a restricted statement. */
export interface Commitment {
  classification: Exclude<Classification, 'public'>;
  kind: string;
  agreement: string;
  issuer: string;
  at: string;
  /** Lowercase hex SHA-256(prefix ‖ salt ‖ canonical envelope). */
  digest: string;
}

/** What a cleared reader receives to open a commitment. */
export interface Disclosure {
  envelope: Envelope;
  /** base64 of the salt. */
  salt: string;
}

export function commitmentDigest(envelope: Envelope, salt: Uint8Array): string {
  return createHash('sha256')
    .update(COMMITMENT_PREFIX)
    .update(salt)
    .update(canonicalBytes(envelope))
    .digest('hex');
}

/** Commits to a restricted envelope with a fresh salt (or a given one, for deterministic tests). */
export function commit(
  envelope: Envelope,
  salt: Uint8Array = randomBytes(commitment_salt_bytes),
): { commitment: Commitment; disclosure: Disclosure } {
  const s = envelope.statement;
  if (s.classification === 'public')
    throw new Error('commit: public statements are logged in full, not committed');
  return {
    commitment: {
      classification: s.classification,
      kind: s.kind,
      agreement: s.agreement,
      issuer: s.issuer,
      at: s.at,
      digest: commitmentDigest(envelope, salt),
    },
    disclosure: { envelope, salt: Buffer.from(salt).toString('base64') },
  };
}

/** True when `disclosure` opens `commitment`: same digest and the metadata matches the content. */
export function opensCommitment(commitment: Commitment, disclosure: Disclosure): boolean {
  const s = disclosure.envelope.statement;
  const salt = Buffer.from(disclosure.salt, 'base64');
  return (
    salt.length === commitment_salt_bytes &&
    commitmentDigest(disclosure.envelope, salt) === commitment.digest &&
    s.classification === commitment.classification &&
    s.kind === commitment.kind &&
    s.agreement === commitment.agreement &&
    s.issuer === commitment.issuer &&
    s.at === commitment.at
  );
}
