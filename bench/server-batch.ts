/**
 * Batch ingestion over HTTP against the machine's Ed25519 verification rate, from one run:
 *  1. Ed25519 verification on every core: one worker thread per core (`os.availableParallelism()`)
 *     verifying the signatures of the pre-signed statements below (pure `crypto.verify` over
 *     their signing messages, nothing else);
 *  2. the same number of fresh pre-signed statements (`incident.report` by the monitors' key,
 *     unique subjects) POSTed to `phaseline serve`'s API (SQLite back end, synchronous=FULL) as
 *     NDJSON batches (`?receipts=false`), a few batches in flight, each answered once durable;
 * and prints the ratio 2 / 1 against the target of 0.70.
 *
 * Run: npx tsx bench/server-batch.ts [--count 60000] [--batch 1000] [--inflight 4] [--verify-workers N]. The HTTP
 * client runs in this process too, so it shares the cores with the server: a lower bound.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { dataDirPaths, readSignerKey } from '../src/datadir/data-dir.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { limitHeapGrowth } from '../src/runtime/heap-growth.js';
import { buildServer } from '../src/server/server.js';
import { SqliteMechanismService } from '../src/service/sqlite-service.js';
import { signingMessage, verifierFor } from '../src/statement/envelope.js';
import type { Envelope } from '../src/statement/types.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const count = arg('count', 60_000);
const batch = arg('batch', 1000);
const inflight = arg('inflight', 4);
// --verify-workers 0 verifies on the sequencing thread (as before the verification pool), for comparison.
const verifyWorkers = process.argv.includes('--verify-workers') ? arg('verify-workers', 0) : undefined;
const cores = availableParallelism();

const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-batch-'));
seedDemo(dir);
// As `phaseline serve` does before it opens the service.
limitHeapGrowth();
const service = SqliteMechanismService.open(
  dir,
  verifyWorkers === undefined ? {} : { verify_workers: verifyWorkers },
);
const app = await buildServer(service, {
  rate_address_requests_max: 1e9,
  rate_key_statements_per_second: 1e9,
  rate_key_statements_burst: 1e9,
});
await app.listen({ host: '127.0.0.1', port: 0 });

const monitors = readSignerKey(join(dataDirPaths(dir).keysDir, 'monitors.key'));
const envelopes: Envelope[] = [];
for (let i = 0; i < count; i++)
  envelopes.push(incidentReport(dir, `bench-batch-${i}`, new Date().toISOString()));

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
  const { port } = app.server.address() as { port: number };
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
async function ingestRate(): Promise<{ rate: number; admitted: number; rejected: Map<string, number> }> {
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i += batch)
    bodies.push(
      Buffer.from(
        `${envelopes
          .slice(i, i + batch)
          .map((e) => JSON.stringify(e))
          .join('\n')}\n`,
      ),
    );
  const before = service.log.size;
  const rejected = new Map<string, number>();
  let next = 0;
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
  const admitted = service.log.size - before;
  return { rate: admitted / seconds, admitted, rejected };
}

const verify = await verifyRate();
const ingest = await ingestRate();
agent.destroy();
await app.close();
await service.close();

console.log(
  `server-batch (${count} statements, NDJSON batches of ${batch}, ${inflight} in flight, ${cores} cores, SQLite, synchronous=FULL)`,
);
console.log(
  `  Ed25519 verify, ${cores} worker threads:        ${verify.toFixed(0).padStart(8)} signatures/s`,
);
console.log(
  `  POST /v1/statements NDJSON, durable:     ${ingest.rate.toFixed(0).padStart(8)} statements/s (${ingest.admitted} admitted${
    ingest.rejected.size ? `, rejected ${JSON.stringify(Object.fromEntries(ingest.rejected))}` : ''
  })`,
);
console.log(`  ratio ingestion / verification: ${(ingest.rate / verify).toFixed(2)} (target ≥ 0.70)`);
