/**
 * The floor under the batch-ingestion target: how close to the machine's Ed25519 verification
 * rate a server gets that does only what no design of `phaseline serve` can leave out (HTTP,
 * signatures checked in worker threads, the durable log: see bench/floor-server.ts), measured
 * exactly as bench/server-batch.ts measures `phaseline serve` (same statements, same client,
 * same yardstick in the same run; bench/batch-load.ts).
 *
 * What `phaseline serve` spends beyond this floor per statement is the mechanism itself (the
 * engine's door, three clearance views, the record store); where this floor is at or near the
 * 0.70 target, no arrangement of the mechanism's own work can reach it on this machine.
 *
 * Run: npm run build && npx tsx bench/ingest-floor.ts [--count 40000] [--batch 1000] [--inflight 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../src/demo/seed-demo.js';
import { numberArgument } from './args.js';
import { batchLoad, measureAgainstVerify, printAgainstVerify } from './batch-load.js';
import { startListening } from './serve-process.js';

const count = numberArgument('count', 40_000);
const batch = numberArgument('batch', 1000);
const inflight = numberArgument('inflight', 4);
const cores = availableParallelism();

const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-floor-'));
seedDemo(dir);
// The allocator setting of `phaseline serve`'s `#!` line, for a like-for-like process.
const server = await startListening(process.execPath, ['--import', 'tsx', 'bench/floor-server.ts', dir], {
  ...process.env,
  MALLOC_MMAP_THRESHOLD_: '131072',
});
const load = batchLoad(dir, count, batch);
const measured = await measureAgainstVerify(server.url, server.pid, load, { batch, inflight, cores });
await server.stop();
rmSync(dir, { recursive: true, force: true });

console.log(
  `ingest-floor (${count} statements, NDJSON batches of ${batch}, ${inflight} in flight, ${cores} cores, SQLite, synchronous=FULL; HTTP, verification workers and the durable log only, no engine)`,
);
printAgainstVerify('POST NDJSON, durable log only', cores, measured);
