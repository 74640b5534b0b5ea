// `phaseline status --at` on an office seeded with the demo history and the real incident
// records: before the signing it shows the arrangement then in force (hostilities since 2 March
// 2026, the truce extended to Sunday 17 May, its 45-day extension), after it the framework's own
// truce; the real records are counted by when they happened, as known now. A fresh office shows
// no lapsed truce before anything happened.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { phaseline, tempDir } from '../helpers/cli.js';

describe('phaseline status --at, before and after the signing', () => {
  const root = tempDir();
  const data = join(root, 'office');
  const fresh = join(root, 'fresh');
  const status = (at: string) => {
    const r = phaseline(['status', '--data', data, '--at', at]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };

  beforeAll(() => {
    const r = seedDemo(data, { months: 1 });
    expect(r.rejected).toEqual([]);
  }, 600_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('10 March 2026: hostilities, no truce; nothing admitted yet, but the real records of what had happened by then are counted', () => {
    const out = status('2026-03-10');
    expect(out).toContain(
      'TRUCE  not started: what held then — no truce: Hostilities between Israel and Hezbollah (since 2026-03-02)',
    );
    expect(out).toMatch(/state at 2026-03-10T00:00:00\.000Z \(0 of \d+ log entries admitted by then\)/);
    expect(out).toMatch(
      /INCIDENTS THAT HAPPENED BY 2026-03-10T00:00:00\.000Z, as known at .* \(by their own dates, not their admission\): \d+ \(ucdp-ged 123/,
    );
  }, 120_000);

  it('16 May 2026: the extension expiring on Sunday 17 May, and the 45-day extension agreed on 15 May', () => {
    expect(status('2026-05-16')).toContain(
      'TRUCE  not started: what held then — The cessation of 16 April, extended at the talks of 23 April, in force since 2026-04-23 until 2026-05-17T21:00:00.000Z; agreed on 2026-05-15: The cessation of 16 April, extended by 45 days after the talks of 14–15 May, from 2026-05-17T21:00:00.000Z',
    );
  }, 120_000);

  it('18 May 2026: the 45-day extension until 1 July', () => {
    expect(status('2026-05-18T12:00:00Z')).toContain(
      'TRUCE  not started: what held then — The cessation of 16 April, extended by 45 days after the talks of 14–15 May, in force since 2026-05-17 until 2026-07-01T21:00:00.000Z',
    );
  }, 120_000);

  it('27 June 2026: the framework’s own truce, in force, expiring on 10 August unless extended', () => {
    const r = phaseline(['status', '--data', data, '--at', '2026-06-27', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.truce).toMatchObject({
      status: 'in-force',
      arrangement: null,
      expires: '2026-08-10T16:00:00.000Z',
    });
    expect(out.happenedBy.bySource['ucdp-ged']).toBe(123);
    expect(status('2026-06-27')).toContain('TRUCE  in-force, expires 2026-08-10T16:00:00.000Z');
  }, 120_000);

  it('a fresh office shows no lapsed truce before anything happened', () => {
    expect(phaseline(['init', '--data', fresh]).code).toBe(0);
    const out = phaseline(['status', '--data', fresh]).stdout;
    expect(out).toContain('TRUCE  not started');
    expect(out).not.toContain('lapsed');
    expect(out).not.toMatch(/minor units/);
  }, 120_000);
});
