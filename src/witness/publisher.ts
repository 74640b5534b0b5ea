/**
 * The log's side of C2SP tlog-witness (https://c2sp.org/tlog-witness): pushes each new signed
 * checkpoint to the agreement's witnesses, collects their cosignatures and publishes the newest
 * checkpoint that meets the agreement's quorum, with every cosignature it got.
 *
 * Narrow and asynchronous: `add(note)` returns at once and never waits on a witness, so the log
 * acknowledges statements whatever the witnesses do. Each witness gets one request at a time;
 * checkpoints that arrive meanwhile are skipped but for the newest (a witness only needs to see
 * the latest one, with a proof from what it saw). A witness's size is learned the way the spec
 * suggests: the first request says `old 0`, and a 409 answer gives the size to prove from.
 *
 * Alarms: a witness that answers 422 (our proof does not extend what it cosigned) or 409 at our
 * own size (it cosigned another root there) has seen another history of this log. That is the
 * split view witnesses exist to catch, so it is kept in `status().alarms` for the log's status.
 */

import type { Witnesses } from '../agreement/witnesses.js';
import { type Checkpoint, parseCheckpoint } from '../log/checkpoint.js';
import { type NoteVerifier, parseVerifierKey } from '../statement/keys.js';
import { openNote } from '../statement/note.js';
import { formatAddCheckpoint, parseTlogSize } from './add-checkpoint.js';
import { parseWitnessKey, verifyCosignature } from './cosignature.js';

export interface PublisherOptions {
  /** The log's verifier key string (its name is the origin). */
  logKey: string;
  /** The agreement's witnesses section. */
  witnesses: Witnesses;
  /** RFC 9162 consistency proof from size1 to size2 of this log. */
  proof: (size1: number, size2: number) => Buffer[] | Promise<Buffer[]>;
  /** Called with each newly published checkpoint (note with cosignatures), e.g. to persist it. */
  onPublished?: (note: string, size: number) => void;
  /** Time a witness gets to answer, ms. Default 10,000. */
  request_timeout_ms?: number;
  /** Wait before trying an unreachable witness again, ms. Default 5,000. */
  retry_ms?: number;
  /** The clock for alarm times, ms. */
  now?: () => number;
}

/** Something a witness said that means another history of this log exists. */
export interface WitnessAlarm {
  witness: string;
  url: string;
  at: string;
  /** The checkpoint size we pushed. */
  size: number;
  status: number;
  message: string;
}

export interface WitnessStatus {
  witness: string;
  url: string;
  /** The largest size it cosigned for us in this run. */
  cosigned?: number;
  /** Why the last push failed, if it did. */
  error?: string;
}

interface Target {
  note: string;
  text: string;
  checkpoint: Checkpoint;
  /** witness vkey → its cosignature line */
  lines: Map<string, string>;
}

interface Peer {
  key: NoteVerifier;
  url: string;
  /** What we believe the witness last cosigned; undefined until it told us. */
  known?: number;
  cosigned?: number;
  busy: boolean;
  retry?: NodeJS.Timeout;
  error?: string;
}

/** Most alarms kept; the oldest are dropped (each also went to whoever reads the status). */
export const alarms_max = 1000;

export class WitnessPublisher {
  readonly #log: NoteVerifier;
  readonly #quorum: number;
  readonly #peers: Peer[];
  readonly #options: PublisherOptions;
  #target: Target | undefined;
  #published: { note: string; size: number } | undefined;
  readonly #alarms: WitnessAlarm[] = [];
  readonly #idle: (() => void)[] = [];
  #closed = false;

  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#log = parseVerifierKey(options.logKey);
    this.#quorum = options.witnesses.quorum;
    this.#peers = options.witnesses.members.map((m) => ({
      key: parseWitnessKey(m.key),
      url: m.url.replace(/\/+$/, ''),
      busy: false,
    }));
  }

  /** A new signed checkpoint of the log; pushed to every witness in the background. */
  add(note: string): void {
    if (this.#closed) return;
    const opened = openNote(note, [this.#log]);
    const checkpoint = parseCheckpoint(opened.text);
    if (this.#target !== undefined && checkpoint.size < this.#target.checkpoint.size) return;
    this.#target = { note, text: opened.text, checkpoint, lines: new Map() };
    for (const p of this.#peers) this.#push(p);
  }

  /** The newest checkpoint that met the quorum, with its cosignatures, if any did. */
  latest(): { note: string; size: number } | undefined {
    return this.#published;
  }

  status(): { quorum: number; published?: number; witnesses: WitnessStatus[]; alarms: WitnessAlarm[] } {
    return {
      quorum: this.#quorum,
      ...(this.#published ? { published: this.#published.size } : {}),
      witnesses: this.#peers.map((p) => ({
        witness: p.key.vkey,
        url: p.url,
        ...(p.cosigned !== undefined ? { cosigned: p.cosigned } : {}),
        ...(p.error !== undefined ? { error: p.error } : {}),
      })),
      alarms: [...this.#alarms],
    };
  }

  /** Resolves once no push is in flight (retries of unreachable witnesses may still be scheduled). */
  settled(): Promise<void> {
    if (this.#peers.every((p) => !p.busy)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#peers) clearTimeout(p.retry);
  }

  #push(p: Peer): void {
    const target = this.#target;
    if (this.#closed || p.busy || target === undefined || p.cosigned === target.checkpoint.size) return;
    clearTimeout(p.retry);
    p.retry = undefined;
    p.busy = true;
    this.#exchange(p, target)
      .catch((e: Error) => {
        p.error = e.message;
        p.known = undefined;
        p.retry = setTimeout(() => this.#push(p), this.#options.retry_ms ?? 5_000);
        p.retry.unref();
      })
      .finally(() => {
        p.busy = false;
        if (this.#target !== target) this.#push(p);
        if (this.#peers.every((q) => !q.busy)) for (const f of this.#idle.splice(0)) f();
      });
  }

  /** One checkpoint to one witness: at most two requests (the second after a 409 taught us its size). */
  async #exchange(p: Peer, t: Target): Promise<void> {
    const size = t.checkpoint.size;
    for (let attempt = 0; attempt < 2; attempt++) {
      const old = p.known ?? 0;
      if (old > size) {
        // Our key signed a larger tree than we have: the log rolled back, or someone else signs with its key.
        this.#alarm(
          p,
          size,
          409,
          `it cosigned size ${old} of this log, beyond our checkpoint of size ${size}`,
        );
        return;
      }
      const proof = old === 0 || old === size ? [] : await this.#options.proof(old, size);
      const res = await fetch(`${p.url}/add-checkpoint`, {
        method: 'POST',
        body: formatAddCheckpoint({ oldSize: old, proof, checkpoint: t.note }),
        signal: AbortSignal.timeout(this.#options.request_timeout_ms ?? 10_000),
      });
      const body = await res.text();
      if (res.status === 200) {
        this.#take(p, t, body);
        return;
      }
      if (res.status === 409) {
        const theirs = parseTlogSize(body);
        if (theirs === undefined) throw new Error(`409 without a size: ${body.slice(0, 200)}`);
        if (theirs === size) {
          // It holds another root for our very size: a fork.
          this.#alarm(p, size, 409, `it cosigned another root for size ${theirs}`);
          return;
        }
        p.known = theirs;
        continue;
      }
      if (res.status === 422) {
        this.#alarm(p, size, 422, `our consistency proof from size ${old} does not extend what it cosigned`);
        return;
      }
      p.error = `HTTP ${res.status}: ${body.trim().slice(0, 200)}`;
      return;
    }
    p.error = 'the witness moved while we were proving to it';
  }

  #take(p: Peer, t: Target, body: string): void {
    const lines = body.split('\n').filter((l) => l !== '');
    for (const line of lines) {
      const m = /^— (\S+) (\S+)$/.exec(line);
      if (m === null) continue;
      const raw = Buffer.from(m[2]!, 'base64');
      if (raw.length < 4) continue;
      const sig = { name: m[1]!, keyId: raw.readUInt32BE(0), base64: m[2]! };
      if (verifyCosignature(t.text, sig, p.key) === undefined) continue;
      t.lines.set(p.key.vkey, `${line}\n`);
      p.known = t.checkpoint.size;
      p.cosigned = t.checkpoint.size;
      p.error = undefined;
      this.#publish(t);
      return;
    }
    p.error = `200 without a valid cosignature by ${p.key.name}`;
  }

  #publish(t: Target): void {
    if (t.lines.size < this.#quorum) return;
    if (this.#published !== undefined && this.#published.size > t.checkpoint.size) return;
    const note = t.note + [...t.lines.values()].join('');
    this.#published = { note, size: t.checkpoint.size };
    this.#options.onPublished?.(note, t.checkpoint.size);
  }

  #alarm(p: Peer, size: number, status: number, message: string): void {
    p.error = message;
    this.#alarms.push({
      witness: p.key.vkey,
      url: p.url,
      at: new Date((this.#options.now ?? Date.now)()).toISOString(),
      size,
      status,
      message,
    });
    if (this.#alarms.length > alarms_max) this.#alarms.shift();
  }
}
