#!/usr/bin/env node
/**
 * The `phaseline` command. Errors are printed as one plain sentence (no stack trace) with exit
 * code 1, or 2 for a wrong invocation; set PHASELINE_DEBUG=1 to see stacks.
 */
import { Command, CommanderError } from 'commander';
import { registerAgreementCommands } from './commands-agreement.js';
import { registerInteropCommands } from './commands-interop.js';
import { registerLogCommands } from './commands-log.js';
import { registerMechanismCommands } from './commands-mechanism.js';
import { registerReportCommands } from './commands-report.js';
import { registerServeCommands } from './commands-serve.js';
import { UsageError } from './input.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('phaseline')
    .description(
      'Phaseline: a verifiable phased-ceasefire mechanism — signed statements in a C2SP transparency log',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerLogCommands(program);
  registerMechanismCommands(program);
  registerAgreementCommands(program);
  registerServeCommands(program);
  registerInteropCommands(program);
  registerReportCommands(program);
  return program;
}

// A reader that stops early (`phaseline export … | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    if (process.env.PHASELINE_DEBUG) console.error(e);
    process.stderr.write(`phaseline: ${(e as Error).message}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}

await main(process.argv);
