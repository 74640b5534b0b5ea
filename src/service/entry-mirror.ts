/**
 * A PostgreSQL node's local copy of the log entries it folded, restricted content opened, in a
 * derived SQLite file: what its {@link EngineViews} read back (a past state, a rebuild after a
 * failed fold) and what the door asks when a statement id's fingerprint is a hit. The views'
 * reads are synchronous, and PostgreSQL's are not: a local file keeps them synchronous without
 * holding the entries in memory, which is what the node did before (every entry as objects, a
 * few hundred bytes each, for the life of the process).
 *
 * The file is derived data, recreated each time a node opens it and removed when it closes:
 * no journal, no fsync. Appends are buffered and written in one transaction when anything is
 * read, or at {@link flush}.
 */
import type Database from 'better-sqlite3';
import type { EngineEntry } from '../engine/index.js';
import type { FoldedLog } from './clearance-view.js';
import { closeDerivedDatabase, openDerivedDatabase } from './derived-database.js';

/** Entries read per query by {@link EntryMirror.entries}. */
const read_page_entries = 1024;

export class EntryMirror implements FoldedLog {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmts;
  #pending: { entry: EngineEntry; id: string }[] = [];
  #size = 0;

  /** Opens (recreating) the file at `path`; `:memory:` keeps it in memory. */
  constructor(path: string) {
    this.path = path;
    this.#db = openDerivedDatabase(path);
    // The id's first 8 bytes as an integer, indexed (a third of the cost of indexing the 32
    // bytes, as in the SQLite log store); the full id confirms a prefix hit.
    this.#db.exec(`CREATE TABLE entries (
      idx INTEGER PRIMARY KEY,
      admitted TEXT NOT NULL,
      envelope TEXT NOT NULL,
      id_prefix INTEGER NOT NULL,
      id BLOB NOT NULL
    );
    CREATE INDEX entries_id_prefix ON entries (id_prefix)`);
    this.#stmts = {
      put: this.#db.prepare(
        'INSERT INTO entries (idx, admitted, envelope, id_prefix, id) VALUES (?, ?, ?, ?, ?)',
      ),
      range: this.#db.prepare<[number, number], { idx: number; admitted: string; envelope: string }>(
        'SELECT idx, admitted, envelope FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      ),
      admitted: this.#db.prepare<[number], string>('SELECT admitted FROM entries WHERE idx = ?').pluck(),
      has: this.#db
        .prepare<[bigint, Buffer], number>('SELECT 1 FROM entries WHERE id_prefix = ? AND id = ?')
        .pluck(),
    };
  }

  /** Entries appended so far (the next index). */
  get size(): number {
    return this.#size;
  }

  /** Appends the next entry, whose statement id is `id` (lowercase hex SHA-256). */
  append(entry: EngineEntry, id: string): void {
    if (entry.index !== this.#size)
      throw new Error(`entry mirror: expected entry ${this.#size}, got ${entry.index}`);
    this.#pending.push({ entry, id });
    this.#size++;
  }

  /** Writes the buffered appends. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    this.#db.transaction(() => {
      for (const { entry, id } of pending) {
        const bytes = Buffer.from(id, 'hex');
        this.#stmts.put.run(
          entry.index,
          entry.admitted,
          JSON.stringify(entry.envelope),
          bytes.readBigInt64BE(0),
          bytes,
        );
      }
    })();
  }

  admittedMs(i: number): number {
    this.flush();
    const admitted = this.#stmts.admitted.get(i);
    if (admitted === undefined) throw new Error(`entry mirror: no entry ${i} (size ${this.#size})`);
    return Date.parse(admitted);
  }

  *entries(from: number, to: number): Generator<EngineEntry> {
    // Pages of rows rather than an open cursor: a reader of the generator may append meanwhile.
    for (let start = from; start < to; start += read_page_entries) {
      this.flush();
      for (const row of this.#stmts.range.all(start, Math.min(to, start + read_page_entries)))
        yield { index: row.idx, admitted: row.admitted, envelope: JSON.parse(row.envelope) };
    }
  }

  /** Whether an entry with statement id `id` was appended. */
  hasStatement(id: string): boolean {
    if (!/^[0-9a-f]{64}$/.test(id)) return false;
    this.flush();
    const bytes = Buffer.from(id, 'hex');
    return this.#stmts.has.get(bytes.readBigInt64BE(0), bytes) !== undefined;
  }

  /** Closes and removes the file. */
  close(): void {
    this.#pending = [];
    closeDerivedDatabase(this.#db, this.path);
  }
}
