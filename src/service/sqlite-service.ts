/**
 * The embedded back end of {@link MechanismService}: one process, one SQLite file.
 *
 * Sequencing is an in-process queue: concurrent `submit` calls are group-committed, that is
 * drained together into one `ingest` call per tick (one durable SQLite transaction, one signed
 * checkpoint), and each caller is resolved with its own results only after that commit. A large
 * submission is split over several ticks of at most `group_statements_max` envelopes so that a
 * 100,000-line batch never blocks the event loop for seconds.
 *
 * The engine (the clearance views, the door's memory, the record store) is {@link EngineViews},
 * which reads entries back from this log file.
 */

import { existsSync } from 'node:fs';
import { loadAgreement } from '../agreement/load.js';
import type { Agreement } from '../agreement/model.js';
import { type DataDir, dataDirPaths, readSignerKey } from '../datadir/data-dir.js';
import type { EngineState } from '../engine/index.js';
import { type IngestResult, ingest, type SubmitGate } from '../ingest/ingest.js';
import { type HashReader, inclusionProof } from '../log/proof.js';
import { formatReceipt } from '../log/receipt.js';
import { encodeEntryBundle, tile_width } from '../log/tile.js';
import { TransparencyLog } from '../log/transparency-log.js';
import { storedEngineEntries, storedEngineEntriesWithIds } from '../mechanism/mechanism.js';
import { CheckedEnvelope } from '../statement/envelope.js';
import { decodeEntry } from '../statement/log-entry.js';
import type { Classification } from '../statement/types.js';
import { type PoolVerdict, sharedVerifyPool, VerifyPool } from '../statement/verify-pool.js';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.js';
import type { FoldedLog } from './clearance-view.js';
import { EngineViews } from './engine-views.js';
import type { AppendListener, MechanismService, StoredEntry } from './mechanism-service.js';

/** Named limits of the SQLite service, with their defaults. */
export interface SqliteServiceOptions {
  /** Envelopes ingested in one tick (one transaction, one checkpoint). Default 4,096. */
  group_statements_max?: number;
  /** Envelopes waiting to be sequenced; a submission beyond it is answered `overloaded`. Default 262,144. */
  queue_statements_max?: number;
  /** Entries between state snapshots of each view at first (default: the view's, see clearance-view.ts). */
  snapshot_interval_entries?: number;
  /**
   * Where the views keep the state's growing collections (incidents, strikes, findings, units):
   * a SQLite file rebuilt at each start (default DBPATH with `.views.db` for `.db`), or
   * `memory`. On disk, memory no longer grows with the number of incidents.
   */
  records?: 'disk' | 'memory';
  /**
   * Worker threads verifying signatures before envelopes enter the sequencer queue; 0 verifies
   * on the sequencing thread. Default: the process-wide pool (`os.availableParallelism()` workers).
   */
  verify_workers?: number;
}

export const sqlite_service_defaults: Required<
  Omit<SqliteServiceOptions, 'verify_workers' | 'snapshot_interval_entries'>
> = {
  group_statements_max: 4096,
  queue_statements_max: 262_144,
  records: 'disk',
};

/** The record store file beside a log database: `log.db` → `log.views.db`. */
export function recordStorePath(dbPath: string): string {
  if (dbPath === ':memory:') return dbPath;
  return dbPath.endsWith('.db') ? `${dbPath.slice(0, -3)}.views.db` : `${dbPath}.views.db`;
}

interface Job {
  envelopes: unknown[];
  now: string;
  results: IngestResult[];
  /** Envelopes handed to a tick so far, and envelopes whose tick committed. */
  taken: number;
  done: number;
  resolve: (r: IngestResult[]) => void;
  reject: (e: Error) => void;
}

export interface OpenSqliteServiceOptions extends SqliteServiceOptions {
  /** SQLite file; default DIR/log.db. */
  dbPath?: string;
}

export class SqliteMechanismService implements MechanismService {
  readonly agreement: Agreement;
  readonly origin: string;
  readonly logKey: string;
  readonly paths: DataDir;
  readonly log: TransparencyLog;
  readonly #engine: EngineViews;
  readonly #options: Required<Omit<SqliteServiceOptions, 'verify_workers' | 'snapshot_interval_entries'>> &
    Pick<SqliteServiceOptions, 'snapshot_interval_entries'>;
  readonly #pool: VerifyPool;
  readonly #ownPool: boolean;
  /** Submissions being verified, in submission order: they enter the queue in that order. */
  #verifying: { n: number; ready?: () => void }[] = [];
  #verifyingCount = 0;
  #receipts: { size: number; checkpoint: string; read: HashReader } | undefined;
  #verified: Promise<void> | undefined;
  #verifiedResolve: (() => void) | undefined;
  readonly #listeners = new Set<AppendListener>();
  #queue: Job[] = [];
  #queued = 0;
  #scheduled = false;
  #draining: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  #failed: Error | undefined;
  #closed = false;

  private constructor(
    paths: DataDir,
    agreement: Agreement,
    log: TransparencyLog,
    logKey: string,
    options: SqliteServiceOptions,
  ) {
    this.paths = paths;
    this.agreement = agreement;
    this.log = log;
    this.origin = log.origin;
    this.logKey = logKey;
    this.#options = { ...sqlite_service_defaults, ...options };
    this.#ownPool = options.verify_workers !== undefined;
    this.#pool =
      options.verify_workers === undefined
        ? sharedVerifyPool()
        : new VerifyPool({ workers: options.verify_workers });
    // Admission times are read back from the log (a past state's binary search reads ~20
    // entries) rather than kept: 8 bytes an entry is 8 MB at a million.
    const folded: FoldedLog = {
      admittedMs: (i) => Date.parse(decodeEntry(log.store.readEntries(i, 1)[0]!, `entry ${i}`).admitted),
      entries: (from, to) => storedEngineEntries(log.store, from, to),
    };
    this.#engine = new EngineViews(agreement, folded, {
      confirmStatement: (id) => log.store.indexOfStatement(id) !== undefined,
      records: this.#options.records === 'disk' ? recordStorePath(paths.dbPath) : undefined,
      ...(this.#options.snapshot_interval_entries !== undefined
        ? { snapshot_interval_entries: this.#options.snapshot_interval_entries }
        : {}),
    });
    // Replay the stored log into every view (restricted entries opened with their disclosures).
    for (const [entry, id] of storedEngineEntriesWithIds(log.store)) {
      this.#engine.fold(entry, id);
      // Bound the pending record versions while a large log is replayed.
      if (entry.index % 4096 === 4095) this.#engine.durable();
    }
    this.#engine.durable();
  }

  /**
   * Opens the data directory `dir` (initialized by `phaseline init`): its agreement, log key
   * and SQLite log (`dbPath`, default DIR/log.db).
   */
  static open(dir: string, options: OpenSqliteServiceOptions = {}): SqliteMechanismService {
    const paths = { ...dataDirPaths(dir), ...(options.dbPath ? { dbPath: options.dbPath } : {}) };
    if (!existsSync(paths.agreementPath))
      throw new Error(`${dir} has no agreement.yaml; run phaseline init --data ${dir} first`);
    if (!existsSync(paths.logKeyPath))
      throw new Error(`${dir} has no log.key; run phaseline init --data ${dir} first`);
    const agreement = loadAgreement(paths.agreementPath);
    const signer = readSignerKey(paths.logKeyPath);
    if (signer.name !== agreement.logOrigin)
      throw new Error(
        `the log key of ${dir} is for origin ${signer.name}, but the agreement says ${agreement.logOrigin}`,
      );
    const store = new SqliteLogStore(paths.dbPath);
    try {
      const log = new TransparencyLog(store, { origin: signer.name, signer });
      return new SqliteMechanismService(paths, agreement, log, signer.vkey, options);
    } catch (e) {
      store.close();
      throw e;
    }
  }

  /** Statements left out of a lower view because they depend on content above it. */
  skipped(clearance: Classification): number {
    return this.#engine.skipped(clearance);
  }

  async size(): Promise<number> {
    return this.log.size;
  }

  /** Envelopes waiting to be sequenced. */
  get queued(): number {
    return this.#queued;
  }

  /** Set when a write failed: the service then refuses every submission (restart the process). */
  get failure(): Error | undefined {
    return this.#failed;
  }

  /**
   * Verifies the envelopes' signatures in the verification pool, then queues those that pass
   * for the next group commit (in submission order); the engine's door then skips only the
   * signature checks for them.
   */
  submit(envelopes: unknown[], now: string, gate?: SubmitGate): Promise<IngestResult[]> {
    if (this.#closed) return Promise.reject(new Error('the service is shutting down'));
    if (this.#failed) return Promise.reject(new Error(`the log is unusable: ${this.#failed.message}`));
    if (envelopes.length === 0) return Promise.resolve([]);
    const waiting = this.#queued + this.#verifyingCount;
    if (waiting + envelopes.length > this.#options.queue_statements_max) {
      return Promise.resolve(
        envelopes.map(() => ({
          ok: false as const,
          code: 'overloaded',
          message: `the sequencer queue is full (${waiting} statements waiting, queue_statements_max ${this.#options.queue_statements_max}); retry in a few seconds`,
        })),
      );
    }
    const turn: { n: number; ready?: () => void } = { n: envelopes.length };
    this.#verifying.push(turn);
    this.#verifyingCount += envelopes.length;
    return new Promise((resolve, reject) => {
      void this.#pool.verify(envelopes).then((verdicts) => {
        turn.ready = () => this.#enqueue(verdicts, now, gate, resolve, reject);
        // Queue every leading submission whose verification is done, keeping submission order.
        while (this.#verifying[0]?.ready !== undefined) {
          const t = this.#verifying.shift()!;
          this.#verifyingCount -= t.n;
          t.ready!();
        }
        if (this.#verifying.length === 0 && this.#verifiedResolve) {
          const r = this.#verifiedResolve;
          this.#verified = undefined;
          this.#verifiedResolve = undefined;
          r();
        }
      });
    });
  }

  #enqueue(
    verdicts: PoolVerdict[],
    now: string,
    gate: SubmitGate | undefined,
    resolve: (r: IngestResult[]) => void,
    reject: (e: Error) => void,
  ): void {
    if (this.#failed) {
      reject(new Error(`the log is unusable: ${this.#failed.message}`));
      return;
    }
    const results: IngestResult[] = new Array(verdicts.length);
    const checked: CheckedEnvelope[] = [];
    const positions: number[] = [];
    for (const [i, v] of verdicts.entries()) {
      if (v instanceof CheckedEnvelope) {
        const g = gate?.(v.envelope);
        if (g !== undefined) {
          results[i] = { ok: false, ...g };
          continue;
        }
        checked.push(v);
        positions.push(i);
      } else results[i] = { ok: false, code: v.code, message: v.message };
    }
    if (checked.length === 0) {
      resolve(results);
      return;
    }
    this.#queue.push({
      envelopes: checked,
      now,
      results: new Array(checked.length),
      taken: 0,
      done: 0,
      resolve: (r) => {
        for (const [k, i] of positions.entries()) results[i] = r[k]!;
        resolve(results);
      },
      reject,
    });
    this.#queued += checked.length;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#tick());
  }

  /** One group commit: up to `group_statements_max` envelopes from the head of the queue. */
  #tick(): void {
    this.#scheduled = false;
    const max = this.#options.group_statements_max;
    const parts: { job: Job; from: number; to: number }[] = [];
    const batch: unknown[] = [];
    // The log's clock never runs backwards: admission times are non-decreasing by index.
    let now = this.#engine.lastAdmitted ?? '';
    while (this.#queue.length > 0 && batch.length < max) {
      const job = this.#queue[0]!;
      const take = Math.min(job.envelopes.length - job.taken, max - batch.length);
      parts.push({ job, from: job.taken, to: job.taken + take });
      for (let i = job.taken; i < job.taken + take; i++) batch.push(job.envelopes[i]);
      job.taken += take;
      if (job.now > now) now = job.now;
      if (job.taken === job.envelopes.length) this.#queue.shift();
    }
    this.#queued -= batch.length;
    if (batch.length === 0) {
      this.#settled();
      return;
    }
    const first = this.log.size;
    let results: IngestResult[];
    try {
      results = ingest(this.log, batch, {
        now,
        admit: (envelope, at, verified) => this.#engine.admit(envelope, at, verified),
        // The door's memory holds the id of every entry in the log (folded at open and on acceptance).
        admitRejectsLoggedIds: true,
        onAccepted: (envelope, index, admitted, id) => this.#engine.fold({ index, admitted, envelope }, id),
      });
    } catch (e) {
      // The views may now hold entries the log does not: nothing may be admitted any more.
      this.#failed = e as Error;
      const err = new Error(
        `the log write failed; nothing in this batch was acknowledged: ${(e as Error).message}`,
      );
      for (const p of parts) p.job.reject(err);
      for (const j of this.#queue) j.reject(err);
      this.#queue = [];
      this.#queued = 0;
      this.#settled();
      return;
    }
    // Durable from here: every result below is covered by the new signed checkpoint.
    this.#engine.durable();
    let k = 0;
    for (const p of parts) {
      for (let i = p.from; i < p.to; i++) p.job.results[i] = results[k++]!;
      p.job.done += p.to - p.from;
      if (p.job.done === p.job.envelopes.length) p.job.resolve(p.job.results);
    }
    const count = this.log.size - first;
    if (count > 0) {
      for (const l of this.#listeners) {
        try {
          l(first, count);
        } catch {
          // A listener's failure must not undo or delay an acknowledged commit.
        }
      }
    }
    if (this.#queue.length > 0) this.#schedule();
    else this.#settled();
  }

  #settled(): void {
    if (this.#queue.length === 0 && this.#drained) {
      const d = this.#drained;
      this.#drained = undefined;
      this.#draining = undefined;
      d();
    }
  }

  /**
   * A receipt against the latest checkpoint. The many receipts of one group commit share that
   * checkpoint and most of their proof hashes (the right edge of the tree, partial tiles), so
   * both are kept, per log size, until the log grows.
   */
  async receipt(index: number): Promise<string> {
    const size = this.log.size;
    let r = this.#receipts;
    if (r === undefined || r.size !== size) {
      const checkpoint = this.log.checkpoint();
      if (checkpoint === undefined || index >= size) return this.log.receipt(index);
      const read = this.log.hashReader(size);
      const memo = new Map<number, Buffer>();
      r = {
        size,
        checkpoint,
        read: (level, i) => {
          const key = level * 2 ** 40 + i;
          let h = memo.get(key);
          if (h === undefined) {
            h = read(level, i);
            memo.set(key, h);
          }
          return h;
        },
      };
      this.#receipts = r;
    }
    if (index < 0 || index >= size) return this.log.receipt(index);
    return formatReceipt({ index, proof: inclusionProof(index, size, r.read), checkpoint: r.checkpoint });
  }

  async checkpoint(): Promise<string | undefined> {
    return this.log.checkpoint();
  }

  /**
   * Hash tile bytes as `phaseline log export` writes them: a full tile as stored; a partial
   * tile of width W as the first W hashes of the stored tile, valid while W is at most the
   * tile's current width (tiles only grow by appending, so the prefix never changes).
   */
  async tile(level: number, index: number, width: number): Promise<Buffer | undefined> {
    const size = this.log.size;
    const hashes = Math.floor(size / tile_width ** level);
    const current = Math.min(tile_width, hashes - index * tile_width);
    if (current < width || width < 1) return undefined;
    const bytes = this.log.store.readTile(level, index);
    if (bytes === undefined || bytes.length < width * 32) return undefined;
    return bytes.subarray(0, width * 32);
  }

  /** An entry bundle as exported: entries index·256 … index·256+width−1, each uint16-length prefixed. */
  async entryBundle(index: number, width: number): Promise<Buffer | undefined> {
    const start = index * tile_width;
    if (width < 1 || width > tile_width || start + width > this.log.size) return undefined;
    const entries = this.log.store.readEntries(start, width);
    if (entries.length !== width) return undefined;
    return encodeEntryBundle(entries);
  }

  async entry(index: number, withDisclosure: boolean): Promise<StoredEntry | undefined> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.log.size) return undefined;
    const bytes = this.log.store.readEntries(index, 1)[0];
    if (bytes === undefined) return undefined;
    if (!withDisclosure) return { index, bytes };
    const disclosure = this.log.store.disclosure(index);
    return disclosure === undefined ? { index, bytes } : { index, bytes, disclosure };
  }

  async spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): Promise<boolean> {
    const store = this.log.store;
    if (store.spendNonce === undefined) throw new Error('the log store cannot record nonces');
    return store.spendNonce(scope, nonce, expiresMs, nowMs);
  }

  async indexOfStatement(id: string): Promise<number | undefined> {
    return this.log.store.indexOfStatement(id);
  }

  async stateAt(at: string, clearance: Classification): Promise<EngineState> {
    return this.#engine.stateAt(at, clearance);
  }

  onAppended(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Waits until every submission made so far is verified and committed (or failed). */
  async drain(): Promise<void> {
    if (this.#verifying.length > 0) {
      this.#verified ??= new Promise<void>((resolve) => {
        this.#verifiedResolve = resolve;
      });
      await this.#verified;
    }
    if (this.#queue.length === 0 && !this.#scheduled) return;
    this.#draining ??= new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
    return this.#draining;
  }

  /** Stops taking submissions, finishes the queued ones, and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.drain();
    this.#listeners.clear();
    if (this.#ownPool) await this.#pool.close();
    this.log.store.close();
    this.#engine.close();
  }
}
