/**
 * The verification pool: envelope checks (shape, size, every Ed25519 signature; see
 * `checkEnvelope`) in worker threads, so that the thread that sequences the log spends no time
 * on signatures. Workers know nothing of the agreement: they return, per envelope, either the
 * rejection `checkEnvelope` gives or a {@link CheckedEnvelope}, whose envelope is parsed afresh
 * from the canonical text the worker verified (so a caller that mutates its own object after
 * submitting cannot change what was verified). The engine's door then skips only the signature
 * checks for those.
 *
 * A value is read when it is handed to a worker (structured clone, at the end of the event-loop
 * turn of the call): what a worker verifies is that copy, and what it returns is parsed from it.
 * An {@link EnvelopeText} (an envelope's JSON as received) is sent as its string and parsed in
 * the worker, which spares the calling thread both the parse and the copy of an object.
 *
 * Submissions made in the same event-loop turn are verified together (many single-statement
 * HTTP requests become one message per worker); large ones are cut into chunks of at most
 * `chunk_envelopes_max`, each sent to the worker with the least outstanding work. Idle workers
 * do not keep the process alive. If a value cannot be sent to a worker (not structured-
 * cloneable) or a worker dies, the affected envelopes are checked on the calling thread.
 */

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../runtime/module-worker.js';
import { CheckedEnvelope, EnvelopeText } from './envelope.js';
import type { VerifyJob, VerifyJobResult } from './verify-worker.js';

export type PoolVerdict = CheckedEnvelope | { ok: false; code: string; message: string };

export interface VerifyPoolOptions {
  /** Worker threads; 0 checks on the calling thread. Default: `os.availableParallelism()`. */
  workers?: number;
  /** Envelopes per message to a worker. Default 256. */
  chunk_envelopes_max?: number;
  /**
   * Fewer envelopes than this in one turn go to one worker in one message rather than being
   * spread over all of them. Default 1 (measured: spreading even a few is no slower).
   */
  chunk_envelopes_min?: number;
}

interface Request {
  values: unknown[];
  results: PoolVerdict[];
  left: number;
  resolve: (r: PoolVerdict[]) => void;
}

interface Chunk {
  parts: { request: Request; from: number; to: number }[];
  values: unknown[];
}

interface Slot {
  worker: Worker;
  outstanding: number;
  jobs: Map<number, Chunk>;
  dead: boolean;
}

// A worker holds one chunk of envelopes at a time (at most `chunk_envelopes_max`): a small young
// generation keeps each one's resident set to ~20 MB in a long-running server (measured with
// bench/server-memory.ts), at the cost of more, cheap scavenges of short-lived garbage.
const worker_limits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

function spawnWorker(): Worker {
  return moduleWorker(import.meta.url, './verify-worker', worker_limits);
}

export class VerifyPool {
  readonly workers: number;
  readonly #chunkMax: number;
  readonly #chunkMin: number;
  readonly #slots: Slot[] = [];
  #pending: Request[] = [];
  #pendingCount = 0;
  #scheduled = false;
  #nextJob = 0;
  #closed = false;

  constructor(options: VerifyPoolOptions = {}) {
    this.workers = Math.max(0, Math.floor(options.workers ?? availableParallelism()));
    this.#chunkMax = Math.max(1, options.chunk_envelopes_max ?? 256);
    this.#chunkMin = Math.min(this.#chunkMax, Math.max(1, options.chunk_envelopes_min ?? 1));
  }

  /** One verdict per value, in order. Never rejects: a failure to use a worker falls back to this thread. */
  verify(values: readonly unknown[]): Promise<PoolVerdict[]> {
    if (values.length === 0) return Promise.resolve([]);
    if (this.workers === 0 || this.#closed)
      return Promise.resolve(values.map((v) => CheckedEnvelope.check(v)));
    return new Promise((resolve) => {
      this.#pending.push({
        values: [...values],
        results: new Array(values.length),
        left: values.length,
        resolve,
      });
      this.#pendingCount += values.length;
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Stops the workers; later calls verify on the calling thread. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#flush();
    const slots = this.#slots.splice(0);
    for (const s of slots) {
      s.dead = true;
      this.#fallback(s);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #flush(): void {
    this.#scheduled = false;
    const requests = this.#pending;
    const total = this.#pendingCount;
    this.#pending = [];
    this.#pendingCount = 0;
    if (requests.length === 0) return;
    if (this.#closed) {
      for (const r of requests)
        this.#runHere({ parts: [{ request: r, from: 0, to: r.values.length }], values: r.values });
      return;
    }
    while (this.#slots.length < this.workers) this.#spawn();
    // Totals are spread evenly over the workers in chunks of at least chunkMin, at most chunkMax.
    const size = Math.min(this.#chunkMax, Math.max(this.#chunkMin, Math.ceil(total / this.#slots.length)));
    let chunk: Chunk = { parts: [], values: [] };
    for (const request of requests) {
      let from = 0;
      while (from < request.values.length) {
        const to = Math.min(request.values.length, from + size - chunk.values.length);
        chunk.parts.push({ request, from, to });
        for (let i = from; i < to; i++) chunk.values.push(request.values[i]);
        from = to;
        if (chunk.values.length === size) {
          this.#send(chunk);
          chunk = { parts: [], values: [] };
        }
      }
    }
    if (chunk.values.length > 0) this.#send(chunk);
  }

  #spawn(): void {
    const slot: Slot = { worker: spawnWorker(), outstanding: 0, jobs: new Map(), dead: false };
    slot.worker.unref();
    slot.worker.on('message', (m: VerifyJobResult) => {
      const chunk = slot.jobs.get(m.job);
      if (chunk === undefined) return;
      slot.jobs.delete(m.job);
      slot.outstanding -= chunk.values.length;
      if (slot.outstanding === 0) slot.worker.unref();
      this.#deliver(chunk, m.results);
    });
    const die = () => {
      if (slot.dead) return;
      slot.dead = true;
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
      this.#fallback(slot);
    };
    slot.worker.on('error', die);
    slot.worker.on('exit', die);
    this.#slots.push(slot);
  }

  #send(chunk: Chunk): void {
    let best: Slot | undefined;
    for (const s of this.#slots) if (best === undefined || s.outstanding < best.outstanding) best = s;
    if (best === undefined) {
      this.#runHere(chunk);
      return;
    }
    const job = this.#nextJob++;
    // An EnvelopeText goes as its string (a class does not survive the copy); the worker rebuilds it.
    let values = chunk.values;
    let texts: VerifyJob['texts'];
    for (const [i, v] of chunk.values.entries()) {
      if (!(v instanceof EnvelopeText)) continue;
      if (texts === undefined) {
        texts = { at: [], labels: [] };
        values = [...chunk.values];
      }
      texts.at.push(i);
      texts.labels.push(v.label);
      values[i] = v.text;
    }
    try {
      best.worker.postMessage({ job, values, ...(texts ? { texts } : {}) } satisfies VerifyJob);
    } catch {
      // Not structured-cloneable (a function, a symbol…): check here, where the value lives.
      this.#runHere(chunk);
      return;
    }
    best.jobs.set(job, chunk);
    if (best.outstanding === 0) best.worker.ref();
    best.outstanding += chunk.values.length;
  }

  #fallback(slot: Slot): void {
    const chunks = [...slot.jobs.values()];
    slot.jobs.clear();
    slot.outstanding = 0;
    for (const c of chunks) this.#runHere(c);
  }

  #runHere(chunk: Chunk): void {
    let k = 0;
    for (const p of chunk.parts) {
      for (let i = p.from; i < p.to; i++) p.request.results[i] = CheckedEnvelope.check(chunk.values[k++]);
      this.#done(p.request, p.to - p.from);
    }
  }

  #deliver(chunk: Chunk, results: VerifyJobResult['results']): void {
    let k = 0;
    for (const p of chunk.parts) {
      for (let i = p.from; i < p.to; i++) {
        const r = results[k++]!;
        p.request.results[i] = r.ok ? CheckedEnvelope.fromCheck(r) : r;
      }
      this.#done(p.request, p.to - p.from);
    }
  }

  #done(request: Request, n: number): void {
    request.left -= n;
    if (request.left === 0) request.resolve(request.results);
  }
}

let shared: VerifyPool | undefined;

/** The process-wide pool (workers start on first use and never keep the process alive when idle). */
export function sharedVerifyPool(): VerifyPool {
  shared ??= new VerifyPool();
  return shared;
}
