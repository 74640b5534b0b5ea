/**
 * Who is reading: bearer tokens for cleared parties (the OpenAPI description at /openapi.json says the same for clients).
 *
 * Writing needs no token: a statement's own signature is its credential. Reading `parties` or
 * `mechanism` content needs a bearer token, obtained by proving possession of a registered key:
 * the client signs a token request, an envelope in the statement format whose statement has
 *
 *   kind "auth.token", agreement = this agreement's id, issuer = the party, key = its key,
 *   at = now (within `token_request_skew_ms`), a fresh nonce, classification "public",
 *   subject = this log's origin, body {}
 *
 * and POSTs it to /v1/tokens. Why this shape: it reuses the one signature check the project has
 * (`verifyEnvelope`, Ed25519 over `phaseline/statement/v1\n<JCS>\n`); the engine has no kind
 * `auth.token`, so a token request can never be admitted into the log and no log statement can
 * serve as a token request; `subject` binds the request to this log, `at` bounds a request's life
 * to the skew window, and its nonce, spent durably in the store, makes it usable once ever. The token is 256 random bits, kept only as its SHA-256, expires
 * after `token_ttl_ms`, and grants the clearance the agreement gives the key's party. A token
 * stops working as soon as its key is revoked in the log.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Agreement } from '../agreement/model.js';
import type { KeyState } from '../engine/state.js';
import { verifyEnvelope } from '../statement/envelope.js';
import { keyLabel } from '../statement/keys.js';
import type { Classification, Envelope } from '../statement/types.js';
import type { ServerOptions } from './options.js';

export const TOKEN_REQUEST_KIND = 'auth.token';

/** An API error with a stable code (see status-codes.ts) and a sentence for people. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface Reader {
  clearance: Classification;
  /** The party a token was issued to, when the request carries one. */
  party?: string;
}

export const PUBLIC_READER: Reader = { clearance: 'public' };

interface TokenRecord {
  party: string;
  key: string;
  clearance: Classification;
  expiresMs: number;
}

/** Looks up a key in the current (mechanism-level) state of the log. */
export type KeyLookup = (vkey: string) => Promise<KeyState | undefined>;

/**
 * Spends a token request's nonce for good: true the first time, false ever after, on every
 * node and across restarts (the store's `spendNonce`). Held in memory, a restart or a second
 * node would take a captured request again within its time window.
 */
export type SpendNonce = (key: string, nonce: string, expiresMs: number, nowMs: number) => Promise<boolean>;

export class TokenIssuer {
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #agreement: Agreement;
  readonly #origin: string;
  readonly #options: ServerOptions;
  readonly #lookup: KeyLookup;
  readonly #spend: SpendNonce;

  constructor(
    agreement: Agreement,
    origin: string,
    options: ServerOptions,
    lookup: KeyLookup,
    spend: SpendNonce,
  ) {
    this.#agreement = agreement;
    this.#origin = origin;
    this.#options = options;
    this.#lookup = lookup;
    this.#spend = spend;
  }

  /** Checks a token request and issues a token; throws {@link ApiError}. */
  async issue(
    request: unknown,
  ): Promise<{ token: string; expires: string; party: string; clearance: Classification }> {
    const v = verifyEnvelope(request);
    if (!v.ok) throw new ApiError(v.code, `token request: ${v.message}`);
    const env = request as Envelope;
    const s = env.statement;
    if (s.kind !== TOKEN_REQUEST_KIND)
      throw new ApiError(
        'schema',
        `token request: statement.kind must be ${TOKEN_REQUEST_KIND}, not ${JSON.stringify(s.kind)} (log statements are not credentials)`,
      );
    if (s.classification !== 'public')
      throw new ApiError(
        'schema',
        `token request: statement.classification must be "public", not ${JSON.stringify(s.classification)} (a token request is sent in the clear and never enters the log)`,
      );
    if (env.signatures.length !== 1)
      throw new ApiError('schema', 'token request: sign it with exactly one key (the key the token is for)');
    if (s.agreement !== this.#agreement.id)
      throw new ApiError(
        'wrong-agreement',
        `token request: statement.agreement is ${JSON.stringify(s.agreement)}, but this server runs ${JSON.stringify(this.#agreement.id)}`,
      );
    if (s.subject !== this.#origin)
      throw new ApiError(
        'bad-request',
        `token request: statement.subject must be this log's origin ${JSON.stringify(this.#origin)} (a request is valid for one log only)`,
      );
    const nowMs = Date.parse(this.#options.now());
    const skew = this.#options.token_request_skew_ms;
    const atMs = Date.parse(s.at);
    if (atMs > nowMs + skew)
      throw new ApiError(
        'clock-skew',
        `token request: statement.at ${s.at} is in the future; check your clock`,
      );
    if (atMs < nowMs - skew)
      throw new ApiError(
        'backdated',
        `token request: statement.at ${s.at} is more than ${skew} ms old; sign a fresh request`,
      );
    const k = await this.#lookup(s.key);
    if (k === undefined)
      throw new ApiError(
        'unknown-key',
        `token request: key ${keyLabel(s.key)} is not registered to any party`,
      );
    if (k.party !== s.issuer)
      throw new ApiError(
        'key-party-mismatch',
        `token request: key ${keyLabel(s.key)} belongs to party ${k.party}, not ${s.issuer}`,
      );
    if (k.revokedAt !== null && Date.parse(k.revokedAt) <= nowMs)
      throw new ApiError(
        'revoked-key',
        `token request: key ${keyLabel(s.key)} was revoked at ${k.revokedAt}`,
      );
    const party = this.#agreement.parties.find((p) => p.id === k.party);
    if (party === undefined) throw new ApiError('unknown-party', `token request: no party ${k.party}`);
    // Spent only once every check passed, so a refused request does not use up its nonce; after
    // `at + skew` the time check refuses the request whatever the store remembers.
    if (!(await this.#spend(s.key, s.nonce, atMs + skew, nowMs)))
      throw new ApiError('duplicate-nonce', 'token request: this request was already used; sign a fresh one');
    const token = randomBytes(32).toString('base64url');
    const expiresMs = nowMs + this.#options.token_ttl_ms;
    if (this.#tokens.size >= this.#options.tokens_max) this.#tokens.delete(this.#tokens.keys().next().value!);
    this.#tokens.set(hashToken(token), {
      party: party.id,
      key: s.key,
      clearance: party.clearance,
      expiresMs,
    });
    return { token, expires: new Date(expiresMs).toISOString(), party: party.id, clearance: party.clearance };
  }

  /** The reader for an `Authorization` header value (undefined → public); throws {@link ApiError} `bad-token`. */
  async reader(authorization: string | undefined): Promise<Reader> {
    if (authorization === undefined || authorization === '') return PUBLIC_READER;
    const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(authorization.trim());
    if (m === null)
      throw new ApiError(
        'bad-token',
        'Authorization must be "Bearer <token>" with a token from POST /v1/tokens; omit it to read public content',
      );
    const rec = this.#tokens.get(hashToken(m[1]!));
    const nowMs = Date.parse(this.#options.now());
    if (rec === undefined || rec.expiresMs <= nowMs) {
      if (rec) this.#tokens.delete(hashToken(m[1]!));
      throw new ApiError(
        'bad-token',
        'the bearer token is unknown or expired; request a new one at POST /v1/tokens',
      );
    }
    const k = await this.#lookup(rec.key);
    if (k === undefined || (k.revokedAt !== null && Date.parse(k.revokedAt) <= nowMs)) {
      this.#tokens.delete(hashToken(m[1]!));
      throw new ApiError('bad-token', 'the key this token was issued to has been revoked; the token is void');
    }
    return { clearance: rec.clearance, party: rec.party };
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Per-key token buckets for submissions: `per_second` statements per second sustained, at most
 * `burst` at once. Buckets of idle keys are dropped when the map grows large.
 */
export class KeyRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; atMs: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes `n` statements from `key`'s bucket; false when it has not enough left. */
  take(key: string, n: number, nowMs: number = Date.now()): boolean {
    let b = this.#buckets.get(key);
    if (b === undefined) {
      if (this.#buckets.size > 100_000) this.#buckets.clear();
      b = { tokens: this.burst, atMs: nowMs };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.perSecond);
    b.atMs = nowMs;
    if (b.tokens < n) return false;
    b.tokens -= n;
    return true;
  }
}
