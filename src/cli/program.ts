/**
 * The `phaseline` program: every command registered, without running it, so that tests and
 * tools can run a command in-process (`buildProgram().parseAsync([...], { from: 'user' })`).
 */
import { Command } from 'commander';
import { registerAgreementCommands } from './commands-agreement.js';
import { registerInteropCommands } from './commands-interop.js';
import { registerLogCommands } from './commands-log.js';
import { registerMechanismCommands } from './commands-mechanism.js';
import { registerReplayCommands } from './commands-replay.js';
import { registerReportCommands } from './commands-report.js';
import { registerServeCommands } from './commands-serve.js';
import { registerSimulateCommands } from './commands-simulate.js';
import { registerWitnessCommands } from './commands-witness.js';

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
  registerWitnessCommands(program);
  registerReplayCommands(program);
  registerReportCommands(program);
  registerSimulateCommands(program);
  return program;
}
