/** Runs a `phaseline` command in this process (the real command code, without a process start) and returns its standard output. */
import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

export async function phaselineInProcess(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}
