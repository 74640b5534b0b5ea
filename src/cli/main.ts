#!/usr/bin/env node
/**
 * The `phaseline` command. Errors are printed as one plain sentence (no stack trace) with exit
 * code 1, or 2 for a wrong invocation; set PHASELINE_DEBUG=1 to see stacks.
 */
import { CommanderError } from 'commander';
import { UsageError } from './input.js';
import { buildProgram } from './program.js';

export { buildProgram };

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
