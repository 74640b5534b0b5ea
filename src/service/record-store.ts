/**
 * The engine state's growing collections (units, incidents, strikes, findings) kept on disk,
 * so that a server with a million statements in its log does not hold a million records in
 * memory (issue: resident memory of `serve` under 300 MB). The small parts of the state stay in
 * memory; the engine reads and writes them through its `Records` interface (src/engine/records.ts).
 *
 * Every write is a new version of a record, tagged with the log index of the entry whose fold
 * wrote it. Because records are immutable once stored, "the collection as it was before entry
 * n" is a query (`from_idx < n`), which is how snapshots for `stateAt` in the past cost nothing
 * here. The file is derived data: it is rebuilt from the log each time the service opens it,
 * so it runs without a journal or fsync.
 *
 * Writes are buffered and flushed in one transaction per group commit; reads go through a small
 * cache of recent records, then the pending writes, then the file. The views of one kind of
 * record (each clearance's incidents, say) share rows: a version that several views wrote
 * alike, as they do for every public statement, is one row whose `views` bits name them all.
 * Whether views wrote alike is decided as they write (a comparison of the values, see
 * {@link sameJson}), so each shared version becomes JSON once, at the flush: one text per
 * view cost more than the SQLite rows (bench/sequencer.ts, docs/performance.md).
 * An existence filter per view (64-bit id fingerprints) answers "no such record" without a
 * query, which is what the door asks for every new incident and strike. Per view, not per kind:
 * with one filter for all views, the id a public statement had just added in one view sent
 * the other views' lookups of it to the file, a query each that found nothing.
 */
import type Database from 'better-sqlite3';
import { FingerprintSet, fnv64, OverlayRecords, type Records } from '../engine/index.js';
import { closeDerivedDatabase, openDerivedDatabase } from './derived-database.js';

/** Records kept in the cache of each collection. */
const cache_records_max = 512;

/**
 * A version of one record written while one log entry was folded, shared by the views that
 * wrote it: each distinct value with the bits of the views whose last write it was, and the
 * bits of the views for which it is their first version of the record.
 */
interface PendingRow {
  id: string;
  from: number;
  values: { value: unknown; views: number }[];
  firstViews: number;
}

/** One kind of record (say, incidents): its views' collections and their unflushed versions. */
interface Kind {
  no: number;
  collections: LiveRecords<unknown>[];
  /** Versions not yet in the file, in write order. */
  pending: PendingRow[];
  /** The entry whose fold wrote the last pending rows, and where in `pending` its rows start. */
  entryFrom: number;
  entryStart: number;
}

/** One SQLite file holding the growing collections of several engine states. */
export class RecordStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmts;
  readonly #kinds = new Map<string, Kind>();
  /** The kinds by number. */
  readonly #byNo: Kind[] = [];
  /** Pending rows of every kind. */
  #pendingRows = 0;

  /** Opens (recreating) the file at `path`; `:memory:` keeps it in memory (tests). */
  constructor(path: string) {
    this.path = path;
    // Derived data, rebuilt on open: no journal, no fsync.
    this.#db = openDerivedDatabase(path);
    // A rowid table appends each version at the end of the file; only the small index entries
    // land at random places. Keyed WITHOUT ROWID, the whole ~0.5 KB row went there instead, and
    // an insert cost 12 µs instead of 4 (a micro-benchmark of 30,000 incidents; docs/performance.md).
    this.#db.exec(`CREATE TABLE records (
      kind INTEGER NOT NULL,
      id TEXT NOT NULL,
      from_idx INTEGER NOT NULL,
      views INTEGER NOT NULL,
      json TEXT NOT NULL
    );
    CREATE UNIQUE INDEX records_version ON records (kind, id, from_idx, views);
    -- Where each view's first version of each record is: the order of a collection's listing,
    -- which listings and pages walk in this key's order instead of grouping every version.
    CREATE TABLE firsts (
      kind INTEGER NOT NULL,
      first_idx INTEGER NOT NULL,
      id TEXT NOT NULL,
      views INTEGER NOT NULL,
      PRIMARY KEY (kind, first_idx, id)
    ) WITHOUT ROWID`);
    // Parameters: kind, view bit, before (the page names them, and its limit and offset).
    this.#stmts = {
      put: this.#db.prepare(
        'INSERT OR REPLACE INTO records (kind, id, from_idx, views, json) VALUES (?, ?, ?, ?, ?)',
      ),
      get: this.#db
        .prepare(
          `SELECT json FROM records WHERE kind = ? AND id = ? AND views & ? AND from_idx < ?
           ORDER BY from_idx DESC LIMIT 1`,
        )
        .pluck(),
      putFirst: this.#db.prepare(
        `INSERT INTO firsts (kind, first_idx, id, views) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, first_idx, id) DO UPDATE SET views = views | excluded.views`,
      ),
      // The latest version before `from_idx` of each id, in the order the view first stored
      // them (walking `firsts` in its key's order): `limit` of them (−1: all) from `offset`.
      page: this.#db.prepare(
        `SELECT f.id AS id,
                (SELECT r.json FROM records r
                  WHERE r.kind = @kind AND r.id = f.id AND r.views & @bit AND r.from_idx < @before
                  ORDER BY r.from_idx DESC LIMIT 1) AS json
           FROM firsts f
          WHERE f.kind = @kind AND f.views & @bit AND f.first_idx < @before
          ORDER BY f.first_idx, f.id LIMIT @limit OFFSET @offset`,
      ),
      count: this.#db
        .prepare('SELECT count(*) FROM firsts WHERE kind = ? AND views & ? AND first_idx < ?')
        .pluck(),
    };
  }

  /**
   * The live collection of records of `kind` (say, incidents) of view number `view` (0–30).
   * The views of one kind share rows; each has its own existence filter, about 8 bytes an id.
   */
  collection<T>(kind: string, view: number): LiveRecords<T> {
    if (!Number.isInteger(view) || view < 0 || view > 30) throw new RangeError(`record view ${view}: 0–30`);
    let k = this.#kinds.get(kind);
    if (k === undefined) {
      k = { no: this.#kinds.size, collections: [], pending: [], entryFrom: -1, entryStart: 0 };
      this.#kinds.set(kind, k);
      this.#byNo.push(k);
    }
    const c = new LiveRecords<T>(this, k.no, 1 << view);
    k.collections.push(c as LiveRecords<unknown>);
    return c;
  }

  /**
   * @internal View `bit` wrote `value` as the version of record `id` of kind `kind` while entry
   * `from` was folded (`first`: the view had no version of it before).
   *
   * The views fold an entry one after another, so the rows of the entry being folded are the
   * last pending ones: a view's write joins a value another view wrote alike for the same
   * entry (as the three clearance views do for every public statement), and the value is
   * turned into JSON once, at the flush. "Alike" is {@link sameJson}, a comparison that
   * allocates nothing: with one JSON text per view, the texts cost more than the SQLite rows.
   */
  write(kind: number, bit: number, id: string, from: number, value: unknown, first: boolean): void {
    const k = this.#byNo[kind]!;
    if (from !== k.entryFrom) {
      k.entryFrom = from;
      k.entryStart = k.pending.length;
    }
    let row: PendingRow | undefined;
    for (let i = k.entryStart; i < k.pending.length; i++) {
      if (k.pending[i]!.id === id) {
        row = k.pending[i]!;
        break;
      }
    }
    if (row === undefined) {
      row = { id, from, values: [], firstViews: 0 };
      k.pending.push(row);
      this.#pendingRows++;
    }
    if (first) row.firstViews |= bit;
    let same: { value: unknown; views: number } | undefined;
    for (const v of row.values) {
      // A view that writes the same record twice in one entry keeps its last value.
      v.views &= ~bit;
      if (same === undefined && sameJson(v.value, value)) same = v;
    }
    if (same === undefined) row.values.push({ value, views: bit });
    else same.views |= bit;
  }

  /**
   * @internal Forgets what view `bit` wrote while entry `from` was folded (its fold failed), and
   * returns the ids it had written, each with whether it was the view's first version.
   */
  unwrite(kind: number, bit: number, from: number): { id: string; first: boolean }[] {
    const k = this.#byNo[kind]!;
    const written: { id: string; first: boolean }[] = [];
    for (let i = k.pending.length - 1; i >= 0 && k.pending[i]!.from >= from; i--) {
      const row = k.pending[i]!;
      if (row.from !== from) continue;
      // The view's last write of the id holds its bit (an earlier write of it in the same entry
      // gave the bit up), and `firstViews` keeps whether the first write was new to the view.
      let wrote = (row.firstViews & bit) !== 0;
      for (const v of row.values) {
        if ((v.views & bit) !== 0) wrote = true;
        v.views &= ~bit;
      }
      if (wrote) written.push({ id: row.id, first: (row.firstViews & bit) !== 0 });
      row.firstViews &= ~bit;
    }
    return written;
  }

  /** @internal View `bit`'s latest pending version of `id` written before entry `before`, if any. */
  pendingBefore(kind: number, bit: number, id: string, before: number): { value: unknown } | undefined {
    const rows = this.#byNo[kind]!.pending;
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i]!;
      if (row.id !== id || row.from >= before) continue;
      for (const v of row.values) if ((v.views & bit) !== 0) return { value: v.value };
    }
    return undefined;
  }

  /**
   * Writes every pending version in one transaction: each (kind, id, entry) once per distinct
   * value, with the bits of the views that wrote it.
   */
  flush(): void {
    const kinds = this.#byNo;
    if (this.#pendingRows === 0) return;
    this.#db.transaction(() => {
      for (const k of kinds) {
        for (const row of k.pending) {
          for (const { value, views } of row.values)
            if (views !== 0) this.#stmts.put.run(k.no, row.id, row.from, views, JSON.stringify(value));
          if (row.firstViews !== 0) this.#stmts.putFirst.run(k.no, row.from, row.id, row.firstViews);
        }
      }
    })();
    this.#pendingRows = 0;
    for (const k of kinds) {
      k.pending = [];
      k.entryFrom = -1;
      k.entryStart = 0;
      for (const c of k.collections) c.flushed();
    }
  }

  /**
   * {@link flush} once at least `rows` versions are pending. The file is derived data, so when
   * it is written changes nothing a reader sees (pending versions are read from memory); what it
   * changes is the cost: each flush is a transaction that writes every page it dirtied, one page
   * of the id index per new record, so a group commit of 20 statements flushed alone paid
   * ~20 µs a statement against ~10 in batches of 1,000 (bench/sequencer.ts --batch 1).
   */
  flushOver(rows: number): void {
    if (this.#pendingRows >= rows) this.flush();
  }

  /** Versions written and not yet in the file. */
  get pendingRows(): number {
    return this.#pendingRows;
  }

  /** @internal The latest version of `id` in view `bit` before entry `before`, from the file. */
  read(kind: number, bit: number, id: string, before: number): unknown {
    const json = this.#stmts.get.get(kind, id, bit, before) as string | undefined;
    return json === undefined ? undefined : JSON.parse(json);
  }

  /** @internal Every id's latest version in view `bit` before entry `before`, in first-stored order. */
  *list(kind: number, bit: number, before: number): Generator<[string, unknown]> {
    for (const row of this.#stmts.page.iterate({ kind, bit, before, limit: -1, offset: 0 }) as Iterable<{
      id: string;
      json: string;
    }>)
      yield [row.id, JSON.parse(row.json)];
  }

  /** @internal `limit` ids' latest versions before entry `before`, from position `offset` of {@link list}'s order. */
  page(kind: number, bit: number, before: number, offset: number, limit: number): [string, unknown][] {
    const rows = this.#stmts.page.all({ kind, bit, before, limit, offset }) as { id: string; json: string }[];
    return rows.map((r) => [r.id, JSON.parse(r.json)]);
  }

  /** @internal Number of ids with a version in view `bit` before entry `before`. */
  count(kind: number, bit: number, before: number): number {
    return this.#stmts.count.get(kind, bit, before) as number;
  }

  close(): void {
    closeDerivedDatabase(this.#db, this.path);
  }
}

/**
 * One growing collection of one engine state, on disk: the engine's `Records` over this store.
 * The owner calls `begin(index)` before each fold: the writes that follow are versions of that
 * log entry.
 */
export class LiveRecords<T> implements Records<T> {
  /** Log index of the entry being (or last) folded: the version tag of writes; −1 before any. */
  cursor = -1;
  readonly #store: RecordStore;
  readonly #kind: number;
  /** This view's bit in the rows' `views`. */
  readonly bit: number;
  /** id → this view's latest version not yet in the file. */
  readonly #latest = new Map<string, T>();
  readonly #cache = new Map<string, T>();
  /** The last id {@link get} found absent; any write of it since clears this. */
  #lastMiss: string | undefined;
  /**
   * Ids with a version in this view, counted as they are written (the file starts empty), so
   * that counting the collection now is not a scan of the kind (55 ms at 160,000 incidents).
   */
  #count = 0;
  /** Ids that may be stored (a hit is confirmed by a read; a miss is certain). */
  readonly #known: { has(id: string): boolean; add(id: string): void };

  constructor(store: RecordStore, kind: number, bit: number) {
    this.#store = store;
    const filter = new FingerprintSet(2);
    this.#kind = kind;
    this.bit = bit;
    this.#known = {
      has: (id) => {
        const [hi, lo] = fnv64(id);
        return filter.has(hi, lo);
      },
      add: (id) => {
        const [hi, lo] = fnv64(id);
        filter.add(hi, lo);
      },
    };
  }

  get(id: string): T | undefined {
    const v = this.#lookup(id);
    if (v === undefined) this.#lastMiss = id;
    return v;
  }

  #lookup(id: string): T | undefined {
    if (!this.#known.has(id)) return undefined;
    let v = this.#latest.get(id);
    if (v !== undefined) return v;
    v = this.#cache.get(id);
    if (v !== undefined) return v;
    v = this.#store.read(this.#kind, this.bit, id, Number.MAX_SAFE_INTEGER) as T | undefined;
    if (v !== undefined) this.#remember(id, v);
    return v;
  }

  set(id: string, value: T): void {
    // The engine looks a record up before it creates one, so whether this is the view's first
    // version is usually known from that miss, without another read.
    const first = this.#lastMiss === id || this.#lookup(id) === undefined;
    this.#lastMiss = undefined;
    if (first) {
      this.#count++;
      this.#known.add(id);
    }
    this.#store.write(this.#kind, this.bit, id, this.cursor, value, first);
    this.#latest.set(id, value);
    this.#remember(id, value);
  }

  #remember(id: string, value: T): void {
    if (this.#cache.size >= cache_records_max) {
      // Oldest first: Map keeps insertion order.
      const first = this.#cache.keys().next().value as string;
      this.#cache.delete(first);
    }
    this.#cache.delete(id);
    this.#cache.set(id, value);
  }

  count(): number {
    return this.#count;
  }

  *entries(): Generator<[string, T]> {
    this.#store.flush();
    yield* this.#store.list(this.#kind, this.bit, Number.MAX_SAFE_INTEGER) as Iterable<[string, T]>;
  }

  page(offset: number, limit: number): [string, T][] {
    this.#store.flush();
    return this.#store.page(this.#kind, this.bit, Number.MAX_SAFE_INTEGER, offset, limit) as [string, T][];
  }

  freeze(): Records<T> {
    return this.asOf(this.cursor + 1);
  }

  fork(): Records<T> {
    return new OverlayRecords(this.freeze());
  }

  begin(index: number): void {
    this.cursor = index;
  }

  /** Forgets the writes of the entry at `cursor` (its fold failed); they were never flushed. */
  undo(): void {
    for (const w of this.#store.unwrite(this.#kind, this.bit, this.cursor)) {
      if (w.first) this.#count--;
      this.#latest.delete(w.id);
      this.#cache.delete(w.id);
      // An earlier unflushed version of the same id becomes the latest again.
      const earlier = this.#store.pendingBefore(this.#kind, this.bit, w.id, this.cursor);
      if (earlier !== undefined) this.#latest.set(w.id, earlier.value as T);
    }
  }

  toJSON(): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [k, v] of this.entries()) out[k] = v;
    return out;
  }

  /** @internal The store wrote every pending version to the file. */
  flushed(): void {
    this.#latest.clear();
  }

  /**
   * A read-only view of the collection as it was before entry `before` (all earlier versions
   * flushed first, so the view reads the file only and later writes cannot reach it).
   */
  asOf(before: number): Records<T> {
    this.#store.flush();
    const known = (id: string) => this.#known.has(id);
    return new RecordsAsOf<T>(
      this.#store,
      this.#kind,
      this.bit,
      before,
      known,
      before > this.cursor ? this.#count : undefined,
    );
  }
}

/** A collection of the store as it was before a log entry: read-only, read from the file. */
class RecordsAsOf<T> implements Records<T> {
  constructor(
    private readonly store: RecordStore,
    private readonly kind: number,
    private readonly bit: number,
    private readonly before: number,
    private readonly known: (id: string) => boolean,
    /** Known when the view is as of now (every write so far included); else the file counts. */
    private readonly knownCount: number | undefined,
  ) {}

  get(id: string): T | undefined {
    return this.known(id)
      ? (this.store.read(this.kind, this.bit, id, this.before) as T | undefined)
      : undefined;
  }
  set(): void {
    throw new Error('engine state: a frozen record collection is read-only; fork it to write');
  }
  count(): number {
    return this.knownCount ?? this.store.count(this.kind, this.bit, this.before);
  }
  entries(): Iterable<[string, T]> {
    return this.store.list(this.kind, this.bit, this.before) as Iterable<[string, T]>;
  }
  page(offset: number, limit: number): [string, T][] {
    return this.store.page(this.kind, this.bit, this.before, offset, limit) as [string, T][];
  }
  freeze(): Records<T> {
    return this;
  }
  fork(): Records<T> {
    return new OverlayRecords(this);
  }
  begin(): void {
    throw new Error('engine state: a frozen record collection cannot be folded into; fork it');
  }
  undo(): void {
    throw new Error('engine state: a frozen record collection cannot be folded into; fork it');
  }
  toJSON(): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [k, v] of this.entries()) out[k] = v;
    return out;
  }
}

/**
 * True only when `JSON.stringify(a) === JSON.stringify(b)` is certain, without making either
 * text: the same primitives, and arrays and plain objects with the same keys in the same order
 * holding values that are alike. Anything else (a class instance, a `toJSON`, NaN, a property
 * that JSON leaves out) is "not alike" unless it is the very same value: a false "not alike"
 * only costs a row, a false "alike" would give a view another view's record.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i]) return false;
    const va = (a as Record<string, unknown>)[k];
    const vb = (b as Record<string, unknown>)[k];
    // JSON leaves out a property whose value is undefined, a function or a symbol.
    if (va === vb) continue;
    if (va === undefined || vb === undefined || !sameJson(va, vb)) return false;
  }
  return true;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return (
    (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}
