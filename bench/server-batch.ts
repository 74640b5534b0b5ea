/**
 * Batch ingestion over HTTP against the machine's Ed25519 verification rate, from one run:
 *  1. Ed25519 verification on every core: one worker thread per core (`os.availableParallelism()`)
 *     verifying the signatures of the pre-signed statements below (pure `crypto.verify` over
 *     their signing messages, nothing else);
 *  2. the same number of fresh pre-signed statements (`incident.report` by the monitors' key,
 *     unique subjects) POSTed to `phaseline serve` (started as a user starts it, see
 *     serve-process.ts; SQLite back end, synchronous=FULL) as NDJSON batches (`?receipts=false`),
 *     a few batches in flight, each answered once durable, after a warm-up of a few batches;
 * and prints the ratio 2 / 1 against the target of 0.70, with where the CPU went: per admitted
 * statement, in the server's threads (its main thread, its verification workers, V8's helper
 * threads) and in this process (the HTTP client).
 *
 * Run: npm run build && npx tsx bench/server-batch.ts [--count 60000] [--batch 1000]
 * [--inflight 4] [--node-flags "--flag …"] (the last runs the server with those node flags instead
 * of its `#!` line's, to compare). The client shares the machine's cores with the server: a
 * lower bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '../src/demo/seed-demo.js';
import { numberArgument } from './args.js';
import { batchLoad, measureAgainstVerify, printAgainstVerify } from './batch-load.js';
import { nodeFlagsArgument, startServe, unlimited_rates } from './serve-process.js';

const count = numberArgument('count', 60_000);
const batch = numberArgument('batch', 1000);
const inflight = numberArgument('inflight', 4);
const nodeFlags = nodeFlagsArgument();
const cores = availableParallelism();

const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-batch-'));
seedDemo(dir);
const server = await startServe(dir, unlimited_rates, nodeFlags);
const load = batchLoad(dir, count, batch);
const measured = await measureAgainstVerify(server.url, server.pid, load, { batch, inflight, cores });
await server.stop();
rmSync(dir, { recursive: true, force: true });

console.log(
  `server-batch (${count} statements, NDJSON batches of ${batch}, ${inflight} in flight, ${cores} cores, SQLite, synchronous=FULL${nodeFlags ? `, node ${nodeFlags.join(' ')}` : ''})`,
);
printAgainstVerify('POST /v1/statements NDJSON, durable', cores, measured);
