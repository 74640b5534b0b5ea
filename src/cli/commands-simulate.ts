/** `phaseline simulate` and `phaseline calibrate`: the agreement run forward many times, and the fit behind it. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as nodePath from 'node:path';
import type { Command } from 'commander';
import { listVariantNames, loadAgreement } from '../agreement/load.js';
import { DEFAULT_SCENARIO, DEFAULT_VARIANT, scenarioPath } from '../agreement/scenarios.js';
import { calibrate, writeFittedValues } from '../sim/calibrate.js';
import { loadDynamics, scenarioDynamicsPath } from '../sim/dynamics.js';
import { parseOverrides } from '../sim/overrides.js';
import { renderReportHtml } from '../sim/report-html.js';
import { type SimulationResult, simulate } from '../sim/simulate.js';
import { UsageError } from './input.js';
import { progressBar } from './progress.js';

const collect = (v: string, acc: string[]) => [...acc, v];

function positiveInt(option: string, min = 1) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min)
      throw new UsageError(`${option} ${JSON.stringify(v)}: expected a whole number ≥ ${min}`);
    return Number(v);
  };
}

/** The agreement file and dynamics file a command runs on. */
function inputs(opts: { agreement?: string; scenario?: string; dynamics?: string }): {
  agreementPath: string;
  dynamicsPath: string;
} {
  if (opts.agreement !== undefined && opts.scenario !== undefined)
    throw new UsageError('give --agreement or --scenario, not both');
  const agreementPath =
    opts.agreement !== undefined
      ? nodePath.resolve(opts.agreement)
      : scenarioPath(opts.scenario ?? DEFAULT_SCENARIO);
  if (!existsSync(agreementPath)) throw new UsageError(`no agreement file at ${opts.agreement}`);
  const dynamicsPath = nodePath.resolve(opts.dynamics ?? scenarioDynamicsPath(agreementPath));
  if (!existsSync(dynamicsPath))
    throw new UsageError(
      `no dynamics file at ${dynamicsPath}; give --dynamics FILE (see schema/dynamics.schema.json and docs/simulation.md)`,
    );
  return { agreementPath, dynamicsPath };
}

/** Every variant beside the agreement file, the default first; the file itself when it has none. */
export function defaultVariants(agreementPath: string): (string | null)[] {
  const names = listVariantNames(nodePath.dirname(agreementPath));
  if (names.length === 0) return [null];
  return names.includes(DEFAULT_VARIANT)
    ? [DEFAULT_VARIANT, ...names.filter((n) => n !== DEFAULT_VARIANT)]
    : names;
}

function summaryText(r: SimulationResult): string {
  const d = r.run.days;
  const day = (x: number | null) => (x === null ? `>${d}` : String(x));
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `${r.run.runs} trajectories per variant, ${d} days from ${r.run.start.slice(0, 10)}, seed ${r.run.seed}${r.illustrative ? ' (ILLUSTRATIVE: zones, amounts and most durations are invented)' : ''}`,
    '',
    `${'variant'.padEnd(24)} ${'P(1st handover)'.padStart(15)} ${'median day'.padStart(10)} ${'all zones p50'.padStart(13)} ${'P(truce lapse)'.padStart(14)} ${'lapse p50'.padStart(9)}`,
  ];
  for (const v of r.variants)
    lines.push(
      `${v.variant.padEnd(24)} ${pct(v.timeToFirstHandover.probability).padStart(15)} ${day(v.timeToFirstHandover.p50).padStart(10)} ${day(v.timeToAllHandedOver.p50).padStart(13)} ${pct(v.truceLapse.probability).padStart(14)} ${day(v.truceLapse.p50).padStart(9)}`,
    );
  for (const v of r.variants)
    for (const s of v.stuck)
      lines.push(`  ${v.variant}: not simulated: ${s.wait} (${s.trajectories} trajectories)`);
  return `${lines.join('\n')}\n`;
}

export function registerSimulateCommands(program: Command): void {
  program
    .command('simulate')
    .option('--agreement <file>', 'an agreement file (its variants/ beside it are the variants)')
    .option('--scenario <name>', `a shipped scenario (default ${DEFAULT_SCENARIO})`)
    .option('--variant <name>', 'a variant to run (repeat for several; default: every variant)', collect, [])
    .option('--dynamics <file>', 'the dynamics file (default: dynamics.yaml beside the agreement)')
    .option('--runs <n>', 'trajectories per variant', positiveInt('--runs'), 1000)
    .option('--days <n>', 'days to simulate (default: the dynamics horizon)', positiveInt('--days'))
    .option('--seed <n>', 'seed: the same seed gives the same bytes', positiveInt('--seed', 0), 1)
    .option('--workers <n>', 'worker threads (default: the number of cores)', positiveInt('--workers'))
    .option(
      '--set <path=value>',
      'change one dynamics number, e.g. force.units.value=5 (repeatable)',
      collect,
      [],
    )
    .option(
      '--sensitivity <runs>',
      'also run the sensitivity (tornado) chart with this many runs per setting',
      positiveInt('--sensitivity'),
    )
    .option('--json', 'print the result document as JSON on standard output')
    .option(
      '--out <dir>',
      'write simulation.json and report.html (charts, works offline) into this directory',
    )
    .description(
      'run the agreement forward many times through the real engine, with dynamics fitted to real incident data, and compare its variants',
    )
    .action(
      async (opts: {
        agreement?: string;
        scenario?: string;
        variant: string[];
        dynamics?: string;
        runs: number;
        days?: number;
        seed: number;
        workers?: number;
        set: string[];
        sensitivity?: number;
        json?: boolean;
        out?: string;
      }) => {
        const { agreementPath, dynamicsPath } = inputs(opts);
        let overrides: Record<string, number>;
        try {
          overrides = parseOverrides(opts.set);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const known = listVariantNames(nodePath.dirname(agreementPath));
        for (const v of opts.variant)
          if (!known.includes(v))
            throw new UsageError(`unknown variant "${v}" (known: ${known.join(', ') || 'none'})`);
        const bar = progressBar('simulating', 'trajectories');
        let result: SimulationResult;
        try {
          result = await simulate(
            {
              agreementPath,
              variants: opts.variant.length > 0 ? opts.variant : defaultVariants(agreementPath),
              dynamicsPath,
              overrides,
              runs: opts.runs,
              ...(opts.days !== undefined ? { days: opts.days } : {}),
              seed: opts.seed,
              sensitivityRuns: opts.sensitivity ?? 0,
            },
            {
              workers: opts.workers ?? availableParallelism(),
              onProgress: (done, total) => bar.update(done, total),
            },
          );
        } finally {
          bar.stop();
        }
        const json = `${JSON.stringify(result)}\n`;
        if (opts.out !== undefined) {
          const dir = nodePath.resolve(opts.out);
          mkdirSync(dir, { recursive: true });
          writeFileSync(nodePath.join(dir, 'simulation.json'), json);
          writeFileSync(nodePath.join(dir, 'report.html'), renderReportHtml(result, null));
          if (!opts.json)
            process.stdout.write(`wrote ${nodePath.join(dir, 'simulation.json')} and report.html\n`);
        }
        if (opts.json) process.stdout.write(json);
        else process.stdout.write(summaryText(result));
      },
    );

  program
    .command('calibrate')
    .option('--agreement <file>', 'the agreement whose zones locate the events')
    .option('--scenario <name>', `a shipped scenario (default ${DEFAULT_SCENARIO})`)
    .option('--dynamics <file>', 'the dynamics file (default: dynamics.yaml beside the agreement)')
    .option('--seed <n>', 'seed of the simulated weekly bands', positiveInt('--seed', 0), 1)
    .option('--runs <n>', 'simulated histories for the weekly bands', positiveInt('--runs'), 2000)
    .option(
      '--write',
      'write the fitted values (and their intervals) into the dynamics file, keeping its comments',
    )
    .option('--json', 'print the calibration as JSON')
    .option('--out <dir>', 'write calibration.json and calibration.html into this directory')
    .description(
      'fit the violation processes of a dynamics file to the real records it names (maximum likelihood), with confidence intervals and observed-vs-simulated weekly counts',
    )
    .action(
      (opts: {
        agreement?: string;
        scenario?: string;
        dynamics?: string;
        seed: number;
        runs: number;
        write?: boolean;
        json?: boolean;
        out?: string;
      }) => {
        const { agreementPath, dynamicsPath } = inputs(opts);
        const report = calibrate(
          loadDynamics(dynamicsPath),
          loadAgreement(agreementPath),
          opts.seed,
          opts.runs,
        );
        if (opts.write)
          writeFileSync(dynamicsPath, writeFittedValues(readFileSync(dynamicsPath, 'utf8'), report));
        const json = `${JSON.stringify(report)}\n`;
        if (opts.out !== undefined) {
          const dir = nodePath.resolve(opts.out);
          mkdirSync(dir, { recursive: true });
          writeFileSync(nodePath.join(dir, 'calibration.json'), json);
          writeFileSync(nodePath.join(dir, 'calibration.html'), renderReportHtml(null, report));
        }
        if (opts.json) {
          process.stdout.write(json);
          return;
        }
        for (const p of report.processes) {
          const f = (e: { value: number; ci95: [number, number] | null }) =>
            `${e.value.toPrecision(4)} ${e.ci95 ? `[${e.ci95[0].toPrecision(3)}, ${e.ci95[1].toPrecision(3)}]` : '[no interval: at a boundary]'}`;
          process.stdout.write(
            `${p.actor}: ${p.events} events in ${p.file}, ${p.window.from}..${p.window.to}; ${p.fit.converged ? 'converged' : 'NOT converged'} after ${p.fit.iterations} EM steps, log-likelihood ${p.fit.logLikelihood.toFixed(3)}\n` +
              `  baseline ${f(p.baseline)} per day\n  self-excitation ${f(p.selfExcitation)} events per event\n  decay ${f(p.decay)} per day\n`,
          );
          for (const w of p.weeks)
            process.stdout.write(
              `  week of ${w.from}${w.days < 7 ? ` (${w.days} d)` : ''}: observed ${w.observed}, simulated 90% band ${w.p05}–${w.p95} (median ${w.p50})${w.inside ? '' : '  OUTSIDE'}\n`,
            );
        }
        if (opts.write) process.stdout.write(`wrote the fitted values into ${dynamicsPath}\n`);
      },
    );
}
