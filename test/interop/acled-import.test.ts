// phaseline import acled: a file in ACLED's published column layout (a synthetic fixture: ACLED's
// terms forbid shipping its data) beside the shipped UCDP GED file: row counts, rows checked by
// hand, duplicates across the two datasets, and a malformed file refused whole with its line.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import { scenarioPath } from '../../src/agreement/scenarios.js';
import { acledActorId, dropDuplicates, readAcledCsv } from '../../src/interop/acled-import.js';
import { phaseline, repoRoot, tempDir } from '../helpers/cli.js';

const fixtures = join(repoRoot, 'test/interop/fixtures');
const acled = join(fixtures, 'acled-layout.csv');
const ucdp = join(repoRoot, 'scenarios/lebanon-2026/events/ucdp_ged251_lebanon_2024-11-18_to_2024-12-25.csv');

describe('reading the ACLED layout', () => {
  const agreement = loadAgreement(scenarioPath('lebanon-2026'));
  const read = readAcledCsv(readFileSync(acled, 'utf8'), 'acled-layout.csv', agreement);

  it('reads every row: importable, skipped by rule with the reason, none malformed', () => {
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => e.sourceId)).toEqual([
      'LBN1001',
      'LBN1002',
      'LBN1003',
      'LBN1005',
      'LBN1006',
      'LBN1007',
      'LBN1008',
    ]);
    expect(read.skipped.map((s) => [s.line, s.reason])).toEqual([
      [5, "ACLED LBN1004: Protests / Peaceful protest has no incident type in the agreement's vocabulary"],
      [8, 'ACLED LBN1003: the same event id appears earlier in the file'],
      [
        12,
        "ACLED LBN1009: Strategic developments / Agreement has no incident type in the agreement's vocabulary",
      ],
    ]);
  });

  it('maps a day-precise air strike as checked by hand (line 2)', () => {
    const e = read.events[0]!;
    expect(e.line).toBe(2);
    expect(e.subject).toBe('acled-LBN1001');
    expect(e.body).toMatchObject({
      date_start: '2024-11-18T00:00:00.000Z',
      date_end: '2024-11-18T00:00:00.000Z',
      latitude: 33.177,
      longitude: 35.444,
      where_prec: 1,
      type: 'air-strike',
      actor: 'israel',
      deaths_low: 6,
      deaths_best: 6,
      deaths_high: 6,
      source_grade: 'B3',
    });
    expect(e.body.note).toContain('time_precision 1, geo_precision 1');
  });

  it('widens the dates by time_precision and keeps both precision codes (lines 6, 7)', () => {
    const week = read.events.find((e) => e.sourceId === 'LBN1005')!;
    expect([week.body.date_start, week.body.date_end]).toEqual([
      '2024-11-19T00:00:00.000Z',
      '2024-11-25T00:00:00.000Z',
    ]);
    expect(week.body.type).toBe('harm-to-civilians');
    expect(week.body.actor).toBe('unidentified-armed-group-lebanon');
    const month = read.events.find((e) => e.sourceId === 'LBN1006')!;
    expect([month.body.date_start, month.body.date_end]).toEqual([
      '2024-11-01T00:00:00.000Z',
      '2024-11-30T00:00:00.000Z',
    ]);
    expect(month.body.where_prec).toBe(4); // geo_precision 3: a larger region
    expect(month.body.zone).toBeUndefined();
    expect(month.body.note).toContain('time_precision 3, geo_precision 3');
  });

  it('keeps quoted notes with commas, quotes and line breaks (line 10)', () => {
    const e = read.events.find((x) => x.sourceId === 'LBN1008')!;
    expect(e.line).toBe(10);
    expect(e.body.note).toContain(
      'ACLED notes: Synthetic row: "a strike", reported, with commas,\nand a second line.',
    );
  });

  it('names actors as the agreement does', () => {
    expect(acledActorId('Military Forces of Israel (2022-)')).toBe('israel');
    expect(acledActorId('Hezbollah')).toBe('hezbollah');
    expect(acledActorId('Military Forces of Lebanon (2021-)')).toBe('lebanon');
  });

  it('finds an event already known from another dataset: same actor, overlapping dates, within 5 km', () => {
    const known = [
      {
        id: 'ucdp-ged-553655',
        actor: 'israel',
        where_prec: 1,
        date_start: '2024-11-18T00:00:00.000Z',
        date_end: '2024-11-18T00:00:00.000Z',
        latitude: 33.17585,
        longitude: 35.44325,
      },
    ];
    const r = dropDuplicates(read.events, known);
    expect(r.duplicates.map((d) => d.reason)).toEqual([
      'ACLED LBN1001: probably the same event as incident ucdp-ged-553655 (same actor, overlapping dates, within 5 km)',
    ]);
    expect(r.events).toHaveLength(6);
  });
});

describe('phaseline import acled', () => {
  const dirs: string[] = [];
  const office = () => {
    const d = tempDir();
    dirs.push(d);
    return join(d, 'office');
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('imports the ACLED-layout file beside the shipped UCDP GED file, skipping cross-dataset duplicates', () => {
    const data = office();
    expect(phaseline(['init', '--data', data]).code).toBe(0);
    expect(phaseline(['import', ucdp, '--data', data]).code).toBe(0);
    const r = phaseline(['import', 'acled', acled, '--data', data, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ format: 'acled', admitted: 5, rejected: [], unreadable: [] });
    expect(out.skipped.map((s: { line: number }) => s.line)).toEqual([2, 5, 8, 9, 12]);
    expect(out.skipped.find((s: { line: number }) => s.line === 9).reason).toMatch(
      /incident ucdp-ged-567567 /,
    );
    const status = JSON.parse(phaseline(['status', '--data', data, '--json', '--state']).stdout);
    expect(
      Object.keys(status.state.incidents)
        .filter((k) => k.startsWith('acled-'))
        .sort(),
    ).toEqual(['acled-LBN1002', 'acled-LBN1003', 'acled-LBN1005', 'acled-LBN1006', 'acled-LBN1008']);
    expect(status.state.incidents['acled-LBN1003']).toMatchObject({
      type: 'armed-presence',
      actor: 'hezbollah',
    });
    // The human summary says what was imported and what was skipped, and why.
    const again = phaseline(['import', 'acled', acled, '--data', data]);
    expect(again.stdout).toMatch(/0 incident reports imported; 10 rows skipped/);
    expect(again.stdout).toMatch(/5 already in the log/);
  }, 240_000);

  it('refuses a malformed file whole, naming its line, and leaves the log unchanged', () => {
    const data = office();
    expect(phaseline(['init', '--data', data]).code).toBe(0);
    const before = JSON.parse(phaseline(['status', '--data', data, '--json']).stdout).size;
    const r = phaseline(['import', 'acled', join(fixtures, 'acled-layout-malformed.csv'), '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'acled-layout-malformed.csv:6: ACLED LBN1005: event_date "31 November 2024" is neither YYYY-MM-DD nor "18 November 2024"',
    );
    expect(r.stderr).toMatch(/nothing imported: the log is unchanged/);
    expect(JSON.parse(phaseline(['status', '--data', data, '--json']).stdout).size).toBe(before);
  }, 240_000);
});
