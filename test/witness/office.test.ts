// The office pushes each durable checkpoint to the agreement's witnesses and then publishes the
// cosigned one: /log/checkpoint's source and later receipts carry the quorum of cosignatures,
// while a statement is acknowledged as before, without waiting for any witness.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readSignerKey } from '../../src/datadir/data-dir.js';
import { parseReceipt, verifyReceipt } from '../../src/log/receipt.js';
import { initDataDir } from '../../src/mechanism/mechanism.js';
import type { MechanismService } from '../../src/service/mechanism-service.js';
import { SqliteMechanismService } from '../../src/service/sqlite-service.js';
import { newNonce, signStatement } from '../../src/statement/envelope.js';
import { parseVerifierKey } from '../../src/statement/keys.js';
import { checkWitnessQuorum } from '../../src/verify/witness-quorum.js';
import { withWitnesses } from '../../src/witness/office.js';
import type { Witness } from '../../src/witness/witness.js';
import { openWitness } from '../../src/witness/witness-dir.js';
import { type RunningWitness, serveWitness } from '../../src/witness/witness-server.js';

let tmp: string;
let service: MechanismService;
const witnesses: { w: Witness; running: RunningWitness }[] = [];
const said: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'phaseline-office-witness-'));
  const dir = join(tmp, 'office');
  initDataDir(dir);
  const logKey = readSignerKey(join(dir, 'log.key')).vkey;
  for (const name of ['witness.israel.example', 'witness.lebanon.example']) {
    const w = openWitness(join(tmp, name), { logs: [logKey], name });
    witnesses.push({ w, running: await serveWitness(w, '127.0.0.1', 0) });
  }
  appendFileSync(
    join(dir, 'agreement.yaml'),
    `\n${stringify({ witnesses: { quorum: 2, members: witnesses.map((x) => ({ key: x.w.vkey, url: x.running.url })) } })}`,
  );
  service = withWitnesses(SqliteMechanismService.open(dir), (line) => said.push(line));
});

afterAll(async () => {
  await service?.close();
  for (const { w, running } of witnesses) {
    await running.close();
    w.store.close();
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('an office with witnesses', () => {
  it('acknowledges at once, then publishes the checkpoint with the quorum, and later receipts carry it', async () => {
    const lebanon = readSignerKey(join(tmp, 'office', 'keys', 'lebanon.key'));
    const now = '2026-06-27T09:00:00.000Z';
    const env = signStatement(
      {
        kind: 'zone.stage.sign',
        agreement: service.agreement.id,
        issuer: 'lebanon',
        key: lebanon.vkey,
        at: now,
        nonce: newNonce(),
        classification: 'public',
        subject: 'sour-south-litani',
        body: { stage: 'agreed' },
      },
      lebanon,
    );
    const [r] = await service.submit([env], now);
    expect(r!.ok).toBe(true);
    // The receipt made at admission is against the plain checkpoint: nothing waited for a witness.
    const first = await service.receipt(0);
    expect(parseReceipt(first).checkpoint).not.toMatch(/— witness\./);

    let note: string | undefined;
    for (let i = 0; i < 100 && !(note ?? '').includes('— witness.lebanon'); i++) {
      await new Promise((f) => setTimeout(f, 100));
      note = await service.checkpoint();
    }
    const log = parseVerifierKey(service.logKey);
    const q = checkWitnessQuorum(note!, log, service.origin, service.agreement.witnesses!);
    expect(q.met).toBe(true);
    expect(q.checkpoint.size).toBe(1);

    const later = await service.receipt(0);
    const entry = (await service.entry(0, false))!.bytes;
    const verified = verifyReceipt(later, entry, log, service.origin);
    expect(verified.index).toBe(0);
    expect(
      checkWitnessQuorum(parseReceipt(later).checkpoint, log, service.origin, service.agreement.witnesses!)
        .met,
    ).toBe(true);
    expect(said.filter((l) => l.includes('ALARM'))).toEqual([]);
  });
});
