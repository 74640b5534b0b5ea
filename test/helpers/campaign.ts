// Fault campaigns (fuzz, tamper, kill, connection exhaustion) report their counts twice: on the
// test's own output, and in .vitest-out/campaigns/, which scripts/run-tests.mjs prints at the
// end of the whole run, so the figures are the last thing a CI log shows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export function reportCampaign(name: string, counts: Record<string, number | string>): void {
  const line = `${name}: ${Object.entries(counts)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
    .join(', ')}`;
  console.log(`campaign ${line}`);
  const dir = join(repoRoot, '.vitest-out', 'campaigns');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.txt`), `${line}\n`);
}
