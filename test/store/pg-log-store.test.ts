// The storage contract on PostgreSQL: the same suite as SQLite, one fresh schema per test in a
// database created for this file. Skipped with a printed reason when PostgreSQL is unreachable.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tilesForSize } from '../../src/log/tile.js';
import { appendEntries, SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { copyLog } from '../../src/store/postgres/copy-log.js';
import { PgLogStore, pg_schema_version } from '../../src/store/postgres/pg-log-store.js';
import { SqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { describeLogStore, pendingEntries, suiteIdentity } from './log-store-suite.js';
import { createTestDatabase, postgresUnavailable } from './pg-helpers.js';

const unavailable = await postgresUnavailable();
const db = unavailable === undefined ? await createTestDatabase() : undefined;
afterAll(async () => db?.drop());

describeLogStore(
  'PostgreSQL',
  async () => {
    const schema = `s_${randomBytes(5).toString('hex')}`;
    const sql = async (text: string) => {
      const c = new pg.Client({ connectionString: db!.url });
      await c.connect();
      try {
        await c.query(text);
      } finally {
        await c.end();
      }
    };
    return {
      open: () => PgLogStore.open({ url: db!.url, schema }),
      markNewerSchema: () => sql(`INSERT INTO ${schema}.schema_migrations (version) VALUES (99)`),
      cleanup: () => sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    };
  },
  unavailable !== undefined,
);

describe.skipIf(unavailable !== undefined)('PostgreSQL schema migrations', () => {
  it('nodes starting together on an empty database apply each migration exactly once', async () => {
    const schema = `m_${randomBytes(5).toString('hex')}`;
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PgLogStore.open({ url: db!.url, schema, listen: false })),
    );
    const c = new pg.Client({ connectionString: db!.url });
    await c.connect();
    try {
      const r = await c.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(r.rows.map((row) => row.version)).toEqual(
        Array.from({ length: pg_schema_version }, (_, k) => k + 1),
      );
      expect(await stores[3]!.size()).toBe(0);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
  });

  it('a store whose entries disagree with its checkpoint is refused as modified outside Phaseline', async () => {
    const schema = `t_${randomBytes(5).toString('hex')}`;
    const store = await PgLogStore.open({ url: db!.url, schema, listen: false });
    await store.close();
    const c = new pg.Client({ connectionString: db!.url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO ${schema}.entries (idx, data, statement_id) VALUES (0, '\\x00', decode(repeat('00', 32), 'hex'))`,
      );
      await expect(PgLogStore.open({ url: db!.url, schema, listen: false })).rejects.toThrow(
        /modified outside Phaseline/,
      );
    } finally {
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
  });
});

describe.skipIf(unavailable !== undefined)('moving a log from SQLite to PostgreSQL', () => {
  it('copyLog gives the same entries, tiles, disclosures and root, and the copy takes appends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phaseline-copy-'));
    const schema = `c_${randomBytes(5).toString('hex')}`;
    const source = new SyncLogStoreAdapter(new SqliteLogStore(join(dir, 'log.db')));
    const target = await PgLogStore.open({ url: db!.url, schema, listen: false });
    try {
      for (const n of [300, 5000, 77]) {
        const batch = pendingEntries(n, 9);
        await source.sequence((tx) => appendEntries(tx, suiteIdentity, batch));
      }
      const size = await source.size();
      let progress = 0;
      expect(
        await copyLog(source, target, suiteIdentity, (done) => {
          progress = done;
        }),
      ).toBe(size);
      expect(progress).toBe(size);
      const keys = tilesForSize(size).map((t) => ({ level: t.level as number, index: t.index }));
      const [a, b] = await Promise.all([source.readTiles(keys), target.readTiles(keys)]);
      expect(b).toEqual(a);
      expect(await target.readEntries(0, size)).toEqual(await source.readEntries(0, size));
      expect(await target.readDisclosures(0, size)).toEqual(await source.readDisclosures(0, size));
      const body = (note: string) => note.slice(0, note.indexOf('\n\n') + 1);
      expect(body((await target.checkpoint())!)).toBe(body((await source.checkpoint())!));
      await expect(copyLog(source, target, suiteIdentity)).rejects.toThrow(/not empty/);
      const more = pendingEntries(2);
      expect(await target.sequence((tx) => appendEntries(tx, suiteIdentity, more))).toEqual({
        first: size,
        size: size + 2,
      });
    } finally {
      await source.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
