/**
 * HTTP benchmark of `phaseline serve`'s API (SQLite back end; the server started as a user starts
 * it, see serve-process.ts), all figures from one run:
 *  1. single-statement submissions (pre-signed) from 50 concurrent connections, each answered
 *     only once durable (group commit): throughput and p99 latency;
 *  2. state reads (GET /v1/zones/:id and GET /v1/state) against a hello-world Fastify server
 *     measured in the same run, as a ratio.
 *
 * Run: npm run build && npx tsx bench/server-http.ts [--seconds 10] [--node-flags "--flag …"] (the
 * last runs the server with those node flags instead of its `#!` line's, to compare). autocannon
 * runs in this process, so client and server share the machine's cores (2 here): figures are a
 * lower bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { loadAgreement } from '../src/agreement/load.js';
import { dataDirPaths } from '../src/datadir/data-dir.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';
import { numberArgument } from './args.js';
import { cpuLine, nodeFlagsArgument, startCpuMeter, startServe, unlimited_rates } from './serve-process.js';

const seconds = numberArgument('seconds', 10);
const connections = 50;
const nodeFlags = nodeFlagsArgument();

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-http-'));
seedDemo(dir);
const server = await startServe(dir, unlimited_rates, nodeFlags);
const url = server.url;
const logSize = async () => ((await (await fetch(`${url}/healthz`)).json()) as { size: number }).size;

// Pre-signed incident reports (enough for the whole run at well above the target rate).
const count = 12_000 * (seconds + 2);
const bodies: string[] = [];
for (let i = 0; i < count; i++)
  bodies.push(JSON.stringify(incidentReport(dir, `bench-${i}`, new Date().toISOString())));
let next = 0;
const submitFor = (duration: number) =>
  run({
    url: `${url}/v1/statements`,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
// Two seconds of the same load first: the measured run should not pay for compiling the code.
await submitFor(2);
const before = await logSize();
const stopCpu = startCpuMeter(server.pid, availableParallelism());
const submit = await submitFor(seconds);
const submitCpu = stopCpu();
const admitted = (await logSize()) - before;

const zone = loadAgreement(dataDirPaths(dir).agreementPath).zones[0]!.id;
const zoneRead = await run({ url: `${url}/v1/zones/${zone}`, connections, duration: seconds });
const stateRead = await run({ url: `${url}/v1/state`, connections, duration: Math.max(3, seconds / 2) });

const hello = Fastify();
hello.get('/', async () => ({ hello: 'world' }));
await hello.listen({ host: '127.0.0.1', port: 0 });
const helloUrl = `http://127.0.0.1:${(hello.server.address() as { port: number }).port}/`;
const helloRead = await run({ url: helloUrl, connections, duration: seconds });

await hello.close();
await server.stop();
rmSync(dir, { recursive: true, force: true });

const line = (name: string, r: autocannon.Result) =>
  `${name.padEnd(44)} ${r.requests.average.toFixed(0).padStart(8)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;
console.log(
  `server-http (${connections} connections, ${seconds} s each, SQLite, synchronous=FULL${nodeFlags ? `, node ${nodeFlags.join(' ')}` : ''})`,
);
console.log(line('POST /v1/statements (single, durable)', submit));
console.log(
  `  admitted ${admitted} statements = ${(admitted / seconds).toFixed(0)}/s; target ≥ 3000/s, p99 < 50 ms`,
);
console.log(`  CPU per admitted statement: ${cpuLine(submitCpu, admitted)}`);
console.log(line(`GET /v1/zones/${zone}`, zoneRead));
console.log(line('GET /v1/state (whole demo state)', stateRead));
console.log(line('hello-world Fastify', helloRead));
console.log(
  `  ratio zone read / hello world: ${(zoneRead.requests.average / helloRead.requests.average).toFixed(2)} (target ≥ 0.50)`,
);
