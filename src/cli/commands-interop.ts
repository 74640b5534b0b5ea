/**
 * `phaseline import`: real incident datasets into the log, as signed open-source reports.
 * UCDP GED (CSV or JSON, field names kept) and the FPV-strike catalogue are read by
 * `src/interop/events-import.ts`; each row becomes an `incident.report` signed by a party key,
 * admitted through the engine. Rows that cannot be read are reported with their file and line.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { readSignerKey, resolveDataDir } from '../datadir/data-dir.js';
import { ingest } from '../ingest/ingest.js';
import { eventsToEnvelopes, readFpvCsv, readUcdpCsv, readUcdpJson } from '../interop/events-import.js';
import { Mechanism } from '../mechanism/mechanism.js';
import { nowIso } from './commands-log.js';
import { UsageError } from './input.js';
import { progressBar } from './progress.js';

const READERS = { 'ucdp-csv': readUcdpCsv, 'ucdp-json': readUcdpJson, 'fpv-csv': readFpvCsv } as const;
type Format = keyof typeof READERS;

/** Guesses the format from the file name when --format is not given. */
function formatOf(file: string, given: string | undefined): Format {
  if (given !== undefined) {
    if (!(given in READERS))
      throw new UsageError(`--format ${given}: use one of ${Object.keys(READERS).join(', ')}`);
    return given as Format;
  }
  const name = basename(file).toLowerCase();
  if (name.includes('ucdp') && name.endsWith('.json')) return 'ucdp-json';
  if (name.includes('ucdp') && name.endsWith('.csv')) return 'ucdp-csv';
  if (name.includes('fpv') && name.endsWith('.csv')) return 'fpv-csv';
  throw new UsageError(
    `cannot tell the format of ${file}; give --format (${Object.keys(READERS).join(', ')})`,
  );
}

export function registerInteropCommands(program: Command): void {
  program
    .command('import')
    .argument('<file>', 'a UCDP GED CSV/JSON file or the FPV-strike catalogue CSV')
    .option(
      '--format <format>',
      `input format: ${Object.keys(READERS).join(', ')} (default: from the file name)`,
    )
    .option('--as <party>', 'the party that signs the reports, with DATA/keys/PARTY.key', 'monitors')
    .option('--key <keyfile>', 'sign with this private key instead (its name must be the party id)')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option('--json', 'print the result as JSON')
    .description(
      'import real incident records as signed open-source incident reports (admitted through the engine)',
    )
    .action(
      (file: string, opts: { format?: string; as: string; key?: string; data?: string; json?: boolean }) => {
        const dir = resolveDataDir(opts.data);
        const format = formatOf(file, opts.format);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          throw new UsageError(
            `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        }
        const m = Mechanism.open(dir);
        try {
          const signer = readSignerKey(opts.key ?? `${m.paths.keysDir}/${opts.as}.key`);
          const read = READERS[format](text, file, m.agreement);
          const now = nowIso();
          const envelopes = eventsToEnvelopes(m.agreement, read.events, signer, {
            at: now,
            party: signer.name,
          });
          const bar = progressBar('import', 'records');
          const results = [];
          const chunk = 1000;
          for (let off = 0; off < envelopes.length; off += chunk) {
            results.push(...ingest(m.log, envelopes.slice(off, off + chunk), { now, ...m.hooks() }));
            bar.update(Math.min(envelopes.length, off + chunk), envelopes.length);
          }
          bar.stop();
          const rejected = results.flatMap((r, i) =>
            r.ok ? [] : [{ line: read.events[i]!.line, code: r.code, message: r.message }],
          );
          const admitted = results.length - rejected.length;
          if (opts.json) {
            process.stdout.write(
              JSON.stringify({ file, format, admitted, rejected, unreadable: read.problems }) + '\n',
            );
          } else {
            process.stdout.write(
              `${file}: ${admitted} incident reports admitted, ${rejected.length} rejected, ${read.problems.length} rows unreadable; log size ${m.log.size}\n`,
            );
            for (const r of rejected)
              process.stderr.write(`${file}:${r.line}: rejected (${r.code}): ${r.message}\n`);
            for (const p of read.problems) process.stderr.write(`${p.file}:${p.line}: ${p.reason}\n`);
          }
          if (rejected.length > 0 || read.problems.length > 0) process.exitCode = 1;
        } finally {
          m.close();
        }
      },
    );
}
