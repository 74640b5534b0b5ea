/**
 * The embedded default back end: one SQLite file (better-sqlite3, WAL).
 *
 * synchronous=FULL: in WAL mode NORMAL can lose the last transactions on power loss, and an
 * acknowledged statement must survive that. Batching amortizes the fsync, which is how durable
 * appends still reach 100k entries/s.
 */
import { hash } from 'node:crypto';
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
     statement_id BLOB NOT NULL UNIQUE, -- 32-byte SHA-256: half the index size of hex
     nonce_key BLOB NOT NULL UNIQUE,    -- first 16 bytes of SHA-256(key "/" nonce)
     kind TEXT NOT NULL,
     issuer TEXT NOT NULL,
     classification TEXT NOT NULL,
     admitted TEXT NOT NULL
   );
   CREATE TABLE tiles (
     level INTEGER NOT NULL,
     idx INTEGER NOT NULL,
     data BLOB NOT NULL,
     interior BLOB, -- a full tile's inner subtree hashes (see log/tile-interior.ts); NULL while partial
     PRIMARY KEY (level, idx)
   ) WITHOUT ROWID;
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
    // The unique indexes on statement id and nonce are random-order B-trees: a larger page cache
    // keeps their inner pages in memory at millions of entries (64 MiB).
    this.db.pragma('cache_size = -65536');
    migrate(this.db);
    this.stmts = {
      size: this.db.prepare<[], { size: number }>('SELECT size FROM checkpoint WHERE id = 1'),
      checkpoint: this.db.prepare<[], { note: string }>('SELECT note FROM checkpoint WHERE id = 1'),
      tile: this.db.prepare<[number, number], { data: Buffer }>('SELECT data FROM tiles WHERE level = ? AND idx = ?'),
      tileNodes: this.db.prepare<[number, number], { data: Buffer; interior: Buffer | null }>('SELECT data, interior FROM tiles WHERE level = ? AND idx = ?'),
      entries: this.db.prepare<[number, number], { data: Buffer }>('SELECT data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx'),
      byStatement: this.db.prepare<[Buffer], { idx: number }>('SELECT idx FROM entries WHERE statement_id = ?'),
      byNonce: this.db.prepare<[Buffer], { idx: number }>('SELECT idx FROM entries WHERE nonce_key = ?'),
      disclosure: this.db.prepare<[number], { salt: string; envelope: string }>('SELECT salt, envelope FROM disclosures WHERE idx = ?'),
      insertEntry: this.db.prepare(
        'INSERT INTO entries (idx, data, statement_id, nonce_key, kind, issuer, classification, admitted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertDisclosure: this.db.prepare('INSERT INTO disclosures (idx, salt, envelope) VALUES (?, ?, ?)'),
      upsertTile: this.db.prepare(
        'INSERT INTO tiles (level, idx, data, interior) VALUES (?, ?, ?, ?) ON CONFLICT (level, idx) DO UPDATE SET data = excluded.data, interior = excluded.interior',
      ),
      upsertCheckpoint: this.db.prepare('INSERT INTO checkpoint (id, size, note) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, note = excluded.note'),
    };
    this.cachedSize = this.stmts.size.get()?.size ?? 0;
    const count = (this.db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
    if (count !== this.cachedSize) {
      // Batches are single transactions, so this can only mean outside tampering with the file.
      throw new StoreError(`${path}: ${count} entries stored but the checkpoint covers ${this.cachedSize}; the database was modified outside Phaseline`);
    }
  }

  size(): number {
    return this.cachedSize;
  }

  checkpoint(): string | undefined {
    return this.stmts.checkpoint.get()?.note;
  }

  readTile(level: number, index: number): Buffer | undefined {
    return this.stmts.tile.get(level, index)?.data;
  }

  readEntries(start: number, count: number): Buffer[] {
    return this.stmts.entries.all(start, start + count).map((r) => r.data);
  }

  readTileNodes(level: number, index: number): { bytes: Buffer; interior?: Buffer } | undefined {
    const row = this.stmts.tileNodes.get(level, index);
    if (row === undefined) return undefined;
    return row.interior === null ? { bytes: row.data } : { bytes: row.data, interior: row.interior };
  }

  indexOfStatement(statementId: string): number | undefined {
    return this.stmts.byStatement.get(Buffer.from(statementId, 'hex'))?.idx;
  }

  hasNonce(nonceKey: string): boolean {
    return this.stmts.byNonce.get(nonceDigest(nonceKey)) !== undefined;
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
    this.db.transaction(() => {
      // Re-read inside the transaction: another process may have appended since we last looked.
      const size = this.stmts.size.get()?.size ?? 0;
      if (size !== firstIndex) throw new StoreError(`append: batch starts at ${firstIndex} but the log has ${size} entries (another writer?)`);
      for (let i = 0; i < entries.length; i++) {
        const m = meta[i]!;
        const idx = firstIndex + i;
        this.stmts.insertEntry.run(idx, entries[i], Buffer.from(m.statementId, 'hex'), nonceDigest(m.nonceKey), m.kind, m.issuer, m.classification, m.admitted);
        const d = disclosures[i];
        if (d) this.stmts.insertDisclosure.run(idx, d.salt, JSON.stringify(d.envelope));
      }
      for (const t of tiles) this.stmts.upsertTile.run(t.level, t.index, t.bytes, t.interior ?? null);
      this.stmts.upsertCheckpoint.run(firstIndex + entries.length, checkpoint);
    }).immediate(); // take the write lock up front so two writers cannot both pass the size check
    this.cachedSize = firstIndex + entries.length;
  }

  close(): void {
    this.db.close();
  }
}

function nonceDigest(nonceKey: string): Buffer {
  return hash('sha256', nonceKey, 'buffer').subarray(0, 16);
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError(`database schema version ${version} is newer than this Phaseline (${MIGRATIONS.length}); upgrade Phaseline`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
