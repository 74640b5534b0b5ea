/**
 * Reading statement input: a file or standard input holding one JSON document, or NDJSON with
 * one document per line. Every item carries its line number so errors can say where.
 */
import { readFileSync } from 'node:fs';

export interface InputItem {
  line: number;
  value?: unknown;
  error?: string;
}

export function readInputText(file: string | undefined): string {
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY)
      throw new UsageError('no input: give a FILE or pipe JSON/NDJSON into standard input');
    return readFileSync(0, 'utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Parses one JSON document (possibly pretty-printed) or NDJSON. Blank lines are skipped. */
export function parseJsonOrNdjson(text: string): InputItem[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const value = JSON.parse(trimmed);
    // A single document spanning lines, or a one-line file.
    const line = text.slice(0, text.indexOf(trimmed[0]!)).split('\n').length;
    return [{ line, value }];
  } catch {
    // Not one document: read it as NDJSON.
  }
  const items: InputItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '') continue;
    try {
      items.push({ line: i + 1, value: JSON.parse(l) });
    } catch (e) {
      items.push({ line: i + 1, error: `not JSON: ${(e as Error).message}` });
    }
  }
  return items;
}

/** An error in how the command was called: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
