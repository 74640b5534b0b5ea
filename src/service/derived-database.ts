/**
 * A SQLite file of derived data (the record store, a PostgreSQL node's entry mirror): rebuilt
 * from the log whenever a server opens, so it is recreated empty on open, written without a
 * journal or fsync, and removed on close.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Opens `path` afresh (removing a file left by an earlier run); `:memory:` keeps it in memory. */
export function openDerivedDatabase(path: string): Database.Database {
  if (path !== ':memory:')
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // A small page cache: these files grow with the log, and memory must not.
  db.pragma('cache_size = -2048');
  return db;
}

/** Closes `db` (opened at `path` by {@link openDerivedDatabase}) and removes its file. */
export function closeDerivedDatabase(db: Database.Database, path: string): void {
  if (db.open) db.close();
  if (path !== ':memory:') rmSync(path, { force: true });
}
