/**
 * Every cross-reference and consistency rule of the loader, one edit of the minimal agreement at
 * a time: the file fails with the rule's message, at the line of the edit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/agreement/errors.js';
import { parseAgreementText } from '../../src/agreement/load.js';
import { issuesOf, memIo } from './helpers.js';

const base = readFileSync('testdata/agreements/minimal.yaml', 'utf8');
const io = memIo({
  '/mem/geo/minimal.geojson': readFileSync('testdata/agreements/geo/minimal.geojson', 'utf8'),
});

/** Replaces `from` by `to` (which must contain `# <-`), loads, and returns the issues and the marked line. */
function edited(from: string, to: string) {
  expect(base).toContain(from);
  const text = base.replace(from, to);
  const line = text.split('\n').findIndex((l) => l.includes('# <-')) + 1;
  return { issues: issuesOf(() => parseAgreementText(text, 'agreement.yaml', io)), line };
}

const Q = '        - { statement: zone.stage.sign, role: sovereign }';
const rules: { rule: string; from: string; to: string; path: string; message: RegExp }[] = [
  {
    rule: 'a quorum role no party holds',
    from: Q,
    to: '        - { statement: zone.stage.sign, role: observer } # <-',
    path: 'stages[1].entry.allOf[0].role',
    message: /no party holds role "observer", so this quorum can never be met/,
  },
  {
    rule: 'a quorum role that may not make that statement',
    from: Q,
    to: '        - { statement: unit.vet, role: monitor } # <-',
    path: 'stages[1].entry.allOf[0].role',
    message: /role "monitor" may not make "unit.vet" statements \(allowed: guarantor/,
  },
  {
    rule: 'a quorum larger than the parties that qualify',
    from: Q,
    to: '        - { statement: zone.stage.sign, role: sovereign, count: 2 } # <-',
    path: 'stages[1].entry.allOf[0].count',
    message: /needs 2 distinct parties but only 1 qualifies \(host\)/,
  },
  {
    rule: 'a quorum naming neither role nor party',
    from: Q,
    to: '        - { statement: zone.stage.sign } # <-',
    path: 'stages[1].entry.allOf[0]',
    message: /must name a "role" or a "party"/,
  },
  {
    rule: 'atLeast n of fewer conditions',
    from: '            n: 2',
    to: '            n: 4 # <-',
    path: 'stages[3].entry.allOf[0].atLeast.n',
    message: /needs 4 of only 3 conditions: it can never hold/,
  },
  {
    rule: 'coverage over an unknown category',
    from: '{ evidenceCoverage: { minRatio: 0.9 } }',
    to: '{ evidenceCoverage: { minRatio: 0.9, categories: [tanks] } } # <-',
    path: 'stages[2].entry.allOf[1].evidenceCoverage.categories[0]',
    message: /unknown weapon category "tanks" \(known: rockets, rifles\)/,
  },
  {
    rule: 'a regression that goes forward',
    from: '    to: agreed',
    to: '    to: handed-over # <-',
    path: 'regressions[0].to',
    message: /"handed-over" must come before "verified-clear"/,
  },
  {
    rule: 'a regression from an unknown stage',
    from: 'zoneAtOrAfter: verified-clear }',
    to: 'zoneAtOrAfter: verifed-clear } # <-',
    path: 'regressions[0].onConfirmedViolation.zoneAtOrAfter',
    message: /unknown stage "verifed-clear"/,
  },
  {
    rule: 'a zone prerequisite that does not exist',
    from: '    prerequisites: [north]',
    to: '    prerequisites: [sour-north] # <-',
    path: 'zones[1].prerequisites[0]',
    message: /unknown zone "sour-north" \(known: north, south\)/,
  },
  {
    rule: 'a known-sites entry of an unknown category',
    from: '      - { category: rockets, count: 3 }',
    to: '      - { category: rocket, count: 3 } # <-',
    path: 'zones[0].knownSites[0].category',
    message: /unknown weapon category "rocket"/,
  },
  {
    rule: 'a zone host that is not sovereign',
    from: '    prerequisites: [north]',
    to: '    prerequisites: [north]\n    host: army # <-',
    path: 'zones[1].host',
    message: /host "army" is not a sovereign party/,
  },
  {
    rule: 'a sponsor that is not an actor',
    from: 'sponsor: patron }',
    to: 'sponsor: patrn } # <-',
    path: 'actors[0].sponsor',
    message: /unknown actor "patrn" \(known: group, patron\)/,
  },
  {
    rule: 'an actor id that is also a party id',
    from: '  - { id: patron, name: Sponsor state }',
    to: '  - { id: host, name: Sponsor state } # <-',
    path: 'actors[1].id',
    message: /actor id "host" is also a party id/,
  },
  {
    rule: 'a truce extension on an unknown benchmark',
    from: '    - { on: zone-handed-over, extend_ms: 5184000000 }',
    to: '    - { on: zone-handover, extend_ms: 5184000000 } # <-',
    path: 'truce.extensions[0].on',
    message: /unknown benchmark "zone-handover" \(known: zone-handed-over\)/,
  },
  {
    rule: 'a truce that expires before signature',
    from: "  expires: '2026-08-10T16:00:00.000Z'",
    to: "  expires: '2026-05-17T21:00:00.000Z' # <-",
    path: 'truce.expires',
    message: /expires \(2026-05-17T21:00:00.000Z\) before the agreement is signed/,
  },
  {
    rule: 'a benchmark on an unknown stage',
    from: 'when: { zoneReachesStage: { stage: handed-over } }',
    to: 'when: { zoneReachesStage: { stage: handover } } # <-',
    path: 'benchmarks[0].when.zoneReachesStage.stage',
    message: /unknown stage "handover"/,
  },
  {
    rule: 'an escrow beneficiary that is not a party',
    from: '  beneficiary: host',
    to: '  beneficiary: hezbollah # <-',
    path: 'escrow.beneficiary',
    message: /unknown party "hezbollah"/,
  },
  {
    rule: 'a fixed indicator on an unknown benchmark',
    from: '    - { id: handover, label: Per zone handed over, kind: fixed, on: zone-handed-over, amount: 5000 }',
    to: '    - { id: handover, label: Per zone handed over, kind: fixed, on: zone-cleared, amount: 5000 } # <-',
    path: 'escrow.indicators[0].on',
    message: /unknown benchmark "zone-cleared"/,
  },
  {
    rule: 'a hold attributed to an unknown party or actor',
    from: 'attributedTo: [group] }',
    to: 'attributedTo: [grup] } # <-',
    path: 'escrow.holds.onConfirmedViolation.attributedTo[0]',
    message: /unknown party or actor "grup"/,
  },
  {
    rule: 'a hold with neither amount nor ratio',
    from: 'onConfirmedViolation: { severityAtLeast: serious, amount: 1000, attributedTo: [group] }',
    to: 'onConfirmedViolation: { severityAtLeast: serious, attributedTo: [group] } # <-',
    path: 'escrow.holds.onConfirmedViolation',
    message: /a hold needs "amount" \(minor units\) or "ratio"/,
  },
  {
    rule: 'a finding quorum larger than the adjudicators',
    from: '  findingQuorum: 2',
    to: '  findingQuorum: 3 # <-',
    path: 'adjudication.findingQuorum',
    message: /needs 3 adjudicating parties but only 2 hold an adjudicator role \(mediator, monitor\)/,
  },
  {
    rule: 'a malformed party key',
    from: '  - { id: army, name: Withdrawing army, roles: [withdrawing-force] }',
    to: "  - { id: army, name: Withdrawing army, roles: [withdrawing-force], keys: ['army+00000000+AAAA'] } # <-",
    path: 'parties[1].keys[0]',
    message: /verifier key "army\+00000000\+AAAA"/,
  },
  {
    rule: 'a stage other than the first without an entry condition',
    from: '  - id: verified-clear\n    entry:\n      allOf:\n        - { statement: zone.stage.sign, role: monitor }\n        - { evidenceCoverage: { minRatio: 0.9 } }\n',
    to: '  - id: verified-clear # <-\n',
    path: 'stages[2]',
    message: /stage "verified-clear" has no "entry" condition: say what a zone needs to enter it/,
  },
];

describe('cross-reference and consistency rules', () => {
  for (const r of rules) {
    it(`given ${r.rule}, then loading fails at that line naming ${r.path}`, () => {
      const { issues, line } = edited(r.from, r.to);
      const hit = issues.find((i) => i.path === r.path && r.message.test(i.message));
      expect(hit, `issues were:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
      expect(line).toBeGreaterThan(0);
      expect(hit!.line).toBe(line);
    });
  }
});
