// The page's in-browser verifier (web/src/verify), run here in Node's WebCrypto: against the
// transparency-dev/merkle and Go signed-note vectors, and against real receipts served by a live
// server, where every way of tampering with a receipt, a checkpoint or a statement must fail the
// step it breaks and only that one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newNonce, signStatement } from '../../src/statement/envelope.js';
import { fromBase64 } from '../../web/src/verify/bytes.js';
import { parseVerifierKey } from '../../web/src/verify/keys.js';
import { openNote } from '../../web/src/verify/note.js';
import { rootFromInclusionProof } from '../../web/src/verify/rfc6962.js';
import { type ServedStatement, verifyServedStatement } from '../../web/src/verify/verify-statement.js';
import { get, incident, type Live, makeDataDir, post, startServer } from '../server/helpers.js';

const vectors = join(import.meta.dirname, '../../testdata/vectors');

function jsonFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const p = join(root, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}

const b64 = (s: string) => fromBase64(s, 'vector');
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('RFC 6962 inclusion (transparency-dev/merkle vectors)', () => {
  const cases = jsonFiles(join(vectors, 'transparency-dev-merkle/testdata/inclusion')).map(
    (p) => [p.slice(vectors.length + 1), JSON.parse(readFileSync(p, 'utf8')) as InclusionCase] as const,
  );
  it('has happy and negative cases', () => {
    expect(cases.filter(([, c]) => !c.wantErr).length).toBeGreaterThan(4);
    expect(cases.filter(([, c]) => c.wantErr).length).toBeGreaterThan(50);
  });
  it.each(cases)('%s', async (_name, c) => {
    let ok: boolean;
    try {
      const root = await rootFromInclusionProof(
        c.leafIdx,
        c.treeSize,
        b64(c.leafHash),
        (c.proof ?? []).map(b64),
      );
      ok = sameBytes(root, b64(c.root));
    } catch {
      ok = false;
    }
    expect(ok).toBe(!c.wantErr);
  });
});

describe('signed notes (Go sumdb/note vectors)', () => {
  const v = JSON.parse(readFileSync(join(vectors, 'signed-note/vectors.json'), 'utf8')) as {
    ed25519_keys: { name: string; vkey: string }[];
    signed_notes: { note: string }[];
    malformed_notes: string[];
  };
  it('parses every verifier key and checks its key id', async () => {
    for (const k of v.ed25519_keys) expect((await parseVerifierKey(k.vkey)).name).toBe(k.name);
    const good = v.ed25519_keys[0]!.vkey;
    const badId = good.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    await expect(parseVerifierKey(badId)).rejects.toThrow(/key id/);
  });
  it('opens the notes PeterNeumann signed, and keeps the other signature aside', async () => {
    const peter = await parseVerifierKey(v.ed25519_keys[0]!.vkey);
    for (const n of v.signed_notes) {
      const opened = await openNote(n.note, peter);
      expect(opened.text).toMatch(/^If you think cryptography/);
    }
    expect((await openNote(v.signed_notes[1]!.note, peter)).otherSignatures).toHaveLength(1);
  });
  it('refuses malformed notes and notes by another key', async () => {
    const peter = await parseVerifierKey(v.ed25519_keys[0]!.vkey);
    for (const n of v.malformed_notes) await expect(openNote(n, peter)).rejects.toThrow();
    const enoch = await parseVerifierKey(v.ed25519_keys[1]!.vkey);
    await expect(openNote(v.signed_notes[0]!.note, enoch)).rejects.toThrow(/no signature by the pinned key/);
    const flipped = v.signed_notes[0]!.note.replace('cryptography', 'Cryptography');
    await expect(openNote(flipped, peter)).rejects.toThrow(/does not verify/);
  });
});

describe('receipts served by a live server', () => {
  let live: Live;
  let logKey: Awaited<ReturnType<typeof parseVerifierKey>>;
  let restrictedIndex = 0;

  beforeAll(async () => {
    live = await startServer(makeDataDir());
    logKey = await parseVerifierKey(live.service.logKey);
    const r = await post(
      `${live.url}/v1/statements`,
      incident(live.keys.monitors!, { classification: 'parties', note: 'restricted for the verifier test' }),
    );
    expect(r.status).toBe(201);
    restrictedIndex = r.json.index;
  });
  afterAll(async () => live?.close());

  const served = async (index: number, headers: Record<string, string> = {}): Promise<ServedStatement> => {
    const r = await get(`${live.url}/v1/statements/${index}`, headers);
    expect(r.status).toBe(200);
    return r.json as ServedStatement;
  };
  const failed = (v: Awaited<ReturnType<typeof verifyServedStatement>>) =>
    v.steps.filter((s) => s.status === 'failed').map((s) => s.id);

  it('verifies co-signed and single-signed public statements at both ends of the log', async () => {
    const size = await live.service.size();
    for (const index of [0, 2, 373, size - 2]) {
      const v = await verifyServedStatement(await served(index), logKey);
      expect(failed(v)).toEqual([]);
      expect(v.ok).toBe(true);
      expect(v.checkpoint?.size).toBe(size);
    }
  });

  it('fails the inclusion step when a proof hash is changed', async () => {
    const s = await served(373);
    const lines = s.receipt.split('\n');
    lines[3] = Buffer.from(new Uint8Array(32).fill(7)).toString('base64');
    const v = await verifyServedStatement({ ...s, receipt: lines.join('\n') }, logKey);
    expect(v.ok).toBe(false);
    expect(failed(v)).toEqual(['inclusion']);
  });

  it('fails the checkpoint step when the checkpoint is re-rooted or the pinned key is another', async () => {
    const s = await served(373);
    const rerooted = s.receipt.replace(/\n([A-Za-z0-9+/]{43}=)\n\n\u2014/, `\n${'A'.repeat(43)}=\n\n\u2014`);
    expect(rerooted).not.toBe(s.receipt);
    const v = await verifyServedStatement({ ...s, receipt: rerooted }, logKey);
    expect(failed(v)).toEqual(['checkpoint']);
    const other = await parseVerifierKey(
      JSON.parse(readFileSync(join(vectors, 'signed-note/vectors.json'), 'utf8')).ed25519_keys[0].vkey,
    );
    expect(failed(await verifyServedStatement(s, other))).toEqual(['checkpoint']);
  });

  it('fails signatures and inclusion when the statement in the leaf is altered', async () => {
    const s = await served(373);
    const leaf = structuredClone(s.leaf) as { envelope: { statement: { subject: string } } };
    leaf.envelope.statement.subject = 'bent-jbeil';
    const v = await verifyServedStatement({ ...s, leaf: leaf as ServedStatement['leaf'] }, logKey);
    expect(failed(v)).toEqual(['inclusion', 'signatures', 'content']);
  });

  it('fails the receipt step when the receipt is for another entry', async () => {
    const s = await served(373);
    const other = await served(374);
    expect(failed(await verifyServedStatement({ ...s, receipt: other.receipt }, logKey))).toContain(
      'receipt',
    );
  });

  it('proves a restricted statement’s commitment to the public, and opens it for a cleared reader', async () => {
    const pub = await served(restrictedIndex);
    expect(pub.disclosure).toBeUndefined();
    const v = await verifyServedStatement(pub, logKey);
    expect(v.ok).toBe(true);
    expect(v.steps.find((x) => x.id === 'signatures')?.status).toBe('skipped');

    const request = signStatement(
      {
        kind: 'auth.token',
        agreement: 'lebanon-2026',
        issuer: 'monitors',
        key: live.keys.monitors!.vkey,
        at: new Date().toISOString(),
        nonce: newNonce(),
        classification: 'public',
        subject: live.service.origin,
        body: {},
      },
      live.keys.monitors!,
    );
    const token = (await post(`${live.url}/v1/tokens`, request)).json.token as string;
    const cleared = await served(restrictedIndex, { authorization: `Bearer ${token}` });
    expect(cleared.disclosure).toBeDefined();
    const w = await verifyServedStatement(cleared, logKey);
    expect(failed(w)).toEqual([]);
    expect(w.steps.find((x) => x.id === 'content')?.detail).toMatch(/opens the commitment/);
    const forged = structuredClone(cleared.disclosure!);
    forged.envelope.statement.subject = 'another-incident';
    expect(failed(await verifyServedStatement({ ...cleared, disclosure: forged }, logKey))).toEqual([
      'signatures',
      'content',
    ]);
  });
});
