/** `phaseline check`: validate agreement files (and an overlay) without touching any data. */
import type { Command } from 'commander';
import { AgreementError, type AgreementIssue, formatIssue } from '../agreement/errors.js';
import { loadAgreement } from '../agreement/load.js';
import type { Agreement } from '../agreement/model.js';
import { agreementHash } from '../agreement/pin.js';
import { UsageError } from './input.js';

type Checked = { file: string; agreement: Agreement } | { file: string; issues: readonly AgreementIssue[] };

function checkFile(file: string, variantFile: string | undefined): Checked {
  const shown = variantFile ?? file;
  try {
    return {
      file: shown,
      agreement: loadAgreement(file, variantFile === undefined ? {} : { variantFile }),
    };
  } catch (e) {
    if (!(e instanceof AgreementError)) throw e;
    return { file: shown, issues: e.issues };
  }
}

export function registerAgreementCommands(program: Command): void {
  program
    .command('check')
    .argument('<files...>', 'agreement files (YAML), or overlays that name their base with `extends`')
    .option('--variant <file>', 'an overlay applied to the one FILE given (it may leave `extends` out)')
    .option('--json', 'print one JSON result per file')
    .description(
      'validate agreement files: schema and semantic checks, every problem as file:line:column; exit 1 on any problem. Reads no data directory',
    )
    .action((files: string[], opts: { variant?: string; json?: boolean }) => {
      if (opts.variant !== undefined && files.length !== 1)
        throw new UsageError('--variant overlays one agreement file: give exactly one FILE with it');
      const w = (s: string) => process.stdout.write(`${s}\n`);
      for (const file of files) {
        const r = checkFile(file, opts.variant);
        if ('issues' in r) {
          process.exitCode = 1;
          if (opts.json) w(JSON.stringify({ file: r.file, ok: false, issues: r.issues }));
          else {
            for (const issue of r.issues) process.stderr.write(`${formatIssue(issue)}\n`);
            const n = r.issues.length;
            process.stderr.write(`${r.file}: ${n === 1 ? '1 problem' : `${n} problems`}\n`);
          }
          continue;
        }
        const a = r.agreement;
        const summary = {
          file: r.file,
          ok: true,
          id: a.id,
          title: a.title,
          logOrigin: a.logOrigin,
          hash: agreementHash(a),
          parties: a.parties.length,
          zones: a.zones.length,
          stages: a.stages.length,
        };
        if (opts.json) {
          w(JSON.stringify(summary));
          continue;
        }
        w(`${r.file}: ok — ${a.id} (${a.title})`);
        w(
          `  ${summary.parties} parties, ${summary.zones} zones, ${summary.stages} stages; log origin ${a.logOrigin}`,
        );
        w(`  hash ${summary.hash} (as written; \`phaseline init\` adds a key per party, which changes it)`);
      }
    });
}
