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
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { dataDirPaths, readSignerKey } from '../src/datadir/data-dir.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { signingMessage, verifierFor } from '../src/statement/envelope.js';
import type { Envelope } from '../src/statement/types.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';
import { numberArgument } from './args.js';
import {
  type CpuUsed,
  cpuLine,
  nodeFlagsArgument,
  startCpuMeter,
  startServe,
  unlimited_rates,
} from './serve-process.js';

const count = numberArgument('count', 60_000);
const batch = numberArgument('batch', 1000);
const inflight = numberArgument('inflight', 4);
const nodeFlags = nodeFlagsArgument();
const cores = availableParallelism();

const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-batch-'));
seedDemo(dir);
const server = await startServe(dir, unlimited_rates, nodeFlags);
const { port } = new URL(server.url);

const monitors = readSignerKey(join(dataDirPaths(dir).keysDir, 'monitors.key'));
const envelopes: Envelope[] = [];
for (let i = 0; i < count; i++)
  envelopes.push(incidentReport(dir, `bench-batch-${i}`, new Date().toISOString()));
// Sent before the measured ingestion, so that it does not pay for compiling the server's code.
const warmup = Array.from({ length: Math.min(4 * batch, 4000) }, (_, i) =>
  incidentReport(dir, `bench-batch-warmup-${i}`, new Date().toISOString()),
);

// 1. Ed25519 verification rate, one worker per core, all started together.
async function verifyRate(): Promise<number> {
  const jwk = verifierFor(monitors.vkey).publicKey.export({ format: 'jwk' });
  const per = Math.ceil(count / cores);
  const jobs = Array.from({ length: cores }, (_, w) =>
    envelopes.slice(w * per, (w + 1) * per).map((e) => ({
      message: signingMessage(e.statement),
      sig: Buffer.from(e.signatures[0]!.sig, 'base64').subarray(4),
    })),
  );
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { createPublicKey, verify } = require('node:crypto');
    const key = createPublicKey({ key: workerData.jwk, format: 'jwk' });
    parentPort.once('message', () => {
      let ok = 0;
      for (const j of workerData.items) if (verify(null, j.message, key, j.sig)) ok++;
      parentPort.postMessage(ok);
    });`;
  const workers = jobs.map((items) => new Worker(code, { eval: true, workerData: { jwk, items } }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('online', r))));
  const t0 = performance.now();
  const oks = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
          w.postMessage('go');
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  const verified = oks.reduce((a, b) => a + b, 0);
  if (verified !== count) throw new Error(`only ${verified} of ${count} signatures verified`);
  return count / seconds;
}

// A plain node:http client with pre-encoded bodies and a keep-alive agent: the client shares the
// cores with the server, so it should cost as little as possible.
const agent = new http.Agent({ keepAlive: true, maxSockets: inflight });
function postNdjson(body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/statements?receipts=false',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// 2. NDJSON batches over HTTP, `inflight` requests at a time.
const ndjson = (list: Envelope[]) => Buffer.from(`${list.map((e) => JSON.stringify(e)).join('\n')}\n`);

async function ingestRate(): Promise<{
  rate: number;
  admitted: number;
  rejected: Map<string, number>;
  cpu: CpuUsed;
}> {
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i += batch) bodies.push(ndjson(envelopes.slice(i, i + batch)));
  for (let i = 0; i < warmup.length; i += batch) {
    const { status, text } = await postNdjson(ndjson(warmup.slice(i, i + batch)));
    if (status !== 200) throw new Error(`warm-up: HTTP ${status}: ${text.slice(0, 200)}`);
  }
  const rejected = new Map<string, number>();
  let next = 0;
  const stopCpu = startCpuMeter(server.pid, cores);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const { status, text } = await postNdjson(body);
        if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 200)}`);
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const r = JSON.parse(line) as { index?: number; code?: string };
          if (r.index === undefined) rejected.set(r.code ?? '?', (rejected.get(r.code ?? '?') ?? 0) + 1);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = stopCpu();
  const admitted = count - [...rejected.values()].reduce((a, b) => a + b, 0);
  return {
    rate: admitted / seconds,
    admitted,
    rejected,
    cpu,
  };
}

// The machine's speed drifts from minute to minute (a shared virtual machine): verification is
// measured just before and just after the ingestion, and the ratio uses their mean.
const verifyBefore = await verifyRate();
const ingest = await ingestRate();
const verifyAfter = await verifyRate();
const verify = (verifyBefore + verifyAfter) / 2;
agent.destroy();
await server.stop();
rmSync(dir, { recursive: true, force: true });

console.log(
  `server-batch (${count} statements, NDJSON batches of ${batch}, ${inflight} in flight, ${cores} cores, SQLite, synchronous=FULL${nodeFlags ? `, node ${nodeFlags.join(' ')}` : ''})`,
);
console.log(
  `  Ed25519 verify, ${cores} worker threads:        ${verify.toFixed(0).padStart(8)} signatures/s (${verifyBefore.toFixed(0)} before step 2, ${verifyAfter.toFixed(0)} after)`,
);
console.log(
  `  POST /v1/statements NDJSON, durable:     ${ingest.rate.toFixed(0).padStart(8)} statements/s (${ingest.admitted} admitted${
    ingest.rejected.size ? `, rejected ${JSON.stringify(Object.fromEntries(ingest.rejected))}` : ''
  })`,
);
console.log(`  CPU per admitted statement: ${cpuLine(ingest.cpu, ingest.admitted)}`);
// What one signature costs in step 1 (every core busy verifying), against what the server spent
// per statement: the ratio the server would reach if it kept every core busy.
const verifyUs = (cores * 1e6) / verify;
const serverUs = (ingest.cpu.server.all * 1000) / ingest.admitted;
console.log(
  `  CPU per verification in step 1: ${verifyUs.toFixed(0)} µs; / server CPU per statement: ${(verifyUs / serverUs).toFixed(2)} (the most this server could reach here)`,
);
console.log(`  ratio ingestion / verification: ${(ingest.rate / verify).toFixed(2)} (target ≥ 0.70)`);
