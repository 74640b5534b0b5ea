import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commit, opensCommitment } from '../../src/statement/commitment.js';
import {
  cosign,
  EnvelopeText,
  signingMessage,
  signStatement,
  statement_bytes_max,
  statementId,
  verifyEnvelope,
} from '../../src/statement/envelope.js';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { openNote } from '../../src/statement/note.js';
import type { Statement } from '../../src/statement/types.js';

const seed = (n: number) => new Uint8Array(32).fill(n);
const monitor = parseSignerKey(generateKeyPair('monitors', seed(1)).skey);
const guarantor = parseSignerKey(generateKeyPair('usa', seed(2)).skey);

function statement(over: Partial<Statement> = {}): Statement {
  return {
    kind: 'withdrawal.observe',
    agreement: 'lebanon-2026',
    issuer: 'monitors',
    key: monitor.vkey,
    at: '2026-07-01T08:00:00.000Z',
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    classification: 'public',
    subject: 'buffer-strip',
    body: { observed: true, note: 'patrol at Naqoura' },
    ...over,
  };
}

describe('envelopes', () => {
  it('a signed statement verifies, and its signature is a valid signed-note signature', () => {
    const env = signStatement(statement(), monitor);
    expect(verifyEnvelope(env)).toEqual({ ok: true });
    // Any signed-note verifier (Go's note.Open included) accepts message + signature line.
    const note = `${signingMessage(env.statement).toString()}\n— monitors ${env.signatures[0]!.sig}\n`;
    expect(openNote(note, [parseVerifierKey(monitor.vkey)]).verified).toHaveLength(1);
  });

  it('co-signing keeps the id and adds a verifiable signature', () => {
    const env = cosign(signStatement(statement(), monitor), guarantor);
    expect(env.signatures.map((s) => s.key)).toEqual([monitor.vkey, guarantor.vkey]);
    expect(verifyEnvelope(env)).toEqual({ ok: true });
    expect(statementId(env.statement)).toBe(statementId(statement()));
  });

  it('any change to the statement breaks the signature', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (text) => {
        const env = signStatement(statement(), monitor);
        fc.pre(text !== env.statement.body.note);
        const tampered = {
          ...env,
          statement: { ...env.statement, body: { ...env.statement.body, note: text } },
        };
        const v = verifyEnvelope(tampered);
        return !v.ok && v.code === 'signature';
      }),
      { numRuns: 50 },
    );
  });

  it('rejects a first signature not by statement.key, a duplicate signer, a malformed field and an oversized statement', () => {
    const env = signStatement(statement(), monitor);
    const swapped = { ...env, signatures: [{ key: guarantor.vkey, sig: env.signatures[0]!.sig }] };
    expect(verifyEnvelope(swapped)).toMatchObject({ ok: false, code: 'signature' });
    expect(verifyEnvelope({ ...env, signatures: [env.signatures[0], env.signatures[0]] })).toMatchObject({
      ok: false,
      code: 'duplicate-signer',
    });
    expect(verifyEnvelope({ ...env, statement: { ...env.statement, at: 'yesterday' } })).toMatchObject({
      ok: false,
      code: 'schema',
      message: expect.stringContaining('at:'),
    });
    const big = signStatement(statement({ body: { blob: 'x'.repeat(statement_bytes_max) } }), monitor);
    expect(verifyEnvelope(big)).toMatchObject({
      ok: false,
      code: 'size',
      message: expect.stringContaining('SHA-256'),
    });
    expect(verifyEnvelope({ statement: statement() })).toMatchObject({ ok: false, code: 'schema' });
  });
});

describe('envelope texts', () => {
  it('parse to their value, or to a rejection naming the text that is kept for the next look', () => {
    expect(new EnvelopeText('{"a":1}').parse()).toEqual({ ok: true, value: { a: 1 } });
    const text = new EnvelopeText('{"statement":', 'line 2');
    const first = text.parse();
    expect(first).toMatchObject({
      ok: false,
      code: 'malformed-json',
      message: expect.stringMatching(/^line 2 is not JSON: /),
    });
    expect(text.parse()).toBe(first);
  });
});

describe('commitments for restricted statements', () => {
  it('a cleared reader opens the commitment; a changed content or salt does not', () => {
    const env = signStatement(statement({ classification: 'mechanism' }), monitor);
    const { commitment, disclosure } = commit(env);
    expect(commitment).not.toHaveProperty('body');
    expect(JSON.stringify(commitment)).not.toContain('Naqoura');
    expect(opensCommitment(commitment, disclosure)).toBe(true);
    const other = signStatement(
      statement({ classification: 'mechanism', body: { observed: false } }),
      monitor,
    );
    expect(opensCommitment(commitment, { ...disclosure, envelope: other })).toBe(false);
    expect(opensCommitment(commitment, { ...disclosure, salt: Buffer.alloc(32).toString('base64') })).toBe(
      false,
    );
    expect(() => commit(signStatement(statement(), monitor))).toThrow(/public/);
  });
});
