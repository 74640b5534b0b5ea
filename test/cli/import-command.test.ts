// phaseline import: real incident datasets become signed open-source reports in the log.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { phaseline, repoRoot, tempDir } from '../helpers/cli.js';

const events = join(repoRoot, 'scenarios/lebanon-2026/events');

describe('phaseline import', () => {
  it('imports every UCDP GED row once; a second import of the same rows is rejected line by line', () => {
    const dir = tempDir();
    const data = join(dir, 'office');
    expect(phaseline(['init', '--data', data]).code).toBe(0);
    const csv = join(events, 'ucdp_ged251_lebanon_2024-11-18_to_2024-12-25.csv');
    const first = phaseline(['import', csv, '--data', data, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      format: 'ucdp-csv',
      admitted: 123,
      rejected: [],
      unreadable: [],
    });
    const again = phaseline(['import', csv, '--data', data]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('0 incident reports admitted, 123 rejected');
    expect(again.stderr).toMatch(/ucdp_ged251_lebanon_2024-11-18_to_2024-12-25\.csv:\d+: rejected \(/);

    const status = JSON.parse(phaseline(['status', '--data', data, '--json', '--state']).stdout);
    expect(Object.keys(status.state.incidents)).toHaveLength(123);

    const unknown = join(dir, 'events.txt');
    writeFileSync(unknown, 'x');
    const bad = phaseline(['import', unknown, '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot tell the format');
  });
});
