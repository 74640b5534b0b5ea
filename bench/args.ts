/** The benchmarks' few options, read from their own command line (`--name VALUE`). */

/** The value after `--name`, or undefined when the option is absent. */
export function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name N` as a number, or `dflt` when absent; a value that is not a number is an error naming the option. */
export function numberArgument(name: string, dflt: number): number {
  const v = argument(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} ${JSON.stringify(v)}: not a number`);
  return n;
}
