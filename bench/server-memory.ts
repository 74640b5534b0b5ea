/**
 * Resident memory of `phaseline serve` with a large log (issue: run the mechanism for real,
 * "Resident memory of serve with 1,000,000 statements in the log: under 300 MB").
 *
 *  1. Builds a data directory (`phaseline init`) whose log holds N statements, each really
 *     signed by its party's key: the synthetic stream of bench/engine-evolve.ts (every zone
 *     taken through its stages amid inventory reports, ~25 % new incident reports, strikes,
 *     notifications, findings and accounts), written with the log's own append path;
 *  2. starts the compiled `phaseline serve` on it as a child process, as a user would;
 *  3. reads its resident set (VmRSS in /proc) once it listens, after a round of typical reads
 *     (zones, escrow, a state in the past, statements by index, checkpoint, tiles, GeoJSON of
 *     zones, a page of incidents), and after a batch of fresh submissions, and its peak (VmHWM).
 *
 * Run: `npm run build && npx tsx bench/server-memory.ts [--entries 1000000] [--keep DIR]`
 * (the data directory is reused when --keep names one that already holds the log).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadAgreement } from '../src/agreement/load.js';
import { dataDirPaths, openLog, readSignerKey } from '../src/datadir/data-dir.js';
import type { PendingEntry } from '../src/log/transparency-log.js';
import { initDataDir } from '../src/mechanism/mechanism.js';
import { signStatement, statementId } from '../src/statement/envelope.js';
import type { NoteSigner } from '../src/statement/keys.js';
import { encodeEntry } from '../src/statement/log-entry.js';
import type { Statement } from '../src/statement/types.js';
import { incidentReport } from '../test/fixtures/pg-statements.js';
import { argument, numberArgument } from './args.js';
import { generateEntries } from './engine-evolve.js';
import { startServe } from './serve-process.js';

const entries = numberArgument('entries', 1_000_000);
const keep = argument('keep');
const limit_mb = 300;

const dir = keep ?? mkdtempSync(join(tmpdir(), 'phaseline-bench-memory-'));
const paths = dataDirPaths(dir);

function buildLog(): void {
  const init = initDataDir(dir);
  const agreement = loadAgreement(paths.agreementPath);
  const signers = new Map<string, NoteSigner>();
  const vkeys: Record<string, string> = {};
  for (const [party, file] of Object.entries(init.keyFiles)) {
    const signer = readSignerKey(file);
    signers.set(signer.vkey, signer);
    vkeys[party] = signer.vkey;
  }
  const texts = generateEntries(agreement, vkeys, entries);
  const log = openLog(paths, agreement.logOrigin);
  const t0 = performance.now();
  let pending: PendingEntry[] = [];
  for (let i = 0; i < texts.length; i++) {
    const e = JSON.parse(texts[i]!) as { admitted: string; envelope: { statement: Statement } };
    texts[i] = '';
    const statement = e.envelope.statement;
    const envelope = signStatement(statement, signers.get(statement.key)!);
    pending.push({
      bytes: encodeEntry({ v: 1, admitted: e.admitted, envelope }),
      meta: { statementId: statementId(statement) },
      disclosure: null,
    });
    if (pending.length === 16_384 || i === texts.length - 1) {
      log.append(pending);
      pending = [];
      process.stdout.write(`\rbuilding the log: ${i + 1} / ${entries} statements signed and appended`);
    }
  }
  log.store.close();
  process.stdout.write(`\nbuilt in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}

if (!existsSync(paths.dbPath)) buildLog();

function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(text)![1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

/** Resident bytes by kind of mapping: the C heap (SQLite, malloc), anonymous (V8 heaps, typed arrays, threads), files. */
function breakdown(pid: number): string {
  const kinds = {
    'C heap (malloc: SQLite caches, native buffers)': 0,
    'anonymous (V8 heaps, typed arrays, thread stacks)': 0,
    'files (the node binary, libraries)': 0,
  };
  const names = Object.keys(kinds) as (keyof typeof kinds)[];
  let kind = names[1]!;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m)
      kind = m[1] === '[heap]' ? names[0]! : m[1] === '' || m[1]!.startsWith('[') ? names[1]! : names[2]!;
    else if (line.startsWith('Rss:')) kinds[kind] += Number(line.split(/\s+/)[1]) * 1024;
  }
  return names.map((n) => `${n} ${mb(kinds[n])}`).join('; ');
}

/** The main isolate's committed heap by space, from prom-client's default metrics on /metrics. */
async function mainHeaps(): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const spaces = [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\d+)/gm)]
    .map((m) => [m[1]!, Number(m[2])] as const)
    .filter(([, b]) => b >= 1e6);
  const external = /^nodejs_external_memory_bytes (\d+)/m.exec(text);
  const used = /^nodejs_heap_size_used_bytes (\d+)/m.exec(text);
  return [
    ...spaces.map(([s, b]) => `${s} ${mb(b)}`),
    `external ${mb(Number(external?.[1] ?? 0))}`,
    `(in use ${mb(Number(used?.[1] ?? 0))})`,
  ].join(', ');
}

const started = performance.now();
// The highest resident set seen in each phase, sampled every 50 ms (VmHWM alone cannot say when).
const peaks = new Map<string, number>();
const peakParts = new Map<string, string>();
let phase = 'start-up (replay of the log)';
let sampler: NodeJS.Timeout | undefined;
// Started as a user's shell starts it, through the file's `#!` line (serve-process.ts).
const server = await startServe(dir, [], undefined, (spawned) => {
  sampler = setInterval(() => {
    try {
      const { rss } = status(spawned);
      if (rss > (peaks.get(phase) ?? 0)) {
        peaks.set(phase, rss);
        peakParts.set(phase, breakdown(spawned));
      }
    } catch {
      // the child has exited
    }
  }, 50);
});
const { url, pid } = server;
const startup_s = (performance.now() - started) / 1000;
const rows: [string, string][] = [];
/** What each moment's resident set is made of: mappings by kind, and the main isolate's heap. */
const details: string[] = [];
const detail = async () =>
  details.push(`      ${breakdown(pid)}\n      main V8 heap, committed: ${await mainHeaps()}`);
const atListen = status(pid);
phase = 'reads';
rows.push(['listening (log replayed into three views)', mb(atListen.rss)]);
await detail();

async function get(path: string): Promise<number> {
  const r = await fetch(url + path);
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.arrayBuffer()).byteLength;
}
const mid = new Date(Date.parse('2026-06-26T16:00:00Z') + (entries / 2) * 20_000).toISOString();
for (let round = 0; round < 3; round++) {
  await get('/v1/zones');
  await get('/v1/escrow');
  await get(`/v1/zones?at=${encodeURIComponent(mid)}`);
  await get('/v1/zones.geojson');
  await get('/log/checkpoint');
  await get('/log/tile/0/000');
  for (let i = 0; i < 50; i++) await get(`/v1/statements/${Math.floor((i * entries) / 50)}`);
  await get('/v1/incidents?limit=500');
}
const afterReads = status(pid);
phase = 'fresh submissions';
rows.push([
  'after reads (zones now and in the past, escrow, statements, tiles, a page of incidents)',
  mb(afterReads.rss),
]);
await detail();

// Fresh submissions: the signature pool's worker threads start, the engine admits, the log grows.
const submitted = 4000;
let admitted = 0;
// The log's clock never runs backwards: it stands at the last synthetic admission time.
const logNow = Date.parse('2026-06-26T16:00:00Z') + (entries - 1) * 20_000;
let firstAnswer = '';
for (let b = 0; b < submitted / 500; b++) {
  const at = new Date(Math.max(Date.now(), logNow)).toISOString();
  const lines = Array.from({ length: 500 }, (_, i) =>
    JSON.stringify(incidentReport(dir, `bench-memory-${Date.now()}-${b}-${i}`, at)),
  ).join('\n');
  const r = await fetch(`${url}/v1/statements`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines,
  });
  const text = await r.text();
  firstAnswer ||= text.split('\n')[0]!;
  admitted += text.split('\n').filter((l) => l.includes('"index"')).length;
}
if (admitted === 0) throw new Error(`no submission was admitted; the first answer: ${firstAnswer}`);
rows.push([`after ${submitted} fresh submissions over HTTP (${admitted} admitted), then the same reads`, '']);
for (const p of [
  '/v1/zones',
  '/v1/escrow',
  `/v1/zones?at=${encodeURIComponent(mid)}`,
  '/v1/incidents?limit=500',
])
  await get(p);
const atEnd = status(pid);
clearInterval(sampler);
await detail();
rows[rows.length - 1]![1] = mb(atEnd.rss);

await server.stop();
const worst = Math.max(atListen.rss, afterReads.rss, atEnd.rss);
const ok = worst < limit_mb * 1e6;
console.log(
  `\nphaseline serve with ${entries} statements in the log (started and replayed in ${startup_s.toFixed(0)} s)`,
);
for (const [i, [k, v]] of rows.entries()) console.log(`  ${k.padEnd(96)} ${v}\n${details[i]}`);
console.log(`  ${'peak resident set (VmHWM), start-up replay included'.padEnd(96)} ${mb(atEnd.hwm)}`);
for (const [p, rss] of peaks)
  console.log(`    highest sampled during ${p.padEnd(72)} ${mb(rss)}\n      ${peakParts.get(p)}`);
console.log(
  `serving: at most ${mb(worst)} resident = ${((worst / 1e6 / limit_mb) * 100).toFixed(0)} % of the ${limit_mb} MB limit: ${ok ? 'met' : 'NOT met'}`,
);
if (!keep) rmSync(dir, { recursive: true, force: true });
