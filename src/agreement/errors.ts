/**
 * Errors of the agreement loader (DESIGN.md, "The agreement is data").
 *
 * A negotiator edits a YAML file; when it is wrong, the loader must say where (file, line,
 * column, JSON path) and what was expected, for every problem at once, so that one run shows the
 * whole list. The loader never returns a partial agreement: it either returns a fully checked
 * one or throws one {@link AgreementError} holding every {@link AgreementIssue} it found.
 */

/** A path into the agreement document, as keys and array indices: `['zones', 3, 'prerequisites', 0]`. */
export type DocPath = readonly (string | number)[];

/** One problem in an agreement file. `line` and `column` are 1-based; 0 when unknown. */
export interface AgreementIssue {
  /** The file the problem is in, as given to the loader (an overlay's own file for overlay content). */
  file: string;
  line: number;
  column: number;
  /** The JSON path of the offending value in the merged agreement, e.g. `zones[3].prerequisites[0]`; `` for the document. */
  path: string;
  /** What is wrong and, where it helps, what is expected instead. */
  message: string;
}

/** Upper bound on issues listed in one error message; the full list stays in `.issues`. */
export const issues_listed_max = 50;

/** Thrown when an agreement file cannot be loaded; `.issues` lists every problem found. */
export class AgreementError extends Error {
  override readonly name = 'AgreementError';
  readonly issues: readonly AgreementIssue[];

  constructor(issues: readonly AgreementIssue[]) {
    super(formatIssues(issues));
    this.issues = issues;
  }
}

/** `a.b[3].c` from `['a', 'b', 3, 'c']`; keys that are not identifiers are quoted: `a["x.y"]`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `file:line:column: path: message`, the form editors and terminals turn into links. */
export function formatIssue(issue: AgreementIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

function formatIssues(issues: readonly AgreementIssue[]): string {
  const head =
    issues.length === 1 ? 'agreement file has 1 problem' : `agreement file has ${issues.length} problems`;
  const listed = issues.slice(0, issues_listed_max).map((i) => `  ${formatIssue(i)}`);
  const more = issues.length > issues_listed_max ? [`  … and ${issues.length - issues_listed_max} more`] : [];
  return [head + ':', ...listed, ...more].join('\n');
}

/** Orders issues by file, then line, then column, so the list reads top to bottom. */
export function sortIssues(issues: readonly AgreementIssue[]): AgreementIssue[] {
  return [...issues].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}
