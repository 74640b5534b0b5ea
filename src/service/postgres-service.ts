/**
 * A mechanism office whose log lives in PostgreSQL, so that several API nodes share one log
 * (DESIGN.md, "Scale path"). The data directory holds what is private to the office: the
 * agreement and the log's signing key (written by `phaseline init`); every node opens the same
 * data directory (or a copy) and the same database.
 *
 * Writing: `submit` queues envelopes; one drain loop per node takes everything queued and, in
 * one database transaction holding the sequencer lease (`PgLogStore.sequence`: an advisory
 * transaction lock, see that file), (1) folds into this node's engine the entries other nodes
 * appended since it last looked, (2) runs the ordinary `ingest` over a snapshot of the edge
 * tiles, so the engine admits against the whole log, (3) writes one merged batch and commits.
 * Only then are the results returned: acknowledged means durable. Many concurrent submissions
 * share one transaction and one commit (group commit).
 *
 * Reading: the engine state on each node follows the log: appends by any node arrive as
 * PostgreSQL notifications (sent inside the appending transaction, so only committed appends
 * are announced), the node folds the new entries and tells its `onAppended` listeners.
 *
 * The engine: the same {@link EngineViews} as the SQLite back end (one view per clearance, the
 * `mechanism` view judging admissions, growing collections in a record store on disk), reading
 * entries back from a local {@link EntryMirror}. Both are derived files in a directory of the
 * node's own (`cacheDir`), so a node's memory does not grow with the log either.
 *
 * The same class runs over any {@link AsyncLogStore} (`over`), e.g. the SQLite adapter in tests.
 */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgreement } from '../agreement/load.js';
import type { Agreement } from '../agreement/model.js';
import { dataDirPaths, readSignerKey } from '../datadir/data-dir.js';
import type { EngineEntry, EngineState } from '../engine/index.js';
import { type IngestResult, ingest, type SubmitGate } from '../ingest/ingest.js';
import { encodeEntryBundle, tile_level_max, tile_width } from '../log/tile.js';
import { type LogIdentity, type PendingEntry, TransparencyLog } from '../log/transparency-log.js';
import { EnvelopeText, statementId } from '../statement/envelope.js';
import { decodeEntry } from '../statement/log-entry.js';
import type { Classification, Envelope } from '../statement/types.js';
import type { AsyncLogStore } from '../store/async-log-store.js';
import { receiptOf, type SnapshotLogStore, snapshotOf } from '../store/async-log-store.js';
import type { AppendBatch, StoredTileWrite } from '../store/log-store.js';
import { PgLogStore } from '../store/postgres/pg-log-store.js';
import { EngineViews } from './engine-views.js';
import { EntryMirror } from './entry-mirror.js';
import type { AppendListener, MechanismService, StoredEntry } from './mechanism-service.js';

/** Most envelopes one group commit takes from the queue (later ones wait for the next). */
export const collectorcommit_envelopes_max = 16_384;
/** Entries read per query while catching up with the log. */
const catch_up_page_entries = 4096;

export interface PostgresServiceOptions {
  /** postgres:// URL of the shared database. */
  url: string;
  /** The data directory with the agreement and the log key (`phaseline init`). */
  dataDir: string;
  /** Schema in the database (default `public`). */
  schema?: string;
  /** See `PgLogStoreOptions.leaseIdleMs`. */
  leaseIdleMs?: number;
  /** See `PgLogStoreOptions.applicationName`. */
  applicationName?: string;
  /**
   * Where the node keeps its derived files (the entry mirror and the record store), removed at
   * close. Default: a new directory `phaseline-node-PID-*` in the system's temporary directory
   * (those of processes no longer running are removed when a node opens).
   */
  cacheDir?: string;
}

interface Submission {
  envelopes: unknown[];
  now: string;
  gate: SubmitGate | undefined;
  resolve(results: IngestResult[]): void;
  reject(e: unknown): void;
}

/** The engine of one node at `size` entries: its views over its local mirror of the log. */
class NodeEngine {
  readonly mirror: EntryMirror;
  readonly views: EngineViews;

  constructor(agreement: Agreement, dir: string) {
    this.mirror = new EntryMirror(join(dir, 'entries.db'));
    this.views = new EngineViews(agreement, this.mirror, {
      confirmStatement: (id) => this.mirror.hasStatement(id),
      records: join(dir, 'views.db'),
    });
  }

  get size(): number {
    return this.mirror.size;
  }

  push(entry: EngineEntry, id: string): void {
    this.mirror.append(entry, id);
    this.views.fold(entry, id);
  }

  /** The entries folded so far are in the log: write the mirror and the records. */
  durable(): void {
    this.mirror.flush();
    this.views.durable();
  }

  /** Admission time of the last entry (ms), or −∞ for an empty log. */
  get lastAdmittedMs(): number {
    const last = this.views.lastAdmitted;
    return last === undefined ? Number.NEGATIVE_INFINITY : Date.parse(last);
  }

  close(): void {
    this.views.close();
    this.mirror.close();
  }
}

/** A discarded engine's files stay this long for readers still holding one of its states. */
const retired_engine_ms = 60_000;

/**
 * A new cache directory for this process, after removing those of processes that no longer run
 * (a node killed with SIGKILL cannot remove its own).
 */
function newCacheDir(): string {
  let names: string[] = [];
  try {
    names = readdirSync(tmpdir());
  } catch {
    // Unreadable: nothing to clean up; creating the directory below says what is wrong.
  }
  for (const name of names) {
    const pid = Number(/^phaseline-node-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || running(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
  try {
    return mkdtempSync(join(tmpdir(), `phaseline-node-${process.pid}-`));
  } catch (e) {
    throw new Error(
      `cannot create this node's cache directory in ${tmpdir()} (${(e as Error).message}); set TMPDIR to a writable directory`,
    );
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class PostgresMechanismService implements MechanismService {
  readonly agreement: Agreement;
  readonly origin: string;
  readonly logKey: string;
  readonly store: AsyncLogStore;
  readonly #identity: LogIdentity;
  #engine: NodeEngine | undefined;
  /** Where engines keep their files (one subdirectory each); removed at close when this node made it. */
  readonly #cacheDir: string;
  readonly #ownCacheDir: boolean;
  #engines = 0;
  /** Discarded engines, whose files are closed a while later (see {@link retired_engine_ms}). */
  readonly #retired = new Map<NodeEngine, NodeJS.Timeout>();
  /** Serializes every change of the engine (catch-up, admission). */
  #engineLock: Promise<unknown> = Promise.resolve();
  /** Entries announced to listeners so far. */
  #announced = 0;
  /** Largest log size this node has heard of (its own commits and other nodes' notifications). */
  #knownSize = 0;
  readonly #listeners = new Set<AppendListener>();
  readonly #queue: Submission[] = [];
  #draining: Promise<void> | undefined;
  readonly #unwatch: () => void;
  #closed = false;

  private constructor(agreement: Agreement, identity: LogIdentity, store: AsyncLogStore, cacheDir?: string) {
    this.agreement = agreement;
    this.#ownCacheDir = cacheDir === undefined;
    this.#cacheDir = cacheDir ?? newCacheDir();
    this.origin = identity.origin;
    this.logKey = identity.signer.vkey;
    this.#identity = identity;
    this.store = store;
    this.#unwatch = store.watch((size) => {
      // Another node (or this one) appended: fold and announce. Errors surface on the next read.
      if (size <= this.#knownSize) return;
      this.#knownSize = size;
      this.#withEngine((engine) => this.#catchUp(this.store, engine)).catch(() => undefined);
    });
  }

  /** Opens a node: the data directory's agreement and log key, the log in PostgreSQL at `url`. */
  static async open(options: PostgresServiceOptions): Promise<PostgresMechanismService> {
    const store = await PgLogStore.open({
      url: options.url,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
      ...(options.leaseIdleMs === undefined ? {} : { leaseIdleMs: options.leaseIdleMs }),
      ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    });
    try {
      return await PostgresMechanismService.over(store, options.dataDir, options.cacheDir);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** A node over any asynchronous store (the store is closed with the service). */
  static async over(
    store: AsyncLogStore,
    dataDir: string,
    cacheDir?: string,
  ): Promise<PostgresMechanismService> {
    const paths = dataDirPaths(dataDir);
    if (!existsSync(paths.agreementPath))
      throw new Error(`${dataDir} has no agreement.yaml; run phaseline init --data ${dataDir} first`);
    if (!existsSync(paths.logKeyPath))
      throw new Error(`${dataDir} has no log.key; copy it from the data directory that created this log`);
    const agreement = loadAgreement(paths.agreementPath);
    const signer = readSignerKey(paths.logKeyPath);
    if (signer.name !== agreement.logOrigin) {
      throw new Error(
        `the log key of ${dataDir} is for origin ${signer.name}, but the agreement says ${agreement.logOrigin}`,
      );
    }
    const service = new PostgresMechanismService(agreement, { origin: signer.name, signer }, store, cacheDir);
    // Checks the stored checkpoint against the stored tiles and the key (TransparencyLog does).
    new TransparencyLog(await snapshotOf(store), service.#identity);
    await service.#withEngine(async (engine) => {
      service.#announced = await service.#catchUp(store, engine);
    });
    return service;
  }

  // ── engine ────────────────────────────────────────────────────────────────────────────────

  /** Runs `fn` with the engine (rebuilt from the log if a failed batch discarded it), exclusively. */
  #withEngine<T>(fn: (engine: NodeEngine) => Promise<T>): Promise<T> {
    const run = this.#engineLock.then(async () => {
      this.#engine ??= new NodeEngine(this.agreement, this.#newEngineDir());
      return fn(this.#engine);
    });
    this.#engineLock = run.catch(() => undefined);
    return run;
  }

  /** A fresh directory for the next engine's files. */
  #newEngineDir(): string {
    const dir = join(this.#cacheDir, `engine-${this.#engines++}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Discards `engine` (the next use rebuilds one from the log); its files go a while later. */
  #retire(engine: NodeEngine): void {
    if (this.#engine === engine) this.#engine = undefined;
    const timer = setTimeout(() => {
      this.#retired.delete(engine);
      engine.close();
    }, retired_engine_ms);
    timer.unref();
    this.#retired.set(engine, timer);
  }

  /** Folds the entries of `q` the engine has not seen, announces them, and returns the log size. */
  async #catchUp(q: AsyncLogStore, engine: NodeEngine): Promise<number> {
    const size = await q.size();
    while (engine.size < size) {
      const start = engine.size;
      const count = Math.min(catch_up_page_entries, size - start);
      const rows = await q.readEntries(start, count);
      const disclosures = await q.readDisclosures(start, count);
      // The ids the store recorded at append, rather than canonicalizing and hashing every
      // statement again (as the SQLite back end's replay does).
      const ids = await q.readStatementIds(start, count);
      if (rows.length !== count || ids.length !== count)
        throw new Error(`catching up: entries ${start}…${start + count - 1} are not all stored`);
      rows.forEach((bytes, k) => {
        const index = start + k;
        const e = decodeEntry(bytes, `entry ${index}`);
        let envelope: Envelope;
        if ('envelope' in e) envelope = e.envelope;
        else {
          const d = disclosures.get(index);
          if (d === undefined) throw new Error(`entry ${index}: restricted content missing from the store`);
          envelope = d.envelope;
        }
        engine.push({ index, admitted: e.admitted, envelope }, ids[k]!);
      });
      // These entries are in the log: write them out page by page, so that catching up with a
      // long log does not hold all of it in memory until the end.
      engine.durable();
    }
    this.#announce(engine.size);
    return size;
  }

  #announce(size: number): void {
    if (size > this.#knownSize) this.#knownSize = size;
    if (size <= this.#announced) return;
    const first = this.#announced;
    this.#announced = size;
    for (const l of this.#listeners) {
      try {
        l(first, size - first);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  // ── writing ───────────────────────────────────────────────────────────────────────────────

  /** Envelopes waiting for a group commit. */
  get queued(): number {
    let n = 0;
    for (const s of this.#queue) n += s.envelopes.length;
    return n;
  }

  /** A node never stays failed: after a failed commit it rebuilds its engine from the log. */
  get failure(): Error | undefined {
    return undefined;
  }

  submit(envelopes: unknown[], now: string, gate?: SubmitGate): Promise<IngestResult[]> {
    if (this.#closed) return Promise.reject(new Error('the service is closed'));
    // Checked here, not inside the batch: a failure there discards the engine for a rebuild.
    if (!Number.isFinite(Date.parse(now)))
      return Promise.reject(new RangeError(`now ${JSON.stringify(now)} is not an RFC 3339 time`));
    if (envelopes.length === 0) return Promise.resolve([]);
    // Texts are parsed here, so that the group's statement ids can be looked up in one query
    // (one that is not JSON stays a text: ingest answers it `malformed-json`).
    const values = envelopes.map((v) => {
      if (!(v instanceof EnvelopeText)) return v;
      const p = v.parse();
      return p.ok ? p.value : v;
    });
    return new Promise((resolve, reject) => {
      this.#queue.push({ envelopes: values, now, gate, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Commits queued submissions until the queue is empty; `#draining` is cleared in the same step as the emptiness check. */
  async #drain(): Promise<void> {
    await Promise.resolve(); // let submissions made in the same tick join the first group
    for (;;) {
      if (this.#queue.length === 0) {
        this.#draining = undefined;
        return;
      }
      const group: Submission[] = [];
      let n = 0;
      while (
        this.#queue.length > 0 &&
        (group.length === 0 || n + this.#queue[0]!.envelopes.length <= collectorcommit_envelopes_max)
      ) {
        const s = this.#queue.shift()!;
        group.push(s);
        n += s.envelopes.length;
      }
      try {
        const results = await this.#commitGroup(group);
        for (const [k, s] of group.entries()) s.resolve(results[k]!);
      } catch (e) {
        for (const s of group) s.reject(e);
      }
    }
  }

  /** One transaction under the sequencer lease for a group of submissions. */
  async #commitGroup(group: Submission[]): Promise<IngestResult[][]> {
    const ids: string[] = [];
    for (const s of group) {
      for (const value of s.envelopes) {
        try {
          ids.push(statementId((value as Envelope).statement));
        } catch {
          // Not an envelope: ingest rejects it before any lookup.
        }
      }
    }
    let size = 0;
    const results = await this.store.sequence((tx) =>
      this.#withEngine(async (engine) => {
        try {
          await this.#catchUp(tx, engine);
          const snapshot = await snapshotOf(tx, { statementIds: ids });
          if (snapshot.size() !== engine.size)
            throw new Error(`the log has ${snapshot.size()} entries but the engine folded ${engine.size}`);
          // Every submission of the group is judged in turn (each at its own time) against the
          // engine, and what they admit becomes one tree update and one signed checkpoint.
          const collector = new GroupAppender(snapshot);
          const out: IngestResult[][] = [];
          for (const s of group) {
            out.push(
              ingest(collector.asLog(), s.envelopes, {
                now: this.#admissionTime(engine, s.now),
                admit: (envelope, at) => engine.views.admit(envelope, at),
                ...(s.gate ? { gate: s.gate } : {}),
                onAccepted: (envelope, index, admitted, id) => engine.push({ index, admitted, envelope }, id),
              }),
            );
          }
          if (collector.pending.length > 0) {
            new TransparencyLog(snapshot, this.#identity).append(collector.pending);
            await tx.append(mergeBatches(snapshot.staged));
          }
          size = snapshot.size();
          return out;
        } catch (e) {
          // Entries folded tentatively may never commit: rebuild the engine from the log.
          this.#retire(engine);
          throw e;
        }
      }),
    );
    // Committed: announce (the notification will come too; announcing is idempotent).
    await this.#withEngine(async (engine) => {
      engine.durable();
      this.#announce(size);
    });
    return results;
  }

  /**
   * Admission times never decrease along the log (the engine relies on it). A node whose clock
   * is behind the last admission (another node's, a few ms ahead) admits at that time instead.
   */
  #admissionTime(engine: NodeEngine, now: string): string {
    const last = engine.lastAdmittedMs;
    const t = Date.parse(now);
    if (!Number.isFinite(t)) throw new RangeError(`now ${JSON.stringify(now)} is not an RFC 3339 time`);
    return t >= last ? now : new Date(last).toISOString();
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  size(): Promise<number> {
    return this.store.size();
  }

  receipt(index: number): Promise<string> {
    return receiptOf(this.store, this.#identity, index);
  }

  checkpoint(): Promise<string | undefined> {
    return this.store.checkpoint();
  }

  async tile(level: number, index: number, width: number): Promise<Buffer | undefined> {
    if (!validTile(level, index, width)) return undefined;
    const bytes = await this.store.readTile(level, index);
    if (bytes === undefined || bytes.length < width * 32) return undefined;
    return bytes.subarray(0, width * 32);
  }

  async entryBundle(index: number, width: number): Promise<Buffer | undefined> {
    if (!validTile(0, index, width)) return undefined;
    const entries = await this.store.readEntries(index * tile_width, width);
    if (entries.length < width) return undefined;
    return encodeEntryBundle(entries);
  }

  async entry(index: number, withDisclosure: boolean): Promise<StoredEntry | undefined> {
    if (!Number.isSafeInteger(index) || index < 0) return undefined;
    const [bytes] = await this.store.readEntries(index, 1);
    if (bytes === undefined) return undefined;
    if (!withDisclosure) return { index, bytes };
    const disclosure = await this.store.disclosure(index);
    return disclosure === undefined ? { index, bytes } : { index, bytes, disclosure };
  }

  indexOfStatement(statementId: string): Promise<number | undefined> {
    if (!/^[0-9a-f]{64}$/.test(statementId)) return Promise.resolve(undefined);
    return this.store.indexOfStatement(statementId);
  }

  spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): Promise<boolean> {
    return this.store.spendNonce(scope, nonce, expiresMs, nowMs);
  }

  /**
   * State at `at` from this node's engine. It includes everything this node admitted and every
   * append by another node whose notification has arrived (milliseconds after its commit); it
   * never includes a batch that has not committed (reads wait while this node commits one).
   */
  stateAt(at: string, clearance: Classification): Promise<EngineState> {
    return this.#withEngine(async (engine) => {
      if (this.#knownSize > engine.size) await this.#catchUp(this.store, engine);
      return engine.views.stateAt(at, clearance);
    });
  }

  onAppended(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
    this.#unwatch();
    await this.#engineLock;
    await this.store.close();
    for (const [engine, timer] of this.#retired) {
      clearTimeout(timer);
      engine.close();
    }
    this.#retired.clear();
    this.#engine?.close();
    this.#engine = undefined;
    if (this.#ownCacheDir) rmSync(this.#cacheDir, { recursive: true, force: true });
  }
}

function validTile(level: number, index: number, width: number): boolean {
  return (
    Number.isInteger(level) &&
    level >= 0 &&
    level <= tile_level_max &&
    Number.isSafeInteger(index) &&
    index >= 0 &&
    Number.isInteger(width) &&
    width >= 1 &&
    width <= tile_width
  );
}

/**
 * What `ingest` needs of a log (its store for duplicate lookups, its size, `append`), collecting
 * the appended entries instead of hashing and signing them, so that a group of submissions costs
 * one tree update and one checkpoint signature. Entries keep the indexes ingest gave them: they
 * are appended to the real log in the same order, starting at the same size.
 */
class GroupAppender {
  readonly pending: PendingEntry[] = [];
  readonly #snapshot: SnapshotLogStore;
  readonly #base: number;

  constructor(snapshot: SnapshotLogStore) {
    this.#snapshot = snapshot;
    this.#base = snapshot.size();
  }

  asLog(): TransparencyLog {
    const self = this;
    const view = {
      store: this.#snapshot,
      get size() {
        return self.#base + self.pending.length;
      },
      append(entries: PendingEntry[]): number {
        const first = self.#base + self.pending.length;
        self.pending.push(...entries);
        return first;
      },
    };
    // ingest reads only `store`, `size` and `append` (src/ingest/ingest.ts); its parameter type
    // is the class, so the structural view needs a cast until ingest takes a narrower type.
    return view as unknown as TransparencyLog;
  }
}

/**
 * Several consecutive batches as one: the entries in order, each tile at its last (longest)
 * version, the last checkpoint. The intermediate checkpoints were never published, so writing
 * only the last is the same log with one write instead of many.
 */
function mergeBatches(batches: readonly AppendBatch[]): AppendBatch {
  if (batches.length === 1) return batches[0]!;
  const tiles = new Map<string, StoredTileWrite>();
  for (const b of batches) for (const t of b.tiles) tiles.set(`${t.level}/${t.index}`, t);
  return {
    firstIndex: batches[0]!.firstIndex,
    entries: batches.flatMap((b) => b.entries),
    meta: batches.flatMap((b) => b.meta),
    disclosures: batches.flatMap((b) => b.disclosures),
    tiles: [...tiles.values()],
    checkpoint: batches[batches.length - 1]!.checkpoint,
  };
}
