// The log commands as a person or a script uses them: keys, sign, log append, export, verify.
// Every failure must say what and where, and nothing already in the log may change.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { phaseline, tempDir } from '../helpers/cli.js';

const payload = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: 'observation.note',
    agreement: 'lebanon-2026',
    subject: 'buffer-strip',
    body: { n },
    ...extra,
  });

describe('phaseline keys, sign, log append, export and verify', () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  const keyFile = join(dir, 'monitors.key');
  let vkey = '';
  let logKey = '';
  let signed: string[] = [];

  beforeAll(() => {
    const k = phaseline(['keys', 'new', 'monitors', '--out', keyFile]);
    expect(k.code).toBe(0);
    vkey = k.stdout.trim();
    const s = phaseline(['sign', '--key', keyFile], {
      input: Array.from({ length: 300 }, (_, i) => payload(i)).join('\n'),
    });
    expect(s.code).toBe(0);
    signed = s.stdout.trim().split('\n');
  });

  it('keys new prints the verifier key and writes a private key only its owner can read', () => {
    expect(vkey).toMatch(/^monitors\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}=?$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^PRIVATE\+KEY\+monitors\+/);
    const again = phaseline(['keys', 'new', 'monitors', '--out', keyFile]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('sign fills in key, time, nonce and issuer, and reads a single pretty-printed document too', () => {
    const env = JSON.parse(signed[0]!);
    expect(env.statement).toMatchObject({ key: vkey, issuer: 'monitors', classification: 'public' });
    expect(env.statement.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Date.parse(env.statement.at)).toBeGreaterThan(Date.parse('2026-01-01'));
    const one = phaseline(['sign', '--key', keyFile], {
      input: JSON.stringify(JSON.parse(payload(1)), null, 2),
    });
    expect(one.code).toBe(0);
    expect(one.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('sign reports a bad payload with its line and still signs the others', () => {
    const r = phaseline(['sign', '--key', keyFile], {
      input: `${payload(1)}\nnot json\n${payload(2, { colour: 'red' })}\n${payload(3)}\n`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stdin:2 is not JSON');
    expect(r.stderr).toContain('stdin:3: unknown field(s) colour');
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('log append appends good envelopes and reports each rejection with its line; the log keeps what it had', () => {
    const first = phaseline(['log', 'append', '--data', data], { input: signed.slice(0, 200).join('\n') });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('appended 200, rejected 0; log size 200');
    logKey = phaseline(['log', 'key', '--data', data]).stdout.trim();
    const checkpointBefore = exportAndRead(data, join(dir, 'before'));

    const tampered = JSON.parse(signed[200]!);
    tampered.statement.body.n = 9999;
    const oversized = phaseline(['sign', '--key', keyFile], {
      input: payload(1, { body: { blob: 'x'.repeat(70_000) } }),
    });
    expect(oversized.stderr).toMatch(/size: statement is \d+ bytes canonical, over the limit of 64000/);
    const bad = [signed[5]!, JSON.stringify(tampered), '{"statement":', signed[201]!].join('\n');
    const r = phaseline(['log', 'append', '--data', data], { input: bad });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stdin:1: rejected (duplicate-statement)');
    expect(r.stderr).toMatch(
      /stdin:2: rejected \(signature\): signatures\[0\]: signature by monitors\+[0-9a-f]{8} does not verify/,
    );
    expect(r.stderr).toContain('rejected (malformed-json): stdin:3 is not JSON');
    expect(r.stdout).toContain('appended 1, rejected 3; log size 201');
    // The 200 entries accepted earlier are untouched: the old checkpoint is consistent with the new log.
    const v = phaseline([
      'verify',
      exportDir(data, join(dir, 'after')),
      '--key',
      logKey,
      '--since',
      checkpointBefore,
    ]);
    expect(v.stderr).toBe('');
    expect(v.stdout).toContain('OK: consistent with the checkpoint of size 200');
  });

  it('verify names the first bad tile, entry bundle or signature', () => {
    const appended = phaseline(['log', 'append', '--data', data], { input: signed.slice(202).join('\n') });
    expect(appended.code).toBe(0);
    const out = exportDir(data, join(dir, 'export'));
    expect(phaseline(['verify', out, '--key', logKey, '--json']).stdout).toContain('"ok":true');

    const fresh = () => exportDir(data, join(dir, `x${Math.random().toString(16).slice(2)}`));
    // A truncated tile.
    let e = fresh();
    const tile = join(e, 'tile/0/000');
    writeFileSync(tile, readFileSync(tile).subarray(0, 8000));
    let r = phaseline(['verify', e, '--key', logKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAILED: tile/0/000: expected 8192 bytes, got 8000');
    // One flipped byte in an entry.
    e = fresh();
    const bundle = join(e, 'tile/entries/000');
    const b = readFileSync(bundle);
    b[500] = b[500]! ^ 1;
    writeFileSync(bundle, b);
    r = phaseline(['verify', e, '--key', logKey]);
    expect(r.stderr).toMatch(/FAILED: tile\/0\/000: hash \d+ does not match entry \d+ of tile\/entries\/000/);
    // A checkpoint whose size was edited: the log's signature no longer holds.
    e = fresh();
    const cp = join(e, 'checkpoint');
    writeFileSync(cp, readFileSync(cp, 'utf8').replace(/\n299\n/, '\n298\n'));
    r = phaseline(['verify', e, '--key', logKey]);
    expect(r.stderr).toMatch(/FAILED: checkpoint: invalid signature for key phaseline\.local\/log-/);
    // The wrong key.
    r = phaseline(['verify', fresh(), '--key', vkey]);
    expect(r.stderr).toContain('FAILED: checkpoint: note has no verifiable signatures');
  });

  it('log export from a data directory without a log says so and creates nothing', () => {
    const empty = tempDir();
    const out = join(tempDir(), 'export');
    const r = phaseline(['log', 'export', '--data', empty, out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`there is no log at ${join(empty, 'log.db')}; run phaseline init`);
    expect(existsSync(join(empty, 'log.db'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('a key string with a bad hash gets a clear error, not a different identity', () => {
    const [, name, , b64] = logKey.match(/^([^+]+)\+([0-9a-f]{8})\+(.+)$/)!;
    const r = phaseline(['verify', join(dir, 'export'), '--key', `${name}+00000000+${b64}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key id 00000000 does not match the key \(expected [0-9a-f]{8}\)/);
  });
});

function exportDir(data: string, out: string): string {
  const r = phaseline(['log', 'export', '--data', data, out]);
  expect(r.code).toBe(0);
  return out;
}

function exportAndRead(data: string, out: string): string {
  exportDir(data, out);
  return join(out, 'checkpoint');
}
