// PostgreSQL for tests: the server CI starts at 127.0.0.1:5432 (override with
// PHASELINE_TEST_PG_URL), a fresh database per test file, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { exportTiles } from '../../src/export/export-tiles.js';
import type { PostgresMechanismService } from '../../src/service/postgres-service.js';
import { tileSource } from '../../src/verify/tile-source.js';
import { verifyLog } from '../../src/verify/verify-log.js';

export const adminUrl = process.env.PHASELINE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Undefined when PostgreSQL answers; otherwise why not, after printing that its tests are
 * skipped. With PHASELINE_REQUIRE_POSTGRES=1 (CI) an unreachable server is an error instead.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    const reason = `${adminUrl.replace(/\/\/[^@]*@/, '//')}: ${(e as Error).message}`;
    if (process.env.PHASELINE_REQUIRE_POSTGRES === '1') {
      throw new Error(`PostgreSQL is required (PHASELINE_REQUIRE_POSTGRES=1) but unreachable: ${reason}`);
    }
    console.warn(`skipping PostgreSQL tests: ${reason}`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops test databases left by runs that were killed before their cleanup: older than an hour
 * and with nobody connected. Best effort (reading creation times needs a superuser).
 */
async function dropAbandoned(c: pg.Client): Promise<void> {
  try {
    const r = await c.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
        WHERE d.datname LIKE 'phaseline\\_test\\_%'
          AND (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - interval '1 hour'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    for (const row of r.rows) await c.query(`DROP DATABASE IF EXISTS ${row.datname}`);
  } catch {
    // Not a superuser, or another run dropped it first: leave them.
  }
}

/** A fresh database `phaseline_test_<random>`; `drop` removes it (closing any connection left). */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `phaseline_test_${randomBytes(6).toString('hex')}`;
  await admin(async (c) => {
    await dropAbandoned(c);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Exports the log from the database and runs the verifier on it; returns the verified size. */
export async function exportAndVerify(service: PostgresMechanismService): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'phaseline-pg-export-'));
  try {
    await exportTiles(service.store, dir);
    const report = await verifyLog(tileSource(dir), { key: service.logKey, statements: true, workers: 0 });
    return report.size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
