/**
 * The published JSON Schemas of agreement files, emitted from the zod model so that the editor's
 * view of the format and the loader's can never drift apart (a test checks the committed files
 * are up to date).
 *
 * - `schema/agreement.schema.json`: a complete agreement file (`scenarios/<name>/agreement.yaml`).
 * - `schema/agreement-overlay.schema.json`: a variant overlay (`variants/<name>.yaml`): the same
 *   shape with nothing required, plus `extends` and the `$delete` / `$replace` directives.
 *
 * Regenerate with `npx tsx src/agreement/schema.ts --write`; `--check` exits 1 when stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { agreementJsonSchema } from './model.js';
import { packageRoot } from './scenarios.js';

/** Where the schemas live, relative to the package root. */
export const AGREEMENT_SCHEMA_PATH = 'schema/agreement.schema.json';
export const OVERLAY_SCHEMA_PATH = 'schema/agreement-overlay.schema.json';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The agreement file schema, as the text committed to the repository. */
export function renderAgreementSchema(): string {
  const schema = agreementJsonSchema() as { [k: string]: Json };
  return `${JSON.stringify({ $id: 'https://phaseline.example/schema/agreement.schema.json', title: 'Phaseline agreement file', ...schema }, null, 2)}\n`;
}

/** The overlay schema: every object partial, unions loosened, directives allowed; as committed text. */
export function renderOverlaySchema(): string {
  const base = agreementJsonSchema() as { [k: string]: Json };
  const partial = loosen(base) as { [k: string]: Json };
  const props = (partial.properties ?? {}) as { [k: string]: Json };
  const schema = {
    $id: 'https://phaseline.example/schema/agreement-overlay.schema.json',
    title: 'Phaseline agreement variant (overlay)',
    ...partial,
    description:
      'A variant of an agreement: `extends` names the base file; maps deep-merge, lists of items with an `id` merge by id, other lists and values replace; `{$delete: true}` removes a key or an item by id; `{$replace: value}` replaces without merging.',
    properties: {
      extends: {
        type: 'string',
        description: 'The base agreement file, relative to this file, e.g. `../agreement.yaml`.',
      },
      ...props,
    },
    required: ['extends'],
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

const DIRECTIVES: { [k: string]: Json } = {
  $delete: { const: true, description: 'Remove this item (matched by id) or this key from the base.' },
  $replace: { description: 'Replace the base value with this value, without merging.' },
};

/** Drops `required` and `minItems`, turns `oneOf` into `anyOf` and admits the directives in every object. */
function loosen(node: Json): Json {
  if (Array.isArray(node)) return node.map(loosen);
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'required' || k === 'minItems' || k === 'default') continue;
    out[k === 'oneOf' ? 'anyOf' : k] = k === 'properties' || k === '$defs' ? mapValues(v, loosen) : loosen(v);
  }
  if (out.type === 'object' && out.properties !== undefined) {
    out.properties = { ...(out.properties as { [k: string]: Json }), ...DIRECTIVES };
  }
  return out;
}

function mapValues(v: Json, f: (x: Json) => Json): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)]));
}

/** The committed schema files and their current content, for `--check` and the up-to-date test. */
export function schemaFiles(): { path: string; text: string }[] {
  return [
    { path: AGREEMENT_SCHEMA_PATH, text: renderAgreementSchema() },
    { path: OVERLAY_SCHEMA_PATH, text: renderOverlaySchema() },
  ];
}

function main(argv: string[]): number {
  const root = packageRoot();
  if (argv.includes('--write')) {
    for (const f of schemaFiles()) {
      writeFileSync(nodePath.join(root, f.path), f.text);
      process.stdout.write(`wrote ${f.path}\n`);
    }
    return 0;
  }
  if (argv.includes('--check')) {
    let stale = 0;
    for (const f of schemaFiles()) {
      let current: string | undefined;
      try {
        current = readFileSync(nodePath.join(root, f.path), 'utf8');
      } catch {
        current = undefined;
      }
      if (current !== f.text) {
        process.stderr.write(`${f.path} is out of date: run npx tsx src/agreement/schema.ts --write\n`);
        stale++;
      }
    }
    return stale === 0 ? 0 : 1;
  }
  process.stdout.write(renderAgreementSchema());
  return 0;
}

if (process.argv[1] !== undefined && nodePath.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
