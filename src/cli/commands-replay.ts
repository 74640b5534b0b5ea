/**
 * `phaseline replay EXPORT_DIR_OR_URL --agreement FILE [--at T]`: the public state re-derived from
 * an exported log and the agreement alone, checked against the log's state commitments. See
 * docs/replay.md.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadAgreement } from '../agreement/load.js';
import { ReplayError, replayExport } from '../replay/replay-export.js';
import { tileSource } from '../verify/tile-source.js';
import { parseTimeOption } from './commands-log.js';
import { progressBar } from './progress.js';

export function registerReplayCommands(program: Command): void {
  program
    .command('replay')
    .argument('<dir-or-url>', 'an exported log (phaseline log export) or the URL of a server publishing it')
    .requiredOption('--agreement <file>', 'the agreement file the log runs under')
    .option('--key <vkey>', "the log's verifier key: check the checkpoint and the commitments' signatures")
    .option('--at <time>', 'the state at this time (RFC 3339 or a date): entries admitted by then')
    .option('--out <file>', 'write the state (RFC 8785 JSON) here instead of standard output')
    .option('--json', 'print the report as JSON (the state itself goes to --out)')
    .description(
      "re-derive the public state from the log alone and check it against the log's state commitments; exit 1 at the first size where they differ",
    )
    .action(
      async (
        target: string,
        opts: { agreement: string; key?: string; at?: string; out?: string; json?: boolean },
      ) => {
        const agreement = loadAgreement(opts.agreement);
        const at = opts.at === undefined ? undefined : parseTimeOption(opts.at, '--at');
        const bar = progressBar('replay', 'entries');
        let report: Awaited<ReturnType<typeof replayExport>>;
        try {
          report = await replayExport(tileSource(target), {
            agreement,
            ...(opts.key ? { key: opts.key.trim() } : {}),
            ...(at ? { at } : {}),
            onProgress: (d, n) => bar.update(d, n),
          });
        } catch (e) {
          if (e instanceof ReplayError) throw new Error(`cannot replay ${target}: ${e.message}`);
          throw e;
        } finally {
          bar.stop();
        }
        const { text, ...summary } = report;
        if (opts.out !== undefined) writeFileSync(opts.out, text);
        if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else {
          if (opts.out === undefined) process.stdout.write(`${text}\n`);
          const w = (s: string) => process.stderr.write(`${s}\n`);
          w(
            `replayed ${report.folded} of ${report.size} entries of ${report.origin}${at ? ` (admitted by ${at})` : ''}; public state digest ${report.digest}`,
          );
          if (!report.authenticated)
            w('(no --key: the checkpoint and the commitments were not checked against the log key)');
          const d = report.firstDifference;
          if (d !== undefined)
            w(
              `DIFFERS: the public state first differs from the log's commitment at size ${d.size} (committed ${d.committed}, derived ${d.derived})${d.lastAgreeing ? `; it agreed at size ${d.lastAgreeing}` : ''}`,
            );
          else w(`OK: agrees with all ${report.commitments.length} state commitments`);
        }
        if (report.firstDifference !== undefined) process.exitCode = 1;
      },
    );
}
