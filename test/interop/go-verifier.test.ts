// Independent check of our exported log with Go's golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog (interop/go/verifylog): no Phaseline code on the verifying side.
//
// Needs Debian's golang-1.19-go and golang-golang-x-mod-dev (CI installs them); without them the
// suite is skipped with a warning, unless PHASELINE_REQUIRE_GO_INTEROP=1, which makes it fail.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDirPaths, openLog } from '../../src/datadir/data-dir.js';
import { exportTiles } from '../../src/export/export-tiles.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { PendingEntry } from '../../src/log/transparency-log.js';
import { commit } from '../../src/statement/commitment.js';
import { signingMessage, signStatement, statementId } from '../../src/statement/envelope.js';
import { generateKeyPair, parseSignerKey } from '../../src/statement/keys.js';
import { encodeEntry } from '../../src/statement/log-entry.js';
import type { Envelope, Statement } from '../../src/statement/types.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { buildVerifylog, repoRoot, run, skipReason } from './go-toolchain.js';

const payload = (n: number) => ({ kind: 'observation.note', agreement: 'lebanon-2026', body: { n } });

/** Runs our CLI and returns its standard output; fails the test on a non-zero exit. */
function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`phaseline ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Flips one bit of byte `offset` (negative counts from the end) of `file`. */
function flipByte(file: string, offset: number): void {
  const b = readFileSync(file);
  const at = offset < 0 ? b.length + offset : offset;
  b[at] = b[at]! ^ 0x01;
  writeFileSync(file, b);
}

describe.skipIf(skipReason !== undefined)('Go golang.org/x/mod/sumdb verifies our tlog-tiles export', () => {
  let tmp: string;
  let verifylog: string;
  let vkey: string;
  let statementVkey: string;
  let firstEnvelope: Envelope;
  /** Export directory for each log size, all from one growing log. */
  const exports = new Map<number, string>();
  const big = 66_000; // 257 full level-0 tiles + 1 partial; level-1 tile 0 full + tile 1 partial; a level-2 tile

  const verify = (...args: string[]) => run(verifylog, args);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'phaseline-go-interop-'));

    // Build the Go verifier in GOPATH mode from Debian's x/mod sources: no module proxy, no network.
    verifylog = buildVerifylog(tmp);

    // Sizes 1, 255, 256 and 257 through the CLI, as an operator would.
    const data = join(tmp, 'data');
    const keyFile = join(tmp, 'observer.key');
    statementVkey = cli('keys', 'new', 'observer.example', '--out', keyFile).trim();
    writeFileSync(
      join(tmp, 'payloads.ndjson'),
      Array.from({ length: 257 }, (_, i) => JSON.stringify(payload(i + 1))).join('\n') + '\n',
    );
    const signed = cli('sign', '--key', keyFile, join(tmp, 'payloads.ndjson')).trim().split('\n');
    expect(signed).toHaveLength(257);
    firstEnvelope = JSON.parse(signed[0]!) as Envelope;
    let appended = 0;
    for (const size of [1, 255, 256, 257]) {
      const batch = join(tmp, `batch-${size}.ndjson`);
      writeFileSync(batch, signed.slice(appended, size).join('\n') + '\n');
      expect(cli('log', 'append', '--data', data, batch)).toContain(`log size ${size}`);
      appended = size;
      const out = join(tmp, `export-${size}`);
      expect(cli('log', 'export', '--data', data, out)).toContain(`exported ${size} entries`);
      exports.set(size, out);
    }
    vkey = cli('log', 'key', '--data', data).trim();

    // Grow the same log to `big` through the library (66k CLI round trips would be slow). The
    // entries are the bytes `ingest` writes ({v, admitted, envelope}, or a commitment for restricted
    // statements), appended with `log.append` directly: `ingest` would re-verify 66k Ed25519
    // signatures (~15 s here), which the Go check does not need.
    const signer = parseSignerKey(generateKeyPair('bulk.example', new Uint8Array(32).fill(7)).skey);
    const admitted = '2026-06-26T10:00:00.000Z';
    const envelopes: Envelope[] = [];
    const pending: PendingEntry[] = [];
    for (let i = appended; i < big; i++) {
      const st: Statement = {
        kind: 'observation.note',
        agreement: 'lebanon-2026',
        issuer: 'bulk.example',
        key: signer.vkey,
        at: '2026-06-26T09:00:00.000Z',
        nonce: `bulk-nonce-${String(i).padStart(8, '0')}`,
        // Some restricted statements, so commitment entries are in the log too.
        classification: i % 1000 === 0 ? 'parties' : 'public',
        subject: `zone-${i % 7}`,
        body: { n: i + 1, text: 'x'.repeat(i % 37) },
      };
      const env = signStatement(st, signer);
      const c = st.classification === 'public' ? undefined : commit(env);
      envelopes.push(env);
      pending.push({
        bytes: encodeEntry(
          c ? { v: 1, admitted, commitment: c.commitment } : { v: 1, admitted, envelope: env },
        ),
        disclosure: c?.disclosure ?? null,
        meta: { statementId: statementId(st) },
      });
    }
    const log = openLog(dataDirPaths(data));
    try {
      // The first 100 through the door, which must write the same bytes as the direct appends.
      const door = 100;
      const results = ingest(log, envelopes.slice(0, door), { now: admitted });
      expect(results.filter((r) => !r.ok)).toEqual([]);
      expect(log.store.readEntries(appended, door).map((e) => Buffer.from(e).toString())).toEqual(
        pending.slice(0, door).map((p) => p.bytes.toString()),
      );
      log.append(pending.slice(door));
      expect(log.size).toBe(big);
      const out = join(tmp, `export-${big}`);
      expect((await exportTiles(new SyncLogStoreAdapter(log.store), out)).size).toBe(big);
      exports.set(big, out);
    } finally {
      log.store.close();
    }
  });

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const size of [1, 255, 256, 257, big]) {
    it(`accepts the export of size ${size}`, () => {
      const r = verify(exports.get(size)!, vkey);
      expect(r.out).toBe(`OK size=${size}\n`);
      expect(r.status).toBe(0);
    });
  }

  it('has the tiles a level-1 and level-2 tree needs (C2SP paths, no height element)', () => {
    const dir = exports.get(big)!;
    for (const p of [
      'tile/0/256',
      'tile/0/257.p/208',
      'tile/1/000',
      'tile/1/001.p/1',
      'tile/2/000.p/1',
      'tile/entries/257.p/208',
    ]) {
      expect(existsSync(join(dir, p)), p).toBe(true);
    }
    expect(existsSync(join(exports.get(256)!, 'tile/1/000.p/1'))).toBe(true);
  });

  for (const [a, b] of [
    [1, 255],
    [255, 256],
    [256, 257],
    [1, 257],
    [257, big],
    [1, big],
    [256, big],
    [big, big],
  ] as const) {
    it(`proves the export of size ${b} consistent with the checkpoint of size ${a}`, () => {
      const r = verify(exports.get(b)!, vkey, join(exports.get(a)!, 'checkpoint'));
      expect(r.out).toBe(`OK size=${b}\n`);
      expect(r.status).toBe(0);
    });
  }

  it('rejects an old checkpoint larger than the current tree', () => {
    const r = verify(exports.get(256)!, vkey, join(exports.get(257)!, 'checkpoint'));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/old checkpoint size 257 is above the current size 256/);
  });

  it('rejects the export under another key', () => {
    const other = generateKeyPair(vkey.split('+')[0]!, new Uint8Array(32).fill(1)).vkey;
    const r = verify(exports.get(257)!, other);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/note\.Open/);
  });

  describe('corruption', () => {
    /** A scratch copy of the export of `size`. */
    const copy = (size: number, name: string) => {
      const dir = join(tmp, `corrupt-${name}`);
      cpSync(exports.get(size)!, dir, { recursive: true });
      return dir;
    };

    it('rejects a flipped byte in a level-0 hash tile', () => {
      const dir = copy(257, 'tile0');
      flipByte(join(dir, 'tile/0/000'), 1000);
      const r = verify(dir, vkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/^FAIL: /);
    });

    it('rejects a flipped byte in a partial level-0 tile', () => {
      const dir = copy(257, 'tile0p');
      flipByte(join(dir, 'tile/0/001.p/1'), 5);
      const r = verify(dir, vkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/^FAIL: /);
    });

    it('rejects a flipped byte in a level-1 tile', () => {
      const dir = copy(big, 'tile1');
      flipByte(join(dir, 'tile/1/000'), 4321);
      const r = verify(dir, vkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/^FAIL: /);
    });

    it('rejects a flipped byte in an entry bundle', () => {
      const dir = copy(257, 'entries');
      flipByte(join(dir, 'tile/entries/000'), -3);
      const r = verify(dir, vkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/tree hash from the entries .* != checkpoint root/);
    });

    it('rejects a flipped byte in the checkpoint signature', () => {
      const dir = copy(257, 'sig');
      const file = join(dir, 'checkpoint');
      const text = readFileSync(file, 'utf8');
      const m = /^(— \S+ )(\S+)$/m.exec(text)!;
      const sig = Buffer.from(m[2]!, 'base64');
      sig[4 + 10] = sig[4 + 10]! ^ 0x01; // a byte of the Ed25519 signature, after the 4-byte key id
      writeFileSync(file, text.replace(m[0], m[1] + sig.toString('base64')));
      const r = verify(dir, vkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/invalid signature/);
    });

    it('rejects a missing tile', () => {
      const dir = copy(257, 'missing');
      rmSync(join(dir, 'tile/0/001.p/1'));
      const r = verify(dir, vkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/tile\/0\/001\.p\/1/);
    });
  });

  describe('statement signatures are signed notes', () => {
    const noteFor = (env: Envelope) => {
      const name = env.signatures[0]!.key.split('+')[0]!;
      return `${signingMessage(env.statement).toString('utf8')}\n— ${name} ${env.signatures[0]!.sig}\n`;
    };

    it('note.Open accepts a CLI-signed statement signature', () => {
      const file = join(tmp, 'statement.note');
      writeFileSync(file, noteFor(firstEnvelope));
      const r = verify('note', file, statementVkey);
      expect(r.out).toMatch(/^OK note signed by observer\.example\+/);
      expect(r.status).toBe(0);
    });

    it('note.Open accepts a statement with non-ASCII and escaped control characters', () => {
      const signer = parseSignerKey(generateKeyPair('party-a', new Uint8Array(32).fill(3)).skey);
      const st: Statement = {
        kind: 'observation.note',
        agreement: 'lebanon-2026',
        issuer: 'party-a',
        key: signer.vkey,
        at: '2026-06-26T09:00:00.000Z',
        nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
        classification: 'public',
        subject: 'zone-1',
        body: {
          text: 'وقف إطلاق النار — cessez-le-feu 🕊',
          lines: 'a\nb\tc\u0001',
          sep: '\u2028\u007f',
          n: 1.5e-7,
        },
      };
      const file = join(tmp, 'unicode.note');
      writeFileSync(file, noteFor(signStatement(st, signer)));
      const r = verify('note', file, signer.vkey);
      expect(r.out).toMatch(/^OK note signed by party-a\+/);
      expect(r.status).toBe(0);
    });

    it('note.Open rejects a tampered statement', () => {
      // The first signature, over a statement whose body changed.
      const tampered: Envelope = {
        ...firstEnvelope,
        statement: { ...firstEnvelope.statement, body: { n: 2 } },
      };
      const file = join(tmp, 'tampered.note');
      writeFileSync(file, noteFor(tampered));
      const r = verify('note', file, statementVkey);
      expect(r.status).toBe(1);
      expect(r.out).toMatch(/invalid signature/);
    });
  });
});
