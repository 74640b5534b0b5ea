// The agreement names its witnesses and their quorum; `phaseline verify --agreement` refuses a
// checkpoint without that quorum of valid cosignatures, and the agreement loader refuses a
// witnesses section that can never work.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AgreementError } from '../../src/agreement/errors.js';
import { loadAgreement } from '../../src/agreement/load.js';
import { scenarioPath } from '../../src/agreement/scenarios.js';
import type { Witnesses } from '../../src/agreement/witnesses.js';
import { dataDirPaths, openLog, readSignerKey } from '../../src/datadir/data-dir.js';
import { exportTiles } from '../../src/export/export-tiles.js';
import { ALG_COSIGNATURE_V1, generateKeyPair } from '../../src/statement/keys.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { tileSource } from '../../src/verify/tile-source.js';
import { VerifyError, verifyLog } from '../../src/verify/verify-log.js';
import { formatAddCheckpoint } from '../../src/witness/add-checkpoint.js';
import { openWitness } from '../../src/witness/witness-dir.js';
import { phaseline } from '../helpers/cli.js';

const scenarioDir = join(scenarioPath('lebanon-2026'), '..');
let tmp: string;
let out: string;
let logKey: string;
const witnessKeys: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'phaseline-quorum-'));
  const log = openLog(dataDirPaths(join(tmp, 'data')), 'phaseline.example/quorum');
  try {
    log.append(
      Array.from({ length: 40 }, (_, i) => ({
        bytes: Buffer.from(`{"n":${i}}`),
        meta: { statementId: i.toString(16).padStart(64, '0') },
        disclosure: null,
      })),
    );
    out = join(tmp, 'export');
    await exportTiles(new SyncLogStoreAdapter(log.store), out);
  } finally {
    log.store.close();
  }
  const vkey = readSignerKey(dataDirPaths(join(tmp, 'data')).logKeyPath).vkey;
  logKey = vkey;
  // A copy of the shipped scenario (its agreement refers to geo/ beside it) to add witnesses to.
  cpSync(join(scenarioDir, 'agreement.yaml'), join(tmp, 'scenario', 'agreement.yaml'));
  cpSync(join(scenarioDir, 'geo'), join(tmp, 'scenario', 'geo'), { recursive: true });
  // Two witnesses cosign the exported checkpoint; the cosigned note replaces it.
  let note = readFileSync(join(out, 'checkpoint'), 'utf8');
  const unsigned = note;
  for (const name of ['witness.a.example', 'witness.b.example']) {
    const w = openWitness(join(tmp, name), { logs: [vkey], name });
    const a = await w.addCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: unsigned }));
    expect(a.status).toBe(200);
    note += a.body;
    witnessKeys.push(w.vkey);
    w.store.close();
  }
  writeFileSync(join(out, 'checkpoint'), note);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const policy = (quorum: number, extra: string[] = []): Witnesses => ({
  quorum,
  members: [...witnessKeys, ...extra].map((key, i) => ({ key, url: `http://127.0.0.1:${9000 + i}` })),
});

describe('verify with the agreement’s witnesses', () => {
  it('accepts a checkpoint carrying the quorum, and reports who cosigned', async () => {
    const r = await verifyLog(tileSource(out), { key: logKey, witnesses: policy(2), workers: 1 });
    expect(r.witnesses).toEqual({ quorum: 2, cosigned: witnessKeys });
  });

  it('refuses one short of the quorum, naming who is missing', async () => {
    const third = generateKeyPair('witness.c.example', Buffer.alloc(32, 3), ALG_COSIGNATURE_V1).vkey;
    const err = await verifyLog(tileSource(out), {
      key: logKey,
      witnesses: policy(3, [third]),
      workers: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyError);
    expect((err as Error).message).toBe(
      "checkpoint: does not count: cosigned by 2 of the agreement's witnesses (witness.a.example, witness.b.example); the quorum is 3; missing: witness.c.example",
    );
  });

  it('phaseline verify --agreement enforces it from the agreement file', () => {
    const third = generateKeyPair('witness.c.example', Buffer.alloc(32, 3), ALG_COSIGNATURE_V1).vkey;
    const ok = phaseline(['verify', out, '--key', logKey, '--agreement', withWitnesses(policy(2))]);
    expect(ok.stdout, ok.stderr).toContain(
      "OK: cosigned by 2 of the agreement's witnesses (quorum 2): witness.a.example, witness.b.example",
    );
    expect(ok.code).toBe(0);
    const short = phaseline([
      'verify',
      out,
      '--key',
      logKey,
      '--agreement',
      withWitnesses(policy(3, [third])),
    ]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('does not count: cosigned by 2');
  }, 240_000);
});

/** The shipped scenario's agreement with a witnesses section, as a file. */
function withWitnesses(witnesses: unknown): string {
  const f = join(tmp, 'scenario', 'agreement.yaml');
  const base = readFileSync(join(scenarioDir, 'agreement.yaml'), 'utf8');
  writeFileSync(f, `${base}\n${stringify({ witnesses })}`);
  return f;
}

describe('the witnesses section of an agreement file', () => {
  const load = (witnesses: unknown) => loadAgreement(withWitnesses(witnesses));

  it('loads keys, addresses, parties and the quorum', () => {
    const a = load({
      ...policy(2),
      members: policy(2).members.map((m, i) => ({ ...m, party: i ? 'lebanon' : 'israel' })),
    });
    expect(a.witnesses?.quorum).toBe(2);
    expect(a.witnesses?.members.map((m) => m.party)).toEqual(['israel', 'lebanon']);
  });

  it('refuses a quorum larger than the witnesses, a note key instead of a witness key, and an unknown party', () => {
    const noteKey = generateKeyPair('witness.x.example', Buffer.alloc(32, 9)).vkey;
    let err: unknown;
    try {
      load({
        quorum: 4,
        members: [
          { key: witnessKeys[0], url: 'http://127.0.0.1:9000', party: 'nobody' },
          { key: noteKey, url: 'http://127.0.0.1:9001' },
          { key: witnessKeys[0], url: 'http://127.0.0.1:9000/' },
        ],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgreementError);
    const messages = (err as AgreementError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(messages).toMatch(/witnesses\.quorum.*a quorum of 4 can never be met by 3 witness/);
    expect(messages).toMatch(/witnesses\.members\[0\]\.party.*unknown party "nobody"/);
    expect(messages).toMatch(/witnesses\.members\[1\]\.key.*where cosignature\/v1, 0x04 is expected/);
    expect(messages).toMatch(/witnesses\.members\[2\]\.key.*already listed/);
    expect(messages).toMatch(/witnesses\.members\[2\]\.url.*same address/);
  });
});
