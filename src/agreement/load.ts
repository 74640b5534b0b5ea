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
import { AgreementError, type AgreementIssue, sortIssues } from './errors.js';
import { type Agreement, AgreementSchema } from './model.js';
import { type ReadIo, readAgreementTree } from './read.js';
import { type ANode, issueInTree, toPlain } from './source.js';
import { describeZodIssues, type PathProblem } from './zod-issues.js';

export { AgreementError, type AgreementIssue } from './errors.js';

/** Options of {@link loadAgreement}. */
export interface LoadOptions {
  /** A variant name: loads `variants/<variant>.yaml` next to the given file, an overlay that extends it. */
  variant?: string;
}

/** File access through node:fs; errors show paths relative to the working directory when inside it. */
export const nodeIo: ReadIo = {
  read: (abs) => {
    try {
      return readFileSync(abs, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw e;
    }
  },
  resolve: (dir, ref) => nodePath.resolve(dir, ref),
  dirname: (file) => nodePath.dirname(nodePath.resolve(file)),
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
 * (`extends`, geometry files); `io` defaults to the file system.
 */
export function parseAgreementText(text: string, fileName: string, io: ReadIo = nodeIo): Agreement {
  const { tree, issues } = readAgreementTree(text, fileName, fileName, io);
  if (tree === undefined) throw new AgreementError(sortIssues(issues));
  return validateTree(tree);
}

/** Validates a merged, geometry-resolved tree: shape, then semantics. Exported for tests and tools. */
export function validateTree(tree: ANode): Agreement {
  const plain = toPlain(tree);
  const parsed = AgreementSchema.safeParse(plain);
  if (!parsed.success) throw errorFrom(tree, describeZodIssues(parsed.error.issues, plain));
  const problems = checkAgreement(parsed.data);
  if (problems.length > 0) throw errorFrom(tree, problems);
  return deepFreeze(parsed.data);
}

function errorFrom(tree: ANode, problems: readonly PathProblem[]): AgreementError {
  const issues: AgreementIssue[] = problems.map((p) => issueInTree(tree, p.path, p.message, p.key ?? false));
  return new AgreementError(sortIssues(issues));
}

/** Freezes a plain value recursively: the engine shares one agreement, and nothing may change it in place. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
