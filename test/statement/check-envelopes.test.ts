// checkEnvelopes (a verification worker's chunk: every envelope's preparation, then every
// signature, then the ids) gives each value the verdict checkEnvelope gives it alone, including
// which of several faults is reported, and turns a check that throws into that value's rejection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnvelope, checkEnvelopes, cosign, EnvelopeText } from '../../src/statement/envelope.js';
import type { Envelope } from '../../src/statement/types.js';
import { signedReport, testSigner } from '../fixtures/signed-envelopes.js';

const lebanon = testSigner('lebanon', 4);
const israel = testSigner('israel', 5);
const envelope = (i: number): Envelope => signedReport(i, 'check');

/** Ways to spoil an envelope, each a fault checkEnvelope reports with its own code or position. */
const faults: ((e: Envelope) => unknown)[] = [
  (e) => e,
  (e) => cosign(cosign(e, lebanon), israel),
  (e) => ({ ...e, statement: { ...e.statement, subject: 'tampered' } }),
  // A signature that does not verify (over another statement), then a repeated signer: the
  // first is what is reported, although the repeat is found before any signature is verified.
  (e) => {
    const c = cosign(e, lebanon);
    return {
      ...c,
      statement: { ...c.statement, subject: 'tampered' },
      signatures: [c.signatures[0]!, c.signatures[1]!, c.signatures[1]!],
    };
  },
  // A good signature, then a repeated signer.
  (e) => ({ ...e, signatures: [e.signatures[0]!, e.signatures[0]!] }),
  // A co-signature made over another statement, then one that is not base64.
  (e) => {
    const c = cosign(cosign(e, lebanon), israel);
    const other = cosign(envelope(-1), lebanon).signatures[1]!;
    return { ...c, signatures: [c.signatures[0]!, other, { ...c.signatures[2]!, sig: '!!' }] };
  },
  // A co-signer whose key is not a key string.
  (e) => ({ ...e, signatures: [e.signatures[0]!, { key: 'not a key', sig: e.signatures[0]!.sig }] }),
  (e) => ({ ...e, signatures: [] }),
  (e) => ({ ...e, statement: { ...e.statement, nonce: 'short' } }),
  (e) => new EnvelopeText(JSON.stringify(e)),
  (e) => new EnvelopeText(JSON.stringify(e).slice(0, -2), 'line 9'),
  () => null,
];

describe('checkEnvelopes', () => {
  it('gives each value the verdict checkEnvelope gives it alone, whatever its neighbours', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: faults.length - 1 }), { maxLength: 40 }), (picks) => {
        const values = picks.map((f, i) => faults[f]!(envelope(i)));
        expect(checkEnvelopes(values)).toEqual(values.map((v) => checkEnvelope(v)));
      }),
      { numRuns: 60 },
    );
  });

  it('reports the first fault in signature order, as the one-by-one check does', () => {
    const [badThenRepeated, goodThenRepeated, badThenMalformed] = [3, 4, 5].map((f) =>
      faults[f]!(envelope(1)),
    );
    const r = checkEnvelopes([badThenRepeated, goodThenRepeated, badThenMalformed]);
    expect(r[0]).toMatchObject({
      ok: false,
      code: 'signature',
      message: expect.stringMatching(/^signatures\[0\]/),
    });
    expect(r[1]).toMatchObject({
      ok: false,
      code: 'duplicate-signer',
      message: expect.stringMatching(/^signatures\[1\]/),
    });
    expect(r[2]).toMatchObject({
      ok: false,
      code: 'signature',
      message: expect.stringMatching(/^signatures\[1\]/),
    });
  });

  it('turns a value whose check throws into its own schema rejection, leaving its neighbours alone', () => {
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('this value explodes when read');
        },
        getOwnPropertyDescriptor() {
          throw new Error('this value explodes when read');
        },
        ownKeys() {
          throw new Error('this value explodes when read');
        },
      },
    );
    const r = checkEnvelopes([envelope(1), throwing, envelope(2)]);
    expect(r[0]).toEqual(checkEnvelope(envelope(1)));
    expect(r[1]).toEqual({
      ok: false,
      code: 'schema',
      message: 'malformed envelope: this value explodes when read',
    });
    expect(r[2]).toEqual(checkEnvelope(envelope(2)));
  });
});
