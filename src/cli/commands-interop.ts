/**
 * `phaseline import`: real incident datasets into the log, as signed open-source reports.
 * UCDP GED (CSV or JSON, field names kept) and the FPV-strike catalogue are read by
 * `src/interop/events-import.ts`; each row becomes an `incident.report` signed by a party key,
 * admitted through the engine. Rows that cannot be read are reported with their file and line.
 * `phaseline export`: the derived zones and incidents as GeoJSON or CSV, at a reader's clearance.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { readSignerKey, resolveDataDir } from '../datadir/data-dir.js';
import { recordValues } from '../engine/index.js';
import { ingest } from '../ingest/ingest.js';
import { toCsv } from '../interop/csv.js';
import { eventsToEnvelopes, readFpvCsv, readUcdpCsv, readUcdpJson } from '../interop/events-import.js';
import {
  FINDING_CSV_COLUMNS,
  findingRows,
  LEDGER_CSV_COLUMNS,
  ledgerRows,
  UCDP_GED_CSV_COLUMNS,
  ucdpGedRows,
} from '../interop/state-exports.js';
import { Mechanism } from '../mechanism/mechanism.js';
import { incidentsGeoJson, zonesGeoJson } from '../server/views.js';
import { SqliteMechanismService } from '../service/sqlite-service.js';
import { decodeUtf8OrThrow } from '../statement/strict-json.js';
import { CLASSIFICATIONS, type Classification } from '../statement/types.js';
import { nowIso, parseTimeOption } from './commands-log.js';
import { acledSummary, importAcled } from './import-acled.js';
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

/** `phaseline import acled FILE`: the whole file or nothing; prints the summary. */
function importAcledFile(
  dir: string,
  file: string,
  opts: { as: string; key?: string; json?: boolean },
): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const m = Mechanism.open(dir);
  try {
    const signer = readSignerKey(opts.key ?? `${m.paths.keysDir}/${opts.as}.key`);
    const r = importAcled(m, signer, text, file, nowIso());
    if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (r.unreadable.length === 0) process.stdout.write(acledSummary(r));
    for (const p of r.unreadable) process.stderr.write(`${p.file}:${p.line}: ${p.reason}\n`);
    for (const x of r.rejected)
      process.stderr.write(`${file}:${x.line}: rejected (${x.code}): ${x.message}\n`);
    if (r.unreadable.length > 0)
      process.stderr.write(
        `${file}: ${r.unreadable.length} malformed row(s); nothing imported: the log is unchanged (size ${m.log.size})\n`,
      );
    if (r.unreadable.length > 0 || r.rejected.length > 0) process.exitCode = 1;
  } finally {
    m.close();
  }
}

/** UCDP GED / ACLED-style columns for incidents, so the export opens in the tools analysts use. */
export const INCIDENT_CSV_COLUMNS = [
  'id',
  'type',
  'date_start',
  'date_end',
  'latitude',
  'longitude',
  'where_prec',
  'zone',
  'actor',
  'deaths_low',
  'deaths_best',
  'deaths_high',
  'source_grade',
  'reporter',
  'finding',
  'log_index',
] as const;

export function registerInteropCommands(program: Command): void {
  program
    .command('export')
    .argument('<what>', 'zones | incidents | findings | escrow | ucdp-ged')
    .option(
      '--format <format>',
      'zones: geojson; incidents: geojson or csv; findings and escrow (the ledger): csv or json; ucdp-ged: csv',
    )
    .option('--at <time>', 'as of this time (RFC 3339 or a date; default: now)')
    .option(
      '--clearance <level>',
      'public | parties | mechanism: fold only statements visible at this level',
      'public',
    )
    .option('--out <file>', 'write here instead of standard output')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .description(
      'export the derived zones, incidents, findings, the escrow ledger or UCDP-GED-shaped incidents (GeoJSON, CSV or JSON), public content only by default',
    )
    .action(
      async (
        what: string,
        opts: { format?: string; at?: string; clearance: string; out?: string; data?: string },
      ) => {
        const formats: Record<string, string[]> = {
          zones: ['geojson'],
          incidents: ['geojson', 'csv'],
          findings: ['csv', 'json'],
          escrow: ['csv', 'json'],
          'ucdp-ged': ['csv'],
        };
        const allowed = formats[what];
        if (allowed === undefined)
          throw new UsageError(`export ${what}: choose ${Object.keys(formats).join(', ')}`);
        const format = opts.format ?? allowed[0]!;
        if (!allowed.includes(format))
          throw new UsageError(`--format ${format}: ${what} export as ${allowed.join(' or ')}`);
        if (!(CLASSIFICATIONS as readonly string[]).includes(opts.clearance)) {
          throw new UsageError(`--clearance ${opts.clearance}: use public, parties or mechanism`);
        }
        const clearance = opts.clearance as Classification;
        const at = opts.at === undefined ? nowIso() : parseTimeOption(opts.at, '--at');
        const service = SqliteMechanismService.open(resolveDataDir(opts.data));
        try {
          const state = await service.stateAt(at, clearance);
          // An export holds every incident, not one page of them.
          const meta = {
            at,
            clearance,
            size: await service.size(),
            page: { offset: 0, limit: Number.MAX_SAFE_INTEGER },
          };
          let text: string;
          const table = (columns: readonly string[], rows: Record<string, unknown>[]) =>
            format === 'json' ? JSON.stringify({ at, clearance, rows }) : toCsv(columns, rows);
          if (what === 'zones') text = JSON.stringify(zonesGeoJson(service.agreement, state, meta));
          else if (what === 'findings') text = table(FINDING_CSV_COLUMNS, findingRows(state));
          else if (what === 'escrow') text = table(LEDGER_CSV_COLUMNS, ledgerRows(state));
          else if (what === 'ucdp-ged') {
            const { rows, withoutPlace } = ucdpGedRows(state);
            text = toCsv(UCDP_GED_CSV_COLUMNS, rows);
            if (withoutPlace > 0)
              process.stderr.write(`${withoutPlace} incident(s) without coordinates have no UCDP GED row\n`);
          } else if (format === 'geojson') text = JSON.stringify(incidentsGeoJson(state, meta));
          else {
            const rows = recordValues(state.incidents).map((i) => ({
              ...i,
              deaths_low: i.casualties.low,
              deaths_best: i.casualties.best,
              deaths_high: i.casualties.high,
              finding: state.findings.get(i.id)?.effective?.outcome ?? '',
              log_index: i.entry,
            }));
            text = toCsv(INCIDENT_CSV_COLUMNS, rows);
          }
          if (opts.out) writeFileSync(opts.out, text);
          else process.stdout.write(text + (text.endsWith('\n') ? '' : '\n'));
        } finally {
          await service.close();
        }
      },
    );

  program
    .command('import')
    .argument('<format-or-file>', 'acled, or a UCDP GED CSV/JSON file or the FPV-strike catalogue CSV')
    .argument('[file]', 'with a format first: the file (e.g. phaseline import acled events.csv)')
    .option(
      '--format <format>',
      `input format: acled, ${Object.keys(READERS).join(', ')} (default: from the file name)`,
    )
    .option('--as <party>', 'the party that signs the reports, with DATA/keys/PARTY.key', 'monitors')
    .option('--key <keyfile>', 'sign with this private key instead (its name must be the party id)')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option('--json', 'print the result as JSON')
    .description(
      "import real incident records as signed open-source incident reports (admitted through the engine); `import acled FILE` reads ACLED's export layout and refuses a file with a malformed row whole",
    )
    .action(
      (
        first: string,
        second: string | undefined,
        opts: { format?: string; as: string; key?: string; data?: string; json?: boolean },
      ) => {
        const dir = resolveDataDir(opts.data);
        const file = second ?? first;
        const acled =
          second !== undefined
            ? first === 'acled'
            : opts.format === 'acled' || (opts.format === undefined && /acled.*\.csv$/i.test(basename(file)));
        if (acled) return importAcledFile(dir, file, opts);
        if (second !== undefined && opts.format === undefined) opts.format = first;
        const format = formatOf(file, opts.format);
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          throw new UsageError(
            `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          );
        }
        // Records are signed as read: a byte that is not UTF-8 is refused, never signed as U+FFFD.
        const text = decodeUtf8OrThrow(bytes, file);
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
