/**
 * The violation processes: the samplers' moments, the Hawkes likelihood, recovery of known
 * parameters by the fitting code, and the reproducibility of the fit to the shipped real data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import { scenarioPath } from '../../src/agreement/scenarios.js';
import { calibrate, sig4 } from '../../src/sim/calibrate.js';
import { loadDynamics, scenarioDynamicsPath } from '../../src/sim/dynamics.js';
import { fitHawkes, type HawkesModel, logLikelihood, simulateHawkes } from '../../src/sim/hawkes.js';
import { gamma, logFactorial, poisson, streamRng } from '../../src/sim/random.js';

function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('samplers', () => {
  it.each([0.3, 4, 29, 31, 250])('Poisson(%d) has mean and variance λ', (lambda) => {
    const rng = streamRng(11, Math.round(lambda * 10));
    const n = 40_000;
    const { mean, variance } = moments(Array.from({ length: n }, () => poisson(rng, lambda)));
    // Four standard errors of the mean; the variance of a sample variance is ≈ 2λ²/n (+ λ/n).
    expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / n));
    expect(Math.abs(variance - lambda)).toBeLessThan(4 * Math.sqrt((2 * lambda * lambda + lambda) / n));
  });

  it('gamma variates have the mean and standard deviation asked for', () => {
    const rng = streamRng(12);
    for (const [shape, scale] of [
      [0.5, 2],
      [4, 0.25],
      [30, 1],
    ] as const) {
      const { mean, variance } = moments(Array.from({ length: 40_000 }, () => gamma(rng, shape, scale)));
      expect(Math.abs(mean / (shape * scale) - 1)).toBeLessThan(0.02);
      expect(variance / (shape * scale * scale)).toBeGreaterThan(0.9);
      expect(variance / (shape * scale * scale)).toBeLessThan(1.1);
    }
  });

  it('log-factorial is exact below the table and close above it', () => {
    expect(logFactorial(10)).toBeCloseTo(Math.log(3628800), 12);
    let direct = 0;
    for (let k = 2; k <= 200; k++) direct += Math.log(k);
    expect(logFactorial(200)).toBeCloseTo(direct, 8);
  });
});

describe('Hawkes processes', () => {
  it('with no excitation the likelihood is the Poisson likelihood, and counts are Poisson', () => {
    const model: HawkesModel = { mu: [[1.3]], alpha: [[0]], beta: [1] };
    const regimeOf = new Array(20_000).fill(0);
    const counts = simulateHawkes(model, regimeOf, streamRng(3));
    const c = counts[0]!;
    let direct = 0;
    for (const n of c) direct += n * Math.log(1.3) - 1.3 - logFactorial(n);
    expect(logLikelihood(model, { counts, regimeOf })).toBeCloseTo(direct, 6);
    const { mean, variance } = moments(c);
    expect(mean).toBeCloseTo(1.3, 1);
    expect(variance / mean).toBeGreaterThan(0.95);
    expect(variance / mean).toBeLessThan(1.05);
    // Excitation shows as overdispersion of counts over longer windows (50 days: ≈ 1/(1 − α)² = 4
    // for the excited process, 1 for the Poisson one).
    const blocks = (xs: number[]) =>
      Array.from({ length: xs.length / 50 }, (_, b) =>
        xs.slice(b * 50, b * 50 + 50).reduce((s, x) => s + x, 0),
      );
    const p = moments(blocks(c));
    expect(p.variance / p.mean).toBeGreaterThan(0.75);
    expect(p.variance / p.mean).toBeLessThan(1.25);
    const excited = simulateHawkes({ mu: [[1.3]], alpha: [[0.5]], beta: [0.3] }, regimeOf, streamRng(3))[0]!;
    const e = moments(blocks(excited));
    expect(e.mean / 50).toBeCloseTo(2.6, 0);
    expect(e.variance / e.mean).toBeGreaterThan(2.5);
  });

  it('recovers known parameters, cross-excitation included, within 10% from its own simulated events', () => {
    const truth: HawkesModel = {
      mu: [[0.4], [0.3]],
      alpha: [
        [0.4, 0.3],
        [0.3, 0.3],
      ],
      beta: [0.8, 0.5],
    };
    const regimeOf = new Array(60_000).fill(0);
    const counts = simulateHawkes(truth, regimeOf, streamRng(2026));
    expect(counts[0]!.reduce((s, x) => s + x, 0)).toBeGreaterThan(50_000);
    const fit = fitHawkes({ counts, regimeOf });
    expect(fit.converged).toBe(true);
    const flat = (m: HawkesModel) => [...m.mu.flat(), ...m.alpha.flat(), ...m.beta];
    const want = flat(truth);
    flat(fit.model).forEach((v, i) => {
      expect(Math.abs(v / want[i]! - 1), `parameter ${i}: fitted ${v}, true ${want[i]}`).toBeLessThan(0.1);
    });
    // The likelihood at the estimate is at least that at the truth (it is the maximum).
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(logLikelihood(truth, { counts, regimeOf }));
    expect(fit.branchingRadius).toBeLessThan(1);
  });

  it('estimates a baseline per regime (a ceasefire) and gives intervals that hold the estimate', () => {
    const truth: HawkesModel = { mu: [[3, 0.5]], alpha: [[0.3]], beta: [0.7] };
    const regimeOf = Array.from({ length: 40_000 }, (_, t) => (t < 20_000 ? 0 : 1));
    const counts = simulateHawkes(truth, regimeOf, streamRng(5));
    const fit = fitHawkes({ counts, regimeOf });
    const [war, ceasefire] = fit.estimates.mu[0]!;
    expect(war!.value).toBeGreaterThan(2.7);
    expect(ceasefire!.value).toBeLessThan(0.55);
    for (const e of [war!, ceasefire!, fit.estimates.alpha[0]![0]!, fit.estimates.beta[0]!]) {
      expect(e.ci95).not.toBeNull();
      expect(e.ci95![0]).toBeLessThan(e.value);
      expect(e.ci95![1]).toBeGreaterThan(e.value);
    }
  });
});

describe('calibration on the shipped real records', () => {
  const agreementPath = scenarioPath('lebanon-2026');
  const dynamicsPath = scenarioDynamicsPath(agreementPath);

  it('is reproducible, and the dynamics file holds exactly its fitted values', () => {
    const a = loadAgreement(agreementPath);
    const l = loadDynamics(dynamicsPath);
    const first = calibrate(l, a, 1, 300);
    const second = calibrate(l, a, 1, 300);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.processes.map((p) => p.events)).toEqual([21, 149]);
    l.dynamics.violations.processes.forEach((p, i) => {
      const c = first.processes[i]!;
      expect(c.fit.converged).toBe(true);
      for (const [k, e] of [
        ['baseline', c.baseline],
        ['selfExcitation', c.selfExcitation],
        ['decay', c.decay],
      ] as const) {
        expect(p[k].value, `${p.actor} ${k}`).toBe(sig4(e.value));
        expect(p[k].ci95 ?? null, `${p.actor} ${k} interval`).toEqual(
          e.ci95 === null ? null : [sig4(e.ci95[0]), sig4(e.ci95[1])],
        );
        expect(p[k].source).toMatch(/^fitted: /);
      }
    });
  });

  it('puts the observed weekly counts inside the simulated 90% band, except the week the docs name', () => {
    const report = calibrate(loadDynamics(dynamicsPath), loadAgreement(agreementPath), 1, 2000);
    const outside = report.processes.flatMap((p) =>
      p.weeks.filter((w) => !w.inside).map((w) => `${p.actor} ${w.from}`),
    );
    expect(outside).toEqual(['hezbollah 2026-05-08']);
    const docs = readFileSync(new URL('../../docs/simulation.md', import.meta.url), 'utf8');
    expect(docs).toContain('2026-05-08');
  });
});
