// The README's first command runs `phaseline demo`: on a fresh data directory it seeds the
// simulated history and the real incident records, exports and verifies the public log, and
// shows the state; run again, it reuses the directory and adds nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phaseline, tempDir } from '../helpers/cli.js';

describe('phaseline demo (the main job on the embedded default)', () => {
  it('seeds, exports, verifies and shows the state, then reuses the directory on a second run', () => {
    const data = join(tempDir(), 'phaseline-data');
    const first = phaseline(['demo'], { env: { PHASELINE_DATA: data } });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /seeded (\d+) signed statements: (\d+) SIMULATED demo statements and (\d+) real incident records/,
    );
    const [, total, simulated, real] = first.stdout.match(
      /seeded (\d+) signed statements: (\d+) SIMULATED demo statements and (\d+) real incident records/,
    )!;
    expect(Number(simulated) + Number(real)).toBe(Number(total));
    expect(Number(real)).toBe(123 + 149); // every UCDP GED row and every FPV-catalogue row
    expect(first.stdout).toContain(`verified it: ${total} entries`);
    expect(first.stdout).toMatch(/sour-south-litani\s+handed-over/);
    expect(first.stdout).toContain('Zones are illustrative');
    expect(readFileSync(join(data, 'public', 'checkpoint'), 'utf8')).toMatch(
      new RegExp(`^phaseline\\.example/lebanon-2026\\n${total}\\n`),
    );

    const second = phaseline(['demo'], { env: { PHASELINE_DATA: data } });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`using the existing data directory ${data}`);
    expect(second.stdout).toContain(`verified it: ${total} entries`);
  });

  it('init --demo seeds a new data directory the same way and reports the counts as JSON', () => {
    const data = join(tempDir(), 'office');
    const r = phaseline(['init', '--demo', '--json', '--data', data]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.demo.imported).toBe(272);
    expect(out.demo.admitted).toBe(out.demo.simulated + out.demo.imported);
    expect(out.logKey).toMatch(/^phaseline\.example\/lebanon-2026\+[0-9a-f]{8}\+/);
  });
});
