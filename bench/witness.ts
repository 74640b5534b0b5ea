/**
 * Witness benchmark (issue 20, "Speed": a witness cosigns ≥ 2,000 checkpoints per second).
 *
 * Subject: `phaseline witness serve` (compiled, its own process) watching `--logs` logs. Each log
 * sends its checkpoints one after another, each with a consistency proof from the one before (as
 * a log's publisher does); the logs send concurrently, over keep-alive connections. Every answer
 * must be 200 with a cosignature; the rate counts cosigned checkpoints per second.
 * Yardstick: the same client and the same request bodies against a bare `node:http` server (its
 * own process) that reads the body and answers 200 with a fixed line: the HTTP floor of this
 * machine. Checkpoints and proofs are made before either is timed.
 *
 * Run: `npm run build && npx tsx bench/witness.ts [--logs 32] [--per-log 400] [--rounds 3]`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatAddCheckpoint } from '../src/witness/add-checkpoint.js';
import { TestLog } from '../test/witness/test-log.js';
import { numberArgument } from './args.js';

const logs = numberArgument('logs', 32);
const perLog = numberArgument('per-log', 400);
const rounds = numberArgument('rounds', 3);

/** Starts a process that prints its URL on the first line of standard output. */
function startServer(cmd: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/[0-9.:]+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const floorScript = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { Buffer.concat(chunks); res.writeHead(200, {'content-type': 'text/plain'}); res.end('— floor AAAA\\n'); });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + s.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** Sends every log's bodies in order, logs in parallel; returns checkpoints per second. */
async function drive(url: string, bodies: string[][], expectCosignature: boolean): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    bodies.map(async (list) => {
      for (const body of list) {
        const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body });
        const text = await res.text();
        if (res.status !== 200 || (expectCosignature && !text.startsWith('— ')))
          throw new Error(`HTTP ${res.status}: ${text}`);
      }
    }),
  );
  return (bodies.length * bodies[0]!.length) / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  console.log(`making ${logs} logs × ${perLog} checkpoints with proofs…`);
  const made = Array.from({ length: rounds }, (_, r) =>
    Array.from({ length: logs }, (_, l) => {
      const log = new TestLog(`bench.example/log-${l}`);
      const bodies: string[] = [];
      let old = 0;
      for (let i = 0; i < perLog; i++) {
        log.append(1 + (i % 7), `r${r}`);
        bodies.push(
          formatAddCheckpoint({ oldSize: old, proof: log.proof(old), checkpoint: log.checkpoint() }),
        );
        old = log.size;
      }
      return { vkey: log.vkey, bodies };
    }),
  );
  const results: { witness: number; floor: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const dir = mkdtempSync(join(tmpdir(), 'phaseline-bench-witness-'));
    try {
      const w = await startServer(process.execPath, [
        'dist/cli/main.js',
        'witness',
        'serve',
        '--data',
        dir,
        '--name',
        'bench.example/witness',
        '--port',
        '0',
        ...made[r]!.flatMap((m) => ['--log', m.vkey]),
      ]);
      const witness = await drive(
        w.url,
        made[r]!.map((m) => m.bodies),
        true,
      );
      await stop(w.child);
      const f = await startServer(process.execPath, ['-e', floorScript]);
      const floor = await drive(
        f.url,
        made[r]!.map((m) => m.bodies),
        false,
      );
      await stop(f.child);
      results.push({ witness, floor });
      console.log(
        `round ${r + 1}: witness ${witness.toFixed(0)} cosigned checkpoints/s, HTTP floor ${floor.toFixed(0)} requests/s, ratio ${(witness / floor).toFixed(2)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const w = median(results.map((x) => x.witness));
  console.log(
    `median: ${w.toFixed(0)} cosigned checkpoints/s (target ≥ 2,000: ${w >= 2000 ? 'met' : 'NOT met'}), ${median(results.map((x) => x.witness / x.floor)).toFixed(2)} × the HTTP floor; ${logs} logs, ${perLog} checkpoints each, durable state (SQLite synchronous=FULL)`,
  );
}

await main();
