/**
 * The sequencing thread's work per statement, without HTTP and without signatures: the same
 * fresh pre-signed `incident.report` statements as bench/server-batch.ts, verified beforehand,
 * submitted to the SQLite service (synchronous=FULL) as batches of `--batch`, `--inflight` at a
 * time. What is measured is everything the service's own thread does from a verified envelope
 * to a durable entry (parsing the verified text, the door, the log, the three clearance views,
 * the record store, GC), as CPU of this process per statement (its main thread and V8's helper
 * threads; there are no verification workers here).
 *
 * Low-noise by construction: no other process and no signature shares the run, so changes of a
 * few µs per statement show. Run: npm run build && npx tsx bench/sequencer.ts [--count 40000] [--batch 1000] [--inflight 4]
 * [--cpu-profile FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../src/statement/types.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';
import { argument, numberArgument } from './args.js';

// The compiled code, as `phaseline serve` runs it (run `npm run build` first): under tsx, the
// source carries helpers (esbuild's keepNames) that cost the engine's closures a few µs.
const { seedDemo } = (await import(
  '../dist/demo/seed-demo.js' as string
)) as typeof import('../src/demo/seed-demo.js');
const { SqliteMechanismService } = (await import(
  '../dist/service/sqlite-service.js' as string
)) as typeof import('../src/service/sqlite-service.js');
const { CheckedEnvelope, checkEnvelope } = (await import(
  '../dist/statement/envelope.js' as string
)) as typeof import('../src/statement/envelope.js');

/** With `--cpu-profile FILE`: a V8 CPU profile of the measured stretch only (open it in Chrome's DevTools). */
function profileTo(): (() => Promise<void>) | undefined {
  const file = argument('cpu-profile');
  if (file === undefined) return undefined;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return () =>
    new Promise((resolve, reject) =>
      session.post('Profiler.stop', (err, r) => {
        if (err) return reject(err);
        writeFileSync(file, JSON.stringify(r.profile));
        session.disconnect();
        resolve();
      }),
    );
}

const count = numberArgument('count', 40_000);
const batch = numberArgument('batch', 1000);
const inflight = numberArgument('inflight', 4);

const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-seq-'));
seedDemo(dir);
const make = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => incidentReport(dir, `${prefix}-${i}`, new Date().toISOString()));
const warmup = make('bench-seq-warmup', 8000);
const envelopes = make('bench-seq', count);

// The verification workers' part, done here beforehand: the service's pool (0 workers) then
// finds each envelope's check ready, and the sequencing thread does only its own work.
const checks = new Map<unknown, ReturnType<typeof checkEnvelope>>();
for (const e of [...warmup, ...envelopes]) checks.set(e, checkEnvelope(e));
(CheckedEnvelope as unknown as { check: (v: unknown) => unknown }).check = (v) => {
  const c = checks.get(v)!;
  return c.ok ? CheckedEnvelope.fromCheck(c) : c;
};

const service = SqliteMechanismService.open(dir, { verify_workers: 0 });
const now = () => new Date().toISOString();

async function run(list: Envelope[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < list.length) {
      const part = list.slice(next, next + batch);
      next += part.length;
      const results = await service.submit(part, now());
      const bad = results.find((r) => !r.ok);
      if (bad) throw new Error(`not admitted: ${JSON.stringify(bad)}`);
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
}

await run(warmup);
const profile = profileTo();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(envelopes);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await profile?.();
const us = (cpu.user + cpu.system) / count;
console.log(
  `sequencer (${count} verified statements, batches of ${batch}, ${inflight} in flight, SQLite synchronous=FULL): ` +
    `${us.toFixed(1)} µs CPU per statement (main thread and V8 helpers), ${((count / wall) * 1000).toFixed(0)} statements/s`,
);
await service.close();
rmSync(dir, { recursive: true, force: true });
