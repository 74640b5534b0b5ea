/**
 * The engine state's growing collections (units, incidents, strikes, findings) kept on disk,
 * so that a server with a million statements in its log does not hold a million records in
 * memory (issue: resident memory of `serve` under 300 MB). The small parts of the state stay in
 * memory; see `EXTERNAL_RECORDS` in src/engine/state.ts for how the engine sees these.
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
 * An existence filter per view (64-bit id fingerprints) answers "no such record" without a
 * query, which is what the door asks for every new incident and strike. Per view, not per kind:
 * with one filter for all views, the id a public statement had just added in one view sent
 * the other views' lookups of it to the file, a query each that found nothing.
 */
import type Database from 'better-sqlite3';
import { EXTERNAL_RECORDS, type ExternalRecords, FingerprintSet, fnv64 } from '../engine/index.js';
import { closeDerivedDatabase, openDerivedDatabase } from './derived-database.js';

/** Records kept in the cache of each collection. */
const cache_records_max = 512;

interface Write {
  id: string;
  from: number;
  value: unknown;
  /** The view's first version of this record (it had none before). */
  first: boolean;
}

/** One SQLite file holding the growing collections of several engine states. */
export class RecordStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmts;
  readonly #kinds = new Map<string, { no: number; collections: LiveRecords<unknown>[] }>();

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
      k = { no: this.#kinds.size, collections: [] };
      this.#kinds.set(kind, k);
    }
    const c = new LiveRecords<T>(this, k.no, 1 << view);
    k.collections.push(c as LiveRecords<unknown>);
    return c;
  }

  /**
   * Writes every collection's pending versions in one transaction: per kind, each (id, entry)
   * once per distinct value, with the bits of the views that wrote it.
   */
  flush(): void {
    const kinds = [...this.#kinds.values()];
    if (!kinds.some((k) => k.collections.some((c) => c.pendingCount > 0))) return;
    this.#db.transaction(() => {
      for (const k of kinds) {
        // Per (entry, id): each distinct value with the views that wrote it, and the views for
        // which it is their first version of the record. The values are a list compared with
        // ===, not a Map keyed by the JSON: hashing each new ~400-character text to key a Map
        // cost more than the JSON.stringify that made it (a list holds one to three values).
        const rows = new Map<
          string,
          { id: string; from: number; values: { json: string; views: number }[]; firstViews: number }
        >();
        for (const c of k.collections) {
          for (const w of c.takePending()) {
            const key = `${w.from} ${w.id}`;
            let row = rows.get(key);
            if (row === undefined) {
              row = { id: w.id, from: w.from, values: [], firstViews: 0 };
              rows.set(key, row);
            }
            if (w.first) row.firstViews |= c.bit;
            const json = JSON.stringify(w.value);
            let same: { json: string; views: number } | undefined;
            for (const v of row.values) {
              // A view that wrote the same record twice in one entry keeps its last value.
              v.views &= ~c.bit;
              if (v.json === json) same = v;
            }
            if (same === undefined) row.values.push({ json, views: c.bit });
            else same.views |= c.bit;
          }
        }
        for (const row of rows.values()) {
          for (const { json, views } of row.values)
            if (views !== 0) this.#stmts.put.run(k.no, row.id, row.from, views, json);
          if (row.firstViews !== 0) this.#stmts.putFirst.run(k.no, row.from, row.id, row.firstViews);
        }
      }
    })();
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
 * One growing collection of one engine state. `proxy` is what goes into the state: the engine
 * reads `state.incidents[id]` and writes `state.incidents[id] = record` as it would a plain
 * object. The owner sets `cursor` to the log index of the entry being folded before each fold.
 */
export class LiveRecords<T> {
  readonly proxy: Record<string, T>;
  /** Log index of the entry being (or last) folded: the version tag of writes; −1 before any. */
  cursor = -1;
  readonly #store: RecordStore;
  readonly #kind: number;
  /** This view's bit in the rows' `views`. */
  readonly bit: number;
  #pending: Write[] = [];
  /** id → latest pending version (a subset of #pending). */
  readonly #latest = new Map<string, Write>();
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
    const all = Number.MAX_SAFE_INTEGER;
    const ext: ExternalRecords<T> = {
      freeze: () => this.asOf(this.cursor + 1),
      entries: () => this.#entries(),
      count: () => this.#count,
      page: (offset, limit) => {
        store.flush();
        return store.page(kind, bit, all, offset, limit) as [string, T][];
      },
    };
    this.proxy = recordsProxy<T>({
      get: (id) => this.get(id),
      list: () => this.#entries(),
      set: (id, v) => this.set(id, v),
      ext,
    });
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  get(id: string): T | undefined {
    const v = this.#lookup(id);
    if (v === undefined) this.#lastMiss = id;
    return v;
  }

  #lookup(id: string): T | undefined {
    if (!this.#known.has(id)) return undefined;
    const w = this.#latest.get(id);
    if (w !== undefined) return w.value as T;
    let v = this.#cache.get(id);
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
    const w: Write = { id, from: this.cursor, value, first };
    if (first) this.#count++;
    this.#pending.push(w);
    this.#latest.set(id, w);
    this.#known.add(id);
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

  /** Forgets the writes of the entry at `cursor` (its fold failed); they were never flushed. */
  undoCursor(): void {
    let n = this.#pending.length;
    while (n > 0 && this.#pending[n - 1]!.from === this.cursor) n--;
    if (n === this.#pending.length) return;
    const dropped = this.#pending.splice(n);
    for (const w of dropped) {
      if (w.first) this.#count--;
      this.#latest.delete(w.id);
      this.#cache.delete(w.id);
    }
    // Earlier pending versions of the same ids become the latest again.
    for (const w of this.#pending) if (dropped.some((d) => d.id === w.id)) this.#latest.set(w.id, w);
  }

  /** @internal Hands over the pending versions, in write order, for the store's flush. */
  takePending(): Write[] {
    const pending = this.#pending;
    this.#pending = [];
    this.#latest.clear();
    return pending;
  }

  /**
   * A read-only view of the collection as it was before entry `before` (all earlier versions
   * flushed first, so the view reads the file only and later writes cannot reach it).
   */
  asOf(before: number): Record<string, T> {
    this.#store.flush();
    const count = before > this.cursor ? this.#count : undefined;
    const kind = this.#kind;
    const bit = this.bit;
    const store = this.#store;
    const entries = () => store.list(kind, bit, before) as Iterable<[string, T]>;
    const ext: ExternalRecords<T> = {
      freeze: () => proxy,
      entries,
      // A view as of now (every write so far included) knows its count; an older one asks the file.
      count: () => count ?? store.count(kind, bit, before),
      page: (offset, limit) => store.page(kind, bit, before, offset, limit) as [string, T][],
    };
    const proxy: Record<string, T> = recordsProxy<T>({
      get: (id) => (this.#known.has(id) ? (store.read(kind, bit, id, before) as T | undefined) : undefined),
      list: entries,
      ext,
    });
    return proxy;
  }

  *#entries(): Generator<[string, T]> {
    this.#store.flush();
    yield* this.#store.list(this.#kind, this.bit, Number.MAX_SAFE_INTEGER) as Iterable<[string, T]>;
  }
}

/**
 * A Proxy that behaves like a plain id-keyed object over `get`/`set`, and answers
 * {@link EXTERNAL_RECORDS} so that readers list it in one query instead of key by key.
 */
function recordsProxy<T>(ops: {
  get(id: string): T | undefined;
  list(): Iterable<[string, T]>;
  set?(id: string, value: T): void;
  ext: ExternalRecords<T>;
}): Record<string, T> {
  const keys = () => [...ops.list()].map(([k]) => k);
  return new Proxy({} as Record<string, T>, {
    get: (_t, k) => {
      if (k === EXTERNAL_RECORDS) return ops.ext;
      return typeof k === 'string' ? ops.get(k) : undefined;
    },
    has: (_t, k) => typeof k === 'string' && ops.get(k) !== undefined,
    ownKeys: () => keys(),
    getOwnPropertyDescriptor: (_t, k) => {
      if (typeof k !== 'string') return undefined;
      const value = ops.get(k);
      return value === undefined
        ? undefined
        : { value, writable: true, enumerable: true, configurable: true };
    },
    set: (_t, k, v) => {
      if (ops.set === undefined) throw new Error('engine state: a frozen record collection is read-only');
      if (typeof k !== 'string') return false;
      ops.set(k, v as T);
      return true;
    },
    deleteProperty: () => {
      throw new Error('engine state: entries of the growing collections are never deleted');
    },
    defineProperty: () => {
      throw new Error('engine state: write records by assignment');
    },
  });
}
