/**
 * `phaseline report daily`: the daily report of one UTC day, the same one the control room shows
 * at #/report/DAY, written as HTML, Markdown, JSON or PDF (headless Chromium prints the HTML).
 * It reads a data directory (at a chosen clearance, public by default, since a daily report is
 * published) or a running server (`--server URL`, as a public reader).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from '../datadir/data-dir.js';
import { dayBounds } from '../report/build-daily.js';
import type { DailyReport } from '../report/model.js';
import { renderReportDocument } from '../report/render-html.js';
import { renderReportMarkdown } from '../report/render-markdown.js';
import { dailyReport } from '../server/control-room-routes.js';
import { SqliteMechanismService } from '../service/sqlite-service.js';
import { CLASSIFICATION_RANK, type Classification } from '../statement/types.js';
import { UsageError } from './input.js';

const FORMATS = ['html', 'md', 'pdf', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Where headless Chromium is looked for: $PHASELINE_CHROMIUM alone when set, else the usual names. */
export function chromiumCandidates(): string[] {
  const chosen = process.env.PHASELINE_CHROMIUM;
  return chosen ? [chosen] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
}

export function findChromium(): string | undefined {
  return chromiumCandidates().find((c) => existsSync(c));
}

/** Prints `html` to a PDF file with headless Chromium; throws a message saying what to install when there is none. */
export function printPdf(html: string, out: string): void {
  const chromium = findChromium();
  if (chromium === undefined)
    throw new Error(
      `PDF needs a headless Chromium, and none was found (looked at ${chromiumCandidates().join(', ')}; $PHASELINE_CHROMIUM names another). Install one (Debian: apt-get install chromium) or write --format html and print that.`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'phaseline-report-'));
  try {
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const r = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${resolve(out)}`,
        `file://${page}`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0 || !existsSync(out) || !readFileSync(out).subarray(0, 5).equals(Buffer.from('%PDF-')))
      throw new Error(
        `${chromium} did not print the PDF (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fromServer(url: string, date: string): Promise<DailyReport> {
  const base = url.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/v1/reports/daily/${date}`);
  } catch (e) {
    throw new Error(`cannot reach ${base}: ${(e as Error).message}; is phaseline serve running there?`);
  }
  const body = (await res.json()) as DailyReport & { message?: string };
  if (!res.ok) throw new Error(`${base} answered ${res.status}: ${body.message ?? ''}`);
  return body;
}

async function fromDataDir(dir: string, date: string, clearance: Classification): Promise<DailyReport> {
  const service = SqliteMechanismService.open(dir);
  try {
    return await dailyReport(service, date, clearance, new Date().toISOString());
  } finally {
    await service.close();
  }
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('reports made from the log');
  report
    .command('daily')
    .requiredOption('--date <YYYY-MM-DD>', 'the UTC day')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'html')
    .option('--out <file>', 'write here (default: standard output; PDF: report-DATE.pdf)')
    .option('--data <dir>', 'data directory (default: $PHASELINE_DATA, else ./phaseline-data)')
    .option('--server <url>', 'read the report from a running server instead, as a public reader')
    .option(
      '--clearance <level>',
      'with --data: the content to include: public, parties or mechanism',
      'public',
    )
    .description(
      'the daily report of one day: summary, stage changes, what each zone waits for, incidents by type, zone and actor with findings, strikes and their response class, contested claims, overdue obligations, truce, escrow movements, and the checkpoint it was made from; every fact cites log indexes anyone can verify',
    )
    .addHelpText(
      'after',
      `
Examples:
  phaseline report daily --date 2026-07-11 --format md
  phaseline report daily --date 2026-07-11 --format pdf --out daily-2026-07-11.pdf
  phaseline report daily --date 2026-07-11 --server http://127.0.0.1:8080 --format html --out report.html`,
    )
    .action(
      async (opts: {
        date: string;
        format: string;
        out?: string;
        data?: string;
        server?: string;
        clearance: string;
      }) => {
        if (!(FORMATS as readonly string[]).includes(opts.format))
          throw new UsageError(`--format ${opts.format}: use one of ${FORMATS.join(', ')}`);
        if (!(opts.clearance in CLASSIFICATION_RANK))
          throw new UsageError(`--clearance ${opts.clearance}: use public, parties or mechanism`);
        try {
          dayBounds(opts.date);
        } catch (e) {
          throw new UsageError(`--date: ${(e as Error).message}`);
        }
        const format = opts.format as Format;
        const r =
          opts.server !== undefined
            ? await fromServer(opts.server, opts.date)
            : await fromDataDir(resolveDataDir(opts.data), opts.date, opts.clearance as Classification);
        if (format === 'pdf') {
          const out = opts.out ?? `report-${opts.date}.pdf`;
          printPdf(renderReportDocument(r), out);
          process.stderr.write(`wrote ${out}\n`);
          return;
        }
        const text =
          format === 'html'
            ? renderReportDocument(r)
            : format === 'md'
              ? renderReportMarkdown(r)
              : `${JSON.stringify(r, null, 2)}\n`;
        if (opts.out === undefined) process.stdout.write(text);
        else {
          writeFileSync(opts.out, text);
          process.stderr.write(`wrote ${opts.out}\n`);
        }
      },
    );
}
