import { benchAgreement, generateEntries } from './engine-evolve.js';
import { evolve } from '../src/engine/evolve.js';
import { initialState, type EngineEntry } from '../src/engine/state.js';
const { agreement, keys } = benchAgreement();
const lines = generateEntries(agreement, keys, 200000);
const parsed = lines.map((l) => JSON.parse(l) as EngineEntry);
for (let r = 0; r < 3; r++) {
  const st = initialState(agreement);
  const t = performance.now();
  for (const e of parsed) evolve(agreement, st, e);
  console.log('evolve only', Math.round(parsed.length / ((performance.now() - t) / 1000)));
}
const counts: Record<string, number> = {};
for (const e of parsed) counts[e.envelope.statement.kind] = (counts[e.envelope.statement.kind] ?? 0) + 1;
console.log(counts);
