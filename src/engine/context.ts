/**
 * What every part of the fold is handed: the agreement's look-up tables, the state being folded
 * (mutated in place; see state.ts, "Ownership discipline"), and the entry being folded — its log
 * index, its admission time (the protocol's clock) and who signed it. Time-driven changes
 * (`settle`) run with index −1 and no signers.
 */
import type { EngineState, Rules } from './state.js';

export interface Ctx {
  rules: Rules;
  state: EngineState;
  /** Admission time of the entry being folded (or the due time being settled), ms. */
  nowMs: number;
  /** The same time, RFC 3339. */
  at: string;
  /** Log index of the entry being folded; −1 while settling time-driven changes. */
  index: number;
  issuer: string;
  /** Parties that signed (issuer first, then co-signers), distinct. */
  signers: string[];
}

/** The distinct values of `xs`, ascending: the citation lists of state. */
export function dedupe(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
