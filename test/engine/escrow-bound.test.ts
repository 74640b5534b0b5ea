/**
 * Escrow bound to reality (issue 17 §1): money is released only against verified reductions.
 * A verified count never exceeds what was found or neutralized in the zone and category (and,
 * where the agreement says so, the zone's baseline); verification counts for an indicator only
 * in the stages it names; an indicator can be capped per zone, per category and per period.
 */
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement, AgreementInput } from '../../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../../src/agreement/scenarios.js';
import { formatMoney } from '../../src/engine/escrow.js';
import { DAY, fixture, partyKey, Story } from './fixture.js';

const USD = 100;

function lebanon(): Agreement {
  const base = loadAgreement(scenarioPath('lebanon-2026'));
  return withPartyKeys(base, Object.fromEntries(base.parties.map((p) => [p.id, [partyKey(p.id).vkey]])));
}

/** The fixture with its hardware indicator changed by `change`. */
function withHardware(change: (ind: Record<string, unknown>) => void): Agreement {
  return fixture((a: AgreementInput) => {
    const ind = a.escrow!.indicators!.find((i) => i.id === 'hardware')! as unknown as Record<string, unknown>;
    ind.cap = 100_000_00;
    change(ind);
  });
}

const hardwareReleased = (s: Story) =>
  s.state.escrow.transfers.filter((t) => t.rule === 'hardware').reduce((x, t) => x + t.amount, 0);

describe('the USD 100 million case, on the Lebanon 2026 scenario', () => {
  it('given a zone still defined with nothing declared, found or neutralized, when one monitor statement verifies 400 drones, then nothing is paid and the report is shown as unsupported', () => {
    const s = new Story(lebanon());
    s.must('trustee', 'escrow.pledge', 'gulf-donors', { amount: 600_000_000 * USD });
    expect(s.zone('jezzine').stage).toBe('defined');
    s.must('monitors', 'site.verify', 'jezzine', { category: 'drones', count: 400 });
    expect(s.state.escrow.transfers.filter((t) => t.rule === 'verified-hardware')).toEqual([]);
    expect(s.state.escrow.indicators['verified-hardware']!.earned).toBe(0);
    expect(s.zone('jezzine').inventory.drones).toMatchObject({ reported: 400, verified: 0 });
    const z = s.explain().zones.find((x) => x.id === 'jezzine')!;
    expect(z.unsupported).toEqual({ drones: 400 });
    expect(s.explain().escrow.available).toBe(600_000_000 * USD);
  });

  it('given the army neutralized 400 drones in that defined zone, then the monitors’ verification still pays nothing: it counts only from clearing on', () => {
    const s = new Story(lebanon());
    s.must('trustee', 'escrow.pledge', 'gulf-donors', { amount: 600_000_000 * USD });
    s.must('laf', 'site.neutralize', 'jezzine', { category: 'drones', count: 400 });
    s.must('monitors', 'site.verify', 'jezzine', { category: 'drones', count: 400 });
    expect(s.zone('jezzine').inventory.drones!.verified).toBe(400);
    expect(s.state.escrow.indicators['verified-hardware']!.earned).toBe(0);
    expect(s.explain().indicators.find((i) => i.id === 'verified-hardware')!.waitingFor[0]!.text).toContain(
      'verified while the zone is clearing',
    );
  });

  it('given the first pilot zone in clearing, when the army neutralizes sites and the monitors verify them, then each pays its unit price, and never more than the zone’s cap', () => {
    const s = new Story(lebanon());
    s.must('trustee', 'escrow.pledge', 'gulf-donors', { amount: 600_000_000 * USD });
    for (const p of ['lebanon', 'israel', 'usa'])
      s.must(p, 'zone.stage.sign', 'sour-south-litani', { stage: 'agreed' });
    s.must('laf', 'zone.stage.sign', 'sour-south-litani', { stage: 'clearing' });
    s.must('laf', 'site.neutralize', 'sour-south-litani', { category: 'tunnels', count: 4 });
    s.must('monitors', 'site.verify', 'sour-south-litani', { category: 'tunnels', count: 4 });
    expect(s.state.escrow.indicators['verified-hardware']!.earned).toBe(4 * 250_000 * USD);
    // 400 drones found and verified in one zone: the zone's cap (USD 40 million) bounds the money.
    s.must('monitors', 'site.find', 'sour-south-litani', { category: 'drones', count: 400 });
    s.must('monitors', 'site.verify', 'sour-south-litani', { category: 'drones', count: 400 });
    expect(s.state.escrow.indicators['verified-hardware']!.earned).toBe(40_000_000 * USD);
  });
});

describe('a verified count never exceeds what was found or neutralized (small fixture)', () => {
  it('given a verification reported before the find, when the find arrives, then the count and the money follow the find', () => {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 3 });
    expect(s.zone('z1').inventory.rockets).toMatchObject({ reported: 3, verified: 0 });
    expect(hardwareReleased(s)).toBe(0);
    const find = s.must('monitors', 'site.find', 'z1', { category: 'rockets', count: 2 });
    expect(s.zone('z1').inventory.rockets).toMatchObject({ found: 2, reported: 3, verified: 2 });
    const t = s.state.escrow.transfers.find((x) => x.rule === 'hardware')!;
    expect(t).toMatchObject({ amount: 2_000_00, cites: [find.index] });
    s.must('laf', 'site.neutralize', 'z1', { category: 'rockets', count: 5 });
    expect(s.zone('z1').inventory.rockets!.verified).toBe(3);
    expect(hardwareReleased(s)).toBe(3_000_00);
    expect(s.explain().zones[0]!.unsupported).toEqual({});
  });
});

describe('indicator bounds (small fixture)', () => {
  it('countsInStages: verification in a zone outside the named stages earns nothing, in them it earns', () => {
    const s = new Story(withHardware((ind) => (ind.countsInStages = ['clearing', 'verified-clear'])));
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    s.must('laf', 'site.neutralize', 'z1', { category: 'rockets', count: 4 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 2 });
    expect(hardwareReleased(s)).toBe(0);
    for (const p of ['lebanon', 'israel', 'usa']) s.must(p, 'zone.stage.sign', 'z1', { stage: 'agreed' });
    s.must('laf', 'zone.stage.sign', 'z1', { stage: 'clearing' });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 2 });
    expect(hardwareReleased(s)).toBe(2_000_00);
    expect(s.state.escrow.indicators.hardware!.byZone.z1!.rockets).toEqual({ units: 2, earned: 2_000_00 });
  });

  it('withinBaseline: units beyond the zone’s known sites earn nothing', () => {
    const s = new Story(withHardware((ind) => (ind.withinBaseline = true)));
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    // z1's baseline: 4 rockets; z2 has no baseline at all
    s.must('monitors', 'site.find', 'z1', { category: 'rockets', count: 9 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 9 });
    s.must('monitors', 'site.find', 'z2', { category: 'rockets', count: 3 });
    s.must('monitors', 'site.verify', 'z2', { category: 'rockets', count: 3 });
    expect(hardwareReleased(s)).toBe(4_000_00);
    expect(s.state.escrow.indicators.hardware!.units).toBe(4);
  });

  it('capPerZone and capPerCategory bound what one zone and one category can earn', () => {
    const s = new Story(
      withHardware((ind) => {
        ind.capPerZone = 5_000_00;
        ind.capPerCategory = 7_000_00;
      }),
    );
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    for (const [zone, n] of [
      ['z1', 6],
      ['z2', 6],
    ] as const) {
      s.must('monitors', 'site.find', zone, { category: 'rockets', count: n });
      s.must('monitors', 'site.verify', zone, { category: 'rockets', count: n });
    }
    // z1: 6 sites capped at the zone's 5,000; z2: the category has 2,000 left of its 7,000
    expect(s.state.escrow.indicators.hardware!.byZone.z1!.rockets!.earned).toBe(5_000_00);
    expect(s.state.escrow.indicators.hardware!.byZone.z2!.rockets!.earned).toBe(2_000_00);
    s.must('monitors', 'site.find', 'z2', { category: 'tunnels', count: 2 });
    s.must('monitors', 'site.verify', 'z2', { category: 'tunnels', count: 2 });
    expect(s.state.escrow.indicators.hardware!.byZone.z2!.tunnels!.earned).toBe(2_000_00);
    expect(hardwareReleased(s)).toBe(9_000_00);
  });

  it('capPerPeriod: what a period cannot pay is not earned; the next period pays again', () => {
    const a = withHardware((ind) => (ind.capPerPeriod = { period_ms: 30 * DAY, amount: 3_000_00 }));
    const s = new Story({ ...a, signedAt: '2026-06-26T00:00:00.000Z' });
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    s.must('monitors', 'site.find', 'z1', { category: 'rockets', count: 10 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 5 });
    expect(hardwareReleased(s)).toBe(3_000_00);
    s.wait(31 * DAY);
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 5 });
    expect(hardwareReleased(s)).toBe(6_000_00);
    expect(s.state.escrow.indicators.hardware!.byPeriod).toEqual({ '0': 3_000_00, '1': 3_000_00 });
  });
});

describe('money as people read it', () => {
  it('prints amounts in the currency, never in minor units', () => {
    const usd = { currency: 'USD', minorUnitsPerUnit: 100 };
    expect(formatMoney(usd, 25_000_000)).toBe('USD 250,000');
    expect(formatMoney(usd, 123_456)).toBe('USD 1,234.56');
    expect(formatMoney({ currency: 'JPY', minorUnitsPerUnit: 1 }, 5000)).toBe('JPY 5,000');
    const s = new Story(lebanon());
    const texts = s.explain().indicators.flatMap((i) => i.waitingFor.map((w) => w.text));
    expect(texts.join('\n')).toContain('USD 50,000,000');
    expect(texts.join('\n')).not.toMatch(/minor units/);
  });
});
