/**
 * The signed statement: the only way a fact enters Phaseline (DESIGN.md, "Statement").
 *
 * A statement is plain JSON. Its canonical bytes are RFC 8785 (JCS) and its id is the
 * lowercase hex SHA-256 of those bytes. An {@link Envelope} carries the statement with one
 * or more Ed25519 signatures over a domain-separated message (see `envelope.ts`).
 */

/** Who may read a statement's content. The public log holds a salted commitment for the two restricted levels. */
export type Classification = 'public' | 'parties' | 'mechanism';

export const CLASSIFICATIONS: readonly Classification[] = ['public', 'parties', 'mechanism'];

/** Ordering of clearance: a reader cleared for a level may read that level and every level below it. */
export const CLASSIFICATION_RANK: Record<Classification, number> = { public: 0, parties: 1, mechanism: 2 };

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Statement {
  /** What the statement says, e.g. `zone.stage.certify`, `incident.report`. The engine owns the list of kinds. */
  kind: string;
  /** The agreement id this statement belongs to (the engine rejects statements for another agreement). */
  agreement: string;
  /** The issuing party's id, as declared in the agreement. */
  issuer: string;
  /** The signer's verifier key, a C2SP signed-note key string `name+keyid+base64(0x01‖pub)`. */
  key: string;
  /** When the issuer says the statement was made: RFC 3339 UTC with milliseconds, `2026-06-26T09:00:00.000Z`. */
  at: string;
  /** 128 random bits, base64url without padding; makes every statement unique and its commitment unguessable. */
  nonce: string;
  classification: Classification;
  /** What the statement is about: a zone id, an incident id, a unit id… Kind-specific; may be empty. */
  subject: string;
  /** Kind-specific content, validated by the engine. */
  body: JsonObject;
}

/** One signature over a statement's signing message. */
export interface StatementSignature {
  /** The signer's verifier key string (`name+keyid+base64`). The first signature is by `statement.key`. */
  key: string;
  /** base64 of the 64-byte Ed25519 signature. */
  sig: string;
}

/** A statement with its signatures: what parties submit and what the log stores (for public statements). */
export interface Envelope {
  statement: Statement;
  signatures: StatementSignature[];
}
