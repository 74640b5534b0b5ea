/**
 * What `phaseline init` relies on: finding a shipped scenario from anywhere, filling in one key
 * per party, and writing a self-contained agreement.yaml that loads back to the same agreement.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import {
  DEFAULT_SCENARIO,
  DEFAULT_VARIANT,
  listVariants,
  packageRoot,
  RENDERED_GEOMETRY_FILE,
  renderAgreementFiles,
  renderAgreementYaml,
  scenarioPath,
  withPartyKeys,
} from '../../src/agreement/scenarios.js';
import { generateKeyPair } from '../../src/statement/keys.js';
import { issuesOf } from './helpers.js';

const seed = (n: number) => new Uint8Array(32).fill(n);
const tmp = mkdtempSync(nodePath.join(tmpdir(), 'phaseline-agreement-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shipped scenarios', () => {
  it('finds the default scenario under the package root, whatever the working directory', () => {
    expect(scenarioPath(DEFAULT_SCENARIO)).toBe(
      nodePath.join(packageRoot(), 'scenarios', 'lebanon-2026', 'agreement.yaml'),
    );
    expect(listVariants(DEFAULT_SCENARIO)).toContain(DEFAULT_VARIANT);
  });

  it('names the known scenarios when asked for one that does not exist', () => {
    expect(() => scenarioPath('lebanon-2025')).toThrow(
      /unknown scenario "lebanon-2025".*known: lebanon-2026/,
    );
    expect(() => scenarioPath('../etc')).toThrow(/unknown scenario/);
  });
});

describe('withPartyKeys', () => {
  const a = loadAgreement(scenarioPath(DEFAULT_SCENARIO), { variant: DEFAULT_VARIANT });
  const keys = Object.fromEntries(a.parties.map((p, i) => [p.id, [generateKeyPair(p.id, seed(i + 1)).vkey]]));

  it('given one key per party, then a new agreement carries them and the original is unchanged', () => {
    const withKeys = withPartyKeys(a, keys);
    for (const p of withKeys.parties) expect(p.keys).toEqual(keys[p.id]);
    expect(a.parties.every((p) => p.keys.length === 0)).toBe(true);
    expect(Object.isFrozen(withKeys)).toBe(true);
  });

  it('given an unknown party, then it refuses and lists the parties', () => {
    const issues = issuesOf(() => withPartyKeys(a, { hezbollah: [keys.israel![0]!] }));
    expect(issues[0]!.message).toMatch(/unknown party "hezbollah" \(known: israel, lebanon/);
  });

  it('given a malformed key or one key for two parties, then it refuses with the party path', () => {
    expect(issuesOf(() => withPartyKeys(a, { israel: ['not-a-key'] }))[0]!.path).toBe('parties[0].keys[0]');
    const shared = issuesOf(() => withPartyKeys(a, { israel: keys.israel!, lebanon: keys.israel! }));
    expect(shared[0]).toMatchObject({
      path: 'parties[1].keys[0]',
      message: expect.stringMatching(/already registered to party "israel"/),
    });
  });
});

describe('rendering the agreement for a data directory', () => {
  it('renderAgreementFiles writes agreement.yaml + geo/zones.geojson that load back to the same agreement, for every variant', () => {
    for (const v of listVariants(DEFAULT_SCENARIO)) {
      const a = loadAgreement(scenarioPath(DEFAULT_SCENARIO), { variant: v });
      const withKeys = withPartyKeys(a, { israel: [generateKeyPair('israel', seed(9)).vkey] });
      const files = renderAgreementFiles(withKeys, {
        header: [
          `generated from scenario ${DEFAULT_SCENARIO}, variant ${v}`,
          'zones and amounts are illustrative',
        ],
      });
      expect(Object.keys(files).sort()).toEqual(['agreement.yaml', RENDERED_GEOMETRY_FILE]);
      expect(
        files['agreement.yaml']!.startsWith(
          `# generated from scenario ${DEFAULT_SCENARIO}, variant ${v}\n# zones and amounts are illustrative\n`,
        ),
      ).toBe(true);
      const dir = nodePath.join(tmp, v);
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(nodePath.dirname(nodePath.join(dir, rel)), { recursive: true });
        writeFileSync(nodePath.join(dir, rel), text);
      }
      expect(loadAgreement(nodePath.join(dir, 'agreement.yaml'))).toEqual(withKeys);
    }
  });

  it('renderAgreementYaml writes one self-contained file (geometry inline) that loads back to the same agreement', () => {
    const a = loadAgreement(scenarioPath(DEFAULT_SCENARIO));
    const text = renderAgreementYaml(a);
    expect(text).not.toMatch(/geometryRef/);
    const file = nodePath.join(tmp, 'inline.yaml');
    writeFileSync(file, text);
    expect(loadAgreement(file)).toEqual(a);
  });
});
