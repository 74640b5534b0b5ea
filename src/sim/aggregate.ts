/**
 * From trajectories to the numbers people read: probabilities, quantiles and bands per variant.
 * Trajectories are folded in index order, so the result is the same whatever worker ran which.
 * Quantiles are nearest-rank (always a simulated value); a time that did not happen within the
 * horizon counts as "later than the horizon" (quantiles past it are reported as null).
 */
import type { TrajectoryResult, TrajectorySeries } from './trajectory.js';

export interface Band {
  mean: number;
  p05: number;
  p50: number;
  p95: number;
}

export interface TimeToEvent {
  /** Share of trajectories in which it happened within the horizon. */
  probability: number;
  /** P(happened by day d) at each sample day of the run (`run.sampleDays`). */
  cdf: number[];
  /** Day quantiles over all trajectories; null when that quantile lies beyond the horizon. */
  p10: number | null;
  p50: number | null;
  p90: number | null;
}

export interface VariantSummary {
  timeToFirstHandover: TimeToEvent;
  timeToAllHandedOver: TimeToEvent;
  truceLapse: TimeToEvent;
  truceSuspensions: { mean: number };
  regressions: { zone: string; mean: number; probabilityAny: number }[];
  handoverByZone: { zone: string; probability: number; p50: number | null }[];
  /** Obligations that went overdue per trajectory (mean), per owing party, and the probability of any. */
  overdueObligations: { mean: number; probabilityAny: number; byParty: { party: string; mean: number }[] };
  series: {
    handedOver: Band[];
    load: Band[];
    unitsDeployed: Band[];
    /** In currency units (not minor units). */
    released: Band[];
    truceStatus: { inForce: number; suspended: number; lapsed: number }[];
    /** Obligations overdue at the sample day. */
    overdue: Band[];
  };
  violations: { actor: string; generated: number; reported: number; confirmed: number }[];
  statementsPerTrajectory: number;
  stuck: { wait: string; trajectories: number }[];
}

const round = (x: number, digits = 4) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function band(values: number[]): Band {
  let sum = 0;
  for (const v of values) sum += v;
  values.sort((a, b) => a - b);
  return {
    mean: round(sum / values.length),
    p05: round(nearestRank(values, 0.05)),
    p50: round(nearestRank(values, 0.5)),
    p95: round(nearestRank(values, 0.95)),
  };
}

function timeToEvent(days: (number | null)[], sampleDays: readonly number[]): TimeToEvent {
  const n = days.length;
  const happened = days.filter((d): d is number => d !== null).sort((a, b) => a - b);
  const q = (p: number) => {
    const rank = Math.max(1, Math.ceil(p * n));
    return rank <= happened.length ? happened[rank - 1]! : null;
  };
  let k = 0;
  const cdf = sampleDays.map((d) => {
    while (k < happened.length && happened[k]! <= d) k++;
    return round(k / n);
  });
  return { probability: round(happened.length / n), cdf, p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}

/** Folds one variant's trajectories (in index order) into its summary. */
export function summarize(
  results: readonly TrajectoryResult[],
  zones: readonly string[],
  actors: readonly string[],
  sampleDays: readonly number[],
  minorUnitsPerUnit: number,
): VariantSummary {
  const n = results.length;
  const column = (k: keyof TrajectorySeries, scale = 1) =>
    sampleDays.map((_, w) => band(results.map((r) => r.series[k][w]! / scale)));
  const stuck = new Map<string, number>();
  for (const r of results) for (const s of r.stuck) stuck.set(s, (stuck.get(s) ?? 0) + 1);
  return {
    timeToFirstHandover: timeToEvent(
      results.map((r) => r.firstHandoverDay),
      sampleDays,
    ),
    timeToAllHandedOver: timeToEvent(
      results.map((r) => r.allHandedOverDay),
      sampleDays,
    ),
    truceLapse: timeToEvent(
      results.map((r) => r.truceLapseDay),
      sampleDays,
    ),
    truceSuspensions: { mean: round(results.reduce((s, r) => s + r.truceSuspensions, 0) / n) },
    regressions: zones.map((zone, i) => ({
      zone,
      mean: round(results.reduce((s, r) => s + r.regressions[i]!, 0) / n),
      probabilityAny: round(results.filter((r) => r.regressions[i]! > 0).length / n),
    })),
    handoverByZone: zones.map((zone, i) => {
      const t = timeToEvent(
        results.map((r) => r.handoverDay[i]!),
        [],
      );
      return { zone, probability: t.probability, p50: t.p50 };
    }),
    overdueObligations: overdueSummary(results),
    series: {
      overdue: column('overdue'),
      handedOver: column('handedOver'),
      load: column('load'),
      unitsDeployed: column('unitsDeployed'),
      released: column('released', minorUnitsPerUnit),
      truceStatus: sampleDays.map((_, w) => {
        let s = 0;
        let l = 0;
        for (const r of results) {
          if (r.series.truce[w] === 1) s++;
          else if (r.series.truce[w] === 2) l++;
        }
        return { inForce: round((n - s - l) / n), suspended: round(s / n), lapsed: round(l / n) };
      }),
    },
    violations: actors.map((actor, k) => ({
      actor,
      generated: round(results.reduce((s, r) => s + r.violations[k]!.generated, 0) / n),
      reported: round(results.reduce((s, r) => s + r.violations[k]!.reported, 0) / n),
      confirmed: round(results.reduce((s, r) => s + r.violations[k]!.confirmed, 0) / n),
    })),
    statementsPerTrajectory: round(results.reduce((s, r) => s + r.statements, 0) / n, 1),
    stuck: [...stuck]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([wait, trajectories]) => ({ wait, trajectories })),
  };
}

function overdueSummary(results: readonly TrajectoryResult[]): VariantSummary['overdueObligations'] {
  const n = results.length;
  const parties = [...new Set(results.flatMap((r) => Object.keys(r.overdueBy)))].sort();
  const total = (r: TrajectoryResult) => Object.values(r.overdueBy).reduce((s, x) => s + x, 0);
  return {
    mean: round(results.reduce((s, r) => s + total(r), 0) / n),
    probabilityAny: round(results.filter((r) => total(r) > 0).length / n),
    byParty: parties.map((party) => ({
      party,
      mean: round(results.reduce((s, r) => s + (r.overdueBy[party] ?? 0), 0) / n),
    })),
  };
}

/** The days at which trajectories are sampled: every 7th day and the last. */
export function sampleDaysFor(days: number): number[] {
  const out: number[] = [];
  for (let d = 0; d < days; d += 7) out.push(d);
  if (out[out.length - 1] !== days - 1) out.push(days - 1);
  return out;
}
