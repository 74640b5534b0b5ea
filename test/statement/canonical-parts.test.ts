import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/statement/canonical.js';
import {
  CheckedEnvelope,
  checkEnvelope,
  envelopeJsonFromParts,
  signStatement,
  statementId,
  verifyEnvelope,
} from '../../src/statement/envelope.js';
import { generateKeyPair, parseSignerKey } from '../../src/statement/keys.js';
import { encodeEntry, encodePublicEntry } from '../../src/statement/log-entry.js';
import type { Envelope, JsonObject, Statement } from '../../src/statement/types.js';

const monitor = parseSignerKey(generateKeyPair('monitors', new Uint8Array(32).fill(7)).skey);

const body = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<JsonObject>;

function statement(b: JsonObject, subject: string): Statement {
  return {
    kind: 'incident.report',
    agreement: 'lebanon-2026',
    issuer: 'monitors',
    key: monitor.vkey,
    at: '2026-07-01T08:00:00.000Z',
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    classification: 'public',
    subject,
    body: b,
  };
}

describe('canonicalizing an envelope once, from its parts', () => {
  it('JCS of {signatures, statement} is the two member texts in that order', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.array(fc.record({ key: fc.string(), sig: fc.string() })),
        (st, sigs) => {
          expect(envelopeJsonFromParts(canonicalJson(sigs), canonicalJson(st))).toBe(
            canonicalJson({ statement: st, signatures: sigs }),
          );
        },
      ),
    );
  });

  it('checkEnvelope returns the canonical envelope and the statement id; the public entry from parts equals encodeEntry', () => {
    fc.assert(
      fc.property(body, fc.string(), fc.string({ minLength: 1 }), (b, subject, admitted) => {
        const env = signStatement(statement(b, subject), monitor);
        const c = checkEnvelope(env);
        if (!c.ok) {
          // Only the size limit may refuse an arbitrary body; and then as the plain check does.
          expect(c.code).toBe('size');
          expect(verifyEnvelope(env)).toEqual(c);
          return;
        }
        expect(c.json).toBe(canonicalJson(env));
        expect(c.id).toBe(statementId(env.statement));
        expect(
          encodePublicEntry(admitted, c.json).equals(encodeEntry({ v: 1, admitted, envelope: env })),
        ).toBe(true);
        const checked = CheckedEnvelope.fromCheck(c);
        expect(checked.envelope).toEqual(JSON.parse(canonicalJson(env)) as Envelope);
        expect(checked.envelope).not.toBe(env);
      }),
      { numRuns: 200 },
    );
  });

  it('a tampered statement fails checkEnvelope after signing, and CheckedEnvelope.check does not wrap it', () => {
    const env = signStatement(statement({ a: 1 }, 'x'), monitor);
    env.statement.body = { a: 2 };
    expect(checkEnvelope(env)).toMatchObject({ ok: false, code: 'signature' });
    expect(CheckedEnvelope.check(env)).toMatchObject({ ok: false, code: 'signature' });
  });
});
