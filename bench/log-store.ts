/**
 * Benchmarks of the stored log (issue: signed statements and a transparency log):
 *  - durable appends of 1,000,000 entries of ~300 bytes into SQLite, in batches (target ≥ 100,000/s);
 *  - an inclusion proof at tree size 1,000,000 from the stored tiles (target: median < 100 µs);
 *  - `phaseline verify` of the 1,000,000-entry export (target ≥ 300,000 entries/s), the compiled
 *    command as a user runs it.
 * Run: npm run build && npx tsx bench/log-store.ts [entries]
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportTiles } from '../src/export/export-tiles.js';
import { verifyInclusion } from '../src/log/proof.js';
import { leafHash } from '../src/log/rfc6962.js';
import { batch_entries_max, type PendingEntry, TransparencyLog } from '../src/log/transparency-log.js';
import { generateKeyPair, parseSignerKey } from '../src/statement/keys.js';
import { SyncLogStoreAdapter } from '../src/store/async-log-store.js';
import { SqliteLogStore } from '../src/store/sqlite/sqlite-log-store.js';

export async function benchLogStore(n = 1_000_000): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-'));
  const signer = parseSignerKey(generateKeyPair('bench.phaseline/log', new Uint8Array(32).fill(9)).skey);
  const store = new SqliteLogStore(join(dir, 'log.db'));
  const log = new TransparencyLog(store, { origin: signer.name, signer });
  const filler = randomBytes(300).toString('base64').slice(0, 260);
  const entries: PendingEntry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const bytes = Buffer.from(`{"admitted":"2026-07-01T00:00:00.000Z","i":${i},"pad":"${filler}"}`);
    const id = createHash('sha256').update(bytes).digest('hex');
    entries[i] = {
      bytes,
      disclosure: null,
      meta: { statementId: id },
    };
  }
  const avgBytes = entries.reduce((s, e) => s + e.bytes.length, 0) / n;

  const t0 = performance.now();
  log.append(entries);
  const appendSecs = (performance.now() - t0) / 1000;
  const appendRate = n / appendSecs;

  // Inclusion proofs from the stored tiles, random indexes, a fresh reader each time (no warm cache but SQLite's).
  const root = log.rootAt(n);
  const samples: number[] = [];
  for (let k = 0; k < 2000; k++) {
    const i = Math.floor(Math.random() * n);
    const s = performance.now();
    const proof = log.inclusionProof(i, n);
    samples.push(performance.now() - s);
    if (k < 50) verifyInclusion(i, n, leafHash(entries[i]!.bytes), proof, root);
  }
  samples.sort((a, b) => a - b);
  const proofMedianUs = samples[samples.length >> 1]! * 1000;

  const out = join(dir, 'export');
  const te = performance.now();
  await exportTiles(new SyncLogStoreAdapter(store), out);
  const exportSecs = (performance.now() - te) / 1000;
  // The real command, compiled (`npm run build`), as a user runs it: process start included.
  const tv = performance.now();
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(new URL('../bin/phaseline.js', import.meta.url)), 'verify', out, '--key', signer.vkey],
    { encoding: 'utf8' },
  );
  const verifySecs = (performance.now() - tv) / 1000;
  if (r.status !== 0) throw new Error(`phaseline verify failed: ${r.stderr}`);
  const verifyRate = n / verifySecs;
  store.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; ${n.toLocaleString()} entries, ${avgBytes.toFixed(0)} bytes average`,
  );
  console.log(
    `durable append (SQLite WAL, synchronous=FULL, batches of up to ${batch_entries_max}): ${Math.round(appendRate).toLocaleString()} entries/s — ${(appendRate / 100_000).toFixed(2)}× the 100,000/s target`,
  );
  console.log(
    `inclusion proof at size ${n.toLocaleString()} from stored tiles: median ${proofMedianUs.toFixed(1)} µs, p99 ${(samples[Math.floor(samples.length * 0.99)]! * 1000).toFixed(1)} µs — ${(100 / proofMedianUs).toFixed(2)}× under the 100 µs limit`,
  );
  console.log(`export to tlog-tiles files: ${exportSecs.toFixed(1)} s`);
  console.log(
    `verify of the export: ${Math.round(verifyRate).toLocaleString()} entries/s — ${(verifyRate / 300_000).toFixed(2)}× the 300,000/s target`,
  );
  return { appendRate, proofMedianUs, verifyRate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchLogStore(Number(process.argv[2] ?? 1_000_000));
}
