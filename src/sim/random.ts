/**
 * Random variates for the simulator, drawn from one seeded mulberry32 stream per trajectory.
 *
 * Written here rather than taken from a library on purpose: the samplers sit in the innermost
 * loop (a few thousand draws per simulated year, ten thousand years per run), must consume the
 * stream in a fixed, documented way so that a seed replays byte for byte, and must not allocate.
 * The algorithms are the standard published ones, named at each function; the statistical tests
 * in `test/sim/` check their moments.
 */
import { mulberry32 } from './prng.js';

/** A source of uniform floats in [0, 1). */
export type Rng = () => number;

/** murmur3's 32-bit finalizer: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The 32-bit seed of one stream (e.g. trajectory `i` of variant `v` of a run seeded `seed`):
 * each part is mixed in turn, so neighbouring trajectories get unrelated streams and a
 * trajectory's stream depends only on its own coordinates, never on which worker runs it.
 */
export function streamSeed(seed: number, ...parts: number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  for (const p of parts) h = fmix32(h ^ fmix32((p >>> 0) + 0x7f4a7c15));
  return h;
}

/** A new generator for a stream (see {@link streamSeed}). */
export function streamRng(seed: number, ...parts: number[]): Rng {
  return mulberry32(streamSeed(seed, ...parts));
}

/** 32-bit hash of a string (FNV-1a), to turn a name (a variant id) into a stream coordinate. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Standard normal variate, Box–Muller (one of the pair; the other is dropped to keep no state). */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) never happens
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

const LOG_FACTORIAL: number[] = [0];
for (let k = 1; k < 64; k++) LOG_FACTORIAL.push(LOG_FACTORIAL[k - 1]! + Math.log(k));

/** log(k!) exactly from a table below 64, by Stirling's series above (error < 1e-10 there). */
export function logFactorial(k: number): number {
  if (k < 64) return LOG_FACTORIAL[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/**
 * Poisson variate with mean `lambda`: inversion by sequential search below 30 (one uniform per
 * draw), Hörmann's transformed rejection PTRS above ("The transformed rejection method for
 * generating Poisson random variables", Insurance: Mathematics and Economics 12, 1993).
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 30) {
    let p = Math.exp(-lambda);
    let f = p;
    const u = rng();
    let k = 0;
    while (u > f && k < 1000) {
      k++;
      p *= lambda / k;
      f += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * loglam - logFactorial(k)
    )
      return k;
  }
}

/**
 * Gamma variate with the given shape and scale: Marsaglia and Tsang, "A simple method for
 * generating gamma variables" (ACM TOMS 26(3), 2000); shape < 1 through shape + 1 and U^(1/shape).
 */
export function gamma(rng: Rng, shape: number, scale: number): number {
  if (shape < 1) return gamma(rng, shape + 1, scale) * rng() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** A delay with the given mean and standard deviation: gamma-distributed, or exactly the mean when sd is 0. */
export function delay(rng: Rng, mean: number, sd: number): number {
  if (mean <= 0) return 0;
  if (sd <= 0) return mean;
  const shape = (mean / sd) ** 2;
  return gamma(rng, shape, mean / shape);
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** Index drawn with probability proportional to `weights` (all ≥ 0, not all 0). */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
