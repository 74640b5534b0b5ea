// phaseline export: derived zones and incidents as GeoJSON or CSV, at the reader's clearance.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/interop/csv.js';
import { phaseline, repoRoot, tempDir } from '../helpers/cli.js';

describe('phaseline export', () => {
  const data = join(tempDir(), 'office');
  const marker = 'RESTRICTED-MARKER-7f3a';

  beforeAll(() => {
    expect(phaseline(['init', '--data', data]).code).toBe(0);
    const csv = join(
      repoRoot,
      'scenarios/lebanon-2026/events/ucdp_ged251_lebanon_2024-11-18_to_2024-12-25.csv',
    );
    expect(phaseline(['import', csv, '--data', data]).code).toBe(0);
    // One incident only the mechanism may read.
    const signed = phaseline(['sign', '--key', join(data, 'keys', 'monitors.key')], {
      input: JSON.stringify({
        kind: 'incident.report',
        agreement: 'lebanon-2026',
        classification: 'mechanism',
        subject: 'monitors/restricted-incident-1',
        body: {
          date_start: '2026-11-20T00:00:00.000Z',
          date_end: '2026-11-20T00:00:00.000Z',
          latitude: 33.27,
          longitude: 35.2,
          type: 'armed-presence',
          source_grade: 'B2',
          note: marker,
        },
      }),
    });
    expect(phaseline(['log', 'append', '--data', data], { input: signed.stdout }).code).toBe(0);
  });

  it('incidents as CSV with UCDP field names read back exactly, and a public export leaves restricted incidents out', () => {
    const pub = phaseline(['export', 'incidents', '--format', 'csv', '--data', data]);
    expect(pub.code).toBe(0);
    const rows = parseCsv(pub.stdout);
    expect(rows[0]!.fields.slice(0, 6)).toEqual([
      'id',
      'type',
      'date_start',
      'date_end',
      'latitude',
      'longitude',
    ]);
    expect(rows.length - 1).toBe(123);
    expect(pub.stdout).not.toContain('restricted-incident-1');
    const first = rows.find((r) => r.fields[0] === 'ucdp-ged-553655')!.fields;
    expect(first.slice(4, 6)).toEqual(['33.17585', '35.44325']);

    const mech = phaseline([
      'export',
      'incidents',
      '--format',
      'csv',
      '--clearance',
      'mechanism',
      '--data',
      data,
    ]);
    expect(parseCsv(mech.stdout).length - 1).toBe(124);
    expect(mech.stdout).toContain('restricted-incident-1');
  });

  it('zones as GeoJSON with their stage, and no restricted content in any public export', () => {
    const zones = JSON.parse(phaseline(['export', 'zones', '--data', data]).stdout);
    expect(zones.type).toBe('FeatureCollection');
    expect(zones.features).toHaveLength(9);
    expect(zones.features[0].properties).toMatchObject({
      id: 'sour-south-litani',
      stage: 'defined',
      illustrative: true,
    });
    const incidents = phaseline(['export', 'incidents', '--data', data]).stdout;
    expect(JSON.parse(incidents).features.length).toBeGreaterThan(100);
    expect(incidents + JSON.stringify(zones)).not.toContain(marker);
    const bad = phaseline(['export', 'zones', '--format', 'csv', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('zones export as geojson');
  });
});
