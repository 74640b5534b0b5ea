/**
 * Shared helpers for the agreement tests: loading that must fail, and fixtures that mark the
 * offending line with `# <- error` so the expected line number lives next to the mistake.
 */
import { readFileSync } from 'node:fs';
import * as posix from 'node:path/posix';
import { expect } from 'vitest';
import { AgreementError, type AgreementIssue } from '../../src/agreement/errors.js';
import type { ReadIo } from '../../src/agreement/read.js';

/** Runs `load`, which must throw an AgreementError; returns its issues. */
export function issuesOf(load: () => unknown): readonly AgreementIssue[] {
  let result: unknown;
  try {
    result = load();
  } catch (e) {
    expect(e).toBeInstanceOf(AgreementError);
    return (e as AgreementError).issues;
  }
  throw new Error(`expected the load to fail, but it returned ${JSON.stringify(result)?.slice(0, 200)}`);
}

/** 1-based line numbers of the lines ending in `# <- error` in a fixture file. */
export function markedLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (/#\s*<- error\s*$/.test(line) ? [i + 1] : []));
}

/** In-memory files for parseAgreementText: absolute POSIX paths under `/mem`. */
export function memIo(files: Record<string, string>): ReadIo {
  return {
    read: (abs) => files[abs],
    resolve: (dir, ref) => posix.resolve(dir, ref),
    dirname: (file) => posix.dirname(posix.resolve('/mem', file)),
    basename: (file) => posix.basename(file),
    display: (abs) => posix.relative('/mem', abs),
  };
}
