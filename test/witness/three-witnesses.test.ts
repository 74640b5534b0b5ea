// Three witnesses, a quorum of two, over real HTTP: while one witness is down a checkpoint does
// not count on one cosignature, and counts once a second witness cosigns; then a dishonest
// operator forks the log, and every witness that saw the other branch refuses the fork and keeps
// evidence that an independent checker (node:crypto only) confirms.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Witnesses } from '../../src/agreement/witnesses.js';
import { parseVerifierKey } from '../../src/statement/keys.js';
import { checkWitnessQuorum } from '../../src/verify/witness-quorum.js';
import type { SplitViewEvidence } from '../../src/witness/evidence.js';
import { WitnessPublisher } from '../../src/witness/publisher.js';
import type { Witness } from '../../src/witness/witness.js';
import { openWitness, witnessKey, witnessPaths } from '../../src/witness/witness-dir.js';
import { type RunningWitness, serveWitness } from '../../src/witness/witness-server.js';
import { confirmsFork, cosignatureTimes } from './independent-check.js';
import { TestLog } from './test-log.js';

const names = ['witness.israel.example', 'witness.lebanon.example', 'witness.usa.example'];

/** A free TCP port on 127.0.0.1, closed again: a witness that is down listens nowhere there. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('three witnesses, quorum two', () => {
  let dir: string;
  const log = new TestLog('phaseline.example/three-witnesses');
  const ports: number[] = [];
  const up = new Map<number, { w: Witness; running: RunningWitness }>();
  let policy: Witnesses;
  let publisher: WitnessPublisher;

  const start = async (i: number) => {
    const w = openWitness(join(dir, `w${i}`), { logs: [log.vkey], name: names[i]! });
    up.set(i, { w, running: await serveWitness(w, '127.0.0.1', ports[i]!) });
  };
  const counts = (note: string) => checkWitnessQuorum(note, parseVerifierKey(log.vkey), log.origin, policy);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phaseline-three-witnesses-'));
    const members = [];
    for (let i = 0; i < 3; i++) {
      ports.push(await freePort());
      const key = witnessKey(witnessPaths(join(dir, `w${i}`)), { name: names[i]! });
      members.push({ key: key.vkey, url: `http://127.0.0.1:${ports[i]}`, party: names[i]!.split('.')[1]! });
    }
    policy = { quorum: 2, members };
    publisher = new WitnessPublisher({
      logKey: log.vkey,
      witnesses: policy,
      proof: (a, b) => log.proof(a, b),
      retry_ms: 60_000,
    });
    await start(0); // witnesses 1 and 2 are down for now
  });

  afterAll(async () => {
    publisher.close();
    for (const { w, running } of up.values()) {
      await running.close();
      w.store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not count a checkpoint that one witness cosigned while the others are down', async () => {
    log.append(10);
    publisher.add(log.checkpoint());
    await publisher.settled();
    expect(publisher.latest()).toBeUndefined();
    const status = publisher.status();
    expect(status.witnesses.map((w) => w.cosigned)).toEqual([10, undefined, undefined]);
    expect(status.witnesses[1]!.error).toMatch(/fetch failed|ECONNREFUSED/);
    expect(status.alarms).toEqual([]);
  });

  it('counts the next checkpoint once a second witness cosigns it, with the third still down', async () => {
    await start(1);
    log.append(5);
    publisher.add(log.checkpoint());
    await publisher.settled();
    const published = publisher.latest()!;
    expect(published.size).toBe(15);
    const q = counts(published.note);
    expect(q.met).toBe(true);
    expect(q.cosignatures.map((c) => c.witness)).toEqual([policy.members[0]!.key, policy.members[1]!.key]);
    expect(q.missing).toEqual([policy.members[2]!.key]);
    // Each cosignature holds for the independent checker too, and the third witness has none.
    expect(cosignatureTimes(published.note, policy.members[0]!.key)).toHaveLength(1);
    expect(cosignatureTimes(published.note, policy.members[1]!.key)).toHaveLength(1);
    expect(cosignatureTimes(published.note, policy.members[2]!.key)).toEqual([]);
    // One cosignature is not enough: drop a line and the checkpoint no longer counts.
    const oneLine = published.note.replace(/^— witness\.lebanon\.example .*\n/m, '');
    expect(counts(oneLine).met).toBe(false);
    // A line twice still counts once.
    const twice =
      published.note + published.note.split('\n').find((l) => l.startsWith('— witness.israel'))! + '\n';
    expect(counts(twice).cosignatures).toHaveLength(2);
  });

  it('refuses a dishonest fork at every witness that saw the other branch, with evidence anyone can check', async () => {
    // The operator rewrites history from entry 12 and shows the new branch to everyone.
    const fork = log.fork(12).append(8, 'rewritten');
    await start(2); // the third witness comes back: it never saw the honest branch
    const forger = new WitnessPublisher({
      logKey: fork.vkey,
      witnesses: policy,
      proof: (a, b) => fork.proof(a, b),
      retry_ms: 60_000,
    });
    try {
      forger.add(fork.checkpoint());
      await forger.settled();
      const status = forger.status();
      // Only the witness that never saw the honest branch cosigned: one of two, so it does not count.
      expect(status.witnesses.map((w) => w.cosigned)).toEqual([undefined, undefined, 20]);
      expect(forger.latest()).toBeUndefined();
      // The two that saw size 15 of the honest branch refused, and the forger's status shows the alarm.
      expect(status.alarms.map((a) => [a.witness, a.status])).toEqual([
        [policy.members[0]!.key, 422],
        [policy.members[1]!.key, 422],
      ]);
      for (const i of [0, 1]) {
        const evidence = (await (
          await fetch(`http://127.0.0.1:${ports[i]}/evidence`)
        ).json()) as SplitViewEvidence[];
        expect(evidence.map((e) => e.kind)).toEqual(['inconsistent']);
        expect(confirmsFork(evidence[0]!, log.vkey)).toBe(true);
      }
    } finally {
      forger.close();
    }
    // The honest branch carries on, and counts.
    log.append(3);
    publisher.add(log.checkpoint());
    await publisher.settled();
    expect(publisher.latest()!.size).toBe(18);
    expect(counts(publisher.latest()!.note).met).toBe(true);
    // The witness that cosigned the fork holds size 20 of this log: the honest log sees that too.
    expect(publisher.status().alarms.map((a) => [a.witness, a.message])).toEqual([
      [policy.members[2]!.key, 'it cosigned size 20 of this log, beyond our checkpoint of size 18'],
    ]);
  });
});
