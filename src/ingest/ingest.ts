/**
 * The door of the log: turns submitted envelopes into log entries.
 *
 * With an agreement, the engine's `admit` hook is the door (shape, size, signatures, keys, roles,
 * time, duplicates); without one, the envelope checks alone. Then duplicates against the store
 * and within the batch. A rejected envelope never touches the log, and a rejection never
 * discards the envelopes accepted beside it.
 */
import type { PendingEntry, TransparencyLog } from '../log/transparency-log.js';
import { commit } from '../statement/commitment.js';
import { CheckedEnvelope, checkEnvelope, EnvelopeText, statementId } from '../statement/envelope.js';
import { EntryFormatError, encodeEntry, encodePublicEntry } from '../statement/log-entry.js';
import type { Envelope } from '../statement/types.js';

/**
 * The engine's door, called in order for each submitted value. It must include the envelope
 * checks of `verifyEnvelope` (the engine's `admit` does), which `ingest` then skips; when the
 * value is a {@link CheckedEnvelope} (verified by the pool), it is called with its envelope and
 * the checked envelope as `verified`, and may skip those checks. An admission may carry the
 * statement id it computed.
 */
export type AdmitHook = (envelope: unknown, now: string, verified?: CheckedEnvelope) => AdmitVerdict;

export type AdmitVerdict = { ok: true; id?: string } | { ok: false; code: string; message: string };

/**
 * Told about each accepted envelope at once, with the index it will get, so that the engine can
 * fold it before judging the next one (a key registered earlier in a batch signs later in it).
 * Tentative until `ingest` returns: if it throws, the caller must rebuild its state from the log.
 */
export type AcceptedHook = (envelope: Envelope, index: number, admitted: string, id: string) => void;

/**
 * Consulted for each envelope whose signatures verified, before it is admitted: a rejection it
 * returns (say, `rate-limited`) is that envelope's answer. Because it runs after verification, a
 * forged statement naming someone's key cannot use up that key's allowance.
 */
export type SubmitGate = (envelope: Envelope) => { code: string; message: string } | undefined;

export type IngestResult =
  | { ok: true; index: number; id: string }
  | { ok: false; code: string; message: string; id?: string };

export interface IngestOptions {
  /** The log's clock, RFC 3339 UTC with milliseconds. The one place time enters. */
  now: string;
  admit?: AdmitHook;
  /**
   * True when `admit` already rejects every statement whose id is in the log (the engine's
   * `seen` covers the whole log): the per-statement store lookup is then skipped. Duplicates
   * within the batch are still caught here.
   */
  admitRejectsLoggedIds?: boolean;
  onAccepted?: AcceptedHook;
  gate?: SubmitGate;
}

/** Admits what it can of `envelopes` (in order) and returns one result per input. */
export function ingest(log: TransparencyLog, envelopes: unknown[], options: IngestOptions): IngestResult[] {
  const results: IngestResult[] = new Array(envelopes.length);
  const pending: PendingEntry[] = [];
  const seenIds = new Set<string>();
  const seenNonces = new Set<string>();
  for (let [i, value] of envelopes.entries()) {
    if (value instanceof EnvelopeText) {
      const p = value.parse();
      if (!p.ok) {
        results[i] = p;
        continue;
      }
      value = p.value;
    }
    // The engine's admit runs the envelope checks itself (signatures are the dominant cost:
    // never verify twice); without an engine the envelope checks are the whole door. A
    // CheckedEnvelope passed them already (in the verification pool).
    let env: Envelope;
    let id: string | undefined;
    let json: string | undefined;
    if (value instanceof CheckedEnvelope) {
      env = value.envelope;
      id = value.id;
      json = value.json;
      const verdict = options.admit ? options.admit(env, options.now, value) : undefined;
      if (verdict !== undefined && !verdict.ok) {
        results[i] = { ok: false, code: verdict.code, message: verdict.message };
        continue;
      }
    } else if (options.admit) {
      const verdict = options.admit(value, options.now);
      if (!verdict.ok) {
        results[i] = { ok: false, code: verdict.code, message: verdict.message };
        continue;
      }
      env = value as Envelope;
      id = verdict.id;
    } else {
      const c = checkEnvelope(value);
      if (!c.ok) {
        results[i] = { ok: false, code: c.code, message: c.message };
        continue;
      }
      env = value as Envelope;
      id = c.id;
      json = c.json;
    }
    if (options.gate) {
      const g = options.gate(env);
      if (g !== undefined) {
        results[i] = { ok: false, ...g };
        continue;
      }
    }
    const s = env.statement;
    id ??= statementId(s);
    const nonceKey = `${s.key}/${s.nonce}`;
    const previous =
      options.admit && options.admitRejectsLoggedIds ? undefined : log.store.indexOfStatement(id);
    if (previous !== undefined || seenIds.has(id)) {
      results[i] = {
        ok: false,
        code: 'duplicate-statement',
        id,
        message: `statement ${id.slice(0, 16)}… is already in the log${previous !== undefined ? ` at index ${previous}` : ' (earlier in this batch)'}`,
      };
      continue;
    }
    // Nonce reuse across batches is the engine's check (its state knows every key's nonces);
    // here only within the batch, so a batch never holds two statements with one nonce.
    if (seenNonces.has(nonceKey)) {
      results[i] = {
        ok: false,
        code: 'duplicate-nonce',
        id,
        message: `nonce ${s.nonce} was already used by this key; sign again with a fresh nonce`,
      };
      continue;
    }
    let bytes: Buffer;
    let disclosure = null;
    try {
      if (s.classification === 'public') {
        bytes =
          json !== undefined
            ? encodePublicEntry(options.now, json)
            : encodeEntry({ v: 1, admitted: options.now, envelope: env });
      } else {
        const c = commit(env);
        bytes = encodeEntry({ v: 1, admitted: options.now, commitment: c.commitment });
        disclosure = c.disclosure;
      }
    } catch (e) {
      if (!(e instanceof EntryFormatError)) throw e;
      results[i] = { ok: false, code: 'size', id, message: e.message };
      continue;
    }
    seenIds.add(id);
    seenNonces.add(nonceKey);
    pending.push({
      bytes,
      disclosure,
      meta: { statementId: id },
    });
    const index = log.size + pending.length - 1;
    options.onAccepted?.(env, index, options.now, id);
    results[i] = { ok: true, index, id };
  }
  if (pending.length > 0) log.append(pending);
  return results;
}
