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
import { canonicalJson } from '../statement/canonical.js';
import { decodeEntry } from '../statement/log-entry.js';

/** The state's growing collections: tables of records that are never mutated once stored. */
const COLLECTIONS = ['units', 'incidents', 'strikes', 'findings'] as const;

/**
 * `serializeState(state)`, byte for byte (the replay test compares the two at every tenth size
 * of the demo log), written faster for a replay that serializes the same growing state again and
 * again: a stored record is never mutated (src/engine/records.ts), so each record's RFC 8785
 * text is made once and kept (`cache`, by object), and only the small rest of the state and the
 * order of the ids are canonicalized each time. Serializing is otherwise the larger half of a
 * replay's cost.
 */
export function canonicalStateText(state: EngineState, cache: WeakMap<object, string>): string {
  const marks: Record<string, string> = {};
  const rest: Record<string, unknown> = {
    ...state,
    lastAdmittedMs: Number.isFinite(state.lastAdmittedMs) ? state.lastAdmittedMs : null,
    settledMs: Number.isFinite(state.settledMs) ? state.settledMs : null,
  };
  for (const c of COLLECTIONS) {
    const entries = [...(state[c] as { entries(): Iterable<[string, object]> }).entries()];
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let text = '{';
    for (const [id, record] of entries) {
      let t = cache.get(record);
      if (t === undefined) {
        t = canonicalJson(record);
        cache.set(record, t);
      }
      text += `${text.length > 1 ? ',' : ''}${JSON.stringify(id)}:${t}`;
    }
    // A placeholder no state value can contain (a control character JSON escapes) marks where
    // the collection's text goes in the canonical text of the rest.
    const mark = `\u0001${c}\u0001`;
    marks[`${JSON.stringify(c)}:${JSON.stringify(mark)}`] = `${JSON.stringify(c)}:${text}}`;
    rest[c] = mark;
  }
  let out = canonicalJson(rest);
  for (const [mark, text] of Object.entries(marks)) {
    const at = out.indexOf(mark);
    // Only where the member is: should any string of the state hold the very same text, fall back.
    if (at < 0 || out.indexOf(mark, at + 1) >= 0) return serializeState(state);
    out = out.slice(0, at) + text + out.slice(at + mark.length);
  }
  return out;
}

/** SHA-256 of the state's canonical text. */
export function stateDigest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Folds a public log's leaves in order, and serializes the public state at any point. */
export class PublicReplay {
  readonly agreement: Agreement;
  readonly #state: EngineState;
  readonly #texts = new WeakMap<object, string>();
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
    return canonicalStateText(this.state(atMs), this.#texts);
  }
}
