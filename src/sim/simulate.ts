/**
 * `phaseline simulate`: N trajectories of each variant of an agreement, summarized as one
 * self-describing JSON document (the HTML report and the control room read the same document).
 *
 * The document holds no clock time, host or worker count: the same inputs and seed give the
 * same bytes wherever and however they ran.
 */
import * as nodePath from 'node:path';
import { loadAgreement } from '../agreement/load.js';
import { FPV_ATTRIBUTION, UCDP_ATTRIBUTION } from '../interop/events-import.js';
import { sampleDaysFor, summarize, type VariantSummary } from './aggregate.js';
import { loadDynamics } from './dynamics.js';
import type { Dynamics } from './dynamics-model.js';
import { applyOverrides, type Overrides } from './overrides.js';
import { prepareWorld } from './prepare-world.js';
import { type Job, type RunOptions, runJobs } from './runner.js';
import type { TrajectoryResult } from './trajectory.js';

export interface SimulateOptions {
  agreementPath: string;
  /** Variants to run, in order; null runs the agreement file itself. */
  variants: (string | null)[];
  dynamicsPath: string;
  overrides?: Overrides;
  runs: number;
  days?: number;
  seed: number;
  /** Also run the one-at-a-time sensitivity of the first variant, with this many runs per setting (0: none). */
  sensitivityRuns?: number;
}

/** One parameter moved down and up for the tornado chart. */
export interface SensitivityEntry {
  parameter: string;
  label: string;
  base: number;
  low: number;
  high: number;
  /** Outcomes at the low and high settings (the base run is `sensitivity.base`). */
  atLow: SensitivityOutcome;
  atHigh: SensitivityOutcome;
}

export interface SensitivityOutcome {
  /** Mean number of zones handed over at the horizon. */
  zonesHandedOver: number;
  probabilityFirstHandover: number;
  probabilityTruceLapse: number;
}

export interface VariantResult extends VariantSummary {
  variant: string;
  agreement: string;
  title: string;
  zones: { id: string; name: string }[];
}

export interface SimulationResult {
  kind: 'phaseline-simulation';
  version: 1;
  about: string;
  illustrative: boolean;
  fields: Record<string, string>;
  run: {
    agreementFile: string;
    dynamicsFile: string;
    overrides: Overrides;
    seed: number;
    runs: number;
    days: number;
    start: string;
    /** Day (from day 0) of each sample of the series and CDFs. */
    sampleDays: number[];
    currency: string;
  };
  dynamics: Dynamics;
  variants: VariantResult[];
  sensitivity: {
    variant: string;
    runs: number;
    metric: string;
    base: SensitivityOutcome;
    parameters: SensitivityEntry[];
  } | null;
  attribution: string[];
}

/** Parameters the sensitivity chart moves, with the factors applied below and above the file's value. */
export const SENSITIVITY: { path: string; label: string; low: number; high: number }[] = [
  { path: 'force.units.value', label: 'deploying-force units', low: 0.5, high: 1.5 },
  { path: 'force.zonesAtOnce.value', label: 'zones the force holds at once', low: 0.5, high: 1.5 },
  { path: 'force.vettingPerWeek.value', label: 'units vetted per week', low: 0.5, high: 1.5 },
  { path: 'clearing.sitesPerDay.value', label: 'sites cleared per day', low: 0.5, high: 1.5 },
  { path: 'withdrawal.delay.mean', label: 'withdrawal delay', low: 0.5, high: 1.5 },
  { path: 'signing.byRole.sovereign.mean', label: 'host-state signing delay', low: 0.5, high: 1.5 },
  { path: 'adjudication.confirmed.value', label: 'share of violations confirmed', low: 0.5, high: 1.4 },
  { path: 'violations.processes.israel.baseline.value', label: 'strike baseline rate', low: 0.5, high: 1.5 },
  {
    path: 'violations.processes.hezbollah.baselineScale.value',
    label: 'armed-group baseline rate',
    low: 0.5,
    high: 1.5,
  },
  {
    path: 'armedGroupReturn.hazard.value',
    label: 'armed group returns to handed-over zones',
    low: 0.5,
    high: 1.5,
  },
];

const FIELDS: Record<string, string> = {
  'variants[].timeToFirstHandover':
    'the first zone reaching the final stage (the first documented handover): probability within the horizon, P(by day) at run.sampleDays, and day quantiles (null = beyond the horizon)',
  'variants[].timeToAllHandedOver': 'every zone in the final stage at once',
  'variants[].truceLapse': 'the truce lapsing (the engine’s truce.status becomes lapsed)',
  'variants[].truceSuspensions.mean': 'suspensions of the truce per trajectory (confirmed grave violations)',
  'variants[].regressions': 'per zone: mean number of regressions and the probability of at least one',
  'variants[].handoverByZone':
    'per zone: probability it is handed over within the horizon and the median day',
  'variants[].series': 'at run.sampleDays: mean and 5/50/95% quantiles over trajectories',
  'variants[].series.handedOver': 'zones in the final stage',
  'variants[].series.load':
    'zones the deploying force works on or holds (its capacity is dynamics.force.zonesAtOnce)',
  'variants[].series.unitsDeployed': 'units of the deploying force deployed in zones',
  'variants[].series.released': 'escrow posted to the beneficiary, in run.currency (not minor units)',
  'variants[].series.truceStatus': 'share of trajectories with the truce in force, suspended, lapsed',
  'variants[].violations':
    'per violation process, per trajectory: events generated, events declared or reported in the log, confirmed violations attributed by the engine',
  'variants[].stuck':
    'waits the simulator could not act on (a condition it does not know), with the number of trajectories: those parts of the variant were not simulated',
  'variants[].overdueObligations':
    'steps owed under the agreement’s deadlines that went overdue (met late or still owed at the horizon), per trajectory, per owing party; the engine derives them',
  'variants[].series.overdue': 'obligations overdue at the sample day',
  sensitivity:
    'one parameter at a time moved to low and high factors of its value, on the first variant, with its own runs; outcomes at the horizon',
};

function outcome(s: VariantSummary): SensitivityOutcome {
  const last = s.series.handedOver[s.series.handedOver.length - 1]!;
  return {
    zonesHandedOver: last.mean,
    probabilityFirstHandover: s.timeToFirstHandover.probability,
    probabilityTruceLapse: s.truceLapse.probability,
  };
}

function valueAt(d: Dynamics, path: string): number | undefined {
  let node: unknown = d;
  for (const seg of path.split('.')) {
    if (Array.isArray(node)) node = node.find((x) => (x as { actor?: string }).actor === seg);
    else if (node !== null && typeof node === 'object') node = (node as Record<string, unknown>)[seg];
    else return undefined;
  }
  return typeof node === 'number' ? node : undefined;
}

/** Runs the simulation and returns its document. */
export async function simulate(o: SimulateOptions, run: RunOptions): Promise<SimulationResult> {
  const loaded = loadDynamics(o.dynamicsPath);
  const overrides = o.overrides ?? {};
  const dynamics = Object.keys(overrides).length > 0 ? applyOverrides(loaded, overrides) : loaded.dynamics;
  const days = o.days ?? dynamics.horizon.value;
  const agreements = o.variants.map((v) => loadAgreement(o.agreementPath, v === null ? {} : { variant: v }));
  const job = (k: number, extra: Overrides, runs: number): Job => ({
    world: prepareWorld(agreements[k]!, loaded, {
      variant: o.variants[k] ?? agreements[k]!.id,
      days,
      dynamics: Object.keys(extra).length > 0 ? applyOverrides(loaded, { ...overrides, ...extra }) : dynamics,
    }),
    seed: o.seed,
    runs,
  });
  const jobs = o.variants.map((_, k) => job(k, {}, o.runs));
  const sRuns = o.sensitivityRuns ?? 0;
  const moved = SENSITIVITY.map((p) => ({ ...p, base: valueAt(dynamics, p.path) })).filter(
    (p): p is typeof p & { base: number } => p.base !== undefined && p.base > 0,
  );
  const clamp = (path: string, v: number) =>
    path.endsWith('confirmed.value') || path.endsWith('hazard.value') ? Math.min(v, 1) : v;
  if (sRuns > 0) {
    jobs.push(job(0, {}, sRuns));
    for (const p of moved) {
      jobs.push(job(0, { [p.path]: clamp(p.path, p.base * p.low) }, sRuns));
      jobs.push(job(0, { [p.path]: clamp(p.path, p.base * p.high) }, sRuns));
    }
  }
  const results = await runJobs(jobs, run);
  const first = agreements[0]!;
  const sampleDays = sampleDaysFor(days);
  const actors = dynamics.violations.processes.map((p) => p.actor);
  const minor = first.escrow?.minorUnitsPerUnit ?? 100;
  const sum = (r: TrajectoryResult[]) => summarize(r, [], actors, sampleDays, minor);
  const variants: VariantResult[] = o.variants.map((v, k) => {
    const a = agreements[k]!;
    return {
      variant: v ?? a.id,
      agreement: a.id,
      title: a.title ?? a.id,
      zones: a.zones.map((z) => ({ id: z.id, name: z.name })),
      ...summarize(
        results[k]!,
        a.zones.map((z) => z.id),
        actors,
        sampleDays,
        a.escrow?.minorUnitsPerUnit ?? 100,
      ),
    };
  });
  let sensitivity: SimulationResult['sensitivity'] = null;
  if (sRuns > 0) {
    const at = (i: number) => outcome(sum(results[o.variants.length + i]!));
    sensitivity = {
      variant: o.variants[0] ?? first.id,
      runs: sRuns,
      metric:
        'zones handed over at the horizon (mean); also the probability of a first handover and of a truce lapse',
      base: at(0),
      parameters: moved.map((p, i) => ({
        parameter: p.path,
        label: p.label,
        base: p.base,
        low: clamp(p.path, p.base * p.low),
        high: clamp(p.path, p.base * p.high),
        atLow: at(1 + 2 * i),
        atHigh: at(2 + 2 * i),
      })),
    };
  }
  const rel = (f: string) => {
    const r = nodePath.relative(process.cwd(), f);
    return r.startsWith('..') ? f : r;
  };
  return {
    kind: 'phaseline-simulation',
    version: 1,
    about:
      'Monte Carlo runs of an agreement through the Phaseline engine: each trajectory is a sequence of statements the parties could sign, folded by the same evolve/settle the live mechanism runs, driven by the dynamics file (violation processes fitted to real records; other parameters assumed). ILLUSTRATIVE when `illustrative` is true: the zones, amounts and most durations are invented.',
    illustrative: dynamics.illustrative || agreements.some((a) => a.illustrative === true),
    fields: FIELDS,
    run: {
      agreementFile: rel(o.agreementPath),
      dynamicsFile: rel(o.dynamicsPath),
      overrides,
      seed: o.seed,
      runs: o.runs,
      days,
      start: new Date(Date.parse(dynamics.start ?? first.signedAt ?? '')).toISOString(),
      sampleDays,
      currency: first.escrow?.currency ?? '',
    },
    dynamics,
    variants,
    sensitivity,
    attribution: [
      UCDP_ATTRIBUTION,
      FPV_ATTRIBUTION,
      "Data from Who's On First",
      '© OpenStreetMap contributors, ODbL 1.0',
    ],
  };
}
