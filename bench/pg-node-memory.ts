/**
 * Memory of a PostgreSQL node after it has caught up with a large log: the scale path of
 * DESIGN.md runs several `phaseline serve` processes on one database, and each folds the whole
 * log when it starts.
 *
 *  1. fills a fresh database (`phaseline_test_*`, dropped at the end) with N signed incident
 *     reports through one node, in batches (public, parties and mechanism classifications);
 *  2. opens a second node in a child process (`node --expose-gc`), which catches up with the
 *     whole log, then reads a state in the past at every clearance;
 *  3. prints the child's resident set and V8 heap after a full collection, and its catch-up time.
 *
 * Run: npx tsx bench/pg-node-memory.ts [--entries 100000]
 * (PostgreSQL at PHASELINE_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initDataDir } from '../src/mechanism/mechanism.js';
import { limitHeapGrowth } from '../src/runtime/heap-growth.js';
import { PostgresMechanismService } from '../src/service/postgres-service.js';
import type { Classification } from '../src/statement/types.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';
import { createTestDatabase, postgresUnavailable } from '../test/store/pg-helpers.js';
import { argument, numberArgument } from './args.js';

if (process.argv.includes('--child')) {
  // 2. A node that catches up with the log, then a state in the past at every clearance, under
  // the memory settings of `phaseline serve` (its heap growth; the allocator's, by the parent).
  limitHeapGrowth();
  const t0 = performance.now();
  const node = await PostgresMechanismService.open({ url: argument('url')!, dataDir: argument('data')! });
  const caughtUp = performance.now() - t0;
  const middle = argument('middle')!;
  for (const c of ['public', 'parties', 'mechanism'] as const) await node.stateAt(middle, c);
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  console.log(
    JSON.stringify({
      size: await node.size(),
      caughtUp,
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      // Anonymous memory (heaps, malloc) and mapped files (the node binary, libraries).
      ...Object.fromEntries(
        [...readFileSync('/proc/self/status', 'utf8').matchAll(/^(RssAnon|RssFile):\s+(\d+) kB/gm)].map(
          (x) => [x[1], Number(x[2]) * 1024],
        ),
      ),
      external: m.external,
    }),
  );
  await node.close();
  process.exit(0);
}

const reason = await postgresUnavailable();
if (reason !== undefined) {
  console.log(`pg-node-memory: skipped (${reason})`);
  process.exit(0);
}
const entries = numberArgument('entries', 100_000);
const db = await createTestDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'phaseline-bench-pgmem-'));
try {
  initDataDir(dataDir);
  // 1. The log, through one node, in batches of 1,000 a second apart (admission times).
  const writer = await PostgresMechanismService.open({ url: db.url, dataDir });
  const levels: Classification[] = ['public', 'public', 'public', 'parties', 'mechanism'];
  const t0 = Date.parse('2026-08-01T00:00:00.000Z');
  let middle = '';
  for (let from = 0, k = 0; from < entries; from += 1000, k++) {
    const now = new Date(t0 + k * 1000).toISOString();
    if (from <= entries / 2) middle = now;
    const batch = Array.from({ length: Math.min(1000, entries - from) }, (_, i) =>
      incidentReport(dataDir, `pgmem-${from + i}`, now, {
        classification: levels[(from + i) % levels.length]!,
      }),
    );
    const results = await writer.submit(batch, now);
    const refused = results.find((r) => !r.ok);
    if (refused) throw new Error(`statement refused: ${JSON.stringify(refused)}`);
    process.stderr.write(`\rfilling the log: ${from + batch.length} / ${entries}`);
  }
  process.stderr.write('\n');
  await writer.close();
  // 2–3. A fresh node in a process of its own.
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      'bench/pg-node-memory.ts',
      '--child',
      '--url',
      db.url,
      '--data',
      dataDir,
      '--middle',
      middle,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      // As on the `#!` line of bin/phaseline.js.
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' },
    },
  );
  const r = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  console.log(`pg-node-memory (${r.size} statements, a fresh node in its own process)`);
  console.log(
    `  caught up with the log in ${(r.caughtUp! / 1000).toFixed(1)} s, then read a past state at each clearance`,
  );
  console.log(
    `  resident ${mb(r.rss!)} (anonymous ${mb(r.RssAnon ?? 0)}, files ${mb(r.RssFile ?? 0)}); V8 heap in use ${mb(r.heapUsed!)} of ${mb(r.heapTotal!)} committed; external ${mb(r.external!)} (after a full collection)`,
  );
} finally {
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
