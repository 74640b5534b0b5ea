// The storage contract on the embedded default back end (SQLite, through the async adapter).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { describeLogStore } from './log-store-suite.js';

describeLogStore('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phaseline-store-'));
  const path = join(dir, 'log.db');
  return {
    open: async () => new SyncLogStoreAdapter(new SqliteLogStore(path), path),
    markNewerSchema: async () => {
      const db = new Database(path);
      db.pragma('user_version = 99');
      db.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
