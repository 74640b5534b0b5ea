/**
 * The published JSON Schema of dynamics files (`schema/dynamics.schema.json`), emitted from the
 * zod model so that the editor's view and the loader's cannot drift apart (a test checks the
 * committed file is up to date). Regenerate with `npx tsx src/sim/dynamics-schema.ts --write`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../agreement/scenarios.js';
import { dynamicsJsonSchema } from './dynamics-model.js';

export const DYNAMICS_SCHEMA_PATH = 'schema/dynamics.schema.json';

/** The schema as the text committed to the repository. */
export function renderDynamicsSchema(): string {
  return `${JSON.stringify(
    {
      $id: 'https://phaseline.example/schema/dynamics.schema.json',
      title: 'Phaseline dynamics file (simulation)',
      ...dynamicsJsonSchema(),
    },
    null,
    2,
  )}\n`;
}

function main(argv: string[]): number {
  const file = nodePath.join(packageRoot(), DYNAMICS_SCHEMA_PATH);
  if (argv.includes('--write')) {
    writeFileSync(file, renderDynamicsSchema());
    process.stdout.write(`wrote ${DYNAMICS_SCHEMA_PATH}\n`);
    return 0;
  }
  if (argv.includes('--check')) {
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === renderDynamicsSchema()) return 0;
    process.stderr.write(
      `${DYNAMICS_SCHEMA_PATH} is out of date: run npx tsx src/sim/dynamics-schema.ts --write\n`,
    );
    return 1;
  }
  process.stdout.write(renderDynamicsSchema());
  return 0;
}

if (process.argv[1] !== undefined && nodePath.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
