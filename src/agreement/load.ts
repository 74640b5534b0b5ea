/**
 * The agreement loader (issue 3 §1): YAML file (and the overlays it extends) → a checked,
 * frozen {@link Agreement}, or an {@link AgreementError} listing every problem with file, line,
 * column and path. There is no third outcome: no partial agreement is ever returned.
 *
 * Steps: parse YAML keeping positions → follow `extends` and merge overlays (overlay.ts) →
 * inline geometry references (geometry.ts) → validate shape with the zod model (model.ts) →
 * semantic checks (check.ts) → freeze.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { checkAgreement } from './check.js';
import { AgreementError, type AgreementIssue, type DocPath, formatPath, sortIssues } from './errors.js';
import { type Agreement, AgreementSchema } from './model.js';
import { type ReadIo, readAgreementTree } from './read.js';
import { type ANode, issueInTree, toPlain } from './source.js';
import { describeZodIssues, type PathProblem } from './zod-issues.js';

export { AgreementError, type AgreementIssue } from './errors.js';

/** Options of {@link loadAgreement}. */
export interface LoadOptions {
  /** A variant name: loads `variants/<variant>.yaml` next to the given file, an overlay that extends it. */
  variant?: string;
  /**
   * An overlay file applied to the given file (`phaseline init --agreement FILE --variant FILE`):
   * it may leave `extends` out; when it names a base, that must be the given file.
   */
  variantFile?: string;
}

/** File access through node:fs; errors show paths relative to the working directory when inside it. */
export const nodeIo: ReadIo = {
  read: (abs) => {
    try {
      return readFileSync(abs, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR')
        return undefined;
      throw e;
    }
  },
  resolve: (dir, ref) => nodePath.resolve(dir, ref),
  dirname: (file) => nodePath.dirname(nodePath.resolve(file)),
  basename: (file) => nodePath.basename(file),
  display: (abs) => {
    const rel = nodePath.relative(process.cwd(), abs);
    return rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel) ? rel : abs;
  },
};

/**
 * Loads an agreement file, or with `variant` the overlay `variants/<variant>.yaml` beside it.
 * Throws {@link AgreementError} listing every problem; never returns a partial agreement.
 */
export function loadAgreement(path: string, opts: LoadOptions = {}): Agreement {
  if (opts.variantFile !== undefined) {
    if (opts.variant !== undefined)
      throw new Error('loadAgreement: give a variant name or a variant file, not both');
    const overlay = nodeIo.read(nodePath.resolve(opts.variantFile));
    if (overlay === undefined)
      throw new AgreementError([
        { file: opts.variantFile, line: 0, column: 0, path: '', message: 'variant file not found' },
      ]);
    if (nodeIo.read(nodePath.resolve(path)) === undefined)
      throw new AgreementError([
        { file: path, line: 0, column: 0, path: '', message: 'agreement file not found' },
      ]);
    return parseAgreementText(overlay, opts.variantFile, nodeIo, nodePath.resolve(path));
  }
  let file = path;
  if (opts.variant !== undefined) {
    const known = listVariantNames(nodePath.dirname(path));
    file = nodePath.join(nodePath.dirname(path), 'variants', `${opts.variant}.yaml`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(opts.variant) || !known.includes(opts.variant)) {
      throw new AgreementError([
        {
          file: path,
          line: 0,
          column: 0,
          path: '',
          message: `unknown variant "${opts.variant}" (known: ${known.join(', ') || 'none'}; variants live in ${nodePath.join(nodePath.dirname(path), 'variants')}/<name>.yaml)`,
        },
      ]);
    }
  }
  const text = nodeIo.read(nodePath.resolve(file));
  if (text === undefined) {
    throw new AgreementError([{ file, line: 0, column: 0, path: '', message: 'agreement file not found' }]);
  }
  return parseAgreementText(text, file, nodeIo);
}

/** Variant names (`variants/*.yaml`) in a scenario directory, sorted. */
export function listVariantNames(scenarioDir: string): string[] {
  const dir = nodePath.join(scenarioDir, 'variants');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Parses and checks agreement text. `fileName` is shown in errors and anchors relative paths
 * (`extends`, geometry files); `io` defaults to the file system; `baseFile` (absolute) is the base
 * the text overlays when it names none with `extends`.
 */
export function parseAgreementText(
  text: string,
  fileName: string,
  io: ReadIo = nodeIo,
  baseFile?: string,
): Agreement {
  const { tree, issues, unresolved } = readAgreementTree(text, fileName, fileName, io, baseFile);
  if (tree === undefined) throw new AgreementError(sortIssues(issues));
  // Problems found while reading (overlay directives, geometry references) do not stop
  // validation: the rest of the file is still checked, so one run lists everything.
  const agreement = validateTree(tree, unresolved, issues);
  if (issues.length > 0) throw new AgreementError(sortIssues(issues));
  return agreement;
}

/** Validates a merged, geometry-resolved tree: shape, then semantics. Exported for tests and tools. */
export function validateTree(
  tree: ANode,
  suppress: readonly DocPath[] = [],
  extra: readonly AgreementIssue[] = [],
): Agreement {
  const { agreement, problems } = validatePlain(toPlain(tree), suppress);
  if (agreement === undefined) throw errorFrom(tree, problems, extra);
  return agreement;
}

/**
 * Shape, then semantics. When the shape is wrong the semantic checks still run, best effort, on
 * the raw value with list defaults filled in, so one run lists as many problems as possible;
 * their findings under a path that already has a shape problem are dropped as noise.
 */
function validatePlain(
  plain: unknown,
  suppress: readonly DocPath[] = [],
): { agreement?: Agreement; problems: PathProblem[] } {
  const parsed = AgreementSchema.safeParse(plain);
  // A failed geometry reference is already reported: drop what follows from the geometry being
  // absent (problems at `…geometry` and below, and "no geometry" at the zone itself).
  const keep = (ps: PathProblem[]) =>
    ps.filter(
      (p) =>
        !suppress.some((s) => isPrefix(s, p.path) || (s.length === p.path.length + 1 && isPrefix(p.path, s))),
    );
  if (parsed.success) {
    const problems = keep(checkAgreement(parsed.data));
    return problems.length > 0 ? { problems } : { agreement: deepFreeze(parsed.data), problems };
  }
  const shape = keep(describeZodIssues(parsed.error.issues, plain));
  let semantic: PathProblem[] = [];
  try {
    semantic = keep(checkAgreement(withListDefaults(plain) as Agreement)).filter(
      (p) => !shape.some((z) => isPrefix(z.path, p.path) || isPrefix(p.path, z.path)),
    );
  } catch {
    // The value is too malformed for the semantic checks; the shape problems say why.
  }
  return { problems: [...shape, ...semantic] };
}

function isPrefix(prefix: DocPath, path: DocPath): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => seg === path[i]);
}

/** A copy of a raw agreement with the lists the schema defaults to `[]` present, for best-effort semantic checks. */
function withListDefaults(plain: unknown): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: a raw value of unknown shape, probed defensively
  const copy = structuredClone(plain) as Record<string, any>;
  if (copy === null || typeof copy !== 'object') return copy;
  const lists = (o: unknown, keys: string[]) => {
    if (o === null || typeof o !== 'object') return;
    for (const k of keys)
      if (!Array.isArray((o as Record<string, unknown>)[k])) (o as Record<string, unknown>)[k] = [];
  };
  lists(copy, ['parties', 'actors', 'weaponCategories', 'stages', 'zones', 'regressions', 'benchmarks']);
  for (const p of copy.parties) lists(p, ['roles', 'keys']);
  for (const z of copy.zones) lists(z, ['prerequisites', 'knownSites']);
  lists(copy.truce, ['extensions']);
  lists(copy.escrow, ['pledges', 'indicators']);
  if (copy.adjudication === undefined)
    copy.adjudication = { adjudicatorRoles: ['adjudicator'], findingQuorum: 1 };
  lists(copy.adjudication, ['adjudicatorRoles']);
  return copy;
}

/**
 * Validates an agreement held in memory (no file behind it, so issues carry no line): the same
 * shape and semantic checks as a loaded file. `label` names it in errors.
 */
export function validateValue(value: unknown, label: string): Agreement {
  const located = (problems: readonly PathProblem[]) =>
    new AgreementError(
      problems.map((p) => ({
        file: label,
        line: 0,
        column: 0,
        path: formatPath(p.path),
        message: p.message,
      })),
    );
  const { agreement, problems } = validatePlain(value);
  if (agreement === undefined) throw located(problems);
  return agreement;
}

function errorFrom(
  tree: ANode,
  problems: readonly PathProblem[],
  extra: readonly AgreementIssue[],
): AgreementError {
  const issues: AgreementIssue[] = problems.map((p) => issueInTree(tree, p.path, p.message, p.key ?? false));
  return new AgreementError(sortIssues([...extra, ...issues]));
}

/** Freezes a plain value recursively: the engine shares one agreement, and nothing may change it in place. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
