/**
 * `admit`: the door. Decides whether a submitted envelope may enter the log, with a specific
 * code and a sentence that says what was wrong and what to do instead.
 *
 * Codes, in the order they are checked:
 * - `schema`, `size`, `signature`, `duplicate-signer`: from `verifyEnvelope` (shape, 64,000-byte
 *   limit, every Ed25519 signature). `schema` is also used for an unknown kind and for a body
 *   that does not match its kind (the message names the JSON path, e.g. `statement.body.count`).
 * - `wrong-agreement`: `statement.agreement` is not this agreement's id.
 * - `duplicate-statement`: the same statement (same id) was admitted before.
 * - `duplicate-nonce`: another admitted statement used the same nonce.
 * - `unknown-party`: the issuer is not a party of the agreement.
 * - `unknown-key`, `revoked-key`, `key-party-mismatch`: a signing key (the issuer's or a
 *   co-signer's) is not registered, was revoked before now, or (for the issuer's key) belongs to
 *   another party.
 * - `clock-skew`: `at` is later than now + `clock_skew_ms`.
 * - `backdated`: `at` is earlier than now − `backdating_window_ms`.
 * - `role-not-allowed`: a signer's party has no role that may say this kind.
 * - `unknown-subject`: the subject (or a zone, stage, category, donor… named in the body) does
 *   not exist.
 * - `conflict`: the statement contradicts the record (a unit or incident id already used, a
 *   transfer already settled, a key already registered, justifying someone else's strike).
 */
import type { z } from 'zod';
import { type Agreement, STATEMENT_KINDS, type StatementKind } from '../agreement/model.js';
import { type CheckedEnvelope, checkEnvelope } from '../statement/envelope.js';
import { keyLabel, parseVerifierKey } from '../statement/keys.js';
import type { Envelope } from '../statement/types.js';
import { HOLDS } from './escrow.js';
import { BODY_SCHEMAS, type Bodies, SUBJECTS, unreachable } from './kinds.js';
import { type EngineState, rulesFor } from './state.js';
import { named, resumers } from './truce.js';

/** The door's verdict; an admitted statement comes with its id. */
export type Admission = { ok: true; id: string } | { ok: false; code: AdmitCode; message: string };

export type AdmitCode =
  | 'schema'
  | 'size'
  | 'signature'
  | 'duplicate-signer'
  | 'wrong-agreement'
  | 'duplicate-statement'
  | 'duplicate-nonce'
  | 'unknown-party'
  | 'unknown-key'
  | 'revoked-key'
  | 'key-party-mismatch'
  | 'clock-skew'
  | 'backdated'
  | 'role-not-allowed'
  | 'unknown-subject'
  | 'reserved-id'
  | 'conflict';

/**
 * What the door remembers of every admitted statement: ids and nonces. It grows with the log, so
 * it lives beside the state, not in it (snapshots stay small); the log store answers it from
 * its index, `MemorySeen` (replay.ts) from memory.
 */
export interface SeenStatements {
  hasStatement(id: string): boolean;
  hasNonce(nonce: string): boolean;
}

const KIND_SET = new Set<string>(STATEMENT_KINDS);
const RESERVED = new Set<string>([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

function reject(code: AdmitCode, message: string): Admission {
  return { ok: false, code, message };
}

function reservedName(where: string, v: string): Admission {
  return reject('schema', `${where}: ${JSON.stringify(v)} is a reserved name; choose another id`);
}

function zodPath(prefix: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${prefix}${path}: ${issue.message}`;
}

/**
 * Decides whether `envelope` may be admitted into the log of `agreement` at time `now` (the
 * log's clock, RFC 3339), given the state so far and the door's memory `seen`. Pure.
 *
 * `verified` skips the envelope checks (shape, size, signatures): pass a {@link CheckedEnvelope}
 * (from the verification pool) together with its own `.envelope`, never a caller's object.
 */
export function admit(
  agreement: Agreement,
  state: EngineState,
  envelope: unknown,
  now: string,
  seen: SeenStatements,
  verified?: CheckedEnvelope,
  readableBy?: (party: string) => EngineState,
): Admission {
  let id: string;
  if (verified !== undefined) {
    if (envelope !== verified.envelope)
      throw new Error('admit: `verified` must be passed with its own envelope (verified.envelope)');
    id = verified.id;
  } else {
    const v = checkEnvelope(envelope);
    if (!v.ok) return reject(v.code as AdmitCode, v.message);
    id = v.id;
  }
  const env = envelope as Envelope;
  const st = env.statement;
  const rules = rulesFor(agreement);
  if (st.agreement !== agreement.id) {
    return reject(
      'wrong-agreement',
      `statement.agreement is ${JSON.stringify(st.agreement)}, but this log is for agreement ${JSON.stringify(agreement.id)}`,
    );
  }
  if (!KIND_SET.has(st.kind)) {
    return reject(
      'schema',
      `statement.kind: unknown kind ${JSON.stringify(st.kind)}; known kinds: ${STATEMENT_KINDS.join(', ')}`,
    );
  }
  const kind = st.kind as StatementKind;
  // State keeps ids as keys of plain objects: a name Object.prototype already has would read as
  // an existing party, incident or zone.
  // (Checked member by member: the door runs for every statement, and a list of every member
  // with its path, built only to be searched, cost more than the search.)
  if (RESERVED.has(st.issuer)) return reservedName('statement.issuer', st.issuer);
  if (RESERVED.has(st.subject)) return reservedName('statement.subject', st.subject);
  for (const k in st.body) {
    const v = (st.body as Record<string, unknown>)[k];
    if (typeof v === 'string' && RESERVED.has(v)) return reservedName(`statement.body.${k}`, v);
  }
  if (seen.hasStatement(id))
    return reject('duplicate-statement', `statement ${id} was already admitted; there is nothing to do`);
  if (seen.hasNonce(st.nonce)) {
    return reject(
      'duplicate-nonce',
      `statement.nonce ${st.nonce} was already used by an admitted statement; sign again with a fresh random nonce`,
    );
  }
  if (rules.partyRoles[st.issuer] === undefined) {
    return reject(
      'unknown-party',
      `statement.issuer ${JSON.stringify(st.issuer)} is not a party of agreement ${agreement.id}`,
    );
  }
  const nowMs = Date.parse(now);
  // Every signer's key must be registered and unrevoked; the issuer's key must be the issuer's.
  const signerParties: string[] = [];
  for (const [i, s] of env.signatures.entries()) {
    const where = i === 0 ? 'statement.key' : `signatures[${i}].key`;
    const k = state.keys[s.key];
    if (k === undefined) {
      return reject(
        'unknown-key',
        `${where} ${keyLabel(s.key)} is not registered to any party; register it with key.register (signed by an existing key of the party) first`,
      );
    }
    if (k.revokedAt !== null && Date.parse(k.revokedAt) <= nowMs) {
      return reject(
        'revoked-key',
        `${where} ${keyLabel(s.key)} of party ${k.party} was revoked at ${k.revokedAt}; sign with a current key`,
      );
    }
    if (i === 0 && k.party !== st.issuer) {
      return reject(
        'key-party-mismatch',
        `statement.key ${keyLabel(s.key)} belongs to party ${k.party}, not to the issuer ${st.issuer}`,
      );
    }
    if (!signerParties.includes(k.party)) signerParties.push(k.party);
  }
  const atMs = Date.parse(st.at);
  const t = agreement.time;
  if (atMs > nowMs + t.clock_skew_ms) {
    return reject(
      'clock-skew',
      `statement.at ${st.at} is ${atMs - nowMs} ms after the log's clock ${now}, more than clock_skew_ms ${t.clock_skew_ms}; check the signer's clock`,
    );
  }
  if (atMs < nowMs - t.backdating_window_ms) {
    return reject(
      'backdated',
      `statement.at ${st.at} is ${nowMs - atMs} ms before the log's clock ${now}, more than backdating_window_ms ${t.backdating_window_ms}; state the time the statement is made, and the event's own time in the body`,
    );
  }
  const allowed = rules.permissions[kind];
  for (const p of signerParties) {
    const roles = rules.partyRoles[p]!;
    let ok = false;
    for (const r of roles) if (allowed.has(r)) ok = true;
    if (!ok) {
      return reject(
        'role-not-allowed',
        `party ${p} (${[...roles].join(', ')}) may not sign ${kind}; the agreement lets ${[...allowed].join(', ') || 'nobody'} say it`,
      );
    }
  }
  const parsed = BODY_SCHEMAS[kind].safeParse(st.body);
  if (!parsed.success) return reject('schema', zodPath('statement.body', parsed.error));
  // No answer may depend on content the issuer is not cleared to read (docs/design.md, "The
  // write path is no oracle"): records are looked up in what the issuer may read, and a record
  // id that could collide with one the issuer may not read is refused whatever the log holds.
  const owned = checkRecordId(kind, st.subject, st.issuer, st.classification);
  if (owned !== null) return owned;
  const bad = checkSubject(
    agreement,
    readableBy?.(st.issuer) ?? state,
    kind,
    st.subject,
    st.issuer,
    parsed.data as never,
  );
  if (bad !== null) return bad;
  return { ok: true, id };
}

/**
 * Ids of records a statement creates (incidents, strikes, units): a restricted record is named
 * `ISSUER/…`, and no other party may create an id in that namespace, so no party's new id can
 * collide with a record it may not read. (Uniqueness is then checked against the whole state:
 * an id without `/` is always a public record, one with `/` its issuer's own.)
 */
function checkRecordId(
  kind: StatementKind,
  subject: string,
  issuer: string,
  classification: string,
): Admission | null {
  const need = SUBJECTS[kind];
  if (need !== 'new-incident' && need !== 'new-strike' && need !== 'new-unit') return null;
  const slash = subject.indexOf('/');
  if (slash !== -1 && subject.slice(0, slash) !== issuer)
    return reject(
      'reserved-id',
      `statement.subject: an id with a "/" begins with its issuer's party id (${issuer}/…), not ${JSON.stringify(subject.slice(0, slash))}; ids of restricted records live in their issuer's namespace`,
    );
  if (classification !== 'public' && slash === -1)
    return reject(
      'reserved-id',
      `statement.subject: a ${classification} ${kind} names its record ${issuer}/<id> (for example ${issuer}/${subject || 'inc-1'}), so that no other party's id can collide with it`,
    );
  return null;
}

function checkSubject(
  agreement: Agreement,
  state: EngineState,
  kind: StatementKind,
  subject: string,
  issuer: string,
  body: Bodies[StatementKind],
): Admission | null {
  const rules = rulesFor(agreement);
  const need = SUBJECTS[kind];
  const unknown = (what: string, list?: Iterable<string>) =>
    reject(
      'unknown-subject',
      `statement.subject: ${what}${list ? `; known: ${[...list].join(', ') || 'none'}` : ''}`,
    );
  switch (need) {
    case 'issuer':
      if (subject !== issuer)
        return unknown(
          `${kind} names the party whose key it is (the issuer ${issuer}), not ${JSON.stringify(subject)}`,
        );
      break;
    case 'zone':
      if (state.zones[subject] === undefined)
        return unknown(`no zone ${JSON.stringify(subject)}`, rules.zoneIds);
      break;
    case 'unit':
      if (state.units.get(subject) === undefined)
        return unknown(`no unit ${JSON.stringify(subject)}; register it with unit.register first`);
      break;
    case 'new-unit':
      if (subject === '') return unknown('name the new unit id');
      if (state.units.get(subject) !== undefined)
        return reject(
          'conflict',
          `statement.subject: unit ${subject} is already registered; choose a new id`,
        );
      break;
    case 'incident':
      if (state.incidents.get(subject) === undefined)
        return unknown(`no incident ${JSON.stringify(subject)}`);
      break;
    case 'new-incident':
      if (subject === '') return unknown('name the new incident id');
      if (state.incidents.get(subject) !== undefined || state.strikes.get(subject) !== undefined) {
        return reject(
          'conflict',
          `statement.subject: id ${subject} is already used by an incident or strike; choose a new id`,
        );
      }
      break;
    case 'strike':
      if (state.strikes.get(subject) === undefined) return unknown(`no strike ${JSON.stringify(subject)}`);
      break;
    case 'new-strike':
      if (subject === '') return unknown('name the new strike id');
      if (state.strikes.get(subject) !== undefined || state.incidents.get(subject) !== undefined) {
        return reject(
          'conflict',
          `statement.subject: id ${subject} is already used by an incident or strike; choose a new id`,
        );
      }
      break;
    case 'incident-or-strike':
      if (state.incidents.get(subject) === undefined && state.strikes.get(subject) === undefined) {
        return unknown(`no incident or strike ${JSON.stringify(subject)}`);
      }
      break;
    case 'donor':
      if (!rules.donors.has(subject))
        return unknown(`no pledge by donor ${JSON.stringify(subject)}`, rules.donors);
      break;
    case 'transfer-or-hold': {
      const m = /^t(0|[1-9]\d*)$/.exec(subject);
      if (m === null || state.escrow.transfers[Number(m[1])] === undefined)
        return unknown(`no escrow transfer ${JSON.stringify(subject)}`);
      break;
    }
    case 'benchmark':
      if (!rules.benchmarkIds.has(subject))
        return unknown(`no benchmark ${JSON.stringify(subject)}`, rules.benchmarkIds);
      break;
    case 'agreement':
      if (subject !== '' && subject !== agreement.id)
        return unknown(`${kind} is about the agreement: leave subject empty or write ${agreement.id}`);
      break;
    default:
      unreachable(need, 'subject kind');
  }
  const unknownIn = (path: string, what: string, list?: Iterable<string>) =>
    reject(
      'unknown-subject',
      `statement.body.${path}: ${what}${list ? `; known: ${[...list].join(', ')}` : ''}`,
    );
  switch (kind) {
    case 'key.register': {
      const b = body as Bodies['key.register'];
      try {
        parseVerifierKey(b.key);
      } catch (e) {
        return reject('schema', `statement.body.key: ${(e as Error).message}`);
      }
      if (state.keys[b.key] !== undefined)
        return reject(
          'conflict',
          `statement.body.key ${keyLabel(b.key)} is already registered (to ${state.keys[b.key]!.party}); a key is registered once`,
        );
      return null;
    }
    case 'key.revoke': {
      const b = body as Bodies['key.revoke'];
      const k = state.keys[b.key];
      if (k === undefined)
        return reject('unknown-key', `statement.body.key ${keyLabel(b.key)} is not registered`);
      if (k.party !== issuer)
        return reject(
          'key-party-mismatch',
          `statement.body.key ${keyLabel(b.key)} belongs to ${k.party}; a party revokes only its own keys`,
        );
      if (k.revokedAt !== null)
        return reject(
          'revoked-key',
          `statement.body.key ${keyLabel(b.key)} was already revoked at ${k.revokedAt}`,
        );
      return null;
    }
    case 'zone.stage.sign': {
      const b = body as Bodies['zone.stage.sign'];
      if (rules.stageById[b.stage] === undefined)
        return unknownIn('stage', `no stage ${JSON.stringify(b.stage)}`, rules.stageOrder);
      return null;
    }
    case 'site.declare':
    case 'site.find':
    case 'site.neutralize':
    case 'site.verify': {
      const b = body as Bodies['site.verify'];
      if (!rules.categories.has(b.category))
        return unknownIn('category', `no weapon category ${JSON.stringify(b.category)}`, rules.categories);
      return null;
    }
    case 'unit.deploy': {
      const b = body as Bodies['unit.deploy'];
      if (b.zone !== null && !rules.zoneIds.has(b.zone))
        return unknownIn('zone', `no zone ${JSON.stringify(b.zone)}`, rules.zoneIds);
      return null;
    }
    case 'incident.report': {
      const b = body as Bodies['incident.report'];
      if (b.zone !== undefined && !rules.zoneIds.has(b.zone))
        return unknownIn('zone', `no zone ${JSON.stringify(b.zone)}`, rules.zoneIds);
      if (Date.parse(b.date_end) < Date.parse(b.date_start))
        return reject('schema', 'statement.body.date_end: before date_start');
      if (!(b.deaths_low! <= b.deaths_best! && b.deaths_best! <= b.deaths_high!)) {
        return reject(
          'schema',
          'statement.body.deaths_best: casualties must satisfy deaths_low <= deaths_best <= deaths_high',
        );
      }
      return null;
    }
    case 'strike.declare': {
      const b = body as Bodies['strike.declare'];
      if (b.zone !== undefined && !rules.zoneIds.has(b.zone))
        return unknownIn('zone', `no zone ${JSON.stringify(b.zone)}`, rules.zoneIds);
      if (b.respondsTo !== undefined && state.incidents.get(b.respondsTo) === undefined)
        return unknownIn('respondsTo', `no incident ${JSON.stringify(b.respondsTo)}`);
      return null;
    }
    case 'strike.justify':
      if (state.strikes.get(subject)!.by !== issuer) {
        return reject(
          'conflict',
          `strike ${subject} was declared by ${state.strikes.get(subject)!.by}; only that party justifies it (others attach an account)`,
        );
      }
      return null;
    case 'finding.issue': {
      const b = body as Bodies['finding.issue'];
      if (b.outcome === 'confirmed-violation' && (b.violator === undefined || b.severity === undefined)) {
        return reject(
          'schema',
          `statement.body.${b.violator === undefined ? 'violator' : 'severity'}: a confirmed violation names the violator and the severity`,
        );
      }
      if (
        b.violator !== undefined &&
        rules.partyRoles[b.violator] === undefined &&
        !(b.violator in rules.actorSponsor)
      ) {
        return unknownIn('violator', `no party or actor ${JSON.stringify(b.violator)}`);
      }
      if (b.zone !== undefined && !rules.zoneIds.has(b.zone))
        return unknownIn('zone', `no zone ${JSON.stringify(b.zone)}`, rules.zoneIds);
      return null;
    }
    case 'escrow.settle': {
      const b = body as Bodies['escrow.settle'];
      const tr = state.escrow.transfers[Number(subject.slice(1))]!;
      if (b.action === 'release-hold') {
        if (tr.credit !== HOLDS || tr.status !== 'posted')
          return reject('conflict', `transfer ${subject} is not a hold`);
        if (tr.settledBy !== null) return reject('conflict', `hold ${subject} was already released`);
      } else if (tr.status !== 'pending') {
        return reject(
          'conflict',
          `transfer ${subject} is ${tr.status}; only a pending transfer can be posted or voided`,
        );
      }
      return null;
    }
    case 'escrow.pledge':
      if (agreement.escrow === undefined) return reject('unknown-subject', 'this agreement has no escrow');
      return null;
    case 'truce.resume': {
      const may = resumers(rules, state);
      if (may !== null && !named(rules, may, issuer))
        return reject(
          'role-not-allowed',
          `the truce was suspended under ${state.truce.suspension!.rule}; only ${may.map((x) => (x.party !== undefined ? `party ${x.party}` : `a party with role ${x.role}`)).join(' or ')} may resume it`,
        );
      return null;
    }
    case 'withdrawal.claim':
    case 'withdrawal.deny':
    case 'withdrawal.observe':
    case 'unit.register':
    case 'unit.vet':
    case 'incident.notify':
    case 'incident.response':
    case 'account.attach':
    case 'benchmark.attest':
      return null;
    default:
      return unreachable(kind, 'statement kind');
  }
}
