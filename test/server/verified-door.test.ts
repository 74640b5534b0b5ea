/**
 * Signatures are verified in the verification pool before the sequencer, and the engine's door
 * then skips them for pool-checked envelopes: nothing tampered may slip through that shortcut.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admit } from '../../src/engine/admit.js';
import { initialState, MemorySeen } from '../../src/engine/index.js';
import { verifyReceipt } from '../../src/log/receipt.js';
import { CheckedEnvelope, checkEnvelope, statementId } from '../../src/statement/envelope.js';
import { decodeEntry } from '../../src/statement/log-entry.js';
import type { Envelope } from '../../src/statement/types.js';
import { incident, type Live, makeDataDir, post, startServer } from './helpers.js';

let live: Live;
beforeAll(async () => {
  live = await startServer(makeDataDir());
});
afterAll(() => live.close());

function tampered(): Envelope {
  const env = incident(live.keys.monitors!);
  (env.statement.body as { note?: string }).note = 'changed after signing';
  return env;
}

describe('the door after the verification pool', () => {
  it('a tampered envelope is rejected by service.submit, alone, in a batch, or dressed as a CheckedEnvelope', async () => {
    const before = await live.service.size();
    const good = incident(live.keys.monitors!);
    const bad = tampered();
    const goodCheck = checkEnvelope(good);
    if (!goodCheck.ok) throw new Error('fixture does not verify');
    // A CheckedEnvelope whose text is tampered but whose id is the good one's.
    const forged = CheckedEnvelope.fromCheck({ ok: true, id: goodCheck.id, json: JSON.stringify(bad) });
    const plainForged = { envelope: bad, id: goodCheck.id, json: JSON.stringify(bad) };
    const r = await live.service.submit([bad, forged, plainForged], new Date().toISOString());
    expect(r.map((x) => (x.ok ? 'ok' : x.code))).toEqual(['signature', 'schema', 'schema']);
    const [single] = await live.service.submit([tampered()], new Date().toISOString());
    expect(single).toMatchObject({ ok: false, code: 'signature' });
    expect(await live.service.size()).toBe(before);
  });

  it('over HTTP, single and NDJSON, a tampered envelope is rejected and the log unchanged', async () => {
    const before = await live.service.size();
    const one = await post(`${live.url}/v1/statements`, tampered());
    expect(one.status).toBe(401);
    expect(one.json.code).toBe('signature');
    const good = incident(live.keys.monitors!);
    const res = await fetch(`${live.url}/v1/statements`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify(tampered())}\n${JSON.stringify(good)}\n${JSON.stringify(tampered())}\n`,
    });
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.code ?? 'ok')).toEqual(['signature', 'ok', 'signature']);
    expect(await live.service.size()).toBe(before + 1);
  });

  it('changing an envelope after submitting it cannot change what is logged', async () => {
    const env = incident(live.keys.monitors!);
    const id = statementId(env.statement);
    const pending = live.service.submit([env], new Date().toISOString());
    // The caller mutates its object while the envelope is being verified and queued.
    (env.statement.body as { note?: string }).note = 'changed after submitting';
    env.statement.subject = 'someone-else';
    const before = await live.service.size();
    const [r] = await pending;
    // The pool reads the object when it hands it to a worker (at the end of this turn): the
    // mutated statement is then refused; had it been read before, the original is what is logged.
    if (!r!.ok) {
      expect(r).toMatchObject({ ok: false, code: 'signature' });
      expect(await live.service.size()).toBe(before);
      return;
    }
    expect(r).toMatchObject({ ok: true, id });
    const stored = await live.service.entry((r as { index: number }).index, false);
    const entry = decodeEntry(stored!.bytes, 'entry');
    if (!('envelope' in entry)) throw new Error('expected a public entry');
    expect(statementId(entry.envelope.statement)).toBe(id);
    expect(checkEnvelope(entry.envelope).ok).toBe(true);
  });

  it('changing an envelope after it was verified, before it is sequenced, cannot change what is logged', async () => {
    const env = incident(live.keys.monitors!);
    const id = statementId(env.statement);
    const pending = live.service.submit([env], new Date().toISOString());
    // Let the pool take it, then mutate while it is verified or queued.
    await new Promise((r) => setImmediate(r));
    (env.statement.body as { note?: string }).note = 'changed after submitting';
    env.statement.subject = 'someone-else';
    const [r] = await pending;
    expect(r).toMatchObject({ ok: true, id });
    const stored = await live.service.entry((r as { index: number }).index, false);
    const entry = decodeEntry(stored!.bytes, 'entry');
    if (!('envelope' in entry)) throw new Error('expected a public entry');
    expect(statementId(entry.envelope.statement)).toBe(id);
    expect(entry.envelope.statement.subject).not.toBe('someone-else');
    expect(checkEnvelope(entry.envelope).ok).toBe(true);
  });

  it('receipts of one group commit (shared checkpoint and proof hashes) all verify and equal the plain ones', async () => {
    const envs = Array.from({ length: 40 }, () => incident(live.keys.monitors!));
    const rs = await live.service.submit(envs, new Date().toISOString());
    for (const r of rs) {
      if (!r.ok) throw new Error(`not admitted: ${r.code}`);
      const receipt = await live.service.receipt(r.index);
      expect(receipt).toBe(live.service.log.receipt(r.index));
      const stored = await live.service.entry(r.index, false);
      verifyReceipt(receipt, stored!.bytes, live.service.logKey, live.service.origin);
    }
    // An older entry, too, and after the log grew.
    expect(await live.service.receipt(0)).toBe(live.service.log.receipt(0));
    await expect(live.service.receipt(1e9)).rejects.toThrow(RangeError);
  });

  it("the engine's admit takes `verified` only together with its own envelope", () => {
    const good = incident(live.keys.monitors!);
    const c = CheckedEnvelope.check(good);
    if (!(c instanceof CheckedEnvelope)) throw new Error('fixture does not verify');
    const state = initialState(live.service.agreement);
    const now = new Date().toISOString();
    expect(() => admit(live.service.agreement, state, tampered(), now, new MemorySeen(), c)).toThrow(
      /its own envelope/,
    );
    // Without `verified`, the door verifies signatures itself.
    expect(admit(live.service.agreement, state, tampered(), now, new MemorySeen())).toMatchObject({
      ok: false,
      code: 'signature',
    });
  });
});
