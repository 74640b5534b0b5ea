/** Runs the real `phaseline` command line (TypeScript sources through tsx) as a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliMain = join(repoRoot, 'src/cli/main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function phaseline(
  args: string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cliMain, ...args], {
    input: options.input ?? '',
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'phaseline-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The compiled command (dist/, built by `npm ci` or test/setup/build-dist.ts), as a user runs it. */
export const distCli = join(repoRoot, 'bin/phaseline.js');
