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
import { hash, type KeyObject, randomBytes, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical.js';
import { KeyFormatError, keyLabel, type NoteSigner, type NoteVerifier, parseVerifierKey } from './keys.js';
import { decodeSignatureBase64, signatureBase64 } from './note.js';
import { type JsonRejection, parseStrictJson } from './strict-json.js';
import { isStatementTime } from './time.js';
import { CLASSIFICATIONS, type Envelope, type Statement, type StatementSignature } from './types.js';

/** The largest canonical envelope accepted, in bytes: the log entry (envelope plus admission time) must fit a tlog-tiles entry (65,535 bytes). */
export const statement_bytes_max = 64_000;

/** Prefix of every statement signing message; changing it invalidates every signature ever made. */
export const STATEMENT_SIGNING_PREFIX = 'phaseline/statement/v1\n';

/** The outcome of a door check: accepted, or rejected with a stable code and a sentence for people. */
export type Verdict = { ok: true } | { ok: false; code: string; message: string };

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
      .refine(
        isStatementTime,
        'RFC 3339 UTC with milliseconds and hours 00–23, a time that exists, e.g. 2026-06-26T09:00:00.000Z',
      ),
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
  return messageFor(canonicalJson(statement));
}

/** The signing message from a statement's canonical text. */
function messageFor(statementJson: string): Buffer {
  return Buffer.from(`${STATEMENT_SIGNING_PREFIX}${statementJson}\n`, 'utf8');
}

/**
 * RFC 8785 text of an envelope from the RFC 8785 texts of its parts: JCS sorts keys by UTF-16
 * code units and "signatures" < "statement", so the whole is these two members in that order.
 */
export function envelopeJsonFromParts(signaturesJson: string, statementJson: string): string {
  return `{"signatures":${signaturesJson},"statement":${statementJson}}`;
}

/** A statement's id: lowercase hex SHA-256 of its RFC 8785 bytes (signatures excluded, so co-signing keeps the id). */
export function statementId(statement: Statement): string {
  return idOf(canonicalJson(statement));
}

function idOf(statementJson: string): string {
  // One-shot crypto.hash (Node 20.12+): about half the cost of createHash for a statement's size.
  return hash('sha256', statementJson, 'hex');
}

/** 128 random bits as base64url, the default statement nonce. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Signs `statement` with `signer`, whose verifier key must be `statement.key`. The envelope
 * holds a copy of the statement with its keys in RFC 8785 order (`signatures` before
 * `statement`, too), so `JSON.stringify` of it writes the statement's canonical text: a server
 * checking it then finds it in canonical order and lets the engine's JSON.stringify write
 * it (see `canonicalJson`), about half the cost of sorting it.
 */
export function signStatement(statement: Statement, signer: NoteSigner): Envelope {
  if (statement.key !== signer.vkey) {
    throw new Error(
      `statement.key ${keyLabel(statement.key)} is not the signer's key ${keyLabel(signer.vkey)}`,
    );
  }
  const json = canonicalJson(statement);
  return {
    signatures: [{ key: signer.vkey, sig: signatureBase64(messageFor(json), signer) }],
    statement: JSON.parse(json) as Statement,
  };
}

/** Adds a co-signature by `signer` (replacing an earlier one by the same key). */
export function cosign(envelope: Envelope, signer: NoteSigner): Envelope {
  const sig = signatureBase64(signingMessage(envelope.statement), signer);
  return {
    signatures: [...envelope.signatures.filter((s) => s.key !== signer.vkey), { key: signer.vkey, sig }],
    statement: envelope.statement,
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

/** What {@link checkEnvelope} learns of an envelope that passes: its statement id and its RFC 8785 text. */
export type EnvelopeCheck =
  | { ok: true; id: string; json: string }
  | { ok: false; code: string; message: string };

/**
 * An envelope that passed {@link checkEnvelope} (shape, size, every signature), with its id and
 * canonical text. The envelope object is parsed afresh from that text, so no caller holds a
 * reference to it and it cannot have changed since it was checked: consumers may skip the
 * signature checks for it (the engine's `admit` with `verified`). Made only by the verification
 * pool (`verify-pool.ts`) and {@link CheckedEnvelope.check}; never from a caller's object.
 */
export class CheckedEnvelope {
  readonly envelope: Envelope;
  readonly id: string;
  /** RFC 8785 text of the envelope. */
  readonly json: string;

  private constructor(json: string, id: string) {
    this.envelope = JSON.parse(json) as Envelope;
    this.id = id;
    this.json = json;
  }

  /** From the output of {@link checkEnvelope} (run here or in a pool worker) for one envelope. */
  static fromCheck(check: { ok: true; id: string; json: string }): CheckedEnvelope {
    return new CheckedEnvelope(check.json, check.id);
  }

  /** Checks `value` on this thread; a {@link CheckedEnvelope} when it passes, else the rejection. */
  static check(value: unknown): CheckedEnvelope | { ok: false; code: string; message: string } {
    const c = checkEnvelope(value);
    return c.ok ? new CheckedEnvelope(c.json, c.id) : c;
  }
}

/**
 * The JSON text of one envelope as it arrived (a line of an NDJSON batch), not parsed yet. The
 * checks parse it where they run: in a verification worker, a batch costs the sequencing thread
 * neither the parse nor copying objects to the worker (strings are copied as bytes).
 */
export class EnvelopeText {
  /** `label` names the text in the rejection of one that is not JSON, e.g. `line 3`. */
  constructor(
    readonly text: string,
    readonly label = 'the envelope',
  ) {}

  #rejection: JsonRejection | undefined;

  /**
   * The parsed value, or the rejection of a text that is not I-JSON (see strict-json.ts). A
   * rejection is kept: a text that is not JSON is looked at again where it is answered (a
   * PostgreSQL node parses a group's texts to look their ids up, then `ingest` answers them),
   * and parsing it once is enough.
   */
  parse(): { ok: true; value: unknown } | JsonRejection {
    if (this.#rejection !== undefined) return this.#rejection;
    const p = parseStrictJson(this.text, this.label);
    if (!p.ok) this.#rejection = p;
    return p;
  }
}

/**
 * Checks an envelope on its own: shape, size and every signature. It knows nothing of parties,
 * roles, revocation or time: those are the engine's admission rules.
 * Codes: `schema`, `size`, `signature`, `duplicate-signer`.
 */
export function verifyEnvelope(envelope: unknown): Verdict {
  const c = checkEnvelope(envelope);
  return c.ok ? { ok: true } : c;
}

/**
 * {@link verifyEnvelope}, also returning the statement id and the envelope's RFC 8785 text. The
 * statement is canonicalized once: the size, the signing message, the id and the text all come
 * from those bytes.
 */
export function checkEnvelope(envelope: unknown): EnvelopeCheck {
  const p = prepare(envelope);
  return p.ok ? (verifySignatures(p) ?? checked(p)) : p;
}

/**
 * {@link checkEnvelope} of each value, in order, for a verification worker's chunk: for each run
 * of {@link phase_envelopes} values, first every envelope's shape, canonical text and decoded
 * signatures, then every signature back to back, then the ids. Measured on one thread
 * (bench/statement-check.ts), this costs ~6 µs less per statement than checking the envelopes
 * one after another: between signatures, the parsing and canonicalizing evict OpenSSL's code
 * and tables from the caches. Runs are short so that what a run keeps alive between its phases
 * dies young: over a whole chunk of 256, the prepared envelopes outlived the workers' small
 * young generation and V8's helper threads spent ~8 µs more per statement marking them.
 * A value whose check throws (a bug, or a value no JSON check anticipated) gets a `schema`
 * rejection naming the error instead of failing its neighbours.
 */
export function checkEnvelopes(values: readonly unknown[]): EnvelopeCheck[] {
  const results: EnvelopeCheck[] = [];
  for (let from = 0; from < values.length; from += phase_envelopes) {
    const run = values.slice(from, from + phase_envelopes).map((v) => guarded(() => prepare(v)));
    for (const [i, r] of run.entries()) {
      if (!(r instanceof Prepared)) continue;
      const rejected = guarded(() => verifySignatures(r));
      if (rejected !== undefined) run[i] = rejected;
    }
    for (const r of run) results.push(r instanceof Prepared ? checked(r) : r);
  }
  return results;
}

/** Envelopes per run of {@link checkEnvelopes}'s phases. */
const phase_envelopes = 32;

function guarded<T>(f: () => T): T | { ok: false; code: string; message: string } {
  try {
    return f();
  } catch (e) {
    return { ok: false, code: 'schema', message: `malformed envelope: ${(e as Error).message}` };
  }
}

/**
 * An envelope whose shape and size passed, with its canonical texts, its signing message, and
 * its signatures decoded for `crypto.verify`: those before the first one that cannot verify
 * whatever the message, and that one's rejection (a repeated signer, a malformed key, a
 * malformed signature or another key id), which stands if every signature before it verifies.
 */
class Prepared {
  readonly ok = true;
  constructor(
    readonly envelope: Envelope,
    readonly statementJson: string,
    readonly json: string,
    readonly message: Buffer,
    readonly signatures: { key: KeyObject; sig: Buffer }[],
    readonly failure: { ok: false; code: string; message: string } | undefined,
  ) {}
}

/** The checks before the signatures: JSON, shape, canonical form, size, the signers' keys. */
function prepare(envelope: unknown): Prepared | { ok: false; code: string; message: string } {
  if (envelope instanceof EnvelopeText) {
    const p = envelope.parse();
    if (!p.ok) return p;
    envelope = p.value;
  }
  const parsed = EnvelopeShape.safeParse(envelope);
  if (!parsed.success)
    return { ok: false, code: 'schema', message: `malformed envelope: ${describeIssue(parsed.error)}` };
  const env = envelope as Envelope;
  let statementJson: string;
  let json: string;
  try {
    statementJson = canonicalJson(env.statement);
    json = envelopeJsonFromParts(canonicalJson(env.signatures), statementJson);
  } catch {
    return { ok: false, code: 'schema', message: 'malformed envelope: a value has no JSON representation' };
  }
  const size = Buffer.byteLength(json);
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
  const signatures: { key: KeyObject; sig: Buffer }[] = [];
  const failure = decodeSignatures(env.signatures, signatures);
  return new Prepared(env, statementJson, json, messageFor(statementJson), signatures, failure);
}

/**
 * Decodes `list` into `out` in order, up to the first signature that cannot verify whatever the
 * message, whose rejection it returns.
 */
function decodeSignatures(
  list: readonly StatementSignature[],
  out: { key: KeyObject; sig: Buffer }[],
): { ok: false; code: string; message: string } | undefined {
  const seen = new Set<string>();
  for (const [i, s] of list.entries()) {
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
    const sig = decodeSignatureBase64(s.sig, v);
    if (sig === undefined) return doesNotVerify(i, s.key);
    out.push({ key: v.publicKey, sig });
  }
  return undefined;
}

function doesNotVerify(i: number, key: string): { ok: false; code: string; message: string } {
  return {
    ok: false,
    code: 'signature',
    message: `signatures[${i}]: signature by ${keyLabel(key)} does not verify over this statement`,
  };
}

/** The Ed25519 checks of a prepared envelope: its rejection, or undefined when it passes. */
function verifySignatures(p: Prepared): { ok: false; code: string; message: string } | undefined {
  for (const [i, s] of p.signatures.entries())
    if (!verify(null, p.message, s.key, s.sig)) return doesNotVerify(i, p.envelope.signatures[i]!.key);
  return p.failure;
}

function checked(p: Prepared): EnvelopeCheck {
  return { ok: true, id: idOf(p.statementJson), json: p.json };
}
