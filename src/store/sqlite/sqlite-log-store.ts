/**
 * The embedded default back end: one SQLite file (better-sqlite3, WAL).
 *
 * synchronous=FULL: in WAL mode NORMAL can lose the last transactions on power loss, and an
 * acknowledged statement must survive that. Batching amortizes the fsync, which is how durable
 * appends still reach 100k entries/s.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Disclosure } from '../../statement/commitment.js';
import { type AppendBatch, type LogStore, StoreError } from '../log-store.js';

/** Versioned migrations: index i brings user_version from i to i + 1. Never edit a released one; append. */
const MIGRATIONS: string[] = [
  `CREATE TABLE entries (
     idx INTEGER PRIMARY KEY,
     data BLOB NOT NULL,
     statement_id BLOB NOT NULL,        -- 32-byte SHA-256 of the statement
     -- The first 8 bytes of the statement id, indexed. An index on a random 64-bit integer
     -- costs a third of one on the 32-byte id (measured: bench notes in docs/performance.md);
     -- lookups confirm the full id, so a prefix collision can only cost a second row read.
     id_prefix INTEGER NOT NULL
   );
   CREATE INDEX entries_id_prefix ON entries (id_prefix);
   -- A rowid table keyed by tileKey(level, index): reading an 8 KiB blob by rowid is ~6× faster
   -- than from a WITHOUT ROWID table, which is built for small rows.
   CREATE TABLE tiles (
     id INTEGER PRIMARY KEY,
     data BLOB NOT NULL,
     interior BLOB -- a full tile's inner subtree hashes (see log/tile-interior.ts); NULL while partial
   );
   CREATE TABLE disclosures (
     idx INTEGER PRIMARY KEY REFERENCES entries(idx),
     salt TEXT NOT NULL,
     envelope TEXT NOT NULL
   );
   CREATE TABLE checkpoint (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     size INTEGER NOT NULL,
     note TEXT NOT NULL
   );`,
  // One-time request nonces (token requests, server/auth.ts): a row is a nonce spent, kept until
  // its request's time window has passed. Here, not in memory, so that a restart forgets none.
  `CREATE TABLE spent_nonces (
     scope TEXT NOT NULL,
     nonce TEXT NOT NULL,
     expires_ms INTEGER NOT NULL,
     PRIMARY KEY (scope, nonce)
   ) WITHOUT ROWID;
   CREATE INDEX spent_nonces_expiry ON spent_nonces (expires_ms);`,
];

export class SqliteLogStore implements LogStore {
  readonly db: Database.Database;
  private readonly stmts;
  private cachedSize: number;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // 16 MiB of page cache: it holds the inner pages of the random-order statement-id index at
    // millions of entries; its leaves come from the OS page cache. (64 MiB measured no faster on
    // appends, and counts in full against a server's resident memory once a replay fills it.)
    this.db.pragma('cache_size = -16384');
    // Checkpoint the WAL into the database every ~80 MiB instead of every 4 MiB: each checkpoint
    // rewrites the randomly scattered statement-id index pages a batch dirtied, so fewer, larger
    // checkpoints cut the write amplification (1M-entry bench: 77k → 126k inserts/s).
    this.db.pragma('wal_autocheckpoint = 20000');
    migrate(this.db);
    this.stmts = {
      size: this.db.prepare<[], { size: number }>('SELECT size FROM checkpoint WHERE id = 1'),
      checkpoint: this.db.prepare<[], { note: string }>('SELECT note FROM checkpoint WHERE id = 1'),
      spendNonce: this.db.prepare<[string, string, number]>(
        'INSERT INTO spent_nonces (scope, nonce, expires_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      forgetNonces: this.db.prepare<[number]>('DELETE FROM spent_nonces WHERE expires_ms < ?'),
      tile: this.db.prepare<[number], { data: Buffer }>('SELECT data FROM tiles WHERE id = ?'),
      tileNodes: this.db.prepare<[number], { data: Buffer; interior: Buffer | null }>(
        'SELECT data, interior FROM tiles WHERE id = ?',
      ),
      entries: this.db.prepare<[number, number], { data: Buffer }>(
        'SELECT data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      ),
      statementIds: this.db.prepare<[number, number], { statement_id: Buffer }>(
        'SELECT statement_id FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      ),
      byStatement: this.db.prepare<[bigint, Buffer], { idx: number }>(
        'SELECT idx FROM entries WHERE id_prefix = ? AND statement_id = ?',
      ),
      disclosure: this.db.prepare<[number], { salt: string; envelope: string }>(
        'SELECT salt, envelope FROM disclosures WHERE idx = ?',
      ),
      insertEntry: this.db.prepare(
        'INSERT INTO entries (idx, data, statement_id, id_prefix) VALUES (?, ?, ?, ?)',
      ),
      insertDisclosure: this.db.prepare('INSERT INTO disclosures (idx, salt, envelope) VALUES (?, ?, ?)'),
      upsertTile: this.db.prepare(
        'INSERT INTO tiles (id, data, interior) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, interior = excluded.interior',
      ),
      upsertCheckpoint: this.db.prepare(
        'INSERT INTO checkpoint (id, size, note) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note',
      ),
    };
    this.cachedSize = this.stmts.size.get()?.size ?? 0;
    const count = (this.db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    if (count !== this.cachedSize) {
      // Batches are single transactions, so this can only mean outside tampering with the file.
      throw new StoreError(
        `${path}: ${count} entries stored but the checkpoint covers ${this.cachedSize}; the database was modified outside Phaseline`,
      );
    }
  }

  size(): number {
    return this.cachedSize;
  }

  checkpoint(): string | undefined {
    return this.stmts.checkpoint.get()?.note;
  }

  readTile(level: number, index: number): Buffer | undefined {
    return this.stmts.tile.get(tileKey(level, index))?.data;
  }

  readEntries(start: number, count: number): Buffer[] {
    return this.stmts.entries.all(start, start + count).map((r) => r.data);
  }

  readStatementIds(start: number, count: number): string[] {
    return this.stmts.statementIds.all(start, start + count).map((r) => r.statement_id.toString('hex'));
  }

  readTileNodes(level: number, index: number): { bytes: Buffer; interior?: Buffer } | undefined {
    const row = this.stmts.tileNodes.get(tileKey(level, index));
    if (row === undefined) return undefined;
    return row.interior === null ? { bytes: row.data } : { bytes: row.data, interior: row.interior };
  }

  indexOfStatement(statementId: string): number | undefined {
    const id = Buffer.from(statementId, 'hex');
    return this.stmts.byStatement.get(id.readBigInt64BE(0), id)?.idx;
  }

  disclosure(index: number): Disclosure | undefined {
    const row = this.stmts.disclosure.get(index);
    return row === undefined ? undefined : { salt: row.salt, envelope: JSON.parse(row.envelope) };
  }

  append(batch: AppendBatch): void {
    const { firstIndex, entries, meta, disclosures, tiles, checkpoint } = batch;
    if (entries.length !== meta.length || entries.length !== disclosures.length) {
      throw new StoreError('append: entries, meta and disclosures must have the same length');
    }
    this.db
      .transaction(() => {
        // Re-read inside the transaction: another process may have appended since we last looked.
        const size = this.stmts.size.get()?.size ?? 0;
        if (size !== firstIndex)
          throw new StoreError(
            `append: batch starts at ${firstIndex} but the log has ${size} entries (another writer?)`,
          );
        for (let i = 0; i < entries.length; i++) {
          const m = meta[i]!;
          const idx = firstIndex + i;
          const id = Buffer.from(m.statementId, 'hex');
          this.stmts.insertEntry.run(idx, entries[i], id, id.readBigInt64BE(0));
          const d = disclosures[i];
          if (d) this.stmts.insertDisclosure.run(idx, d.salt, JSON.stringify(d.envelope));
        }
        for (const t of tiles)
          this.stmts.upsertTile.run(tileKey(t.level, t.index), t.bytes, t.interior ?? null);
        this.stmts.upsertCheckpoint.run(firstIndex + entries.length, checkpoint);
      })
      .immediate(); // take the write lock up front so two writers cannot both pass the size check
    this.cachedSize = firstIndex + entries.length;
  }

  /** See {@link AsyncLogStore.spendNonce}; a durable write (synchronous=FULL) of its own. */
  spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): boolean {
    const spent = this.db
      .transaction(() => {
        this.stmts.forgetNonces.run(nowMs);
        return this.stmts.spendNonce.run(scope, nonce, expiresMs).changes === 1;
      })
      .immediate();
    return spent;
  }

  close(): void {
    this.db.close();
  }
}

/** One integer per tile: level 0 has at most 2^40 tiles (tlog-tiles stops at 2^48 leaves). */
function tileKey(level: number, index: number): number {
  return level * 2 ** 41 + index;
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError(
      `database schema version ${version} is newer than this Phaseline (${MIGRATIONS.length}); upgrade Phaseline`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
