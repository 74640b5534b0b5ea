// The storage contract on PostgreSQL: the same suite as SQLite, one fresh schema per test in a
// database created for this file. Skipped with a printed reason when PostgreSQL is unreachable.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tilesForSize } from '../../src/log/tile.js';
import { type AsyncLogStore, appendEntries, SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
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
      // Compared as hex: deep equality over megabytes of Buffers is slow in the test runner.
      const hexTiles = (m: typeof a) =>
        [...m].map(([k, t]) => `${k} ${t.bytes.toString('hex')} ${t.interior?.toString('hex')}`).sort();
      expect(hexTiles(b)).toEqual(hexTiles(a));
      const hexEntries = async (s: AsyncLogStore) =>
        (await s.readEntries(0, size)).map((e) => e.toString('hex'));
      expect(await hexEntries(target)).toEqual(await hexEntries(source));
      const disclosed = async (s: AsyncLogStore) =>
        JSON.stringify([...(await s.readDisclosures(0, size))].sort());
      expect(await disclosed(target)).toBe(await disclosed(source));
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

describe.skipIf(unavailable !== undefined)('live updates between nodes', () => {
  it('a node hears every append by another node, and catches up after its listening connection is cut', async () => {
    const schema = `w_${randomBytes(5).toString('hex')}`;
    const a = await PgLogStore.open({ url: db!.url, schema });
    const b = await PgLogStore.open({ url: db!.url, schema, listen: false });
    const heard: number[] = [];
    a.watch((size) => heard.push(size));
    const c = new pg.Client({ connectionString: db!.url });
    await c.connect();
    try {
      await b.sequence((tx) => appendEntries(tx, suiteIdentity, pendingEntries(3)));
      await expect.poll(() => heard.at(-1), { timeout: 5000 }).toBe(3);
      // Cut a's listening connection, then append while it is away.
      const cut = await c.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'phaseline-listen' AND datname = current_database()",
      );
      expect(cut.rowCount).toBe(1);
      await b.sequence((tx) => appendEntries(tx, suiteIdentity, pendingEntries(2)));
      await expect.poll(() => heard.at(-1), { timeout: 10_000 }).toBe(5);
      await b.sequence((tx) => appendEntries(tx, suiteIdentity, pendingEntries(1)));
      await expect.poll(() => heard.at(-1), { timeout: 5000 }).toBe(6);
    } finally {
      await a.close();
      await b.close();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    }
  });
});
