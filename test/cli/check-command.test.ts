// `phaseline check`: every shipped agreement file passes; every bad fixture fails with the file,
// line and column of each mistake, and exit code 1. Nothing is read from or written to a data
// directory.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markedLines } from '../agreement/helpers.js';
import { phaseline, repoRoot } from '../helpers/cli.js';

const scenarios = readdirSync(join(repoRoot, 'scenarios'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const shipped = scenarios.flatMap((s) => {
  const variants = join('scenarios', s, 'variants');
  let names: string[] = [];
  try {
    names = readdirSync(join(repoRoot, variants)).filter((f) => f.endsWith('.yaml'));
  } catch {
    // a scenario without variants
  }
  return [join('scenarios', s, 'agreement.yaml'), ...names.map((f) => join(variants, f))];
});

const badDir = 'testdata/agreements';
const bad = readdirSync(join(repoRoot, badDir))
  .filter((f) => f.endsWith('.yaml') && f !== 'minimal.yaml')
  .map((f) => join(badDir, f));

describe('phaseline check', () => {
  it('passes every shipped agreement file and variant, printing its id and hash', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(5);
    const r = phaseline(['check', '--json', ...shipped]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results.map((x) => x.file)).toEqual(shipped);
    for (const x of results) {
      expect(x.ok).toBe(true);
      expect(x.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('fails each bad fixture with file:line:column at every marked line, and exit code 1', () => {
    const r = phaseline(['check', ...bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    for (const file of bad) {
      expect(
        lines.some((l) => new RegExp(`^${file}: \\d+ problems?$`).test(l)),
        file,
      ).toBe(true);
      const reported = lines
        .map((l) => new RegExp(`^${file}:(\\d+):(\\d+): `).exec(l))
        .filter((m) => m !== null)
        .map((m) => Number(m![1]));
      // A fixture may also trip its base (reported in the base's own file); every line marked
      // `# <- error` in it must be reported with a real line and column.
      for (const line of markedLines(join(repoRoot, file)))
        expect(reported, `${file}:${line}`).toContain(line);
    }
    expect(lines.every((l) => /^\S+\.yaml(:\d+:\d+)?: /.test(l))).toBe(true);
  });

  it('checks an overlay given beside its agreement, refusing one that extends another file', () => {
    const ok = phaseline([
      'check',
      'scenarios/lebanon-2026/agreement.yaml',
      '--variant',
      'scenarios/lebanon-2026/variants/lebanese-linear.yaml',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('lebanon-2026-linear');
    const wrong = phaseline([
      'check',
      'testdata/agreements/minimal.yaml',
      '--variant',
      'scenarios/lebanon-2026/variants/lebanese-linear.yaml',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^scenarios\/lebanon-2026\/variants\/lebanese-linear\.yaml:\d+:\d+: extends: this overlay extends scenarios\/lebanon-2026\/agreement\.yaml, not the agreement it was given with/m,
    );
  });
});
