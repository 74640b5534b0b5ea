/**
 * Calibration: fits each violation process of a dynamics file to the real records it names, by
 * maximum likelihood (hawkes.ts), and checks the fit the way a reader would: the observed events
 * per week against the band that 90% of simulated histories of the fitted process fall in.
 *
 * The records are read by the project's importers (src/interop/events-import.ts), so the same
 * rows that `phaseline import` logs are the ones fitted. Each process is fitted on its own
 * records: the shipped UCDP rows (Israel, 2024) and the FPV catalogue (Hezbollah, 2026) do not
 * overlap in time, so the data say nothing about how one side's events excite the other's; the
 * dynamics file states those cross terms as assumptions.
 */
import { readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { isMap, parseDocument } from 'yaml';
import type { Agreement } from '../agreement/model.js';
import { type ImportedEvent, readFpvCsv, readUcdpCsv } from '../interop/events-import.js';
import type { LoadedDynamics } from './dynamics.js';
import type { Process } from './dynamics-model.js';
import { type FitResult, fitHawkes, simulateHawkes } from './hawkes.js';
import { streamRng } from './random.js';

const DAY_MS = 86_400_000;

/** The real records of a process, located in `agreement`'s zones. */
export function processEvents(l: LoadedDynamics, p: Process, agreement: Agreement): ImportedEvent[] {
  const file = nodePath.resolve(l.dir, p.events.file);
  const text = readFileSync(file, 'utf8');
  const shown = p.events.file;
  const r =
    p.events.format === 'ucdp-ged-csv'
      ? readUcdpCsv(text, shown, agreement)
      : readFpvCsv(text, shown, agreement);
  return r.events.filter((e) => p.events.actor === undefined || e.body.actor === p.events.actor);
}

export interface WeekBand {
  /** First day of the week (the last week may be shorter: `days`). */
  from: string;
  days: number;
  observed: number;
  p05: number;
  p50: number;
  p95: number;
  inside: boolean;
}

export interface ProcessCalibration {
  actor: string;
  file: string;
  window: { from: string; to: string; days: number };
  regimes: { label: string; from: string }[];
  events: number;
  fit: FitResult;
  /** The simulated baseline: the last regime's μ (before `baselineScale`). */
  baseline: FitResult['estimates']['mu'][number][number];
  selfExcitation: FitResult['estimates']['alpha'][number][number];
  decay: FitResult['estimates']['beta'][number];
  /** μ of the last regime over μ of the first (when there are several). */
  regimeRatio: number | null;
  weeks: WeekBand[];
  runs: number;
}

export interface CalibrationReport {
  kind: 'phaseline-calibration';
  version: 1;
  scenario: string;
  dynamicsFile: string;
  seed: number;
  processes: ProcessCalibration[];
}

function dayIndex(day: string, from: string): number {
  return Math.round((Date.parse(`${day}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS);
}

function quantile(sorted: readonly number[], q: number): number {
  // The nearest-rank quantile: always one of the simulated counts.
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Daily counts of a process over its window and the regime of each day. */
export function dailySeries(
  events: readonly ImportedEvent[],
  p: Process,
): { counts: number[]; regimeOf: number[]; used: number } {
  const days = dayIndex(p.window.to, p.window.from) + 1;
  const counts = new Array<number>(days).fill(0);
  let used = 0;
  for (const e of events) {
    const t = dayIndex(e.body.date_start.slice(0, 10), p.window.from);
    if (t < 0 || t >= days) continue;
    counts[t]!++;
    used++;
  }
  const starts = p.window.regimes.map((r) => dayIndex(r.from, p.window.from));
  const regimeOf = counts.map((_, t) => starts.filter((s) => s <= t).length);
  return { counts, regimeOf, used };
}

/** Fits one process and builds its weekly band from `runs` simulated histories. */
export function calibrateProcess(
  l: LoadedDynamics,
  p: Process,
  agreement: Agreement,
  seed: number,
  runs: number,
): ProcessCalibration {
  const events = processEvents(l, p, agreement);
  const { counts, regimeOf, used } = dailySeries(events, p);
  const fit = fitHawkes({ counts: [counts], regimeOf });
  const days = counts.length;
  const weeks = Math.ceil(days / 7);
  const sims: number[][] = Array.from({ length: weeks }, () => []);
  const rng = streamRng(seed, 0x63616c69, used);
  for (let r = 0; r < runs; r++) {
    const sim = simulateHawkes(fit.model, regimeOf, rng)[0]!;
    for (let w = 0; w < weeks; w++) {
      let s = 0;
      for (let t = w * 7; t < Math.min(days, w * 7 + 7); t++) s += sim[t]!;
      sims[w]!.push(s);
    }
  }
  const fromMs = Date.parse(`${p.window.from}T00:00:00.000Z`);
  const band: WeekBand[] = sims.map((xs, w) => {
    xs.sort((a, b) => a - b);
    let observed = 0;
    for (let t = w * 7; t < Math.min(days, w * 7 + 7); t++) observed += counts[t]!;
    const p05 = quantile(xs, 0.05);
    const p95 = quantile(xs, 0.95);
    return {
      from: new Date(fromMs + w * 7 * DAY_MS).toISOString().slice(0, 10),
      days: Math.min(days, w * 7 + 7) - w * 7,
      observed,
      p05,
      p50: quantile(xs, 0.5),
      p95,
      inside: observed >= p05 && observed <= p95,
    };
  });
  const mu = fit.estimates.mu[0]!;
  return {
    actor: p.actor,
    file: p.events.file,
    window: { from: p.window.from, to: p.window.to, days },
    regimes: [
      { label: 'window start', from: p.window.from },
      ...p.window.regimes.map((r) => ({ label: r.label, from: r.from })),
    ],
    events: used,
    fit,
    baseline: mu[mu.length - 1]!,
    selfExcitation: fit.estimates.alpha[0]![0]!,
    decay: fit.estimates.beta[0]!,
    regimeRatio: mu.length > 1 ? mu[mu.length - 1]!.value / mu[0]!.value : null,
    weeks: band,
    runs,
  };
}

/** Calibrates every process of the dynamics file. Deterministic for a given seed. */
export function calibrate(l: LoadedDynamics, agreement: Agreement, seed = 1, runs = 2000): CalibrationReport {
  return {
    kind: 'phaseline-calibration',
    version: 1,
    scenario: l.dynamics.scenario,
    dynamicsFile: l.file,
    seed,
    processes: l.dynamics.violations.processes.map((p) => calibrateProcess(l, p, agreement, seed, runs)),
  };
}

/** Rounds to 4 significant digits: what the dynamics file stores. */
export function sig4(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(4));
}

/**
 * The dynamics file's text with each process's fitted values (baseline, selfExcitation, decay
 * and their intervals) replaced by `report`'s, keeping every comment and the rest of the file.
 */
export function writeFittedValues(text: string, report: CalibrationReport): string {
  const doc = parseDocument(text);
  report.processes.forEach((c, i) => {
    const at = (k: string) => ['violations', 'processes', i, k];
    const put = (k: string, e: { value: number; ci95: [number, number] | null }) => {
      // A fitted parameter is written as a block map: a flow map with an interval wraps badly.
      const node = doc.getIn(at(k), true);
      if (isMap(node)) node.flow = false;
      doc.setIn([...at(k), 'value'], sig4(e.value));
      if (e.ci95) {
        const ci = doc.createNode([sig4(e.ci95[0]), sig4(e.ci95[1])]);
        ci.flow = true;
        doc.setIn([...at(k), 'ci95'], ci);
      } else doc.deleteIn([...at(k), 'ci95']);
    };
    put('baseline', c.baseline);
    put('selfExcitation', c.selfExcitation);
    put('decay', c.decay);
  });
  return doc.toString({ lineWidth: 120 });
}
