/**
 * The overlay merge rules, as a negotiator writing a variant relies on them: maps deep-merge,
 * lists of items with an id merge by id, other lists replace, `$delete` removes, `$replace`
 * replaces wholesale, and misuse is reported in the overlay file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAgreementText } from '../../src/agreement/load.js';
import { issuesOf, memIo } from './helpers.js';

const baseText = readFileSync('testdata/agreements/minimal.yaml', 'utf8');
const geo = readFileSync('testdata/agreements/geo/minimal.geojson', 'utf8');

/** Loads `overlay` (as /mem/variants/v.yaml) over the minimal agreement (as /mem/agreement.yaml). */
function withOverlay(overlay: string) {
  const io = memIo({
    '/mem/agreement.yaml': baseText,
    '/mem/geo/minimal.geojson': geo,
    '/mem/variants/v.yaml': overlay,
  });
  return { load: () => parseAgreementText(overlay, 'variants/v.yaml', io), io };
}
const base = parseAgreementText(
  baseText,
  'agreement.yaml',
  memIo({ '/mem/agreement.yaml': baseText, '/mem/geo/minimal.geojson': geo }),
);

describe('overlay merge rules', () => {
  it('given an empty overlay, then the result is the base', () => {
    expect(withOverlay('extends: ../agreement.yaml\n').load()).toEqual(base);
  });

  it('given a map, then it deep-merges: keys not named keep their base values', () => {
    const a = withOverlay(
      'extends: ../agreement.yaml\nresponseProtocol:\n  response_window_ms: 3600000\n',
    ).load();
    expect(a.responseProtocol).toEqual({ ...base.responseProtocol, response_window_ms: 3600000 });
  });

  it('given a list of items with ids, then known ids merge in place and new ids are appended', () => {
    const a = withOverlay(
      'extends: ../agreement.yaml\nparties:\n  - { id: new-observer, name: Press, roles: [observer] }\n  - { id: host, name: Renamed host }\n',
    ).load();
    expect(a.parties.map((p) => p.id)).toEqual([...base.parties.map((p) => p.id), 'new-observer']);
    expect(a.parties[0]).toEqual({ ...base.parties[0], name: 'Renamed host' });
  });

  it('given {id, $delete: true}, then that item is removed', () => {
    const a = withOverlay(
      'extends: ../agreement.yaml\nbenchmarks: []\ntruce:\n  extensions: []\nescrow:\n  indicators:\n    - { id: handover, $delete: true }\n',
    ).load();
    expect(a.escrow!.indicators.map((i) => i.id)).toEqual(['hardware']);
  });

  it('given a list of plain values, then it replaces the base list', () => {
    const a = withOverlay(
      'extends: ../agreement.yaml\nzones:\n  - { id: south, prerequisites: [] }\n',
    ).load();
    expect(a.zones.find((z) => z.id === 'south')!.prerequisites).toEqual([]);
  });

  it('given key: {$delete: true}, then the key is removed from the map', () => {
    const a = withOverlay('extends: ../agreement.yaml\nescrow:\n  holds: { $delete: true }\n').load();
    expect(a.escrow!.holds).toBeUndefined();
    expect(base.escrow!.holds).toBeDefined();
  });

  it('given {$replace: value}, then the base value is replaced without merging', () => {
    const a = withOverlay(
      'extends: ../agreement.yaml\nactors:\n  $replace:\n    - { id: militia, name: Militia }\nescrow:\n  holds: { onConfirmedViolation: { severityAtLeast: grave, amount: 5, attributedTo: { $replace: [militia] } } }\n',
    ).load();
    expect(a.actors).toEqual([{ id: 'militia', name: 'Militia' }]);
  });

  it('given an overlay that replaces an inline geometry by a reference, then the reference resolves relative to the overlay file', () => {
    const overlay =
      'extends: ../agreement.yaml\nzones:\n  - id: north\n    geometry: { $delete: true }\n    geometryRef: { file: geo/other.geojson, feature: south }\n';
    const io = memIo({
      '/mem/agreement.yaml': baseText,
      '/mem/geo/minimal.geojson': geo,
      '/mem/variants/geo/other.geojson': geo,
    });
    const a = parseAgreementText(overlay, 'variants/v.yaml', io);
    expect(a.zones[0]!.geometry).toEqual(base.zones[1]!.geometry);
  });

  it('given a $delete for an id the base lacks, then the error names the overlay line and the known ids', () => {
    const issues = issuesOf(
      withOverlay('extends: ../agreement.yaml\nzones:\n  - { id: west, $delete: true }\n').load,
    );
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'variants/v.yaml',
        line: 3,
        message: 'cannot delete "west": no item with that id in the base (known: north, south)',
      }),
    ]);
  });

  it('given an unknown directive, then it is named with its line', () => {
    const issues = issuesOf(
      withOverlay(
        'extends: ../agreement.yaml\nactors:\n  - id: militia\n    name: Militia\n    $remove: true\n',
      ).load,
    );
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'variants/v.yaml',
        line: 5,
        column: 5,
        message: expect.stringMatching(/unknown directive "\$remove"/),
      }),
    ]);
  });

  it('given overlay content that breaks a rule, then the error names the overlay file, not the base', () => {
    const issues = issuesOf(
      withOverlay('extends: ../agreement.yaml\nescrow:\n  pledges:\n    - { donor: donor-b, amount: -5 }\n')
        .load,
    );
    expect(issues).toEqual([
      expect.objectContaining({ file: 'variants/v.yaml', line: 4, path: 'escrow.pledges[0].amount' }),
    ]);
  });

  it('given a problem in base content, then the error names the base file even when loading the overlay', () => {
    const broken = baseText.replace('findingQuorum: 2', 'findingQuorum: 5');
    const io = memIo({ '/mem/agreement.yaml': broken, '/mem/geo/minimal.geojson': geo });
    const issues = issuesOf(() => parseAgreementText('extends: ../agreement.yaml\n', 'variants/v.yaml', io));
    const line = broken.split('\n').findIndex((l) => l.includes('findingQuorum: 5')) + 1;
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'agreement.yaml',
        line,
        path: 'adjudication.findingQuorum',
        message: expect.stringMatching(/needs 5 adjudicating parties but only 2/),
      }),
    ]);
  });

  it('given "extends" that is not a file name, then it says what to write', () => {
    const issues = issuesOf(withOverlay('extends: 42\n').load);
    expect(issues[0]!.message).toMatch(/"extends" must name the base agreement file/);
  });
});
