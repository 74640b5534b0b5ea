/**
 * Turns zod's issues into messages a negotiator can act on: "missing required field", "must not
 * be negative (money is whole cents)", "unknown key "statment" (a condition is one of: allOf, …)".
 * Union failures are narrowed to the alternative the author evidently meant (the one whose keys
 * matched), so a typo deep inside a condition is reported there, not as "Invalid input" at the top.
 */
import type { z } from 'zod';
import type { DocPath } from './errors.js';

/** A problem at a path of the plain agreement; `key` asks the locator for the key's line rather than the value's. */
export interface PathProblem {
  path: DocPath;
  message: string;
  key?: boolean;
}

type Issue = z.core.$ZodIssue;

/** Fields whose value is money: their messages say so. */
const MONEY_FIELDS = new Set(['amount', 'unitPrice', 'cap']);

/** Describes every issue; `data` is the value that was validated, used to tell missing from wrong. */
export function describeZodIssues(issues: readonly Issue[], data: unknown): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) describe(issue, [], data, out);
  return dedupe(out);
}

function valueAt(data: unknown, path: DocPath): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a map';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    default:
      return `a ${expected}`;
  }
}

function describe(issue: Issue, base: DocPath, data: unknown, out: PathProblem[]): void {
  const path = [...base, ...(issue.path as (string | number)[])];
  const value = valueAt(data, path);
  const last = path[path.length - 1];
  const money = typeof last === 'string' && MONEY_FIELDS.has(last);
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) {
        out.push({
          path,
          message: `missing required field${typeof last === 'string' ? ` "${last}"` : ''} (expected ${typeName(issue.expected)})`,
        });
      } else if (issue.expected === 'int' && typeof value === 'number') {
        out.push({
          path,
          message: money
            ? `must be a whole number of minor units (e.g. cents), got ${value}`
            : Number.isInteger(value)
              ? `${value} is beyond the largest exact whole number (${Number.MAX_SAFE_INTEGER})`
              : `must be a whole number, got ${value}`,
        });
      } else {
        out.push({ path, message: `expected ${typeName(issue.expected)}, got ${show(value)}` });
      }
      return;
    }
    case 'too_small': {
      if (issue.origin === 'number' || issue.origin === 'int') {
        const bound = `${issue.inclusive === false ? '>' : '≥'} ${issue.minimum}`;
        out.push({
          path,
          message:
            money && Number(issue.minimum) === 0
              ? `must not be negative (money is a whole number of minor units, e.g. cents), got ${show(value)}`
              : `must be ${bound}, got ${show(value)}`,
        });
      } else if (issue.origin === 'array') {
        out.push({
          path,
          message: `needs at least ${issue.minimum} item(s), has ${Array.isArray(value) ? value.length : 0}`,
        });
      } else if (issue.origin === 'string') {
        out.push({
          path,
          message:
            Number(issue.minimum) === 1 ? 'must not be empty' : `needs at least ${issue.minimum} characters`,
        });
      } else {
        out.push({ path, message: issue.message });
      }
      return;
    }
    case 'too_big': {
      if (issue.origin === 'number' || issue.origin === 'int') {
        out.push({
          path,
          message: `must be ${issue.inclusive === false ? '<' : '≤'} ${issue.maximum}, got ${show(value)}`,
        });
      } else if (issue.origin === 'array') {
        out.push({
          path,
          message: `allows at most ${issue.maximum} item(s), has ${Array.isArray(value) ? value.length : '?'}`,
        });
      } else {
        out.push({ path, message: issue.message });
      }
      return;
    }
    case 'invalid_format':
      // The model's regexes carry their own explanation (e.g. "an id is 1–64 lowercase letters…").
      out.push({ path, message: `${show(value)} is not valid: ${issue.message}` });
      return;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      out.push({
        path,
        message:
          value === undefined
            ? `missing required field${typeof last === 'string' ? ` "${last}"` : ''} (expected one of ${allowed})`
            : issue.values.length === 1
              ? `must be ${allowed}, got ${show(value)}`
              : `unknown value ${show(value)} (expected one of ${allowed})`,
      });
      return;
    }
    case 'unrecognized_keys':
      for (const k of issue.keys)
        out.push({
          path: [...path, k],
          message: `unknown field "${k}" (check its spelling and indentation)`,
          key: true,
        });
      return;
    case 'invalid_union':
      describeUnion(issue, path, value, data, out);
      return;
    case 'not_multiple_of':
      out.push({ path, message: `must be a multiple of ${issue.divisor}, got ${show(value)}` });
      return;
    case 'invalid_key':
      for (const sub of issue.issues) {
        out.push({ path, message: `invalid key: ${sub.message}` });
      }
      return;
    case 'invalid_element':
    case 'custom':
      out.push({ path, message: issue.message });
      return;
    default: {
      const never: never = issue;
      out.push({ path, message: (never as { message: string }).message });
    }
  }
}

function suggest(k: string, known: string[]): string {
  const near = known.filter((c) => editDistance(c.toLowerCase(), k.toLowerCase()) <= 2);
  return near.length > 0 ? ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : '';
}

/**
 * A union failed: pick the alternative whose top level matched (no issue at the union's own path)
 * and report its issues; if none matched, say which forms are allowed.
 */
function describeUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: DocPath,
  value: unknown,
  data: unknown,
  out: PathProblem[],
): void {
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    const options = 'options' in issue ? (issue.options ?? []) : [];
    const allowed = options.map((o) => JSON.stringify(o)).join(', ');
    out.push({
      path,
      message:
        value === undefined
          ? `missing required field "${issue.discriminator}" (expected one of ${allowed})`
          : `unknown ${issue.discriminator} ${show(value)} (expected one of ${allowed})`,
    });
    return;
  }
  if (issue.errors.length === 0) {
    out.push({ path, message: issue.message });
    return;
  }
  const fits = issue.errors.filter((branch) =>
    branch.every((i) => i.path.length > 0 && !isMissingTopKey(i, path, data)),
  );
  if (fits.length > 0) {
    const best = fits.reduce((a, b) => (b.length < a.length ? b : a));
    for (const i of best) describe(i, path, data, out);
    return;
  }
  // No alternative matched at the top: name the forms by their distinguishing key.
  const forms = new Set<string>();
  // A key is unknown only if every alternative rejects it (`role` is fine for a `statement` condition).
  let unknown: Set<string> | undefined;
  for (const branch of issue.errors) {
    const rejected = new Set<string>();
    for (const i of branch) {
      const top = i.path.length === 1 && typeof i.path[0] === 'string' ? i.path[0] : undefined;
      if (top !== undefined && valueAt(data, [...path, top]) === undefined) forms.add(top);
      if (i.code === 'unrecognized_keys' && i.path.length === 0) for (const k of i.keys) rejected.add(k);
    }
    unknown = unknown === undefined ? rejected : new Set([...unknown].filter((k) => rejected.has(k)));
  }
  unknown ??= new Set();
  const formList = [...forms].join(', ');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push({ path, message: `expected a map with one of the keys ${formList}, got ${show(value)}` });
    return;
  }
  const bad = [...unknown].filter((k) => !forms.has(k));
  if (bad.length > 0) {
    for (const k of bad) {
      out.push({
        path: [...path, k],
        message: `unknown key "${k}"${suggest(k, [...forms])}; expected one of ${formList}`,
        key: true,
      });
    }
    return;
  }
  out.push({ path, message: `expected exactly one of the keys ${formList}` });
}

function isMissingTopKey(i: Issue, path: DocPath, data: unknown): boolean {
  return i.path.length === 1 && valueAt(data, [...path, i.path[0] as string | number]) === undefined;
}

function dedupe(problems: PathProblem[]): PathProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = JSON.stringify([p.path, p.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Levenshtein distance, for "did you mean" on short keys. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
