// `phaseline serve --db postgres://…` on a fresh data directory: the embedded default's demo
// history moves into the empty PostgreSQL log, and a second node on the same database serves
// the same log. Skipped with a printed reason when PostgreSQL is unreachable.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSignerKey } from '../../src/datadir/data-dir.js';
import { tileSource } from '../../src/verify/tile-source.js';
import { verifyLog } from '../../src/verify/verify-log.js';
import { cliMain, phaseline, tempDir } from '../helpers/cli.js';
import { createTestDatabase, postgresUnavailable } from './pg-helpers.js';

const unavailable = await postgresUnavailable();

function serve(
  data: string,
  url: string,
): Promise<{ child: ChildProcess; url: string; size: number; stderr: string }> {
  const child = spawn(process.execPath, [
    '--import',
    'tsx',
    cliMain,
    'serve',
    '--data',
    data,
    '--db',
    url,
    '--port',
    '0',
    '--json',
  ]);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        const j = JSON.parse(line);
        resolve({ child, url: j.url, size: j.size, stderr: err });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe.skipIf(unavailable !== undefined)('serve on PostgreSQL with the embedded default', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await db?.drop();
  });

  it('moves the seeded SQLite log into the empty PostgreSQL log once; a second node serves the same verified log', async () => {
    const data = join(tempDir(), 'office');
    const first = await serve(data, db.url);
    children.push(first.child);
    expect(first.size).toBeGreaterThan(700);
    expect(first.stderr).toMatch(
      new RegExp(`moved the ${first.size} entries of .*log\\.db into the empty PostgreSQL log`),
    );
    const second = await serve(data, db.url);
    children.push(second.child);
    expect(second.size).toBe(first.size);
    expect(second.stderr).not.toContain('moved the');
    const key = readSignerKey(join(data, 'log.key')).vkey;
    for (const node of [first, second]) {
      const report = await verifyLog(tileSource(`${node.url}/log`), { key, workers: 1 });
      expect(report.size).toBe(first.size);
    }
    const zone = await (await fetch(`${second.url}/v1/zones/sour-south-litani`)).text();
    expect(zone).toContain('handed-over');
    // `log export` reads the PostgreSQL log too, tile by tile, and writes what the nodes serve.
    const out = join(tempDir(), 'export');
    const exported = phaseline(['log', 'export', out, '--data', data, '--db', db.url]);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toContain(`exported ${first.size} entries`);
    expect((await verifyLog(tileSource(out), { key, statements: true, workers: 1 })).size).toBe(first.size);
    expect(readFileSync(join(out, 'checkpoint'), 'utf8')).toBe(
      await (await fetch(`${first.url}/log/checkpoint`)).text(),
    );
  });
});
