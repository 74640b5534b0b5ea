/**
 * `npm run bench`: every benchmark in turn, each printing its figures and the ratios against
 * its target measured in the same run. Figures and the machine go into docs/performance.md.
 * Runs on the compiled CLI too (`phaseline verify`, `phaseline serve`), so build first:
 * `npm run build`. The memory benchmark (bench/server-memory.ts, a million signed statements,
 * ~20 minutes) runs on its own.
 */
import { execFileSync } from 'node:child_process';
import { benchEngineEvolve } from './engine-evolve.js';
import { benchLogStore } from './log-store.js';
import { benchLogTree } from './log-tree.js';

console.log('== log: tree and tiles in memory');
benchLogTree({});
console.log('\n== log: durable appends, stored proofs, export and verify');
await benchLogStore();
console.log('\n== engine: evolve and state at a past time');
benchEngineEvolve({});
// The server benchmarks are scripts that start `phaseline serve` themselves.
for (const [title, script, args] of [
  ['server: single submissions and reads over HTTP', 'bench/server-http.ts', ['--seconds', '8']],
  ['server: batch ingestion over HTTP against the verify rate', 'bench/server-batch.ts', []],
  ['server: the floor under batch ingestion (no engine)', 'bench/ingest-floor.ts', []],
  ['server: the sequencing thread alone, per verified statement', 'bench/sequencer.ts', []],
  ['simulator: trajectories per second on one and two workers', 'bench/simulate.ts', []],
] as const) {
  console.log(`\n== ${title}`);
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
}
