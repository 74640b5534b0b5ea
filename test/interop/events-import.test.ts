/**
 * Importing the real incident records (src/interop/events-import.ts): UCDP GED 25.1 and the
 * FPV-strike catalogue as incident.report statements the engine admits, keeping coordinates,
 * dates and casualty figures exactly, with zones resolved by point-in-polygon.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement } from '../../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../../src/agreement/scenarios.js';
import { recordIds } from '../../src/engine/records.js';
import { Timeline } from '../../src/engine/replay.js';
import { CsvError, parseCsv } from '../../src/interop/csv.js';
import {
  eventsToEnvelopes,
  FPV_ATTRIBUTION,
  FPV_CSV,
  readFpvCsv,
  readScenarioEvents,
  readUcdpCsv,
  readUcdpJson,
  scenarioEventsDir,
  UCDP_ATTRIBUTION,
  UCDP_CSV,
  UCDP_JSON,
} from '../../src/interop/events-import.js';
import { partyKey } from '../engine/fixture.js';

let agreement: Agreement;
const dir = scenarioEventsDir();
const text = (f: string) => readFileSync(join(dir, f), 'utf8');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(() => {
  const base = loadAgreement(scenarioPath('lebanon-2026'));
  agreement = withPartyKeys(base, Object.fromEntries(base.parties.map((p) => [p.id, [partyKey(p.id).vkey]])));
});

describe('RFC 4180 reader', () => {
  it('reads quoted fields, escaped quotes, line breaks inside quotes and CRLF, with start lines and raw text', () => {
    const recs = parseCsv('a,b,c\r\n1,"x, ""y""",3\r\n2,"two\nlines",\n\n4,,"end"');
    expect(recs.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, "y"', '3'],
      ['2', 'two\nlines', ''],
      ['4', '', 'end'],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 6]);
    expect(recs[1]!.raw).toBe('1,"x, ""y""",3');
    expect(recs[2]!.raw).toBe('2,"two\nlines",');
  });

  it('rejects an unterminated quote and a stray quote, naming the line', () => {
    expect(() => parseCsv('a\n"open')).toThrow(CsvError);
    expect(() => parseCsv('a\n"open')).toThrow(/line 2/);
    expect(() => parseCsv('a,b\n1,x"y')).toThrow(/line 2: a quote inside an unquoted field/);
  });
});

describe('the shipped records', () => {
  it('every UCDP and FPV row is imported or reported (here: all imported)', () => {
    const ucdpRows = parseCsv(text(UCDP_CSV)).length - 1;
    const fpvRows = parseCsv(text(FPV_CSV)).length - 1;
    const u = readUcdpCsv(text(UCDP_CSV), UCDP_CSV, agreement);
    const f = readFpvCsv(text(FPV_CSV), FPV_CSV, agreement);
    expect(u.events.length + u.problems.length).toBe(ucdpRows);
    expect(f.events.length + f.problems.length).toBe(fpvRows);
    expect([ucdpRows, fpvRows]).toEqual([123, 149]);
    expect([...u.problems, ...f.problems]).toEqual([]);
    const all = readScenarioEvents(agreement);
    expect(all.events).toHaveLength(272);
    for (let i = 1; i < all.events.length; i++)
      expect(all.events[i - 1]!.body.date_start <= all.events[i]!.body.date_start).toBe(true);
  });

  it('UCDP: coordinates, dates, precision and casualty figures exactly as in the file; B2; attributed; evidence = SHA-256 of the row', () => {
    const rows = parseCsv(text(UCDP_CSV));
    const header = rows[0]!.fields;
    const col = (r: string[], c: string) => r[header.indexOf(c)]!;
    const { events } = readUcdpCsv(text(UCDP_CSV), UCDP_CSV, agreement);
    rows.slice(1).forEach((r, k) => {
      const e = events[k]!;
      const f = r.fields;
      expect(e.subject).toBe(`ucdp-ged-${col(f, 'id')}`);
      expect(e.line).toBe(k + 2);
      expect(e.body.latitude).toBe(Number(col(f, 'latitude')));
      expect(e.body.longitude).toBe(Number(col(f, 'longitude')));
      expect(String(e.body.latitude)).toBe(col(f, 'latitude'));
      expect(String(e.body.longitude)).toBe(col(f, 'longitude'));
      expect(e.body.date_start).toBe(`${col(f, 'date_start')}T00:00:00.000Z`);
      expect(e.body.date_end).toBe(`${col(f, 'date_end')}T00:00:00.000Z`);
      expect(e.body.where_prec).toBe(Number(col(f, 'where_prec')));
      expect([e.body.deaths_low, e.body.deaths_best, e.body.deaths_high]).toEqual([
        Number(col(f, 'low')),
        Number(col(f, 'best')),
        Number(col(f, 'high')),
      ]);
      expect(e.body.source_grade).toBe('B2');
      expect(e.body.actor).toBe('israel');
      expect(e.body.type).toBe('air-strike');
      expect(e.body.evidence).toEqual([sha(r.raw)]);
      expect(e.body.note).toContain(UCDP_ATTRIBUTION);
    });
  });

  it('UCDP: the JSON file gives the same incidents as the CSV', () => {
    const c = readUcdpCsv(text(UCDP_CSV), UCDP_CSV, agreement).events;
    const j = readUcdpJson(text(UCDP_JSON), UCDP_JSON, agreement);
    expect(j.problems).toEqual([]);
    expect(j.events.map((e) => e.subject)).toEqual(c.map((e) => e.subject));
    const strip = (b: (typeof c)[number]['body']) => ({ ...b, evidence: [] });
    expect(j.events.map((e) => strip(e.body))).toEqual(c.map((e) => strip(e.body)));
  });

  it('FPV catalogue: coordinates and dates exactly, C3, drone incursion by the actor the catalogue names, CC0 note', () => {
    const rows = parseCsv(text(FPV_CSV));
    const { events } = readFpvCsv(text(FPV_CSV), FPV_CSV, agreement);
    rows.slice(1).forEach((r, k) => {
      const [row, date, , town, lat, lon] = r.fields;
      const e = events[k]!;
      expect(e.subject).toBe(`fpv-catalogue-${row}`);
      expect(String(e.body.latitude)).toBe(lat);
      expect(String(e.body.longitude)).toBe(lon);
      expect(e.body.date_start).toBe(`${date}T00:00:00.000Z`);
      expect(e.body.date_end).toBe(e.body.date_start);
      expect(e.body.where_prec).toBe(/approx/.test(town!) ? 2 : 1);
      expect(e.body.source_grade).toBe('C3');
      expect(e.body.type).toBe('drone-incursion');
      expect(e.body.evidence).toEqual([sha(r.raw)]);
      expect(e.body.note).toContain(FPV_ATTRIBUTION);
      expect(e.body.note).toContain('CC0 1.0');
    });
  });

  it('resolves zones by point-in-polygon, checked by hand for known places', () => {
    const all = readScenarioEvents(agreement).events;
    const zoneOf = (subject: string) => all.find((e) => e.subject === subject)!.body.zone ?? null;
    // Aita ash-Shaab area, 6.9 km from the Blue Line proxy, Bint Jbeil caza south of the Litani
    expect(zoneOf('ucdp-ged-553655')).toBe('bent-jbeil');
    // Bint Jbeil town (33.1212, 35.4335): 4.3 km from the proxy, inside the 5 km buffer strip
    expect(zoneOf('fpv-catalogue-157')).toBe('buffer-strip');
    // Beaufort Castle (Arnoun), above the Litani's north bank: El Nabatieh, north of the Litani
    expect(zoneOf('fpv-catalogue-3')).toBe('nabatieh-north-litani');
    // Khiam: Marjaayoun caza, north of the buffer strip
    expect(zoneOf('fpv-catalogue-4')).toBe('marjaayoun-north');
    // Biranit barracks is in Israel: no zone
    expect(zoneOf('fpv-catalogue-61')).toBeNull();
    // UCDP 553900: where_prec 6 (country only) — never placed in a zone, whatever the point
    expect(all.find((e) => e.subject === 'ucdp-ged-553900')!.body.where_prec).toBe(6);
    expect(zoneOf('ucdp-ged-553900')).toBeNull();
  });

  it('signed by the monitors at the import time, every statement is admitted; a second import is a duplicate, not a double', () => {
    const { events } = readScenarioEvents(agreement);
    const at = '2026-06-26T18:00:00.000Z';
    const envs = eventsToEnvelopes(agreement, events, partyKey('monitors').signer, { at });
    const t = new Timeline(agreement);
    for (const e of envs) {
      const v = t.append(e, at);
      expect(v.ok, v.ok ? '' : `${e.statement.subject}: ${v.code} ${v.message}`).toBe(true);
    }
    expect(recordIds(t.current.incidents)).toHaveLength(272);
    const again = eventsToEnvelopes(agreement, events, partyKey('monitors').signer, { at });
    expect(JSON.stringify(again)).toBe(JSON.stringify(envs));
    expect(t.admit(again[0]!, at)).toMatchObject({ ok: false, code: 'duplicate-statement' });
    const inc = t.current.incidents.get('ucdp-ged-553655')!;
    expect(inc).toMatchObject({
      reporter: 'monitors',
      latitude: 33.17585,
      longitude: 35.44325,
      casualties: { low: 6, best: 6, high: 6 },
      date_start: '2024-11-18T00:00:00.000Z',
    });
  });
});

describe('rows that cannot be imported are reported with file and line', () => {
  it('UCDP', () => {
    const head =
      'id,relid,date_start,date_end,date_prec,latitude,longitude,where_prec,type_of_violence,type_label,side_a,side_b,best,low,high,deaths_civilians,adm_1';
    const csv = [
      head,
      '1,R-1,2024-11-18,2024-11-18,1,33.2,35.3,1,1,"State-based\narmed conflict",Government of Israel,Hezbollah,1,1,1,0,',
      '2,R-2,2024-13-01,2024-11-18,1,33.2,35.3,1,1,x,Government of Israel,Hezbollah,1,1,1,0,',
      '3,R-3,2024-11-18,2024-11-17,1,33.2,35.3,1,1,x,Government of Israel,Hezbollah,1,1,1,0,',
      '4,R-4,2024-11-18,2024-11-18,1,,35.3,1,1,x,Government of Israel,Hezbollah,1,1,1,0,',
      '5,R-5,2024-11-18,2024-11-18,1,33.2,35.3,1,1,x,Government of Israel,Hezbollah,5,1,2,0,',
      '6,R-6,2024-11-18',
      '1,R-1,2024-11-18,2024-11-18,1,33.2,35.3,1,1,x,Government of Israel,Hezbollah,1,1,1,0,',
    ].join('\n');
    const r = readUcdpCsv(csv, 'bad.csv', agreement);
    expect(r.events.map((e) => e.subject)).toEqual(['ucdp-ged-1']);
    expect(r.problems.map((p) => [p.file, p.line])).toEqual([
      ['bad.csv', 4],
      ['bad.csv', 5],
      ['bad.csv', 6],
      ['bad.csv', 7],
      ['bad.csv', 8],
      ['bad.csv', 9],
    ]);
    expect(r.problems.map((p) => p.reason).join('\n')).toMatch(
      /date_start "2024-13-01"[\s\S]*before date_start[\s\S]*latitude missing[\s\S]*low <= best <= high[\s\S]*fields, but the header has 17[\s\S]*appears earlier/,
    );
  });

  it('FPV', () => {
    const csv =
      'row,date,description,town,lat,lon,status\n1,2026-06-01,x,Khiam,33.3,35.6,mapped\n2,2026-06-01,x,Nowhere,,,unmapped\n3,June 1,x,Khiam,33.3,35.6,mapped\n';
    const r = readFpvCsv(csv, 'fpv.csv', agreement);
    expect(r.events).toHaveLength(1);
    expect(r.problems).toEqual([
      { file: 'fpv.csv', line: 3, reason: expect.stringMatching(/status "unmapped"/) },
      { file: 'fpv.csv', line: 4, reason: expect.stringMatching(/date "June 1"/) },
    ]);
  });
});
