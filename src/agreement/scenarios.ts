/**
 * The scenarios shipped with Phaseline (`scenarios/<name>/agreement.yaml` and its
 * `variants/*.yaml`), and what `phaseline init` needs to turn one into a data directory's own
 * agreement: party keys filled in, written out as one self-contained YAML file.
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import { AgreementError } from './errors.js';
import { listVariantNames, validateValue } from './load.js';
import type { Agreement } from './model.js';

/** The scenario `phaseline init` uses when none is named. */
export const DEFAULT_SCENARIO = 'lebanon-2026';
/** The variant `phaseline init` uses when none is named: the signed framework. */
export const DEFAULT_VARIANT = 'phased-pilot-zones';

let root: string | undefined;

/**
 * The directory holding Phaseline's package.json, found by walking up from this module, so it
 * works from `src/` under tsx and from compiled `dist/` alike.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = nodePath.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(nodePath.join(dir, 'package.json')) && existsSync(nodePath.join(dir, 'scenarios'))) {
      root = dir;
      return dir;
    }
    const up = nodePath.dirname(dir);
    if (up === dir) throw new Error(`cannot find Phaseline's package root (package.json beside scenarios/) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Absolute path of `scenarios/<name>/agreement.yaml`; throws naming the known scenarios when it does not exist. */
export function scenarioPath(name: string): string {
  const file = nodePath.join(packageRoot(), 'scenarios', name, 'agreement.yaml');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(file)) {
    throw new Error(`unknown scenario "${name}": no ${nodePath.join('scenarios', name, 'agreement.yaml')} in ${packageRoot()} (known: ${DEFAULT_SCENARIO})`);
  }
  return file;
}

/** The variant names of a scenario (the files in `scenarios/<name>/variants/`), sorted. */
export function listVariants(name: string): string[] {
  return listVariantNames(nodePath.dirname(scenarioPath(name)));
}

/**
 * A new agreement with the given parties' verifier keys set (replacing what the file had);
 * parties not named keep theirs. Throws {@link AgreementError} for an unknown party id or a
 * malformed or shared key: the result is checked exactly like a loaded file.
 */
export function withPartyKeys(agreement: Agreement, keys: Readonly<Record<string, readonly string[]>>): Agreement {
  const known = new Set(agreement.parties.map((p) => p.id));
  const unknown = Object.keys(keys).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AgreementError(
      unknown.map((id) => ({
        file: '(party keys)',
        line: 0,
        column: 0,
        path: '',
        message: `unknown party "${id}" (known: ${[...known].join(', ')})`,
      })),
    );
  }
  const copy = structuredClone(agreement) as Agreement;
  for (const p of copy.parties) {
    const k = keys[p.id];
    if (k !== undefined) p.keys = [...k];
  }
  return validateValue(copy, '(agreement with party keys)');
}

/** Options of {@link renderAgreementYaml}. */
export interface RenderOptions {
  /** Comment lines written at the top (without `#`), e.g. where the file came from. */
  header?: string[];
}

/**
 * The agreement as one self-contained YAML file: geometry inline (no references to resolve, so
 * the file can live in any data directory), defaults written out, coordinates in flow style.
 * `loadAgreement` on the result gives back an equal agreement.
 */
export function renderAgreementYaml(agreement: Agreement, opts: RenderOptions = {}): string {
  const doc = new Document(agreement);
  // A ring of a few hundred positions is unreadable one number per line: keep each position,
  // and short lists of ids, on one line.
  visit(doc, {
    Pair(_, pair) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === 'coordinates' && isSeq(pair.value)) {
        pair.value.flow = true;
      }
    },
    Seq(_, seq) {
      if (seq.items.every((i) => isScalar(i)) && seq.items.length <= 16) seq.flow = true;
    },
    Map(_, map) {
      if (isMap(map) && map.items.length <= 3 && map.items.every((p) => isPair(p) && isScalar(p.value))) map.flow = true;
    },
  });
  const header = (opts.header ?? []).map((l) => `# ${l}`.trimEnd()).join('\n');
  const body = doc.toString({ lineWidth: 120, minContentWidth: 40 });
  return header === '' ? body : `${header}\n${body}`;
}
