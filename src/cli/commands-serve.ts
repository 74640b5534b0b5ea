/**
 * `phaseline serve` (the HTTP API over a data directory) and `phaseline submit` (statements to
 * a running server).
 */

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { dataDirPaths, readSignerKey, resolveDataDir } from '../datadir/data-dir.js';
import { seedDemo } from '../demo/seed-demo.js';
import { Mechanism } from '../mechanism/mechanism.js';
import { collectGarbage } from '../runtime/collect-garbage.js';
import { limitHeapGrowth } from '../runtime/heap-growth.js';
import { type ServerOptions, server_defaults, server_limit_help } from '../server/options.js';
import { buildServer } from '../server/server.js';
import type { MechanismService } from '../service/mechanism-service.js';
import { SqliteMechanismService } from '../service/sqlite-service.js';
import { SyncLogStoreAdapter } from '../store/async-log-store.js';
import { copyLog } from '../store/postgres/copy-log.js';
import { PgLogStore } from '../store/postgres/pg-log-store.js';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.js';
import { withWitnesses } from '../witness/office.js';
import { parseJsonOrNdjson, readInput, UsageError } from './input.js';
import { progressBar } from './progress.js';

/** Statements per HTTP request when `submit` sends NDJSON. */
export const submit_batch_statements = 1000;

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port ${value} is not a port number (0–65535)`);
  return n;
}

/** The server limits `serve --limit NAME=VALUE` may set: the numeric ones of {@link ServerOptions}. */
export const settable_limits = Object.keys(server_defaults)
  .filter((k) => typeof server_defaults[k as keyof ServerOptions] === 'number')
  .sort() as (keyof ServerOptions)[];

/** Parses repeated `--limit NAME=VALUE` options into server options (non-negative numbers). */
export function parseLimits(specs: readonly string[]): Partial<ServerOptions> {
  const out: Record<string, number> = {};
  for (const spec of specs) {
    const m = /^([a-z_]+)=(.+)$/.exec(spec);
    if (m === null)
      throw new UsageError(
        `--limit ${spec}: write NAME=VALUE, e.g. --limit rate_key_statements_per_second=5000`,
      );
    const [, name, value] = m as unknown as [string, string, string];
    if (!(settable_limits as string[]).includes(name))
      throw new UsageError(
        `--limit ${spec}: no limit named ${name}; the limits are ${settable_limits.join(', ')}`,
      );
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new UsageError(`--limit ${spec}: ${value} is not a non-negative number`);
    out[name] = n;
  }
  return out as Partial<ServerOptions>;
}

async function openService(dir: string, db: string | undefined): Promise<MechanismService> {
  if (db !== undefined && /^postgres(ql)?:\/\//.test(db)) {
    let mod: {
      PostgresMechanismService?: { open(o: { url: string; dataDir: string }): Promise<MechanismService> };
    };
    try {
      mod = await import('../service/postgres-service.js');
    } catch (e) {
      throw new Error(
        `--db ${db.replace(/\/\/[^@/]*@/, '//…@')}: the PostgreSQL back end is loaded from src/service/postgres-service.ts, which could not be loaded (${(e as Error).message}); use a SQLite path instead`,
      );
    }
    if (typeof mod.PostgresMechanismService?.open !== 'function')
      throw new Error(
        'the PostgreSQL back end in src/service/postgres-service.ts has no PostgresMechanismService.open',
      );
    const moved = await moveSqliteLogToPostgres(dir, db);
    if (moved > 0)
      process.stderr.write(
        `moved the ${moved} entries of ${dataDirPaths(dir).dbPath} into the empty PostgreSQL log\n`,
      );
    return mod.PostgresMechanismService.open({ url: db, dataDir: dir });
  }
  return SqliteMechanismService.open(dir, db === undefined ? {} : { dbPath: db });
}

/**
 * An office outgrows SQLite by pointing `serve --db` at PostgreSQL: when the PostgreSQL log is
 * empty and the data directory's SQLite log is not, the log moves over entry by entry (same
 * tree, root checked), so the embedded default's demo history is served by every node too.
 * Returns the number of entries moved (0 when there was nothing to move).
 */
export async function moveSqliteLogToPostgres(dir: string, url: string): Promise<number> {
  const paths = dataDirPaths(dir);
  if (!existsSync(paths.dbPath)) return 0;
  const pg = await PgLogStore.open({ url });
  try {
    if ((await pg.size()) !== 0) return 0;
    const sqlite = new SqliteLogStore(paths.dbPath);
    try {
      if (sqlite.size() === 0) return 0;
      const signer = readSignerKey(paths.logKeyPath);
      return await copyLog(new SyncLogStoreAdapter(sqlite), pg, { origin: signer.name, signer });
    } finally {
      sqlite.close();
    }
  } finally {
    await pg.close();
  }
}

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (default: $PORT, else 8080)')
    .option(
      '--db <path-or-url>',
      'the log database: a SQLite file (default DATA/log.db) or a postgres:// URL (each node then keeps derived files in $TMPDIR, removed when it stops)',
    )
    .option('--json', 'print the listening address as one JSON line')
    .option(
      '--limit <name=value>',
      'override one server limit (repeatable), e.g. rate_key_statements_per_second=5000; the names are listed below',
      (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
    )
    .description(
      'run the HTTP API (OpenAPI at /openapi.json, docs at /docs, C2SP tiles at /log/) over a data directory; a directory that does not exist yet is initialized with the Lebanon 2026 scenario and its SIMULATED demo history',
    )
    .addHelpText(
      'after',
      `
Examples:
  phaseline serve                                 # ./phaseline-data, http://127.0.0.1:8080
  PORT=3000 phaseline serve --data ./office --host 0.0.0.0
  phaseline verify http://127.0.0.1:8080/log --key "$(phaseline log key --data ./office)"

Limits (--limit NAME=VALUE), with their defaults and units:
  ${settable_limits.map((k) => `${`${k}=${server_defaults[k] as number}`.padEnd(38)} ${server_limit_help[k as keyof typeof server_limit_help]}`).join('\n  ')}

Stops on SIGINT/SIGTERM: stops accepting, finishes the statements in flight, closes the store.`,
    )
    .action(
      async (opts: {
        data?: string;
        host: string;
        port?: string;
        db?: string;
        json?: boolean;
        limit?: string[];
      }) => {
        const dir = resolveDataDir(opts.data);
        const port = parsePort(opts.port ?? process.env.PORT ?? '8080');
        const limits = parseLimits(opts.limit ?? []);
        const say = (t: string) => process.stderr.write(`${t}\n`);
        if (!Mechanism.exists(dir)) {
          const bar = progressBar('seeding demo history', 'statements');
          const r = seedDemo(dir, { onProgress: (p) => p.phase === 'ingest' && bar.update(p.done, p.total) });
          bar.stop();
          say(
            `initialized ${dir} with the Lebanon 2026 scenario (illustrative zones) and ${r.admitted} signed statements: ${r.demo} SIMULATED demo statements and ${r.imported} real incident records`,
          );
        }
        limitHeapGrowth(); // a long-running server trades a few more collections for memory
        const service = withWitnesses(await openService(dir, opts.db), say);
        collectGarbage(); // the replay's garbage (see src/runtime/collect-garbage.ts)
        const app = await buildServer(service, limits);
        try {
          await app.listen({ host: opts.host, port });
        } catch (e) {
          await service.close();
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE')
            throw new Error(`port ${port} on ${opts.host} is in use; choose another with --port or $PORT`);
          throw e;
        }
        const addr = app.server.address();
        const actualPort = addr !== null && typeof addr === 'object' ? addr.port : port;
        const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
        const url = `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${actualPort}`;
        const size = await service.size();
        if (opts.json)
          process.stdout.write(`${JSON.stringify({ url, data: dir, size, origin: service.origin })}\n`);
        else {
          process.stdout.write(`phaseline serving ${dir} (log ${service.origin}, ${size} entries)\n`);
          process.stdout.write(`open ${url}/docs  (state: ${url}/v1/state, log: ${url}/log/checkpoint)\n`);
        }
        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (signal: string) => {
            if (stopping) return;
            stopping = true;
            say(`${signal}: stopping (finishing statements in flight)`);
            // close() stops accepting and waits for in-flight requests (which wait for their
            // commit); then the service finishes its queue and closes the store.
            app
              .close()
              .then(() => service.close())
              .catch((e) => say(`error while stopping: ${(e as Error).message}`))
              .finally(resolve);
          };
          process.once('SIGINT', () => stop('SIGINT'));
          process.once('SIGTERM', () => stop('SIGTERM'));
        });
      },
    );

  program
    .command('submit')
    .argument('[file]', 'a statement as JSON, or NDJSON with one envelope per line (default: standard input)')
    .requiredOption('--server <url>', 'the server, e.g. http://127.0.0.1:8080')
    .option('--json', 'print one JSON result line per statement (NDJSON)')
    .description(
      `send signed statements to a server, in batches of ${submit_batch_statements}; prints one result per statement (index and receipt, or the rejection code and why) and exits 1 if any was rejected`,
    )
    .action(async (file: string | undefined, opts: { server: string; json?: boolean }) => {
      const base = opts.server.replace(/\/+$/, '');
      const items = parseJsonOrNdjson(await readInput(file));
      if (items.length === 0) throw new UsageError('no statements in the input');
      const bar =
        items.length > submit_batch_statements ? progressBar('submitting', 'statements') : undefined;
      let rejected = 0;
      let done = 0;
      const print = (line: number, r: Record<string, unknown>) => {
        if (r.code !== undefined) rejected++;
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...r, line })}\n`);
        else if (r.code !== undefined)
          process.stdout.write(`line ${line}: rejected ${r.code}: ${r.message}\n`);
        else
          process.stdout.write(
            `line ${line}: admitted at index ${r.index} (${String(r.id).slice(0, 16)}…)\n`,
          );
      };
      for (let off = 0; off < items.length; off += submit_batch_statements) {
        const chunk = items.slice(off, off + submit_batch_statements);
        const sendable = chunk.filter((it) => it.error === undefined);
        for (const it of chunk)
          if (it.error !== undefined) print(it.line, { code: it.error.code, message: it.error.message });
        if (sendable.length > 0) {
          const body = sendable.map((it) => JSON.stringify(it.value)).join('\n') + '\n';
          let res: Response;
          for (let attempt = 0; ; attempt++) {
            try {
              res = await fetch(`${base}/v1/statements`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-ndjson' },
                body,
              });
            } catch (e) {
              throw new Error(
                `cannot reach ${base}: ${(e as Error).message}; is phaseline serve running there?`,
              );
            }
            // Rate-limited or overloaded as a whole: wait and resend (nothing was admitted).
            if ((res.status === 429 || res.status === 503) && attempt < 5) {
              const wait = Number(res.headers.get('retry-after') ?? '1');
              await new Promise((r) => setTimeout(r, Math.min(30, Math.max(1, wait)) * 1000));
              continue;
            }
            break;
          }
          const text = await res.text();
          if (res.status !== 200) {
            let why = text;
            try {
              why = (JSON.parse(text) as { message?: string }).message ?? text;
            } catch {}
            throw new Error(`${base}/v1/statements answered ${res.status}: ${why}`);
          }
          const lines = text.split('\n').filter((l) => l !== '');
          lines.forEach((l, k) => {
            const r = JSON.parse(l) as Record<string, unknown>;
            print(sendable[k]!.line, r);
          });
        }
        done += chunk.length;
        bar?.update(done, items.length);
      }
      bar?.stop();
      if (!opts.json)
        process.stderr.write(
          `${items.length - rejected} admitted, ${rejected} rejected of ${items.length}\n`,
        );
      if (rejected > 0) process.exitCode = 1;
    });
}
