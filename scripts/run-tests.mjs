#!/usr/bin/env node
// Runs the test suite with vitest and ends with one plain line, "tests: N passed, N failed, N skipped",
// that any CI reader understands. Exits with vitest's exit code. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const out = '.vitest-out/results.json';
mkdirSync('.vitest-out', { recursive: true });
rmSync(out, { force: true });
// Fault campaigns write their counts here (test/helpers/campaign.ts); they are printed at the end.
const campaigns = '.vitest-out/campaigns';
rmSync(campaigns, { recursive: true, force: true });
const r = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
if (existsSync(campaigns)) {
  console.log('\nfault campaigns:');
  for (const f of readdirSync(campaigns).sort())
    process.stdout.write(`  ${readFileSync(`${campaigns}/${f}`, 'utf8')}`);
}
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  console.log(`\ntests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`);
  if (j.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
}
process.exit(r.status ?? 1);
