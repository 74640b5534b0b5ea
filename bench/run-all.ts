/**
 * `npm run bench`: every benchmark in turn, each printing its figures and the ratios against
 * its target measured in the same run. Figures and the machine go into docs/performance.md.
 * Runs on the compiled CLI too (`phaseline verify`), so build first: `npm run build`.
 */
import { benchEngineEvolve } from './engine-evolve.js';
import { benchLogStore } from './log-store.js';
import { benchLogTree } from './log-tree.js';

console.log('== log: tree and tiles in memory');
benchLogTree({});
console.log('\n== log: durable appends, stored proofs, export and verify');
await benchLogStore();
console.log('\n== engine: evolve and state at a past time');
benchEngineEvolve({});
