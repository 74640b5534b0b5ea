import { afterAll, describe, expect, it } from 'vitest';
import { CheckedEnvelope, checkEnvelope, EnvelopeText } from '../../src/statement/envelope.js';
import type { Envelope } from '../../src/statement/types.js';
import { VerifyPool } from '../../src/statement/verify-pool.js';
import { signedReport } from '../fixtures/signed-envelopes.js';

const envelope = (i: number): Envelope => signedReport(i, 'pool');

const pool = new VerifyPool({ workers: 2, chunk_envelopes_max: 7 });
afterAll(() => pool.close());

describe('the verification pool', () => {
  it('gives, in order, the verdict checkEnvelope gives on this thread, with fresh envelopes', async () => {
    const values: unknown[] = [];
    for (let i = 0; i < 60; i++) {
      const e = envelope(i);
      if (i % 5 === 1) e.statement.subject = 'tampered';
      if (i % 7 === 2) e.signatures.push({ ...e.signatures[0]! });
      values.push(i % 11 === 3 ? { nope: true } : i % 13 === 4 ? null : e);
    }
    // Several submissions in one turn are batched together and answered separately.
    const [a, b] = await Promise.all([pool.verify(values.slice(0, 25)), pool.verify(values.slice(25))]);
    const got = [...a, ...b];
    expect(got).toHaveLength(values.length);
    for (const [i, v] of values.entries()) {
      const here = checkEnvelope(v);
      const r = got[i]!;
      if (here.ok) {
        expect(r).toBeInstanceOf(CheckedEnvelope);
        const c = r as CheckedEnvelope;
        expect(c.id).toBe(here.id);
        expect(c.json).toBe(here.json);
        expect(c.envelope).toEqual(v);
        expect(c.envelope).not.toBe(v);
      } else expect(r).toEqual(here);
    }
  });

  it('checks values a worker cannot receive on this thread, and a forged CheckedEnvelope is just a value', async () => {
    const good = envelope(100);
    const tampered = envelope(101);
    tampered.statement.body = { n: 'changed' };
    const forged = CheckedEnvelope.fromCheck({
      ok: true,
      id: checkEnvelope(good).ok ? (checkEnvelope(good) as { id: string }).id : '',
      json: JSON.stringify(tampered),
    });
    const r = await pool.verify([{ ...good, extra: () => 1 }, forged, tampered, good]);
    expect(r[0]).toMatchObject({ ok: false, code: 'schema' });
    expect(r[1]).toMatchObject({ ok: false, code: 'schema' });
    expect(r[2]).toMatchObject({ ok: false, code: 'signature' });
    expect(r[3]).toBeInstanceOf(CheckedEnvelope);
  });

  it('parses envelope texts in the workers: the verdict of the parsed value, or malformed-json naming the text', async () => {
    const values: unknown[] = [];
    for (let i = 0; i < 30; i++) {
      const e = envelope(200 + i);
      if (i % 4 === 1) e.statement.subject = 'tampered';
      const text = JSON.stringify(e);
      // Texts mixed with values in one chunk; one text is cut short, one is not an object.
      values.push(
        i % 6 === 2
          ? e
          : new EnvelopeText(i % 9 === 4 ? text.slice(0, -3) : i % 10 === 7 ? '42' : text, `line ${i + 1}`),
      );
    }
    const got = await pool.verify(values);
    for (const [i, v] of values.entries()) {
      const r = got[i]!;
      if (!(v instanceof EnvelopeText)) {
        expect(r).toBeInstanceOf(CheckedEnvelope);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(v.text);
      } catch {
        expect(r).toMatchObject({ ok: false, code: 'malformed-json' });
        expect((r as { message: string }).message).toMatch(new RegExp(`^line ${i + 1} is not JSON: `));
        continue;
      }
      const here = checkEnvelope(parsed);
      if (here.ok) {
        expect(r).toBeInstanceOf(CheckedEnvelope);
        expect((r as CheckedEnvelope).json).toBe(here.json);
      } else expect(r).toEqual(here);
    }
    // The mix above holds every case.
    expect(got.filter((r) => r instanceof CheckedEnvelope).length).toBeGreaterThan(5);
    expect(got.filter((r) => !(r instanceof CheckedEnvelope) && r.code === 'malformed-json')).toHaveLength(3);
    expect(
      got.filter((r) => !(r instanceof CheckedEnvelope) && r.code === 'signature').length,
    ).toBeGreaterThan(3);
    // On this thread too (no workers), with the same verdicts.
    const here = await new VerifyPool({ workers: 0 }).verify(values);
    expect(here.map((r) => (r instanceof CheckedEnvelope ? r.json : r))).toEqual(
      got.map((r) => (r instanceof CheckedEnvelope ? r.json : r)),
    );
  });

  it('with no workers, verifies on this thread', async () => {
    const here = new VerifyPool({ workers: 0 });
    const r = await here.verify([envelope(1), { statement: 1 }]);
    expect(r[0]).toBeInstanceOf(CheckedEnvelope);
    expect(r[1]).toMatchObject({ ok: false, code: 'schema' });
  });
});
