// Crash safety: a process appending in a loop is killed with SIGKILL at random moments. After
// every restart nothing acknowledged is missing, and the exported log verifies.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirPaths, openLog, readSignerKey } from '../../src/datadir/data-dir.js';
import { exportTiles } from '../../src/export/export-tiles.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { tileSource } from '../../src/verify/tile-source.js';
import { verifyLog } from '../../src/verify/verify-log.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const kills = 22;

function runAndKill(dir: string, afterMs: number, acked: Map<number, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/fixtures/append-loop.ts'), dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let buf = '';
    let err = '';
    let started = false;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        for (const pair of line.slice(4).split(' ')) {
          const [i, id] = pair.split(':');
          acked.set(Number(i), id!);
        }
        if (!started) {
          started = true;
          // Kill at a random moment after the first durable batch: mid-batch, mid-commit, mid-print.
          setTimeout(() => child.kill('SIGKILL'), afterMs);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

describe('appends survive SIGKILL', () => {
  it(`loses nothing acknowledged across ${kills} kills and the log verifies after each restart`, async () => {
    const dir = tempDir();
    const acked = new Map<number, string>();
    for (let k = 0; k < kills; k++) {
      await runAndKill(dir, Math.floor(Math.random() * 300), acked);
      // Restart: the store must open cleanly (the constructor checks checkpoint vs tiles).
      const log = openLog(dataDirPaths(dir));
      try {
        for (const [index, id] of acked) expect(log.store.indexOfStatement(id)).toBe(index);
        expect(log.size).toBeGreaterThanOrEqual(acked.size);
        if (k % 7 === 6 || k === kills - 1) {
          const out = join(dir, `export-${k}`);
          await exportTiles(new SyncLogStoreAdapter(log.store), out);
          const key = readSignerKey(dataDirPaths(dir).logKeyPath).vkey;
          const report = await verifyLog(tileSource(out), { key, workers: 1, statements: true });
          expect(report.size).toBe(log.size);
        }
      } finally {
        log.store.close();
      }
    }
    expect(acked.size).toBeGreaterThan(kills * 20);
  }, 240_000);
});
