// Cosignatures from our witness, opened by Go's golang.org/x/mod/sumdb/note with a cosignature/v1
// verifier written in Go from the spec (interop/go/verifylog/cosigned.go): note.Open checks the
// log's signature and every known witness's cosignature, and fails on a bad one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatAddCheckpoint } from '../../src/witness/add-checkpoint.js';
import type { Witness } from '../../src/witness/witness.js';
import { openWitness } from '../../src/witness/witness-dir.js';
import { type RunningWitness, serveWitness } from '../../src/witness/witness-server.js';
import { TestLog } from '../witness/test-log.js';
import { buildVerifylog, run, skipReason } from './go-toolchain.js';

describe.skipIf(skipReason !== undefined)('Go note.Open verifies our cosignatures', () => {
  let tmp: string;
  let verifylog: string;
  const log = new TestLog('phaseline.example/go-cosig').append(300);
  const witnesses: { w: Witness; running: RunningWitness }[] = [];
  let cosigned: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'phaseline-go-cosig-'));
    verifylog = buildVerifylog(tmp);
    for (const name of ['witness.israel.example', 'witness.lebanon.example']) {
      const w = openWitness(join(tmp, name), { logs: [log.vkey], name });
      witnesses.push({ w, running: await serveWitness(w, '127.0.0.1', 0) });
    }
    const checkpoint = log.checkpoint(300, ['phaseline.example/state 256 AAAA']);
    cosigned = checkpoint;
    for (const { running } of witnesses) {
      const body = formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint });
      const res = await fetch(`${running.url}/add-checkpoint`, { method: 'POST', body });
      expect(res.status).toBe(200);
      cosigned += await res.text();
    }
  });

  afterAll(async () => {
    for (const { w, running } of witnesses) {
      await running.close();
      w.store.close();
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const check = (note: string, ...witnessKeys: string[]) => {
    const file = join(tmp, 'cosigned.note');
    writeFileSync(file, note);
    return run(verifylog, ['cosigned', file, log.vkey, ...witnessKeys]);
  };

  it('accepts the log signature and both cosignatures', () => {
    const r = check(cosigned, ...witnesses.map((x) => x.w.vkey));
    expect(r.out).toBe(
      'OK signed by phaseline.example/go-cosig, witness.israel.example, witness.lebanon.example\n',
    );
    expect(r.status).toBe(0);
  });

  it('rejects a cosignature over another checkpoint', () => {
    const lines = cosigned.split('\n');
    const other = log.checkpoint(300);
    // The witnesses' lines moved under a checkpoint without the extension line they signed.
    const moved = other + lines.filter((l) => l.startsWith('— witness.')).join('\n') + '\n';
    const r = check(moved, ...witnesses.map((x) => x.w.vkey));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/invalid signature for key witness\./);
  });

  it('rejects a cosignature with a changed timestamp', () => {
    const m = /^— witness\.israel\.example (\S+)$/m.exec(cosigned)!;
    const raw = Buffer.from(m[1]!, 'base64');
    raw[11] = raw[11]! ^ 1; // the last byte of the 8-byte timestamp
    const r = check(cosigned.replace(m[1]!, raw.toString('base64')), witnesses[0]!.w.vkey);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/invalid signature/);
  });
});
