/**
 * The PostgreSQL schema, as versioned migrations. Version v is MIGRATIONS[v − 1]; the
 * `schema_migrations` table lists the versions applied. Never edit a released migration: append
 * a new one. Each runs in its own transaction under an advisory lock, so nodes starting together
 * apply it exactly once, and rerunning is a no-op.
 */
import type pg from 'pg';
import { StoreError } from '../log-store.js';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE entries (
     idx bigint PRIMARY KEY,
     data bytea NOT NULL,
     statement_id bytea NOT NULL CHECK (length(statement_id) = 32) -- SHA-256 of the statement
   );
   -- Unique: a statement is admitted at most once, whatever node admitted it.
   CREATE UNIQUE INDEX entries_statement_id ON entries (statement_id);
   CREATE TABLE tiles (
     level smallint NOT NULL,
     idx bigint NOT NULL,
     data bytea NOT NULL,
     interior bytea, -- a full tile's inner subtree hashes (see log/tile-interior.ts); NULL while partial
     PRIMARY KEY (level, idx)
   );
   CREATE TABLE disclosures (
     idx bigint PRIMARY KEY REFERENCES entries (idx),
     salt text NOT NULL,
     envelope text NOT NULL
   );
   -- One row, always present, so that an appender can lock it (SELECT … FOR UPDATE) even on an
   -- empty log: the size guard and the checkpoint change under that row lock.
   CREATE TABLE checkpoint (
     id smallint PRIMARY KEY CHECK (id = 1),
     size bigint NOT NULL CHECK (size >= 0),
     note text,
     CHECK ((size = 0) = (note IS NULL))
   );
   INSERT INTO checkpoint (id, size, note) VALUES (1, 0, NULL);`,
  // One-time request nonces (token requests, server/auth.ts), shared by every node: a request
  // spent on one node is spent on all, and stays spent across restarts until its window passes.
  `CREATE TABLE spent_nonces (
     scope text NOT NULL,
     nonce text NOT NULL,
     expires_ms bigint NOT NULL,
     PRIMARY KEY (scope, nonce)
   );
   CREATE INDEX spent_nonces_expiry ON spent_nonces (expires_ms);`,
];

/** Advisory-lock class ids (the first key of the two-key form); the second is hashtext(schema). */
export const lock_class_sequencer = 0x5068; // "Ph"
export const lock_class_migrations = 0x5069;

/** Schema version of the database (0 when it has none). */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ v: number | null }>(
    `SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL
            ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END AS v`,
  );
  return r.rows[0]?.v ?? 0;
}

/** Brings the schema of `client`'s search path up to date. Returns the versions it applied. */
export async function migrate(client: pg.ClientBase, schema: string): Promise<number[]> {
  const applied: number[] = [];
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [lock_class_migrations, schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const version = await schemaVersion(client);
      if (version > MIGRATIONS.length) {
        throw new StoreError(
          `database schema "${schema}" is at version ${version}, newer than this Phaseline knows (${MIGRATIONS.length}); upgrade Phaseline or point it at another database`,
        );
      }
      if (version === MIGRATIONS.length) {
        await client.query('COMMIT');
        return applied;
      }
      await client.query(MIGRATIONS[version]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
      await client.query('COMMIT');
      applied.push(version + 1);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}
