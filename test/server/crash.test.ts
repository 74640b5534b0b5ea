// Crash campaign of `phaseline serve` on SQLite: the compiled command runs in a child process,
// takes concurrent single and batch submissions, and is killed with SIGKILL at a random moment,
// 100 times. After every kill each acknowledged statement is in the log at the index it was
// acknowledged with (lost: 0), no statement is in the log twice (duplicates: 0), and every 25
// kills the log verifies. The counts are printed with the other campaigns'.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirPaths, readSignerKey } from '../../src/datadir/data-dir.js';
import { exportTiles } from '../../src/export/export-tiles.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { tileSource } from '../../src/verify/tile-source.js';
import { verifyLog } from '../../src/verify/verify-log.js';
import { reportCampaign } from '../helpers/campaign.js';
import { distCli, repoRoot } from '../helpers/cli.js';
import { incident, makeDataDir, partyKeys } from './helpers.js';

// At least 100 in CI; PHASELINE_CRASH_KILLS runs a longer (or, while working, a shorter) campaign.
const kills = Number(process.env.PHASELINE_CRASH_KILLS ?? 100);
const connections = 8;

function startServe(dir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [distCli, 'serve', '--data', dir, '--port', '0', '--json'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, url: JSON.parse(out.slice(0, nl)).url });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`serve exited ${code}: ${err}`));
    });
  });
}

describe('phaseline serve under SIGKILL', () => {
  it(`loses nothing acknowledged across ${kills} kills under load`, async () => {
    const dir = makeDataDir(false);
    const keys = partyKeys(dir);
    const acked = new Map<string, number>();
    const started = Date.now();
    let lost = 0;
    let duplicates = 0;
    let verified = 0;
    for (let k = 0; k < kills; k++) {
      const { child, url } = await startServe(dir);
      const exited = new Promise((r) => child.on('exit', r));
      let stop = false;
      let firstAck: () => void = () => {};
      const gotAck = new Promise<void>((r) => (firstAck = r));
      const loop = async (c: number) => {
        while (!stop) {
          try {
            if (c === 0) {
              // One connection sends small NDJSON batches, the others single statements.
              const envs = Array.from({ length: 20 }, () => incident(keys.monitors!));
              const res = await fetch(`${url}/v1/statements?receipts=false`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-ndjson' },
                body: envs.map((e) => JSON.stringify(e)).join('\n'),
              });
              const lines = (await res.text()).trim().split('\n');
              lines.forEach((l) => {
                const r = JSON.parse(l);
                if (r.index !== undefined) acked.set(r.id, r.index);
              });
            } else {
              const res = await fetch(`${url}/v1/statements`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(incident(keys.monitors!)),
              });
              const r = (await res.json()) as { id?: string; index?: number };
              if (res.status === 201) acked.set(r.id!, r.index!);
            }
            firstAck();
          } catch {
            // The server died mid-request: nothing was acknowledged on this connection.
            return;
          }
        }
      };
      const loops = Array.from({ length: connections }, (_, c) => loop(c));
      await gotAck;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 150));
      child.kill('SIGKILL');
      stop = true;
      await exited;
      await Promise.all(loops);
      // After the crash: the store opens cleanly and holds every acknowledged statement.
      const store = new SqliteLogStore(dataDirPaths(dir).dbPath);
      try {
        for (const [id, index] of acked) if (store.indexOfStatement(id) !== index) lost++;
        const ids = store.readStatementIds(0, store.size());
        duplicates += ids.length - new Set(ids).size;
        if (k % 25 === 24) {
          const out = join(dir, `export-${k}`);
          await exportTiles(new SyncLogStoreAdapter(store), out);
          const key = readSignerKey(dataDirPaths(dir).logKeyPath).vkey;
          const report = await verifyLog(tileSource(out), { key, workers: 1, statements: true });
          expect(report.size).toBe(store.size());
          verified++;
        }
      } finally {
        store.close();
      }
    }
    reportCampaign('SIGKILL (serve, SQLite)', {
      kills,
      'statements acknowledged': acked.size,
      'acknowledged then lost': lost,
      'duplicates in the log': duplicates,
      'exports verified': verified,
      seconds: Math.round((Date.now() - started) / 1000),
    });
    expect([lost, duplicates]).toEqual([0, 0]);
    expect(acked.size).toBeGreaterThan(kills * 5);
    // A start of the compiled `serve` (replaying a log that grows to a few thousand entries)
    // takes about a second on a quiet two-core machine, a kill cycle one to two; on a machine
    // loaded 12-fold a cycle took 27 s. The limit only guards against a hang.
  }, 1_200_000);
});
