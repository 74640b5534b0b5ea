/**
 * Envelopes: a statement with one or more Ed25519 signatures (co-signing).
 *
 * Each signature covers a domain-separated message that is itself a valid signed-note text:
 *
 *   phaseline/statement/v1\n<RFC 8785 canonical JSON of the statement>\n
 *
 * The prefix keeps a statement signature from ever being replayed as a checkpoint or any other
 * note, and because the message is note text, `sig` (base64 of keyid ‖ Ed25519 signature) can be
 * checked by any signed-note verifier, e.g. Go's note.Open on `message + "\n— name sig\n"`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes, canonicalJson } from './canonical.js';
import { KeyFormatError, keyLabel, type NoteSigner, type NoteVerifier, parseVerifierKey } from './keys.js';
import { signatureBase64, verifySignatureBase64 } from './note.js';
import { CLASSIFICATIONS, type Envelope, type Statement } from './types.js';

/** The largest canonical envelope accepted, in bytes: the log entry (envelope plus admission time) must fit a tlog-tiles entry (65,535 bytes). */
export const statement_bytes_max = 64_000;

/** Prefix of every statement signing message; changing it invalidates every signature ever made. */
export const STATEMENT_SIGNING_PREFIX = 'phaseline/statement/v1\n';

/** The outcome of a door check: accepted, or rejected with a stable code and a sentence for people. */
export type Verdict = { ok: true } | { ok: false; code: string; message: string };

const rfc3339Ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const StatementShape = z
  .object({
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'a dotted lowercase kind such as zone.stage.sign'),
    agreement: z.string().min(1),
    issuer: z.string().min(1),
    key: z.string().min(1),
    at: z
      .string()
      .regex(rfc3339Ms, 'RFC 3339 UTC with milliseconds, e.g. 2026-06-26T09:00:00.000Z')
      .refine((s) => !Number.isNaN(Date.parse(s)), 'a real calendar time'),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'base64url, 16–64 characters'),
    classification: z.enum(CLASSIFICATIONS as [string, ...string[]]),
    subject: z.string(),
    body: z.record(z.string(), z.unknown()),
  })
  .strict();

const EnvelopeShape = z
  .object({
    statement: StatementShape,
    signatures: z
      .array(z.object({ key: z.string().min(1), sig: z.string().min(1) }).strict())
      .min(1, 'at least one signature'),
  })
  .strict();

/** Describes the first problem zod found as `path: message`. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.length
    ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
    : '(root)';
  return `${path.replace(/^\./, '')}: ${issue.message}`;
}

/** The bytes every signature on `statement` covers. */
export function signingMessage(statement: Statement): Buffer {
  return Buffer.concat([Buffer.from(STATEMENT_SIGNING_PREFIX), canonicalBytes(statement), Buffer.from('\n')]);
}

/** A statement's id: lowercase hex SHA-256 of its RFC 8785 bytes (signatures excluded, so co-signing keeps the id). */
export function statementId(statement: Statement): string {
  return createHash('sha256').update(canonicalBytes(statement)).digest('hex');
}

/** 128 random bits as base64url, the default statement nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** Signs `statement` with `signer`, whose verifier key must be `statement.key`. */
export function signStatement(statement: Statement, signer: NoteSigner): Envelope {
  if (statement.key !== signer.vkey) {
    throw new Error(
      `statement.key ${keyLabel(statement.key)} is not the signer's key ${keyLabel(signer.vkey)}`,
    );
  }
  return {
    statement,
    signatures: [{ key: signer.vkey, sig: signatureBase64(signingMessage(statement), signer) }],
  };
}

/** Adds a co-signature by `signer` (replacing an earlier one by the same key). */
export function cosign(envelope: Envelope, signer: NoteSigner): Envelope {
  const sig = signatureBase64(signingMessage(envelope.statement), signer);
  return {
    statement: envelope.statement,
    signatures: [...envelope.signatures.filter((s) => s.key !== signer.vkey), { key: signer.vkey, sig }],
  };
}

// Parsing a verifier key costs a KeyObject import; the same few keys sign everything, so cache them.
const verifierCache = new Map<string, NoteVerifier>();
const verifier_cache_entries_max = 10_000;

/** Parses (and caches) a verifier key string. Throws {@link KeyFormatError}. */
export function verifierFor(vkey: string): NoteVerifier {
  let v = verifierCache.get(vkey);
  if (v === undefined) {
    v = parseVerifierKey(vkey);
    if (verifierCache.size >= verifier_cache_entries_max) verifierCache.clear();
    verifierCache.set(vkey, v);
  }
  return v;
}

/**
 * Checks an envelope on its own: shape, size and every signature. It knows nothing of parties,
 * roles, revocation or time: those are the engine's admission rules.
 * Codes: `schema`, `size`, `signature`, `duplicate-signer`.
 */
export function verifyEnvelope(envelope: unknown): Verdict {
  const parsed = EnvelopeShape.safeParse(envelope);
  if (!parsed.success)
    return { ok: false, code: 'schema', message: `malformed envelope: ${describeIssue(parsed.error)}` };
  const env = envelope as Envelope;
  let size: number;
  try {
    size = Buffer.byteLength(canonicalJson(env));
  } catch {
    return { ok: false, code: 'schema', message: 'malformed envelope: a value has no JSON representation' };
  }
  if (size > statement_bytes_max) {
    return {
      ok: false,
      code: 'size',
      message: `statement is ${size} bytes canonical, over the limit of ${statement_bytes_max}; reference evidence files by SHA-256 instead of embedding them`,
    };
  }
  const first = env.signatures[0]!;
  if (first.key !== env.statement.key) {
    return {
      ok: false,
      code: 'signature',
      message: `the first signature must be by statement.key ${keyLabel(env.statement.key)}, not ${keyLabel(first.key)}`,
    };
  }
  const message = signingMessage(env.statement);
  const seen = new Set<string>();
  for (const [i, s] of env.signatures.entries()) {
    if (seen.has(s.key))
      return {
        ok: false,
        code: 'duplicate-signer',
        message: `signatures[${i}]: key ${keyLabel(s.key)} signed twice`,
      };
    seen.add(s.key);
    let v: NoteVerifier;
    try {
      v = verifierFor(s.key);
    } catch (e) {
      if (e instanceof KeyFormatError)
        return { ok: false, code: 'signature', message: `signatures[${i}].key: ${e.message}` };
      throw e;
    }
    if (!verifySignatureBase64(message, s.sig, v)) {
      return {
        ok: false,
        code: 'signature',
        message: `signatures[${i}]: signature by ${keyLabel(s.key)} does not verify over this statement`,
      };
    }
  }
  return { ok: true };
}
