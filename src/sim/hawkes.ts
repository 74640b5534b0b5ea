/**
 * Self-exciting (Hawkes) point processes with cross-excitation, in discrete time (one count per
 * actor per day), fitted by maximum likelihood.
 *
 * Why days: the real records are dated to the day (UCDP GED `date_start`, the FPV catalogue's
 * `date`), with many events on the same day. A continuous-time Hawkes likelihood needs distinct
 * event times, so ties would have to be broken by invented jitter; the discrete-time version
 * (a Poisson autoregression with an exponential kernel, the INGARCH form of a Hawkes process)
 * uses the data as recorded and keeps the branching interpretation:
 *
 *   n_k(t) ~ Poisson(λ_k(t)),   λ_k(t) = μ_k(regime of t) + Σ_j α_kj · S_j(t),
 *   S_j(t) = Σ_{s<t} n_j(s) · g_j(t − s),   g_j(d) = (1 − e^{−β_j}) · e^{−β_j (d − 1)},  d ≥ 1.
 *
 * g_j sums to 1 over d ≥ 1, so α_kj is the expected number of events of actor k that one event of
 * actor j triggers (the branching ratio), and 1/(1 − e^{−β_j}) is the mean delay in days.
 * S_j obeys S_j(t + 1) = e^{−β_j} S_j(t) + (1 − e^{−β_j}) n_j(t), so everything is O(K² T).
 *
 * Fitting is by expectation–maximization on the branching structure (Veen and Schoenberg,
 * "Estimation of space–time branching process models in seismology using an EM-type algorithm",
 * JASA 103, 2008; the same E-step in discrete time): every event is shared between "background"
 * and each earlier event in proportion to its contribution to λ. μ and α then have closed-form
 * updates, β a one-dimensional maximization (golden section). EM never decreases the likelihood
 * and needs no step size, which a generic optimizer would. Written here because no maintained
 * npm optimizer fits: `fmin` was last published in 2016, `numeric` in 2012, and a
 * least-squares fitter (ml-levenberg-marquardt) does not maximize a likelihood.
 *
 * Confidence intervals: Wald intervals in log-parameters from the observed information (a
 * central-difference Hessian of the log-likelihood at the maximum), so every interval stays
 * positive. A parameter estimated at its boundary (α → 0) gets no interval.
 */
import { logFactorial, poisson, type Rng } from './random.js';

/** A multivariate discrete-time Hawkes process (see the module comment for the equations). */
export interface HawkesModel {
  /** Baseline events per day, per series and regime: `mu[k][r]`. */
  mu: number[][];
  /** Expected events of series k triggered by one event of series j: `alpha[k][j]`. */
  alpha: number[][];
  /** Decay per day of the kernel of events of series j. */
  beta: number[];
}

/** Daily counts to fit: `counts[k][t]`; `regimeOf[t]` names the baseline regime of day t. */
export interface HawkesData {
  counts: number[][];
  regimeOf: number[];
}

export interface FitOptions {
  /** Starting point (default: μ at the mean rate, α 0.2 on the diagonal and 0.05 off it, β 0.5). */
  init?: HawkesModel;
  /** `fixedAlpha[k][j]` a number fixes α_kj at it (e.g. 0 for no cross-excitation); null estimates it. */
  fixedAlpha?: (number | null)[][];
  max_iterations?: number;
  /** Stop when an iteration raises the log-likelihood by less than this (absolute). */
  tolerance?: number;
}

/** A parameter estimate with its 95% interval (null when the estimate sits at a boundary). */
export interface Estimate {
  value: number;
  ci95: [number, number] | null;
}

export interface FitResult {
  model: HawkesModel;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Same shapes as the model, with intervals. */
  estimates: { mu: Estimate[][]; alpha: Estimate[][]; beta: Estimate[] };
  /** Spectral radius of the branching matrix α: below 1 the process is stationary. */
  branchingRadius: number;
}

const BETA_MIN = 0.01;
const BETA_MAX = 20;
/** An α below this is taken as sitting at the boundary 0. */
const ALPHA_BOUNDARY = 1e-6;

function regimeCount(regimeOf: readonly number[]): number {
  let r = 0;
  for (const x of regimeOf) if (x + 1 > r) r = x + 1;
  return r;
}

/** log-likelihood of `data` under `model`, including the −log n! terms. */
export function logLikelihood(model: HawkesModel, data: HawkesData): number {
  const K = data.counts.length;
  const T = data.regimeOf.length;
  const S = new Float64Array(K);
  const decay = model.beta.map((b) => Math.exp(-b));
  let ll = 0;
  for (let t = 0; t < T; t++) {
    const r = data.regimeOf[t]!;
    for (let k = 0; k < K; k++) {
      let lam = model.mu[k]![r]!;
      const ak = model.alpha[k]!;
      for (let j = 0; j < K; j++) lam += ak[j]! * S[j]!;
      const n = data.counts[k]![t]!;
      ll += (n > 0 ? n * Math.log(lam) - logFactorial(n) : 0) - lam;
    }
    for (let j = 0; j < K; j++) S[j] = decay[j]! * S[j]! + (1 - decay[j]!) * data.counts[j]![t]!;
  }
  return ll;
}

/** Simulates `regimeOf.length` days of the process from an empty history: `counts[k][t]`. */
export function simulateHawkes(model: HawkesModel, regimeOf: readonly number[], rng: Rng): number[][] {
  const K = model.beta.length;
  const T = regimeOf.length;
  const counts = Array.from({ length: K }, () => new Array<number>(T).fill(0));
  const S = new Float64Array(K);
  const decay = model.beta.map((b) => Math.exp(-b));
  for (let t = 0; t < T; t++) {
    const r = regimeOf[t]!;
    for (let k = 0; k < K; k++) {
      let lam = model.mu[k]![r]!;
      for (let j = 0; j < K; j++) lam += model.alpha[k]![j]! * S[j]!;
      counts[k]![t] = poisson(rng, lam);
    }
    for (let j = 0; j < K; j++) S[j] = decay[j]! * S[j]! + (1 - decay[j]!) * counts[j]![t]!;
  }
  return counts;
}

function defaultInit(data: HawkesData): HawkesModel {
  const K = data.counts.length;
  const R = regimeCount(data.regimeOf);
  const mu = data.counts.map((c) => {
    const sums = new Array<number>(R).fill(0);
    const days = new Array<number>(R).fill(0);
    c.forEach((n, t) => {
      sums[data.regimeOf[t]!]! += n;
      days[data.regimeOf[t]!]! += 1;
    });
    return sums.map((s, r) => Math.max(0.7 * (s / Math.max(days[r]!, 1)), 1e-3));
  });
  const alpha = Array.from({ length: K }, (_, k) =>
    Array.from({ length: K }, (_, j) => (k === j ? 0.2 : 0.05)),
  );
  return { mu, alpha, beta: new Array<number>(K).fill(0.5) };
}

/** For one series: the days with events, as (days to the end of the window, count) pairs. */
interface Tail {
  m: Float64Array;
  n: Float64Array;
}

function tailsOf(data: HawkesData): Tail[] {
  const T = data.regimeOf.length;
  return data.counts.map((c) => {
    const m: number[] = [];
    const n: number[] = [];
    c.forEach((x, s) => {
      if (x > 0) {
        m.push(T - 1 - s);
        n.push(x);
      }
    });
    return { m: Float64Array.from(m), n: Float64Array.from(n) };
  });
}

/**
 * The β maximizing the expected complete-data log-likelihood of one series' kernel,
 *   q(β) = W·log(1 − e^{−β}) − β·D − a·Σ_s n(s)·(1 − e^{−β·m(s)}),
 * by Newton's method on q'(β) = 0, kept inside a bracket that bisection shrinks when a Newton
 * step would leave it (q' is positive near 0 and negative for large β when D > 0).
 */
function maximizeBeta(W: number, D: number, a: number, tail: Tail, start: number): number {
  const d1 = (b: number) => {
    let s = 0;
    for (let i = 0; i < tail.m.length; i++) s += tail.n[i]! * tail.m[i]! * Math.exp(-b * tail.m[i]!);
    return W / Math.expm1(b) - D - a * s;
  };
  const d2 = (b: number) => {
    let s = 0;
    for (let i = 0; i < tail.m.length; i++)
      s += tail.n[i]! * tail.m[i]! * tail.m[i]! * Math.exp(-b * tail.m[i]!);
    const e = Math.expm1(b);
    return (-W * (e + 1)) / (e * e) + a * s;
  };
  let lo = BETA_MIN;
  let hi = BETA_MAX;
  if (d1(lo) <= 0) return lo;
  if (d1(hi) >= 0) return hi;
  let b = Math.min(Math.max(start, lo), hi);
  for (let i = 0; i < 100; i++) {
    const g = d1(b);
    if (g > 0) lo = b;
    else hi = b;
    const h = d2(b);
    let next = h < 0 ? b - g / h : Number.NaN;
    if (!(next > lo && next < hi)) next = Math.sqrt(lo * hi);
    if (Math.abs(next - b) < 1e-10 * b || hi - lo < 1e-10 * b) return next;
    b = next;
  }
  return b;
}

/** One EM step from `m`; returns the next model. */
function emStep(
  m: HawkesModel,
  data: HawkesData,
  fixed: (number | null)[][] | undefined,
  tails: readonly Tail[],
): HawkesModel {
  const K = data.counts.length;
  const T = data.regimeOf.length;
  const R = m.mu[0]!.length;
  const S = new Float64Array(K);
  const Rl = new Float64Array(K); // Σ n_j(s) g_j(t−s) (t−s−1): the lag statistic for β
  const decay = m.beta.map((b) => Math.exp(-b));
  const bg = Array.from({ length: K }, () => new Float64Array(R));
  const days = new Float64Array(R);
  const trig = Array.from({ length: K }, () => new Float64Array(K));
  const sumS = new Float64Array(K);
  const lagW = new Float64Array(K);
  const lagD = new Float64Array(K);
  for (let t = 0; t < T; t++) {
    const r = data.regimeOf[t]!;
    days[r]! += 1;
    for (let k = 0; k < K; k++) {
      const ak = m.alpha[k]!;
      let lam = m.mu[k]![r]!;
      for (let j = 0; j < K; j++) lam += ak[j]! * S[j]!;
      const n = data.counts[k]![t]!;
      if (n === 0) continue;
      const w = n / lam;
      bg[k]![r]! += m.mu[k]![r]! * w;
      for (let j = 0; j < K; j++) {
        const share = ak[j]! * S[j]! * w;
        trig[k]![j]! += share;
        lagW[j]! += share;
        lagD[j]! += ak[j]! * Rl[j]! * w;
      }
    }
    for (let j = 0; j < K; j++) {
      sumS[j]! += S[j]!;
      Rl[j] = decay[j]! * (Rl[j]! + S[j]!);
      S[j] = decay[j]! * S[j]! + (1 - decay[j]!) * data.counts[j]![t]!;
    }
  }
  const mu = bg.map((b) => Array.from(b, (x, r) => (days[r]! > 0 ? x / days[r]! : 0)));
  const alpha = trig.map((row, k) =>
    Array.from(row, (x, j) => {
      const f = fixed?.[k]?.[j];
      if (f !== null && f !== undefined) return f;
      return sumS[j]! > 0 ? x / sumS[j]! : 0;
    }),
  );
  const beta = m.beta.map((b0, j) => {
    let a = 0;
    for (let k = 0; k < K; k++) a += alpha[k]![j]!;
    if (lagW[j]! <= 0 || a <= 0) return b0;
    return maximizeBeta(lagW[j]!, lagD[j]!, a, tails[j]!, b0);
  });
  return { mu, alpha, beta };
}

/** The inverse of a small symmetric positive-definite matrix by Gauss–Jordan elimination, or null when singular. */
function invert(a: number[][]): number[][] | null {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j]! /= piv;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      if (f !== 0) for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

type Slot =
  | { kind: 'mu'; k: number; r: number }
  | { kind: 'alpha'; k: number; j: number }
  | { kind: 'beta'; j: number };

function getSlot(m: HawkesModel, s: Slot): number {
  return s.kind === 'mu' ? m.mu[s.k]![s.r]! : s.kind === 'alpha' ? m.alpha[s.k]![s.j]! : m.beta[s.j]!;
}

function withSlots(m: HawkesModel, slots: Slot[], logValues: number[]): HawkesModel {
  const out: HawkesModel = {
    mu: m.mu.map((r) => [...r]),
    alpha: m.alpha.map((r) => [...r]),
    beta: [...m.beta],
  };
  slots.forEach((s, i) => {
    const v = Math.exp(logValues[i]!);
    if (s.kind === 'mu') out.mu[s.k]![s.r] = v;
    else if (s.kind === 'alpha') out.alpha[s.k]![s.j] = v;
    else out.beta[s.j] = v;
  });
  return out;
}

/** Wald 95% intervals in log-parameters from a central-difference Hessian at the estimate. */
function intervals(
  m: HawkesModel,
  data: HawkesData,
  fixed: FitOptions['fixedAlpha'],
): Map<string, [number, number]> {
  const K = m.beta.length;
  const slots: Slot[] = [];
  m.mu.forEach((row, k) => {
    row.forEach((v, r) => {
      if (v > 0) slots.push({ kind: 'mu', k, r });
    });
  });
  for (let k = 0; k < K; k++)
    for (let j = 0; j < K; j++) {
      const f = fixed?.[k]?.[j];
      if ((f === null || f === undefined) && m.alpha[k]![j]! > ALPHA_BOUNDARY)
        slots.push({ kind: 'alpha', k, j });
    }
  for (let j = 0; j < K; j++) {
    let a = 0;
    for (let k = 0; k < K; k++) a += m.alpha[k]![j]!;
    // β of a series that excites nothing is not identified.
    if (a > ALPHA_BOUNDARY && m.beta[j]! > BETA_MIN * 1.01 && m.beta[j]! < BETA_MAX * 0.99)
      slots.push({ kind: 'beta', j });
  }
  const theta = slots.map((s) => Math.log(getSlot(m, s)));
  const h = 1e-4;
  const f = (d: number[]) =>
    logLikelihood(
      withSlots(
        m,
        slots,
        theta.map((x, i) => x + d[i]!),
      ),
      data,
    );
  const p = slots.length;
  const H: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const e = (i: number, s: number) => Array.from({ length: p }, (_, q) => (q === i ? s : 0));
  const add = (a: number[], b: number[]) => a.map((x, i) => x + b[i]!);
  const f0 = f(new Array<number>(p).fill(0));
  for (let a = 0; a < p; a++) {
    H[a]![a] = (f(e(a, h)) - 2 * f0 + f(e(a, -h))) / (h * h);
    for (let b = a + 1; b < p; b++) {
      const v =
        (f(add(e(a, h), e(b, h))) -
          f(add(e(a, h), e(b, -h))) -
          f(add(e(a, -h), e(b, h))) +
          f(add(e(a, -h), e(b, -h)))) /
        (4 * h * h);
      H[a]![b] = v;
      H[b]![a] = v;
    }
  }
  const cov = invert(H.map((row) => row.map((x) => -x)));
  const out = new Map<string, [number, number]>();
  if (cov === null) return out;
  slots.forEach((s, i) => {
    const varLog = cov[i]![i]!;
    if (!(varLog > 0)) return;
    const sd = Math.sqrt(varLog);
    const ci: [number, number] = [Math.exp(theta[i]! - 1.96 * sd), Math.exp(theta[i]! + 1.96 * sd)];
    if (Number.isFinite(ci[1]) && ci[0] > 0) out.set(slotKey(s), ci);
  });
  return out;
}

function slotKey(s: Slot): string {
  return s.kind === 'mu' ? `mu/${s.k}/${s.r}` : s.kind === 'alpha' ? `alpha/${s.k}/${s.j}` : `beta/${s.j}`;
}

/** Spectral radius of a small non-negative matrix (power iteration). */
export function spectralRadius(a: readonly (readonly number[])[]): number {
  const n = a.length;
  let v = new Array<number>(n).fill(1);
  let rho = 0;
  for (let it = 0; it < 500; it++) {
    const w = a.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
    const norm = Math.max(...w.map(Math.abs));
    if (norm === 0) return 0;
    v = w.map((x) => x / norm);
    if (Math.abs(norm - rho) < 1e-12) return norm;
    rho = norm;
  }
  return rho;
}

/** The model's parameters as one vector of logarithms (α entries at 0 stay at a large negative number). */
function toLog(m: HawkesModel): number[] {
  const out: number[] = [];
  for (const row of m.mu) for (const v of row) out.push(Math.log(Math.max(v, 1e-300)));
  for (const row of m.alpha) for (const v of row) out.push(Math.log(Math.max(v, 1e-300)));
  for (const v of m.beta) out.push(Math.log(v));
  return out;
}

function fromLog(shape: HawkesModel, x: readonly number[]): HawkesModel {
  let i = 0;
  const mu = shape.mu.map((row) => row.map(() => Math.exp(x[i++]!)));
  const alpha = shape.alpha.map((row) => row.map(() => Math.exp(x[i++]!)));
  const beta = shape.beta.map(() => Math.min(Math.max(Math.exp(x[i++]!), BETA_MIN), BETA_MAX));
  return { mu, alpha, beta };
}

/**
 * One SQUAREM cycle (Varadhan and Roland, "Simple and globally convergent methods for
 * accelerating the convergence of any EM algorithm", Scand. J. Statistics 35, 2008), in
 * log-parameters so every value stays positive: two EM steps give a direction, an extrapolated
 * point is stabilized by a third EM step, and the plain EM point is kept whenever the
 * extrapolation would lower the likelihood, so monotone convergence is preserved.
 */
function squarem(
  m0: HawkesModel,
  ll0: number,
  step: (m: HawkesModel) => HawkesModel,
  data: HawkesData,
): { model: HawkesModel; ll: number; steps: number } {
  const m1 = step(m0);
  const m2 = step(m1);
  const ll2 = logLikelihood(m2, data);
  const x0 = toLog(m0);
  const x1 = toLog(m1);
  const x2 = toLog(m2);
  const r = x1.map((v, i) => v - x0[i]!);
  const v = x2.map((x, i) => x - 2 * x1[i]! + x0[i]!);
  const rn = Math.sqrt(r.reduce((s, x) => s + x * x, 0));
  const vn = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (!(vn > 0) || !(rn > 0)) return { model: m2, ll: ll2, steps: 2 };
  const a = Math.min(-1, -rn / vn);
  const xs = x0.map((x, i) => x - 2 * a * r[i]! + a * a * v[i]!);
  const ms = step(fromLog(m0, xs));
  const lls = logLikelihood(ms, data);
  if (Number.isFinite(lls) && lls >= ll2 && lls >= ll0) return { model: ms, ll: lls, steps: 3 };
  return { model: m2, ll: ll2, steps: 2 };
}

/** Maximum-likelihood fit by EM, with 95% intervals. Deterministic: the same data give the same numbers. */
export function fitHawkes(data: HawkesData, options: FitOptions = {}): FitResult {
  const K = data.counts.length;
  if (K === 0 || data.counts.some((c) => c.length !== data.regimeOf.length))
    throw new Error('fitHawkes: every series needs one count per day of regimeOf');
  let m = options.init ?? defaultInit(data);
  if (options.fixedAlpha)
    m = {
      ...m,
      alpha: m.alpha.map((row, k) => row.map((x, j) => options.fixedAlpha?.[k]?.[j] ?? x)),
    };
  const maxIt = options.max_iterations ?? 20_000;
  const tol = options.tolerance ?? 1e-9;
  const tails = tailsOf(data);
  const step = (x: HawkesModel) => emStep(x, data, options.fixedAlpha, tails);
  let ll = logLikelihood(m, data);
  let it = 0;
  let converged = false;
  while (it < maxIt) {
    const next = squarem(m, ll, step, data);
    it += next.steps;
    const gain = next.ll - ll;
    m = next.model;
    ll = next.ll;
    if (Math.abs(gain) < tol) {
      converged = true;
      break;
    }
  }
  const ci = intervals(m, data, options.fixedAlpha);
  const est = (v: number, key: string): Estimate => ({ value: v, ci95: ci.get(key) ?? null });
  return {
    model: m,
    logLikelihood: ll,
    iterations: it,
    converged,
    estimates: {
      mu: m.mu.map((row, k) => row.map((v, r) => est(v, `mu/${k}/${r}`))),
      alpha: m.alpha.map((row, k) => row.map((v, j) => est(v, `alpha/${k}/${j}`))),
      beta: m.beta.map((v, j) => est(v, `beta/${j}`)),
    },
    branchingRadius: spectralRadius(m.alpha),
  };
}
