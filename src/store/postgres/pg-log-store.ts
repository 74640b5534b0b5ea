/**
 * The PostgreSQL back end: the log of several API nodes in one database (DESIGN.md, "Scale path").
 *
 * The sequencer lease is per batch: {@link PgLogStore.sequence} opens a transaction and takes
 * `pg_advisory_xact_lock` before anything else, so whoever holds that lock is the sequencer
 * until its transaction ends. It re-reads the size and edge tiles, appends and commits; the
 * lock goes with the commit. A node that dies mid-batch loses its connection, PostgreSQL rolls
 * the transaction back and releases the lock at once, and the next waiting node takes over
 * with nothing half-written. A node that hangs inside a batch (paused, partitioned but with its
 * socket open) is cut off by `idle_in_transaction_session_timeout` ({@link lease_idle_ms}). There
 * is no leader election and no state to hand over: the log in the database is the only truth,
 * and every batch starts from it.
 *
 * Defence in depth: `append` locks the checkpoint row (`SELECT … FOR UPDATE`) and refuses a batch
 * that does not start at the size under that lock, so even a writer that bypassed the lease
 * could not fork the log; the unique index on statement ids keeps a statement from entering twice.
 *
 * Live updates: each append sends `pg_notify(channel, size)` inside its transaction, so the
 * notification is delivered, to every node listening, only if the batch commits.
 */
import pg from 'pg';
import type { Disclosure } from '../../statement/commitment.js';
import {
  type AsyncLogStore,
  read_tiles_max,
  type TileKey,
  type TileNodes,
  tileMapKey,
} from '../async-log-store.js';
import { type AppendBatch, StoreError } from '../log-store.js';
import { lock_class_sequencer, MIGRATIONS, migrate } from './migrations.js';

/** A node hung inside a batch loses the lease (its session is ended) after this long idle. */
export const lease_idle_ms = 10_000;
/** Longest a node waits for the lease before its submission fails (and can be retried). */
export const lease_wait_ms = 30_000;
/** Connections per node. */
export const pool_connections_default = 8;
/** Delay before the notification listener reconnects after losing its connection. */
export const listen_retry_ms = 1_000;

export interface PgLogStoreOptions {
  /** A postgres:// connection string. */
  url: string;
  /** Schema holding the tables (default `public`); created when missing. */
  schema?: string;
  /** Pool size (default {@link pool_connections_default}). */
  connections?: number;
  /** Listen for other nodes' appends (default true). */
  listen?: boolean;
  /** `application_name` of the node's connections (default `phaseline`), to find them in pg_stat_activity. */
  applicationName?: string;
  /** How long a node may sit idle inside a batch before PostgreSQL ends its session (default {@link lease_idle_ms}). */
  leaseIdleMs?: number;
}

const schemaRe = /^[a-z_][a-z0-9_]{0,62}$/;

type Queryable = pg.Pool | pg.PoolClient;

/** Shared by a store and the transaction stores it hands out. */
interface Shared {
  pool: pg.Pool;
  schema: string;
  channel: string;
  listeners: Set<(size: number) => void>;
}

export class PgLogStore implements AsyncLogStore {
  readonly #shared: Shared;
  readonly #q: Queryable;
  /** True for the store handed to a `sequence` callback: appends join its transaction. */
  readonly #inTx: boolean;
  #listener: pg.Client | undefined;
  #relistening = false;
  #closed = false;

  private constructor(shared: Shared, q: Queryable, inTx: boolean) {
    this.#shared = shared;
    this.#q = q;
    this.#inTx = inTx;
  }

  get schema(): string {
    return this.#shared.schema;
  }

  /**
   * Connects, applies pending migrations (refusing a database newer than this code), checks the
   * stored entries against the checkpoint and, unless `listen: false`, starts listening for appends.
   */
  static async open(options: PgLogStoreOptions): Promise<PgLogStore> {
    const schema = options.schema ?? 'public';
    if (!schemaRe.test(schema))
      throw new StoreError(`schema name ${JSON.stringify(schema)} is not a plain lower-case identifier`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.connections ?? pool_connections_default,
      options: `-c search_path=${schema} -c idle_in_transaction_session_timeout=${options.leaseIdleMs ?? lease_idle_ms}`,
      application_name: options.applicationName ?? 'phaseline',
    });
    // An idle pooled connection that the server drops must not crash the process.
    pool.on('error', () => undefined);
    const shared: Shared = { pool, schema, channel: `phaseline_log_${schema}`, listeners: new Set() };
    const store = new PgLogStore(shared, pool, false);
    try {
      const client = await pool.connect();
      try {
        await migrate(client, schema);
      } finally {
        client.release();
      }
      await store.#checkIntegrity();
      if (options.listen !== false) await store.#listen();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  async #checkIntegrity(): Promise<void> {
    const r = await this.#q.query<{ size: string; last: string | null }>(
      'SELECT size, (SELECT max(idx) FROM entries) AS last FROM checkpoint WHERE id = 1',
    );
    const row = r.rows[0];
    if (row === undefined) throw new StoreError(`schema ${this.schema}: the checkpoint row is missing`);
    const size = Number(row.size);
    const last = row.last === null ? -1 : Number(row.last);
    if (last !== size - 1) {
      // Batches are single transactions, so this can only mean outside tampering.
      throw new StoreError(
        `schema ${this.schema}: entries run to index ${last} but the checkpoint covers ${size}; the database was modified outside Phaseline`,
      );
    }
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#shared.pool.options.connectionString,
      application_name: 'phaseline-listen',
    });
    client.on('notification', (msg) => {
      if (msg.channel !== this.#shared.channel) return;
      const size = Number(msg.payload);
      if (Number.isSafeInteger(size)) this.#emit(size);
    });
    const lost = () => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      client.end().catch(() => undefined);
      this.#relisten();
    };
    client.on('error', lost);
    client.on('end', lost);
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#shared.channel}"`);
    } catch (e) {
      if (this.#listener === client) this.#listener = undefined;
      client.end().catch(() => undefined);
      throw e;
    }
  }

  /** Reconnects the listener after {@link listen_retry_ms}, until it succeeds or the store closes. */
  #relisten(): void {
    if (this.#closed || this.#relistening) return;
    this.#relistening = true;
    setTimeout(() => {
      this.#relistening = false;
      // Appends may have been missed while disconnected: report the current size once back.
      this.#listen()
        .then(async () => this.#emit(await this.size()))
        .catch(() => this.#relisten());
    }, listen_retry_ms).unref();
  }

  #emit(size: number): void {
    for (const l of this.#shared.listeners) {
      try {
        l(size);
      } catch {
        // A listener's failure is its own; the store keeps notifying the others.
      }
    }
  }

  async size(): Promise<number> {
    const r = await this.#q.query<{ size: string }>('SELECT size FROM checkpoint WHERE id = 1');
    return Number(r.rows[0]!.size);
  }

  async checkpoint(): Promise<string | undefined> {
    const r = await this.#q.query<{ note: string | null }>('SELECT note FROM checkpoint WHERE id = 1');
    return r.rows[0]?.note ?? undefined;
  }

  async readTile(level: number, index: number): Promise<Buffer | undefined> {
    const r = await this.#q.query<{ data: Buffer }>('SELECT data FROM tiles WHERE level = $1 AND idx = $2', [
      level,
      index,
    ]);
    return r.rows[0]?.data;
  }

  async readTiles(keys: readonly TileKey[]): Promise<Map<string, TileNodes>> {
    if (keys.length > read_tiles_max)
      throw new RangeError(`readTiles: ${keys.length} tiles asked, at most ${read_tiles_max}`);
    const out = new Map<string, TileNodes>();
    if (keys.length === 0) return out;
    const r = await this.#q.query<{ level: number; idx: string; data: Buffer; interior: Buffer | null }>(
      `SELECT t.level, t.idx, t.data, t.interior FROM tiles t
         JOIN unnest($1::smallint[], $2::bigint[]) AS k(level, idx) ON t.level = k.level AND t.idx = k.idx`,
      [keys.map((k) => k.level), keys.map((k) => k.index)],
    );
    for (const row of r.rows) {
      out.set(
        tileMapKey(row.level, Number(row.idx)),
        row.interior === null ? { bytes: row.data } : { bytes: row.data, interior: row.interior },
      );
    }
    return out;
  }

  async readEntries(start: number, count: number): Promise<Buffer[]> {
    const r = await this.#q.query<{ data: Buffer }>(
      'SELECT data FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [start, start + count],
    );
    return r.rows.map((row) => row.data);
  }

  async readStatementIds(start: number, count: number): Promise<string[]> {
    const r = await this.#q.query<{ statement_id: Buffer }>(
      'SELECT statement_id FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx',
      [start, start + count],
    );
    return r.rows.map((row) => row.statement_id.toString('hex'));
  }

  async readDisclosures(start: number, count: number): Promise<Map<number, Disclosure>> {
    const r = await this.#q.query<{ idx: string; salt: string; envelope: string }>(
      'SELECT idx, salt, envelope FROM disclosures WHERE idx >= $1 AND idx < $2',
      [start, start + count],
    );
    return new Map(
      r.rows.map((row) => [Number(row.idx), { salt: row.salt, envelope: JSON.parse(row.envelope) }]),
    );
  }

  async indexOfStatement(statementId: string): Promise<number | undefined> {
    return (await this.indexesOfStatements([statementId])).get(statementId);
  }

  async indexesOfStatements(statementIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (statementIds.length === 0) return out;
    const r = await this.#q.query<{ idx: string; statement_id: Buffer }>(
      'SELECT idx, statement_id FROM entries WHERE statement_id = ANY($1::bytea[])',
      [statementIds.map((id) => Buffer.from(id, 'hex'))],
    );
    for (const row of r.rows) out.set(row.statement_id.toString('hex'), Number(row.idx));
    return out;
  }

  async disclosure(index: number): Promise<Disclosure | undefined> {
    const r = await this.#q.query<{ salt: string; envelope: string }>(
      'SELECT salt, envelope FROM disclosures WHERE idx = $1',
      [index],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : { salt: row.salt, envelope: JSON.parse(row.envelope) };
  }

  async spendNonce(scope: string, nonce: string, expiresMs: number, nowMs: number): Promise<boolean> {
    await this.#q.query('DELETE FROM spent_nonces WHERE expires_ms < $1', [nowMs]);
    const r = await this.#q.query(
      'INSERT INTO spent_nonces (scope, nonce, expires_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [scope, nonce, expiresMs],
    );
    return r.rowCount === 1;
  }

  async append(batch: AppendBatch): Promise<void> {
    const { entries, meta, disclosures } = batch;
    if (entries.length !== meta.length || entries.length !== disclosures.length) {
      throw new StoreError('append: entries, meta and disclosures must have the same length');
    }
    if (this.#inTx) {
      await this.#appendIn(this.#q, batch);
      return;
    }
    const client = await this.#shared.pool.connect();
    try {
      await client.query('BEGIN');
      await this.#appendIn(client, batch);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async #appendIn(q: Queryable, batch: AppendBatch): Promise<void> {
    const { firstIndex, entries, meta, disclosures, tiles, checkpoint } = batch;
    // The row lock makes the size check and the checkpoint update one step for all writers.
    const r = await q.query<{ size: string }>('SELECT size FROM checkpoint WHERE id = 1 FOR UPDATE');
    const size = Number(r.rows[0]!.size);
    if (size !== firstIndex) {
      throw new StoreError(
        `append: batch starts at ${firstIndex} but the log has ${size} entries (another writer?)`,
      );
    }
    const newSize = firstIndex + entries.length;
    await q.query(
      'INSERT INTO entries (idx, data, statement_id) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])',
      [entries.map((_, k) => firstIndex + k), entries, meta.map((m) => Buffer.from(m.statementId, 'hex'))],
    );
    const disclosed = disclosures.flatMap((d, k) => (d ? [{ idx: firstIndex + k, d }] : []));
    if (disclosed.length > 0) {
      await q.query(
        'INSERT INTO disclosures (idx, salt, envelope) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])',
        [
          disclosed.map((x) => x.idx),
          disclosed.map((x) => x.d.salt),
          disclosed.map((x) => JSON.stringify(x.d.envelope)),
        ],
      );
    }
    if (tiles.length > 0) {
      await q.query(
        `INSERT INTO tiles (level, idx, data, interior)
           SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[], $4::bytea[])
           ON CONFLICT (level, idx) DO UPDATE SET data = excluded.data, interior = excluded.interior`,
        [
          tiles.map((t) => t.level),
          tiles.map((t) => t.index),
          tiles.map((t) => t.bytes),
          tiles.map((t) => t.interior ?? null),
        ],
      );
    }
    await q.query('UPDATE checkpoint SET size = $1, note = $2 WHERE id = 1', [newSize, checkpoint]);
    // Inside the transaction: delivered to listeners only when (and if) it commits.
    await q.query('SELECT pg_notify($1, $2)', [this.#shared.channel, String(newSize)]);
  }

  async sequence<T>(fn: (tx: AsyncLogStore) => Promise<T>): Promise<T> {
    if (this.#inTx) return fn(this);
    const client = await this.#shared.pool.connect();
    // A session ended by the server (lease timeout, restart) surfaces as the failure of the next
    // query; without a listener the same error, emitted as an event, would crash the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${lease_wait_ms}`);
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        lock_class_sequencer,
        this.schema,
      ]);
      const result = await fn(new PgLogStore(this.#shared, client, true));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw e;
    } finally {
      client.off('error', ignore);
      client.release(broken);
    }
  }

  watch(listener: (size: number) => void): () => void {
    this.#shared.listeners.add(listener);
    return () => this.#shared.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#inTx) return;
    this.#closed = true;
    const l = this.#listener;
    this.#listener = undefined;
    await l?.end().catch(() => undefined);
    await this.#shared.pool.end();
  }
}

/** The schema version this code writes (for messages and tests). */
export const pg_schema_version = MIGRATIONS.length;
