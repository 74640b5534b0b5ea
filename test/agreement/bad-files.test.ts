/**
 * Bad agreement files fail to load, every time, with a message that names the file, the line
 * and the path of the mistake and says what was expected. No partial agreement is ever returned.
 */
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/agreement/errors.js';
import { loadAgreement } from '../../src/agreement/load.js';
import { issuesOf, markedLines } from './helpers.js';

const dir = 'testdata/agreements';

/** Each bad fixture with the path and message its single problem must have. */
const cases: { file: string; rule: string; path: string; message: RegExp }[] = [
  {
    file: 'unknown-party-in-quorum.yaml',
    rule: 'a quorum that names an unknown party',
    path: 'stages[1].entry.allOf[2].party',
    message: /unknown party "mediatr" \(known: host, army, local, mediator, monitor, bank\)/,
  },
  {
    file: 'bow-tie-zone.yaml',
    rule: 'a zone whose boundary crosses itself (a bow tie)',
    path: 'zones[0].geometry.coordinates[0]',
    message: /ring intersects itself at \[35\.05, 33\.05\]/,
  },
  {
    file: 'stage-cycle.yaml',
    rule: 'forward stages that form a cycle',
    path: 'stages[3].next',
    message: /forward stages form a cycle: agreed → verified-clear → handed-over → agreed/,
  },
  {
    file: 'negative-amount.yaml',
    rule: 'a negative amount of money',
    path: 'escrow.pledges[0].amount',
    message: /must not be negative .*got -100000/,
  },
  {
    file: 'fractional-amount.yaml',
    rule: 'money that is not a whole number of minor units',
    path: 'escrow.indicators[0].amount',
    message: /whole number of minor units .*got 50\.5/,
  },
  {
    file: 'cap-below-unit-price.yaml',
    rule: 'a scalable indicator capped below its unit price',
    path: 'escrow.indicators[1].cap',
    message: /cap 50 is below the unit price 100/,
  },
  {
    file: 'missing-feature.yaml',
    rule: 'a geometry reference to a feature the file does not have',
    path: 'zones[1].geometryRef.feature',
    message: /no feature "sud" in geo\/minimal\.geojson \(known: south, bow-tie\)/,
  },
  {
    file: 'missing-geometry-file.yaml',
    rule: 'a geometry reference to a file that does not exist',
    path: 'zones[1].geometryRef.file',
    message: /geometry file "geo\/nowhere\.geojson" not found/,
  },
  {
    file: 'yaml-syntax.yaml',
    rule: 'a YAML syntax error',
    path: '',
    message: /^YAML syntax error: Nested mappings are not allowed/,
  },
  {
    file: 'prerequisite-cycle.yaml',
    rule: 'zone prerequisites that form a cycle',
    path: 'zones[0].prerequisites[0]',
    message: /zone prerequisites form a cycle: north → south → north/,
  },
  {
    file: 'impossible-time.yaml',
    rule: 'a time that does not exist',
    path: 'truce.expires',
    message: /"2026-02-30T16:00:00\.000Z" is not a real date and time/,
  },
  {
    file: 'unknown-field.yaml',
    rule: 'a misspelled field',
    path: 'regressions[0].onConfirmedViolaton',
    message: /unknown field "onConfirmedViolaton"/,
  },
  {
    file: 'out-of-bounds.yaml',
    rule: 'a position outside WGS84 bounds',
    path: 'zones[0].geometry.coordinates[0][2]',
    message: /position \[35\.1, 93\.1\] is outside WGS84 bounds/,
  },
  {
    file: 'duplicate-zone-id.yaml',
    rule: 'two zones with one id',
    path: 'zones[1].id',
    message: /duplicate id "north" \(first used at zones\[0\]\)/,
  },
];

describe('bad agreement files fail to load with a precise message', () => {
  for (const c of cases) {
    it(`given ${c.rule}, when loaded, then the error names ${c.file}, the marked line and ${c.path || 'the document'}`, () => {
      const file = `${dir}/${c.file}`;
      const issues = issuesOf(() => loadAgreement(file));
      const [line] = markedLines(file);
      const issue = issues.find((i) => i.path === c.path && c.message.test(i.message));
      expect(issue, `issues were:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
      expect(issue!.file).toBe(file);
      expect(issue!.line).toBe(line);
      expect(issue!.column).toBeGreaterThan(0);
    });
  }

  it('given a file with three unrelated mistakes, when loaded, then all three are listed in file order', () => {
    const file = `${dir}/many-problems.yaml`;
    const issues = issuesOf(() => loadAgreement(file));
    expect(issues.map((i) => i.path)).toEqual([
      'weaponCategories[0].priority',
      'zones[1].prerequisites[0]',
      'escrow.pledges[0].amount',
    ]);
    expect(issues.map((i) => i.line)).toEqual(markedLines(file));
  });

  it('given an error, when printed, then it reads file:line:column: path: message', () => {
    const file = `${dir}/unknown-party-in-quorum.yaml`;
    let message = '';
    try {
      loadAgreement(file);
    } catch (e) {
      message = (e as Error).message;
    }
    const [line] = markedLines(file);
    expect(message).toContain(`${file}:${line}:48: stages[1].entry.allOf[2].party: unknown party "mediatr"`);
  });
});

describe('overlay errors name the overlay file and its lines', () => {
  it('given an overlay that deletes an unknown zone and references an unknown one, when loaded, then both are reported in the overlay', () => {
    const file = `${dir}/bad-overlay.yaml`;
    const issues = issuesOf(() => loadAgreement(file));
    const lines = markedLines(file);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({
      file,
      line: lines[0],
      message: expect.stringMatching(
        /cannot delete "east": no item with that id in the base \(known: north, south\)/,
      ),
    });
    expect(issues[1]).toMatchObject({
      file,
      line: lines[1],
      path: 'zones[0].prerequisites[0]',
      message: 'unknown zone "west" (known: north, south)',
    });
  });

  it('given an overlay whose base does not exist, when loaded, then the extends line is named', () => {
    const file = `${dir}/overlay-bad-base.yaml`;
    const issues = issuesOf(() => loadAgreement(file));
    expect(issues).toEqual([
      expect.objectContaining({
        file,
        line: markedLines(file)[0],
        path: 'extends',
        message: expect.stringContaining('base agreement "no-such-base.yaml" not found'),
      }),
    ]);
  });

  it('given two overlays that extend each other, when loaded, then the cycle is named', () => {
    const issues = issuesOf(() => loadAgreement(`${dir}/overlay-cycle-a.yaml`));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe(
      `"extends" forms a cycle: ${dir}/overlay-cycle-a.yaml → ${dir}/overlay-cycle-b.yaml → ${dir}/overlay-cycle-a.yaml`,
    );
  });

  it('given an unknown variant name, when loaded, then the known variants are listed', () => {
    const issues = issuesOf(() =>
      loadAgreement('scenarios/lebanon-2026/agreement.yaml', { variant: 'phased-pilot' }),
    );
    expect(issues[0]!.message).toMatch(
      /unknown variant "phased-pilot" \(known: israeli-conditional, lebanese-linear, phased-pilot-zones, phased-with-custody;/,
    );
  });
});
