/**
 * A witness's memory, in SQLite (as litewitness keeps it): for each log origin the latest
 * checkpoint it cosigned, and the evidence of every refusal worth keeping. WAL with
 * `synchronous=FULL`: a transaction that returned is on disk, so a cosignature is never handed
 * out for a state a crash could roll back.
 *
 * Several processes may open one store (a `witness evidence` reader beside `witness serve`):
 * every decision reads the row inside a write transaction (`BEGIN IMMEDIATE`), so no process
 * ever decides on a size another one has moved past.
 */
import Database from 'better-sqlite3';
import type { SplitViewEvidence } from './evidence.js';

/** What the witness knows of one log. */
export interface LogHead {
  size: number;
  root: Buffer;
  /** The checkpoint it cosigned: the log's signature and its own cosignature. */
  checkpoint: string;
}

/** Evidence rows returned per read, at most. */
export const evidence_page_max = 1000;

export class WitnessStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string], { size: number; root: Buffer; checkpoint: string }>;
  readonly #put: Database.Statement<[string, number, Buffer, string]>;
  readonly #addEvidence: Database.Statement<[string, string, string, string]>;
  readonly #evidence: Database.Statement<[number, number], { id: number; body: string }>;

  constructor(path: string) {
    this.path = path;
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS log_head (
        origin TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        root BLOB NOT NULL,
        checkpoint TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS evidence (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        origin TEXT NOT NULL,
        observed TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
    `);
    this.#get = this.#db.prepare('SELECT size, root, checkpoint FROM log_head WHERE origin = ?');
    this.#put = this.#db.prepare(
      `INSERT INTO log_head (origin, size, root, checkpoint) VALUES (?, ?, ?, ?)
       ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, checkpoint = excluded.checkpoint`,
    );
    this.#addEvidence = this.#db.prepare(
      'INSERT INTO evidence (origin, observed, kind, body) VALUES (?, ?, ?, ?)',
    );
    this.#evidence = this.#db.prepare('SELECT id, body FROM evidence WHERE id > ? ORDER BY id LIMIT ?');
  }

  /** The latest cosigned checkpoint of `origin`, or undefined if it never cosigned one. */
  head(origin: string): LogHead | undefined {
    const row = this.#get.get(origin);
    return row === undefined ? undefined : { size: row.size, root: row.root, checkpoint: row.checkpoint };
  }

  /**
   * Runs `work` in one durable write transaction (`BEGIN IMMEDIATE` … `COMMIT` with an fsync):
   * every read and write it makes through `tx` is atomic with the others. Throws what the
   * database throws; then nothing of `work` is stored.
   */
  transaction<T>(work: (tx: WitnessTransaction) => T): T {
    const tx: WitnessTransaction = {
      head: (origin) => this.head(origin),
      setHead: (origin, head) => {
        this.#put.run(origin, head.size, head.root, head.checkpoint);
      },
      addEvidence: (e) =>
        Number(this.#addEvidence.run(e.origin, e.observed, e.kind, JSON.stringify(e)).lastInsertRowid),
    };
    return this.#db.transaction(() => work(tx)).immediate();
  }

  /** Evidence recorded after id `after`, oldest first, at most `limit`. */
  evidence(after = 0, limit = evidence_page_max): SplitViewEvidence[] {
    return this.#evidence
      .all(after, Math.min(limit, evidence_page_max))
      .map((r) => ({ id: r.id, ...(JSON.parse(r.body) as Omit<SplitViewEvidence, 'id'>) }));
  }

  close(): void {
    this.#db.close();
  }
}

/** The reads and writes of one {@link WitnessStore.transaction}. */
export interface WitnessTransaction {
  head(origin: string): LogHead | undefined;
  setHead(origin: string, head: LogHead): void;
  /** Stores a refusal; returns its id. */
  addEvidence(e: Omit<SplitViewEvidence, 'id'>): number;
}
