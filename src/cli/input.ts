/**
 * Reading statement input: a file or standard input holding one JSON document, or NDJSON with
 * one document per line, read as I-JSON (see statement/strict-json.ts). Every item carries its
 * line number so errors can say where.
 */
import { readFile } from 'node:fs/promises';
import { decodeUtf8Lines, parseStrictJson } from '../statement/strict-json.js';

export type InputItem =
  | { line: number; value: unknown; error?: undefined }
  | { line: number; value?: undefined; error: { code: string; message: string } };

/** What a command reads: its bytes and the name messages give it (`stdin` or the file). */
export interface Input {
  bytes: Buffer;
  name: string;
}

/**
 * The bytes of FILE, or of standard input when FILE is absent or `-`. Standard input is read as
 * a stream until its end, whatever it is: a pipe from a producer that is slow (or another
 * `phaseline`, which may leave the pipe non-blocking: a synchronous read of fd 0 then fails with
 * EAGAIN), a file, or a terminal (ended with Ctrl-D).
 */
export async function readInput(file: string | undefined): Promise<Input> {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY)
      process.stderr.write('reading statements from the terminal; end the input with Ctrl-D\n');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks), name: 'stdin' };
  }
  try {
    return { bytes: await readFile(file), name: file };
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Parses one JSON document (possibly pretty-printed) or NDJSON. Blank lines are skipped. A line
 * whose bytes are not UTF-8, or that is not I-JSON, is an item with an error whose message
 * names the input and line (`stdin:3 is not JSON: …`); the others stand.
 */
export function parseJsonOrNdjson(input: Input): InputItem[] {
  const { bytes, name } = input;
  const lines = decodeUtf8Lines(bytes, (line) => `${name}:${line}`);
  if (lines.length === 0) return [];
  if (lines.length > 1 && lines.every((l) => 'text' in l)) {
    // Maybe one document spanning lines.
    const whole = parseStrictJson(bytes.toString('utf8'), name);
    if (whole.ok) return [{ line: lines[0]!.line, value: whole.value }];
    if (whole.code !== 'malformed-json') return [{ line: lines[0]!.line, error: whole }];
  }
  return lines.map((l) => {
    if ('rejection' in l) return { line: l.line, error: l.rejection };
    const p = parseStrictJson(l.text, `${name}:${l.line}`);
    return p.ok ? { line: l.line, value: p.value } : { line: l.line, error: p };
  });
}

/** An error in how the command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
