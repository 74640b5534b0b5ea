/**
 * The load of the batch benchmarks (bench/server-batch.ts, bench/ingest-floor.ts), shared so
 * that both measure the same thing against the same yardstick:
 *  - fresh pre-signed `incident.report` statements by the monitors' key, unique subjects;
 *  - the machine's Ed25519 verification rate over their signatures, one worker thread per core
 *    (pure `crypto.verify` over their signing messages, nothing else);
 *  - NDJSON batches POSTed to a server (`?receipts=false`), a few in flight, each answered once
 *    durable, after a warm-up, with the CPU each of the server's threads used meanwhile;
 *  - the lines that print the ratio of the two against the target of 0.70.
 */
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { dataDirPaths, readSignerKey } from '../src/datadir/data-dir.js';
import { signingMessage, verifierFor } from '../src/statement/envelope.js';
import type { Envelope } from '../src/statement/types.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';
import { type CpuUsed, cpuLine, startCpuMeter } from './serve-process.js';

export interface BatchLoad {
  /** What is measured. */
  envelopes: Envelope[];
  /** Sent first, so that the measured stretch does not pay for compiling the server's code. */
  warmup: Envelope[];
  /** The verification key that signed them all. */
  vkey: string;
}

/** `count` statements (and a warm-up of a few batches) signed by the monitors of data directory `dir`. */
export function batchLoad(dir: string, count: number, batch: number): BatchLoad {
  const now = () => new Date().toISOString();
  return {
    envelopes: Array.from({ length: count }, (_, i) => incidentReport(dir, `bench-batch-${i}`, now())),
    warmup: Array.from({ length: Math.min(4 * batch, 4000) }, (_, i) =>
      incidentReport(dir, `bench-batch-warmup-${i}`, now()),
    ),
    vkey: readSignerKey(join(dataDirPaths(dir).keysDir, 'monitors.key')).vkey,
  };
}

/** Ed25519 verifications per second of the load's signatures, one worker per core, all started together. */
export async function verifyRate(load: BatchLoad, cores: number): Promise<number> {
  const { envelopes } = load;
  const jwk = verifierFor(load.vkey).publicKey.export({ format: 'jwk' });
  const per = Math.ceil(envelopes.length / cores);
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
  if (verified !== envelopes.length)
    throw new Error(`only ${verified} of ${envelopes.length} signatures verified`);
  return envelopes.length / seconds;
}

export interface IngestMeasure {
  rate: number;
  admitted: number;
  rejected: Map<string, number>;
  cpu: CpuUsed;
}

/**
 * POSTs the load to `POST {url}/v1/statements?receipts=false` as NDJSON batches of `batch`,
 * `inflight` at a time, with a plain node:http client (pre-encoded bodies, keep-alive): the
 * client shares the cores with the server, so it should cost as little as possible. `pid` is
 * the server's process, whose threads' CPU is measured over the stretch.
 */
export async function ingestRate(
  url: string,
  pid: number,
  load: BatchLoad,
  options: { batch: number; inflight: number; cores: number },
): Promise<IngestMeasure> {
  const { port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.inflight });
  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
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
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const ndjson = (list: Envelope[]) => Buffer.from(`${list.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const bodies: Buffer[] = [];
  for (let i = 0; i < load.envelopes.length; i += options.batch)
    bodies.push(ndjson(load.envelopes.slice(i, i + options.batch)));
  for (let i = 0; i < load.warmup.length; i += options.batch) {
    const { status, text } = await post(ndjson(load.warmup.slice(i, i + options.batch)));
    if (status !== 200) throw new Error(`warm-up: HTTP ${status}: ${text.slice(0, 200)}`);
  }
  const rejected = new Map<string, number>();
  let next = 0;
  const stopCpu = startCpuMeter(pid, options.cores);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: options.inflight }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const { status, text } = await post(body);
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
  agent.destroy();
  const admitted = load.envelopes.length - [...rejected.values()].reduce((a, b) => a + b, 0);
  return { rate: admitted / seconds, admitted, rejected, cpu };
}

/**
 * Verification rate, ingestion, verification rate again (the machine's speed drifts from minute
 * to minute on a shared virtual machine: the ratio uses the mean of the two), as
 * {@link ingestRate} takes its options.
 */
export async function measureAgainstVerify(
  url: string,
  pid: number,
  load: BatchLoad,
  options: { batch: number; inflight: number; cores: number },
): Promise<{ verifyBefore: number; verifyAfter: number; ingest: IngestMeasure }> {
  const verifyBefore = await verifyRate(load, options.cores);
  const ingest = await ingestRate(url, pid, load, options);
  const verifyAfter = await verifyRate(load, options.cores);
  return { verifyBefore, verifyAfter, ingest };
}

/** The result lines: both rates, where the server's CPU went, and the ratio against 0.70. */
export function printAgainstVerify(
  what: string,
  cores: number,
  { verifyBefore, verifyAfter, ingest }: Awaited<ReturnType<typeof measureAgainstVerify>>,
): void {
  const verify = (verifyBefore + verifyAfter) / 2;
  console.log(
    `  Ed25519 verify, ${cores} worker threads:        ${verify.toFixed(0).padStart(8)} signatures/s (${verifyBefore.toFixed(0)} before step 2, ${verifyAfter.toFixed(0)} after)`,
  );
  console.log(
    `  ${`${what}:`.padEnd(41)}${ingest.rate.toFixed(0).padStart(8)} statements/s (${ingest.admitted} admitted${
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
}
