/**
 * Simulator benchmark (issue 19, "Speed"): trajectories of the default scenario's default variant
 * through the engine, per second, on one worker thread and on two, and their ratio, measured in
 * the same run. Worker start-up (loading the engine in each thread) is inside the timing, as a
 * user of `phaseline simulate` pays it. The statements per trajectory are printed too: the cost
 * of a trajectory is mostly the engine's evolve over them.
 *
 * Run: `npx tsx bench/simulate.ts [--runs 10000] [--days 365]` (target: 10,000 × 365 days in
 * ≤ 20 s, ≥ 1.7× faster on two workers than on one).
 */
import { loadAgreement } from '../src/agreement/load.js';
import { scenarioPath } from '../src/agreement/scenarios.js';
import { loadDynamics, scenarioDynamicsPath } from '../src/sim/dynamics.js';
import { prepareWorld } from '../src/sim/prepare-world.js';
import { runJobs } from '../src/sim/runner.js';
import { numberArgument } from './args.js';

const runs = numberArgument('runs', 10_000);
const days = numberArgument('days', 365);
const path = scenarioPath('lebanon-2026');
const loaded = loadDynamics(scenarioDynamicsPath(path));
const world = prepareWorld(loadAgreement(path, { variant: 'phased-pilot-zones' }), loaded, {
  variant: 'phased-pilot-zones',
  days,
});

async function measure(workers: number): Promise<{ seconds: number; perSecond: number; statements: number }> {
  const t0 = performance.now();
  const [results] = await runJobs([{ world, seed: 1, runs }], { workers });
  const seconds = (performance.now() - t0) / 1000;
  const statements = results!.reduce((s, r) => s + r.statements, 0) / runs;
  return { seconds, perSecond: runs / seconds, statements };
}

console.log(`${runs} trajectories of lebanon-2026/phased-pilot-zones over ${days} days`);
const one = await measure(1);
console.log(
  `1 worker : ${one.seconds.toFixed(1)} s, ${one.perSecond.toFixed(0)} trajectories/s (${one.statements.toFixed(0)} statements each)`,
);
const two = await measure(2);
console.log(`2 workers: ${two.seconds.toFixed(1)} s, ${two.perSecond.toFixed(0)} trajectories/s`);
console.log(`ratio 2/1 workers: ${(two.perSecond / one.perSecond).toFixed(2)}× (target ≥ 1.7×)`);
console.log(
  `10,000 trajectories on 2 workers would take ${(10_000 / two.perSecond).toFixed(1)} s (target ≤ 20 s); engine evolve is ${(two.perSecond * two.statements).toFixed(0)} statements/s over both workers`,
);
