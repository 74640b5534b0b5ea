/**
 * From files to one annotated tree: parse the YAML, follow `extends:` from a variant to its base,
 * merge the overlays, and inline geometry references. No schema knowledge lives here; validation
 * happens on the result (see `load.ts`).
 */
import type { AgreementIssue, DocPath } from './errors.js';
import { type ReadText, resolveGeometryRefs } from './geometry.js';
import { mergeOverlay } from './overlay.js';
import { type ANode, issueAt, parseYamlSource } from './source.js';

/** How deep `extends` chains may go (variant → variant → base); deeper chains are a mistake, not a design. */
export const extends_depth_max = 8;

/** File access for the reader; the shell passes node:fs and node:path, tests may pass in-memory files. */
export interface ReadIo {
  read: ReadText;
  /** Joins a relative reference with a directory (an absolute reference stays as is). */
  resolve: (dir: string, ref: string) => string;
  /** The directory holding a file, as an absolute path. */
  dirname: (file: string) => string;
  /** The last path component of a file name. */
  basename: (file: string) => string;
  /** The name shown in errors for an absolute path. */
  display: (abs: string) => string;
}

/**
 * Parses `text` (the file `file`, shown as `shown`) and everything it extends; returns the merged
 * tree with geometry inlined, or every issue found on the way. `baseFile` (absolute) is the base
 * of an overlay that does not name one with `extends` (and must be the one it names if it does).
 */
export function readAgreementTree(
  text: string,
  file: string,
  shown: string,
  io: ReadIo,
  baseFile?: string,
): { tree: ANode | undefined; issues: AgreementIssue[]; unresolved: DocPath[] } {
  const issues: AgreementIssue[] = [];
  const tree = readChain(text, file, shown, io, [], issues, baseFile);
  if (tree === undefined) return { tree: undefined, issues, unresolved: [] };
  const resolved = resolveGeometryRefs(tree, io.read, io.resolve);
  issues.push(...resolved.issues);
  return { tree: resolved.tree, issues, unresolved: resolved.unresolved };
}

function readChain(
  text: string,
  file: string,
  shown: string,
  io: ReadIo,
  seen: string[],
  issues: AgreementIssue[],
  givenBase?: string,
): ANode | undefined {
  const dir = io.dirname(file);
  const parsed = parseYamlSource(text, shown, dir);
  issues.push(...parsed.issues);
  const tree = parsed.tree;
  if (tree === undefined) return undefined;
  if (tree.kind !== 'map') {
    issues.push(
      issueAt(tree.origin, [], 'an agreement file must be a YAML map (keys like id, parties, zones…)'),
    );
    return undefined;
  }
  const written = tree.entries.get('extends');
  // An overlay given beside its base (`--agreement FILE --variant FILE`) may leave `extends` out.
  const ext: ANode | undefined =
    written ??
    (givenBase === undefined ? undefined : { kind: 'scalar', value: givenBase, origin: tree.origin });
  if (ext === undefined) return tree;
  const own: ANode = { ...tree, entries: new Map([...tree.entries].filter(([k]) => k !== 'extends')) };
  if (ext.kind !== 'scalar' || typeof ext.value !== 'string' || ext.value === '') {
    issues.push(
      issueAt(
        ext.origin,
        [],
        '"extends" must name the base agreement file, relative to this file (e.g. ../agreement.yaml)',
      ),
    );
    return undefined;
  }
  const baseFile = io.resolve(dir, ext.value);
  if (written !== undefined && givenBase !== undefined && baseFile !== io.resolve(dir, givenBase)) {
    issues.push(
      issueAt(
        written.origin,
        [],
        `this overlay extends ${io.display(baseFile)}, not the agreement it was given with (${io.display(io.resolve(dir, givenBase))}): remove "extends" or give the file it names`,
      ),
    );
    return undefined;
  }
  const chain = [...seen, io.resolve(dir, io.basename(file))];
  if (chain.includes(baseFile)) {
    issues.push(
      issueAt(ext.origin, [], `"extends" forms a cycle: ${[...chain, baseFile].map(io.display).join(' → ')}`),
    );
    return undefined;
  }
  if (chain.length > extends_depth_max) {
    issues.push(issueAt(ext.origin, [], `"extends" chain is deeper than ${extends_depth_max} files`));
    return undefined;
  }
  const baseText = io.read(baseFile);
  if (baseText === undefined) {
    issues.push(
      issueAt(ext.origin, [], `base agreement "${ext.value}" not found (looked for ${io.display(baseFile)})`),
    );
    return undefined;
  }
  const base = readChain(baseText, baseFile, io.display(baseFile), io, chain, issues);
  if (base === undefined) return undefined;
  // A misused directive is reported and skipped; the merge result is still worth validating.
  const merged = mergeOverlay(base, own);
  issues.push(...merged.issues);
  return merged.tree;
}
