/** The dynamics file: the shipped one loads, every parameter says its unit and source, and mistakes are located. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAgreement } from '../../src/agreement/load.js';
import { packageRoot, scenarioPath } from '../../src/agreement/scenarios.js';
import {
  DynamicsError,
  dynamicsIssuesFor,
  loadDynamics,
  parseDynamicsText,
  scenarioDynamicsPath,
} from '../../src/sim/dynamics.js';
import { DYNAMICS_SCHEMA_PATH, renderDynamicsSchema } from '../../src/sim/dynamics-schema.js';
import { applyOverrides, parseOverrides } from '../../src/sim/overrides.js';

const agreementPath = scenarioPath('lebanon-2026');
const dynamicsPath = scenarioDynamicsPath(agreementPath);
const text = readFileSync(dynamicsPath, 'utf8');
const shown = 'scenarios/lebanon-2026/dynamics.yaml';

/** The 1-based line of the first line of `text` containing `needle` after the line containing `after`. */
function lineOf(t: string, needle: string, after = ''): number {
  const lines = t.split('\n');
  const from = after === '' ? 0 : lines.findIndex((l) => l.includes(after));
  return lines.findIndex((l, i) => i >= from && l.includes(needle)) + 1;
}

function problems(t: string): string[] {
  try {
    parseDynamicsText(t, shown, dirname(dynamicsPath));
  } catch (e) {
    expect(e).toBeInstanceOf(DynamicsError);
    return (e as DynamicsError).issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.path}: ${i.message}`);
  }
  return [];
}

describe('the dynamics file', () => {
  it('the shipped file loads and fits every variant of its scenario', () => {
    const l = loadDynamics(dynamicsPath);
    for (const variant of [
      'phased-pilot-zones',
      'phased-with-custody',
      'lebanese-linear',
      'israeli-conditional',
    ])
      expect(dynamicsIssuesFor(l, loadAgreement(agreementPath, { variant }))).toEqual([]);
  });

  it('gives every parameter a unit and a source ("assumed", "fitted: …" or a citation)', () => {
    const walk = (v: unknown, path: string, out: string[]) => {
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`, out);
      } else if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if ('value' in o || 'mean' in o || 'minor' in o) {
          if (typeof o.source !== 'string' || o.source === '') out.push(`${path}: no source`);
          if (!('minor' in o) && (typeof o.unit !== 'string' || o.unit === '')) out.push(`${path}: no unit`);
          out.push('checked');
        }
        for (const [k, x] of Object.entries(o)) walk(x, `${path}.${k}`, out);
      }
    };
    const out: string[] = [];
    walk(parse(text), '', out);
    expect(out.filter((x) => x !== 'checked')).toEqual([]);
    expect(out.length).toBeGreaterThan(30);
  });

  it('the published JSON Schema is up to date', () => {
    expect(readFileSync(join(packageRoot(), DYNAMICS_SCHEMA_PATH), 'utf8')).toBe(renderDynamicsSchema());
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../schema/dynamics.schema.json');
  });

  it('reports every mistake at once, each at its file, line and column', () => {
    const bad = text
      .replace('  sitesPerDay: { value: 1.5,', '  sitesPerDy: { value: 1.5,')
      .replace('        grave: 0.1\n', '        grave: 0.3\n')
      .replace(
        'delay: { mean: 5, sd: 3, unit: days, source: assumed }',
        'delay: { mean: -5, sd: 3, unit: days, source: assumed }',
      );
    const got = problems(bad);
    expect(got).toContainEqual(
      expect.stringMatching(new RegExp(`^${shown}:${lineOf(bad, 'sitesPerDy')}:\\d+: clearing`)),
    );
    expect(got.some((g) => g.includes('sitesPerDy'))).toBe(true);
    expect(got).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${shown}:${lineOf(bad, 'mean: -5')}:\\d+: deployment\\.delay\\.mean: `),
      ),
    );
    // The shape is checked first: the meaning (shares summing to 1) once the shape is right.
    const shares = problems(text.replace('        grave: 0.1\n', '        grave: 0.3\n'));
    expect(shares).toEqual([
      `${shown}:${lineOf(text, 'minor: 0.5', 'actor: israel')}:9: violations.processes[0].severity: minor + serious + grave must be 1 (they are 1.2)`,
    ]);
  });

  it('names the missing events file and an unknown actor in cross-excitation', () => {
    const got = problems(
      text
        .replace('file: events/fpv_drone', 'file: events/no_such')
        .replace('    - from: israel\n', '    - from: isreal\n'),
    );
    expect(got).toContainEqual(expect.stringContaining(`:${lineOf(text, 'file: events/fpv_drone')}:`));
    expect(got).toContainEqual(expect.stringMatching(/events file not found/));
    expect(got).toContainEqual(
      expect.stringMatching(/crossExcitation\[0\]\.from: no violation process for "isreal"/),
    );
  });

  it('checks the dynamics against the agreement it runs with', () => {
    const l = parseDynamicsText(
      text.replace('    - donor: eu\n', '    - donor: eu-commission\n'),
      shown,
      dirname(dynamicsPath),
    );
    const issues = dynamicsIssuesFor(l, loadAgreement(agreementPath));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(lineOf(text, 'donor: eu'));
    expect(issues[0]!.message).toMatch(
      /no pledge by "eu-commission" \(donors: gulf-donors, eu, world-bank-trust\)/,
    );
  });

  it('--set changes one number by path, and refuses paths and values the file could not hold', () => {
    const l = loadDynamics(dynamicsPath);
    const d = applyOverrides(
      l,
      parseOverrides(['force.units.value=5', 'violations.processes.israel.baseline.value=0.1']),
    );
    expect(d.force.units.value).toBe(5);
    expect(d.violations.processes[0]!.baseline.value).toBe(0.1);
    expect(l.dynamics.force.units.value).toBe(10);
    expect(() => applyOverrides(l, { 'force.unit.value': 5 })).toThrow(
      /--set force\.unit\.value: no number at this path/,
    );
    expect(() => applyOverrides(l, { 'detection.probability.value': 2 })).toThrow(
      /detection\.probability\.value/,
    );
    expect(() => parseOverrides(['force.units.value'])).toThrow(/expected PATH=NUMBER/);
  });
});
