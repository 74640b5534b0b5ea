/** `phaseline keys`, `sign`, `log …` and `verify`: the commands of the signed-statement log. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadAgreement } from '../agreement/load.js';
import {
  type DataDir,
  dataDirPaths,
  openLog,
  readSignerKey,
  resolveDataDir,
  writePrivateKey,
} from '../datadir/data-dir.js';
import { exportTiles } from '../export/export-tiles.js';
import { type IngestOptions, ingest } from '../ingest/ingest.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { Mechanism } from '../mechanism/mechanism.js';
import { writeStateCommitments } from '../replay/replay-export.js';
import { newNonce, signStatement, verifyEnvelope } from '../statement/envelope.js';
import { generateKeyPair } from '../statement/keys.js';
import { parseTimeArgument, timeArgumentHelp } from '../statement/time.js';
import type { Statement } from '../statement/types.js';
import { type AsyncLogStore, SyncLogStoreAdapter } from '../store/async-log-store.js';
import { PgLogStore } from '../store/postgres/pg-log-store.js';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.js';
import { tileSource } from '../verify/tile-source.js';
import { VerifyError, verifyLog } from '../verify/verify-log.js';
import { parseJsonOrNdjson, readInput, UsageError } from './input.js';
import { progressBar } from './progress.js';

/** The one place the CLI reads the clock. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Parses a user-given time (RFC 3339, or a date) to RFC 3339 UTC with milliseconds. */
export function parseTimeOption(value: string, option: string): string {
  const t = parseTimeArgument(value);
  if (t === undefined)
    throw new UsageError(`${option} ${JSON.stringify(value)} is not a time; ${timeArgumentHelp()}`);
  return t;
}

/**
 * Opens a data directory for appending: through the engine (the agreement's roles decide) once
 * `phaseline init` wrote an agreement, otherwise a bare log where any valid signature is enough.
 */
export function openForAppend(dir: string): {
  log: TransparencyLog;
  hooks: Pick<IngestOptions, 'admit' | 'onAccepted'>;
  close(): void;
} {
  if (Mechanism.exists(dir)) {
    const m = Mechanism.open(dir);
    return { log: m.log, hooks: m.hooks(), close: () => m.close() };
  }
  const log = openLog(dataDirPaths(dir));
  return { log, hooks: {}, close: () => log.store.close() };
}

/**
 * The log store `log export` reads: the PostgreSQL log at a postgres:// URL, else the SQLite
 * file `db` (default the data directory's log.db), which must exist.
 */
async function openLogForExport(paths: DataDir, db: string | undefined): Promise<AsyncLogStore> {
  if (db !== undefined && /^postgres(ql)?:\/\//.test(db)) return PgLogStore.open({ url: db });
  const path = db ?? paths.dbPath;
  if (!existsSync(path))
    throw new Error(`there is no log at ${path}; run phaseline init (or log append) first, or pass --db`);
  const store = new SqliteLogStore(path);
  return new SyncLogStoreAdapter(store, path);
}

/**
 * Writes the state commitments (`state/<2^k>`, docs/log.md) into an export when the data
 * directory runs an agreement; returns how many.
 */
export async function commitExportedState(out: string, dir: string): Promise<number> {
  const paths = dataDirPaths(dir);
  if (!existsSync(paths.agreementPath)) return 0;
  return writeStateCommitments(
    out,
    tileSource(out),
    loadAgreement(paths.agreementPath),
    readSignerKey(paths.logKeyPath),
  );
}

export function registerLogCommands(program: Command): void {
  const keys = program.command('keys').description('manage signing keys');
  keys
    .command('new')
    .argument('<name>', 'key name, e.g. monitors.example or a party id (no spaces or "+")')
    .option('--out <file>', 'where to write the private key (default: NAME.key in the current directory)')
    .description('generate an Ed25519 key pair: prints the verifier key, writes the private key (mode 0600)')
    .action((name: string, opts: { out?: string }) => {
      const out = resolve(opts.out ?? `${name.replace(/[/\\]/g, '_')}.key`);
      if (existsSync(out))
        throw new UsageError(
          `${out} already exists; choose another --out or remove it first (a key is never overwritten)`,
        );
      const pair = generateKeyPair(name);
      writePrivateKey(out, pair.skey);
      process.stdout.write(pair.vkey + '\n');
      process.stderr.write(`private key written to ${out} (keep it secret)\n`);
    });

  program
    .command('sign')
    .argument('[file]', 'statement payloads: one JSON document or NDJSON (default: standard input)')
    .requiredOption('--key <keyfile>', 'private key file (from `phaseline keys new` or `phaseline init`)')
    .description(
      'sign statements: fills in key, time (at), nonce, issuer (the key name) and defaults where absent; prints one envelope per line',
    )
    .action(async (file: string | undefined, opts: { key: string }) => {
      const signer = readSignerKey(opts.key);
      const input = await readInput(file);
      const items = parseJsonOrNdjson(input);
      let failed = 0;
      for (const item of items) {
        const where = `${input.name}:${item.line}`;
        if (item.error !== undefined) {
          process.stderr.write(`${item.error.message} (${item.error.code})\n`);
          failed++;
          continue;
        }
        if (typeof item.value !== 'object' || item.value === null || Array.isArray(item.value)) {
          process.stderr.write(`${where}: expected a JSON object (a statement payload)\n`);
          failed++;
          continue;
        }
        const p = item.value as Partial<Statement>;
        const statement: Statement = {
          kind: p.kind as string,
          agreement: p.agreement as string,
          issuer: p.issuer ?? signer.name,
          key: p.key ?? signer.vkey,
          at: p.at ?? nowIso(),
          nonce: p.nonce ?? newNonce(),
          classification: p.classification ?? 'public',
          subject: p.subject ?? '',
          body: p.body ?? {},
        };
        const extra = Object.keys(p).filter((k) => !(k in statement));
        if (extra.length > 0) {
          process.stderr.write(
            `${where}: unknown field(s) ${extra.join(', ')}; a statement has kind, agreement, issuer, key, at, nonce, classification, subject, body\n`,
          );
          failed++;
          continue;
        }
        if (statement.key !== signer.vkey) {
          process.stderr.write(
            `${where}: key is ${statement.key}, but ${opts.key} holds ${signer.vkey}; remove "key" to use the signer's\n`,
          );
          failed++;
          continue;
        }
        const env = signStatement(statement, signer);
        const v = verifyEnvelope(env);
        if (!v.ok) {
          process.stderr.write(`${where}: ${v.code}: ${v.message}\n`);
          failed++;
          continue;
        }
        process.stdout.write(JSON.stringify(env) + '\n');
      }
      if (failed > 0) process.exitCode = 1;
    });

  const log = program.command('log').description('the transparency log of a data directory');
  log
    .command('append')
    .argument('[file]', 'signed envelopes as NDJSON (default: standard input)')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option('--json', 'print one JSON result per input line')
    .option(
      '--now <time>',
      "admission time to record instead of the clock's (importing historical records, tests)",
    )
    .description(
      'append signed statements; each rejection is reported with its line, the accepted ones are kept',
    )
    .action(async (file: string | undefined, opts: { data?: string; json?: boolean; now?: string }) => {
      const dir = resolveDataDir(opts.data);
      const input = await readInput(file);
      const items = parseJsonOrNdjson(input);
      const opened = openForAppend(dir);
      const theLog = opened.log;
      try {
        const hooks = opened.hooks;
        const parsed = items.filter((i) => i.error === undefined);
        const results = ingest(
          theLog,
          parsed.map((i) => i.value),
          { now: opts.now === undefined ? nowIso() : parseTimeOption(opts.now, '--now'), ...hooks },
        );
        const byLine = new Map(parsed.map((item, k) => [item.line, results[k]!]));
        let appended = 0;
        let rejected = 0;
        for (const item of items) {
          const where = `${input.name}:${item.line}`;
          const r = byLine.get(item.line) ?? { ok: false as const, ...item.error! };
          if (r.ok) appended++;
          else rejected++;
          if (opts.json) process.stdout.write(JSON.stringify({ line: item.line, ...r }) + '\n');
          // A line that is not I-JSON: its message names the input and line already.
          else if (!r.ok && item.error !== undefined)
            process.stderr.write(`rejected (${r.code}): ${r.message}\n`);
          else if (!r.ok) process.stderr.write(`${where}: rejected (${r.code}): ${r.message}\n`);
        }
        if (!opts.json)
          process.stdout.write(`appended ${appended}, rejected ${rejected}; log size ${theLog.size}\n`);
        if (rejected > 0) process.exitCode = 1;
      } finally {
        opened.close();
      }
    });
  log
    .command('key')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .description("print the log's verifier key (give it to `phaseline verify --key`)")
    .action((opts: { data?: string }) => {
      const theLog = openLog(dataDirPaths(resolveDataDir(opts.data)));
      try {
        process.stdout.write(readSignerKey(dataDirPaths(resolveDataDir(opts.data)).logKeyPath).vkey + '\n');
      } finally {
        theLog.store.close();
      }
    });
  log
    .command('export')
    .argument('<dir>', 'output directory (C2SP tlog-tiles layout: checkpoint, tile/…, tile/entries/…)')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option(
      '--db <sqlite-path-or-postgres-url>',
      'the log database: a SQLite file (default DATA/log.db) or a postgres:// URL',
    )
    .description('write the log as static tlog-tiles files, servable by any web server')
    .action(async (out: string, opts: { data?: string; db?: string }) => {
      const dir = resolveDataDir(opts.data);
      const store = await openLogForExport(dataDirPaths(dir), opts.db);
      try {
        const bar = progressBar('export', 'files');
        const r = await exportTiles(store, resolve(out), (done, total) => bar.update(done, total));
        bar.stop();
        process.stdout.write(
          `exported ${r.size} entries: ${r.tiles} tiles, ${r.bundles} entry bundles, checkpoint → ${resolve(out)}\n`,
        );
      } finally {
        await store.close();
      }
      const commitments = await commitExportedState(resolve(out), dir);
      if (commitments > 0)
        process.stdout.write(`wrote ${commitments} state commitments (state/<n> for every power of two n)\n`);
    });

  program
    .command('verify')
    .argument('<dir-or-url>', 'an exported directory or the URL of a server publishing tlog-tiles')
    .requiredOption('--key <vkey>', "the log's verifier key string (from `phaseline log key`)")
    .option('--since <checkpoint-file>', 'an older checkpoint the log must be consistent with')
    .option('--origin <origin>', 'expected log origin (default: the key name)')
    .option('--statements', 'also check the signatures of every public statement (slower)')
    .option(
      '--agreement <file>',
      "the agreement file: its witnesses' quorum of cosignatures must be on the checkpoint",
    )
    .option('--workers <n>', 'hashing threads (default: number of cores)', (v) => Number.parseInt(v, 10))
    .option('--json', 'print the result as JSON')
    .description(
      'recompute every hash from the entries and check the checkpoint; exit 0 only if everything holds',
    )
    .action(
      async (
        target: string,
        opts: {
          key: string;
          since?: string;
          origin?: string;
          statements?: boolean;
          agreement?: string;
          workers?: number;
          json?: boolean;
        },
      ) => {
        const since = opts.since === undefined ? undefined : readFileSync(opts.since, 'utf8');
        const witnesses = opts.agreement === undefined ? undefined : loadAgreement(opts.agreement).witnesses;
        if (opts.agreement !== undefined && witnesses === undefined)
          process.stderr.write(`${opts.agreement} names no witnesses: no quorum of cosignatures to check\n`);
        const bar = progressBar('verify', 'entries');
        try {
          const report = await verifyLog(tileSource(target), {
            key: opts.key.trim(),
            ...(opts.origin ? { origin: opts.origin } : {}),
            ...(since !== undefined ? { since } : {}),
            ...(opts.statements ? { statements: true } : {}),
            ...(witnesses ? { witnesses } : {}),
            ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
            onProgress: (done, size) => bar.update(done, size),
          });
          bar.stop();
          if (opts.json) process.stdout.write(JSON.stringify({ ok: true, ...report }) + '\n');
          else {
            process.stdout.write(`OK: ${report.origin} size ${report.size} root ${report.root}\n`);
            if (report.since)
              process.stdout.write(`OK: consistent with the checkpoint of size ${report.since.size}\n`);
            if (report.witnesses)
              process.stdout.write(
                `OK: cosigned by ${report.witnesses.cosigned.length} of the agreement's witnesses (quorum ${report.witnesses.quorum}): ${report.witnesses.cosigned.map((k) => k.split('+')[0]).join(', ')}\n`,
              );
          }
        } catch (e) {
          bar.stop();
          if (!(e instanceof VerifyError)) throw e;
          if (opts.json)
            process.stdout.write(JSON.stringify({ ok: false, where: e.where, error: e.message }) + '\n');
          process.stderr.write(`FAILED: ${e.message}\n`);
          process.exitCode = 1;
        }
      },
    );
}
