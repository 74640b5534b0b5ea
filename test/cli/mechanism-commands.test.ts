// phaseline init, sign with a party key, log append through the engine, and status: the way a
// mechanism secretariat runs a data directory from the command line.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { phaseline, tempDir } from '../helpers/cli.js';

describe('a data directory running the Lebanon 2026 agreement', () => {
  const data = join(tempDir(), 'office');
  const key = (party: string) => join(data, 'keys', `${party}.key`);
  const at = '2026-06-27T09:00:00.000Z';
  const signAs = (party: string, payload: object) => {
    const r = phaseline(['sign', '--key', key(party)], {
      input: JSON.stringify({ agreement: 'lebanon-2026', at, ...payload }),
    });
    expect(r.stderr).toBe('');
    return r.stdout.trim();
  };

  beforeAll(() => {
    const r = phaseline(['init', '--data', data]);
    expect(r.code).toBe(0);
  });

  it('init writes the agreement, one private key per party (0600) and the log key; a second init refuses', () => {
    for (const party of ['israel', 'lebanon', 'laf', 'usa', 'monitors', 'trustee']) {
      expect(statSync(key(party)).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(join(data, 'agreement.yaml'))).toBe(true);
    expect(phaseline(['log', 'key', '--data', data]).stdout).toMatch(
      /^phaseline\.example\/lebanon-2026\+[0-9a-f]{8}\+/,
    );
    const again = phaseline(['init', '--data', data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already initialized');
  });

  it('log append admits through the agreement: the right party signs, the wrong role is rejected with its line', () => {
    const good = ['lebanon', 'israel', 'usa'].map((p) =>
      signAs(p, { kind: 'zone.stage.sign', subject: 'sour-south-litani', body: { stage: 'agreed' } }),
    );
    const wrongRole = signAs('trustee', {
      kind: 'withdrawal.observe',
      subject: 'sour-south-litani',
      body: { observed: 'withdrawn' },
    });
    const unknownZone = signAs('lebanon', {
      kind: 'zone.stage.sign',
      subject: 'atlantis',
      body: { stage: 'agreed' },
    });
    const r = phaseline(['log', 'append', '--data', data, '--json', '--now', '2026-06-27T09:05:00.000Z'], {
      input: [...good, wrongRole, unknownZone].join('\n'),
    });
    const results = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results.slice(0, 3).map((x) => x.ok)).toEqual([true, true, true]);
    expect(results[3]).toMatchObject({ line: 4, ok: false, code: 'role-not-allowed' });
    expect(results[4]).toMatchObject({ line: 5, ok: false, code: 'unknown-subject' });
    expect(r.code).toBe(1);
  });

  it('status shows the pilot zone agreed and what it waits for next, now and as of an earlier time', () => {
    const now = JSON.parse(phaseline(['status', '--data', data, '--json', '--at', '2026-06-28']).stdout);
    const pilot = now.zones.find((z: { id: string }) => z.id === 'sour-south-litani');
    expect(pilot.stage).toBe('agreed');
    expect(pilot.next).toBe('clearing');
    expect(pilot.waitingFor.length).toBeGreaterThan(0);
    const before = JSON.parse(
      phaseline(['status', '--data', data, '--json', '--at', '2026-06-27T09:00:00Z']).stdout,
    );
    expect(before.zones.find((z: { id: string }) => z.id === 'sour-south-litani').stage).toBe('defined');
    const text = phaseline(['status', '--data', data, '--at', '2026-06-28']);
    expect(text.stdout).toContain('illustrative');
    expect(text.stdout).toMatch(/sour-south-litani\s+agreed/);
    const bad = phaseline(['status', '--data', data, '--at', 'next tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--at "next tuesday" is not a time');
  });
});
