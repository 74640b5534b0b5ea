/**
 * The public state through a log size, as anyone derives it from the public log and the
 * agreement with the engine's pure functions, and the digest that commits to it.
 *
 * The public state through size n: `evolve` over the public entries with index < n (a
 * restricted entry is a commitment: its content is not public, so it is skipped, as the server's
 * public view skips it), each with its real log index, then `settle` to the admission time of
 * entry n − 1 (public or not). Its text is `serializeState` (RFC 8785), so two parties agree on
 * it byte for byte, and its digest is SHA-256 of that text.
 */
import { createHash } from 'node:crypto';
import type { Agreement } from '../agreement/model.js';
import { type EngineState, evolve, initialState, serializeState, settle } from '../engine/index.js';
import { decodeEntry } from '../statement/log-entry.js';

/** SHA-256 of the state's canonical text. */
export function stateDigest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Folds a public log's leaves in order, and serializes the public state at any point. */
export class PublicReplay {
  readonly agreement: Agreement;
  readonly #state: EngineState;
  #size = 0;
  #lastAdmittedMs = Number.NEGATIVE_INFINITY;

  constructor(agreement: Agreement) {
    this.agreement = agreement;
    this.#state = initialState(agreement);
  }

  /** Leaves folded so far (public and restricted). */
  get size(): number {
    return this.#size;
  }

  /** The admission time of the last leaf, ms (−∞ before the first). */
  get lastAdmittedMs(): number {
    return this.#lastAdmittedMs;
  }

  /** Folds leaf `size` (its exact bytes); returns its admission time in ms. */
  push(leaf: Uint8Array): number {
    const where = `entry ${this.#size}`;
    const e = decodeEntry(leaf, where);
    const ms = Date.parse(e.admitted);
    if (!(ms >= this.#lastAdmittedMs))
      throw new Error(`${where}: admitted ${e.admitted}, before the entry before it`);
    if ('envelope' in e) {
      try {
        evolve(this.agreement, this.#state, {
          index: this.#size,
          admitted: e.admitted,
          envelope: e.envelope,
        });
      } catch (err) {
        // The engine folds only what its door admitted; an entry it cannot fold was never admitted
        // under this agreement: a changed entry, or the wrong agreement file.
        throw new Error(
          `${where}: the engine cannot fold it under this agreement (${(err as Error).message})`,
        );
      }
    }
    this.#size++;
    this.#lastAdmittedMs = ms;
    return ms;
  }

  /**
   * The state settled to `atMs` (default: the last leaf's admission time). Settling moves only
   * time-driven changes up to that time, which folding the next entry would apply anyway.
   */
  state(atMs: number = this.#lastAdmittedMs): EngineState {
    if (Number.isFinite(atMs)) settle(this.agreement, this.#state, atMs);
    return this.#state;
  }

  /** `serializeState` of {@link state}: the public state through the current size. */
  text(atMs?: number): string {
    return serializeState(this.state(atMs));
  }
}
