// The C2SP tlog-witness protocol over real HTTP: every status code of the spec, the cosignature
// checked by the project's verifier and by an independent one written from the spec
// (node:crypto only), state that survives a restart, and the rollback race the spec warns of.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { formatAddCheckpoint } from '../../src/witness/add-checkpoint.js';
import { openWitnessedCheckpoint, parseWitnessKey } from '../../src/witness/cosignature.js';
import { checkEvidence, type SplitViewEvidence } from '../../src/witness/evidence.js';
import type { Witness } from '../../src/witness/witness.js';
import { openWitness } from '../../src/witness/witness-dir.js';
import { type RunningWitness, serveWitness } from '../../src/witness/witness-server.js';
import { checkpointBody, confirmsFork, cosignatureTimes } from './independent-check.js';
import { TestLog } from './test-log.js';

const T0 = Date.parse('2026-07-01T12:00:00Z');

let dir: string;
let witness: Witness;
let running: RunningWitness;
let clock = T0;
const log = new TestLog('phaseline.example/witness-test');

async function post(body: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${running.url}/add-checkpoint`, { method: 'POST', body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const add = (
  oldSize: number,
  checkpoint: string,
  proof = log.proof(oldSize, checkpointBody(checkpoint).size),
) => post(formatAddCheckpoint({ oldSize, proof, checkpoint }));

async function start(): Promise<void> {
  witness = openWitness(dir, { logs: [log.vkey], name: 'witness.example/w1', now: () => clock });
  running = await serveWitness(witness, '127.0.0.1', 0);
}

async function stop(): Promise<void> {
  await running.close();
  witness.store.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phaseline-witness-'));
  await start();
});

afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /add-checkpoint', () => {
  it('200: cosigns the first checkpoint of a watched log (old 0), timestamped by its clock', async () => {
    log.append(10);
    const cp = log.checkpoint();
    const r = await add(0, cp);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^— witness\.example\/w1 [A-Za-z0-9+/]+=*\n$/);
    const cosigned = cp + r.text;
    // The independent checker, from the spec:
    expect(cosignatureTimes(cosigned, witness.vkey)).toEqual([Math.floor(T0 / 1000)]);
    // The project's own:
    const opened = openWitnessedCheckpoint(cosigned, parseVerifierKey(log.vkey), log.origin, [
      parseWitnessKey(witness.vkey),
    ]);
    expect(opened.checkpoint.size).toBe(10);
    expect(opened.cosignatures).toEqual([{ witness: witness.vkey, timestamp: Math.floor(T0 / 1000) }]);
  });

  it('200: cosigns a larger checkpoint with a consistency proof, extension lines included in what it signs', async () => {
    clock = T0 + 5_000;
    log.append(13);
    const cp = log.checkpoint(23, ['phaseline.example/state 16 AAAA']);
    const r = await add(10, cp);
    expect(r.status).toBe(200);
    expect(cosignatureTimes(cp + r.text, witness.vkey)).toEqual([Math.floor((T0 + 5_000) / 1000)]);
    // A cosignature over the text without the extension line would not verify on this text.
    expect(cosignatureTimes(log.checkpoint(23) + r.text, witness.vkey)).toEqual([]);
  });

  it('200: the same checkpoint again (old = size, equal roots, empty proof)', async () => {
    expect((await add(23, log.checkpoint(23, ['phaseline.example/state 16 AAAA']))).status).toBe(200);
  });

  it('409: an old size other than the one it cosigned, answered with that size as text/x.tlog.size', async () => {
    log.append(7);
    for (const old of [0, 10, 29]) {
      const r = await add(old, log.checkpoint(), old === 0 ? [] : log.proof(old));
      expect(r.status).toBe(409);
      expect(r.type).toBe('text/x.tlog.size');
      expect(r.text).toBe('23\n');
    }
  });

  it('422: a consistency proof that does not verify, kept as unproven evidence', async () => {
    const proof = log.proof(23);
    proof[0] = Buffer.alloc(32, 7);
    const before = witness.store.evidence().length;
    const r = await add(23, log.checkpoint(), proof);
    expect(r.status).toBe(422);
    const kept = witness.store.evidence().slice(before);
    expect(kept.map((e) => e.kind)).toEqual(['unproven']);
    expect(checkEvidence(kept[0]!, parseVerifierKey(log.vkey)).proven).toBe(false);
    expect(confirmsFork(kept[0]!, log.vkey)).toBe(false);
  });

  it('400: malformed bodies, a proof with old 0, an old size above the checkpoint', async () => {
    const cp = log.checkpoint();
    const cases = [
      'old 23\n' + cp, // no empty line
      `old 023\n\n${cp}`,
      `old -1\n\n${cp}`,
      `old 0\n${Buffer.alloc(32).toString('base64')}\n\n${cp}`,
      `old 23\nnot base64!\n\n${cp}`,
      `old 23\n${Array.from({ length: 64 }, () => Buffer.alloc(32).toString('base64') + '\n').join('')}\n${cp}`,
      `old 31\n\n${cp}`,
      `old 23\n\n${log.origin}\n30\nnot a root\n\n— x AAAA\n`,
    ];
    for (const body of cases) expect((await post(body)).status, body.slice(0, 40)).toBe(400);
  });

  it('403: no signature by the log key verifies (another key of the same name, or an altered checkpoint)', async () => {
    const forged = new TestLog(log.origin, parseSignerKey(generateKeyPair(log.origin).skey)).append(30);
    expect(forged.vkey).not.toBe(log.vkey);
    expect((await add(23, forged.checkpoint(), log.proof(23))).status).toBe(403);
    const altered = log.checkpoint().replace(/\n30\n/, '\n31\n');
    expect(altered).not.toBe(log.checkpoint());
    const r = await post(formatAddCheckpoint({ oldSize: 23, proof: log.proof(23), checkpoint: altered }));
    expect(r.status).toBe(403);
  });

  it('404: a log it does not watch', async () => {
    const stranger = new TestLog('stranger.example/log').append(3);
    const r = await add(0, stranger.checkpoint());
    expect(r.status).toBe(404);
  });

  it('keeps its state across a restart', async () => {
    await stop();
    await start();
    const r = await add(0, log.checkpoint(), []);
    expect(r.status).toBe(409);
    expect(r.text).toBe('23\n');
    expect((await add(23, log.checkpoint())).status).toBe(200);
  });

  it('decides concurrent requests one at a time: of two extensions of one size, one wins and the other gets 409', async () => {
    const size = log.size; // 30, just cosigned
    log.append(5);
    const a = log.checkpoint(33);
    const b = log.checkpoint(35);
    const [ra, rb] = await Promise.all([add(size, a), add(size, b)]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const winner = ra.status === 200 ? 33 : 35;
    expect((ra.status === 409 ? ra : rb).text).toBe(`${winner}\n`);
    const r = await add(0, log.checkpoint(), []);
    expect(r.text).toBe(`${winner}\n`);
  });
});

describe('split views', () => {
  it('409 and same-size evidence when the log shows it a second root for the size it cosigned', async () => {
    const size = Number((await add(0, log.checkpoint(), [])).text);
    const fork = log.fork(size - 3).append(3, 'forked');
    const before = witness.store.evidence().length;
    const r = await add(size, fork.checkpoint(size), []);
    expect(r.status).toBe(409);
    const [e] = witness.store.evidence().slice(before) as [SplitViewEvidence];
    expect(e.kind).toBe('same-size');
    expect(confirmsFork(e, log.vkey)).toBe(true);
    expect(checkEvidence(e, parseVerifierKey(log.vkey), parseWitnessKey(witness.vkey)).proven).toBe(true);
  });

  it('422 and inconsistent evidence when a branch that dropped entries grows past what it cosigned', async () => {
    const size = Number((await add(0, log.checkpoint(), [])).text);
    expect(size & (size - 1)).not.toBe(0); // a power of two would leave the old root out of the proof
    const fork = log.fork(size - 4).append(20, 'forked');
    const before = witness.store.evidence().length;
    const r = await add(size, fork.checkpoint(), fork.proof(size));
    expect(r.status).toBe(422);
    const [e] = witness.store.evidence().slice(before) as [SplitViewEvidence];
    expect(e.kind).toBe('inconsistent');
    expect(e.impliedRoot).toBe(fork.root(size).toString('base64'));
    expect(confirmsFork(e, log.vkey)).toBe(true);
    const served = (await (
      await fetch(`${running.url}/evidence?after=${before}`)
    ).json()) as SplitViewEvidence[];
    expect(served).toEqual([e]);
  });
});
