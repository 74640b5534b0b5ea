/**
 * YAML sources with positions: parse a file into a tree whose every node remembers the file and
 * path it came from, so that an error found after overlays are merged and geometry references
 * are resolved still points at the line a negotiator wrote.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import { type AgreementIssue, type DocPath, formatPath } from './errors.js';

/** One parsed YAML file. */
export interface SourceFile {
  /** The name shown in errors (the path as the caller gave it, or relative to the base file). */
  file: string;
  /** The directory that relative references in this file (`extends`, geometry `file`) resolve against; '' for none. */
  dir: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** Where a node of the merged tree was written. */
export interface Origin {
  source: SourceFile;
  path: DocPath;
  /** Extra context for errors, e.g. `from geo/zones.geojson feature "buffer-strip"`. */
  note?: string;
}

export type Scalar = string | number | boolean | null;

/** A JSON value whose every node carries its {@link Origin}. */
export type ANode =
  | { kind: 'map'; entries: Map<string, ANode>; origin: Origin }
  | { kind: 'seq'; items: ANode[]; origin: Origin }
  | { kind: 'scalar'; value: Scalar; origin: Origin }
  /** A JSON value taken whole from elsewhere (an inlined GeoJSON geometry): one origin for all of it, merged as a unit. */
  | { kind: 'json'; value: unknown; origin: Origin };

/** YAML aliases expand; a billion-laughs file stops here instead of exhausting memory. */
export const yaml_alias_count_max = 100;

/** Larger agreement files are refused: a real framework is tens of kilobytes, a geometry file a few megabytes. */
export const agreement_bytes_max = 8 * 1024 * 1024;

/**
 * Parses YAML text into an annotated tree. Syntax errors, duplicate keys and non-JSON values
 * (binary, complex keys, `.nan`) are reported as issues; `tree` is undefined when any occurred.
 */
export function parseYamlSource(
  text: string,
  file: string,
  dir: string,
): { source: SourceFile; tree: ANode | undefined; issues: AgreementIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const source: SourceFile = { file, dir, doc, lineCounter };
  const issues: AgreementIssue[] = [];
  if (text.length > agreement_bytes_max) {
    issues.push({
      file,
      line: 0,
      column: 0,
      path: '',
      message: `file is larger than ${agreement_bytes_max} bytes`,
    });
    return { source, tree: undefined, issues };
  }
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    issues.push({
      file,
      line: pos?.line ?? 0,
      column: pos?.col ?? 0,
      path: '',
      message: `YAML syntax error: ${firstLine(err.message)}`,
    });
  }
  if (issues.length > 0) return { source, tree: undefined, issues };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: yaml_alias_count_max });
  } catch (e) {
    issues.push({ file, line: 1, column: 1, path: '', message: `YAML error: ${(e as Error).message}` });
    return { source, tree: undefined, issues };
  }
  const tree = annotate(value, { source, path: [] }, issues);
  return { source, tree: issues.length > 0 ? undefined : tree, issues };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/**
 * Builds an annotated tree from a plain value; every node gets `origin` extended by its own path.
 * Values that JSON cannot hold are reported into `issues` and replaced by null.
 */
export function annotate(value: unknown, origin: Origin, issues: AgreementIssue[] | undefined): ANode {
  const at = (seg: string | number): Origin => ({ ...origin, path: [...origin.path, seg] });
  if (value === null || value === undefined) return { kind: 'scalar', value: null, origin };
  if (typeof value === 'string' || typeof value === 'boolean') return { kind: 'scalar', value, origin };
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      issues?.push(issueAt(origin, [], `number ${value} is not allowed (use a finite number)`));
    return { kind: 'scalar', value, origin };
  }
  // A list holding no maps (ids, a ring of coordinates) merges as a unit anyway (overlays replace
  // such lists), so it is kept as one node: an inline zone has thousands of coordinates, and one
  // origin each would cost far more than the file. Errors inside it are still located precisely,
  // by walking the YAML document.
  if (Array.isArray(value) && isPlainList(value)) return { kind: 'json', value, origin };
  if (Array.isArray(value))
    return { kind: 'seq', items: value.map((v, i) => annotate(v, at(i), issues)), origin };
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = new Map<string, ANode>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      entries.set(k, annotate(v, at(k), issues));
    return { kind: 'map', entries, origin };
  }
  issues?.push(
    issueAt(
      origin,
      [],
      `value of type ${describe(value)} is not allowed here (use a string, number, boolean, list or map)`,
    ),
  );
  return { kind: 'scalar', value: null, origin };
}

/** True for a list of strings, finite numbers, booleans, nulls and such lists, at any depth. */
function isPlainList(v: unknown[]): boolean {
  for (const x of v) {
    if (Array.isArray(x)) {
      if (!isPlainList(x)) return false;
    } else if (typeof x === 'number') {
      if (!Number.isFinite(x)) return false;
    } else if (x !== null && typeof x !== 'string' && typeof x !== 'boolean') {
      return false;
    }
  }
  return true;
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return 'bigint';
  if (v instanceof Map) return 'map with non-string keys';
  if (v instanceof Uint8Array) return 'binary';
  if (v instanceof Date) return 'timestamp';
  return typeof v;
}

/** Converts an annotated tree back to plain JSON. */
export function toPlain(node: ANode): unknown {
  switch (node.kind) {
    case 'scalar':
    case 'json':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) out[k] = toPlain(v);
      return out;
    }
    default: {
      const never: never = node;
      return never;
    }
  }
}

/**
 * The origin of the value at `path` in the tree: the deepest node on the path that exists, with
 * the rest of the path appended to its source path (so a missing key points at its parent map).
 */
export function originAt(tree: ANode, path: DocPath): Origin {
  let node = tree;
  let i = 0;
  for (; i < path.length; i++) {
    const seg = path[i]!;
    let next: ANode | undefined;
    if (node.kind === 'map') next = node.entries.get(String(seg));
    else if (node.kind === 'seq' && typeof seg === 'number') next = node.items[seg];
    if (next === undefined) break;
    node = next;
  }
  return { ...node.origin, path: [...node.origin.path, ...path.slice(i)] };
}

/** Line and column (1-based) of the YAML node at `path` in `source`, or of its nearest existing ancestor. */
export function locate(
  source: SourceFile,
  path: DocPath,
  opts: { key?: boolean } = {},
): { line: number; column: number } {
  let node: Node | null = source.doc.contents as Node | null;
  let best: Node | null = node;
  let bestKey: Node | null = null;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i]!;
    let next: Node | null = null;
    let keyNode: Node | null = null;
    if (isAlias(node)) node = node.resolve(source.doc) ?? null;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(seg)) {
          keyNode = pair.key as Node;
          next = (pair.value as Node | null) ?? null;
          // A key with an empty value (`name:`) has no value node: point at the key.
          if (next === null) next = keyNode;
          break;
        }
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = (node.items[seg] as Node | undefined) ?? null;
    }
    if (!next) break;
    node = next;
    best = next;
    bestKey = i === path.length - 1 ? keyNode : null;
  }
  const target = opts.key && bestKey ? bestKey : best;
  const offset = target?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const pos = source.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** An issue at `origin` (plus an optional sub-path), shown with the merged-document path `shownPath`. */
export function issueAt(
  origin: Origin,
  sub: DocPath,
  message: string,
  shownPath?: DocPath,
  key = false,
): AgreementIssue {
  const srcPath = [...origin.path, ...sub];
  const { line, column } = locate(origin.source, srcPath, { key });
  return {
    file: origin.source.file,
    line,
    column,
    path: formatPath(shownPath ?? srcPath),
    message: origin.note ? `${message} (${origin.note})` : message,
  };
}

/** An issue for the value at `path` of the merged tree, located in whichever file wrote it. */
export function issueInTree(tree: ANode, path: DocPath, message: string, key = false): AgreementIssue {
  return issueAt(originAt(tree, path), [], message, path, key);
}
