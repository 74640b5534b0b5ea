/**
 * The Lebanon 2026 scenario and its four variants load, and each variant says what its name
 * promises. The zones and amounts are illustrative and the file says so.
 */
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement, Condition } from '../../src/agreement/model.js';
import { listVariants, scenarioPath } from '../../src/agreement/scenarios.js';

const base = loadAgreement(scenarioPath('lebanon-2026'));
const variant = (v: string) => loadAgreement(scenarioPath('lebanon-2026'), { variant: v });
const stage = (a: Agreement, id: string) => a.stages.find((s) => s.id === id)!;
const zone = (a: Agreement, id: string) => a.zones.find((z) => z.id === id)!;

/** Every leaf condition of an entry, flattened. */
function leaves(c: Condition | undefined): Condition[] {
  if (c === undefined) return [];
  if ('allOf' in c) return c.allOf.flatMap(leaves);
  if ('anyOf' in c) return c.anyOf.flatMap(leaves);
  if ('atLeast' in c) return c.atLeast.of.flatMap(leaves);
  return [c];
}

describe('the Lebanon 2026 scenario', () => {
  it('has the four variants, the signed framework first among equals', () => {
    expect(listVariants('lebanon-2026')).toEqual([
      'israeli-conditional',
      'lebanese-linear',
      'phased-pilot-zones',
      'phased-with-custody',
    ]);
  });

  it('declares the parties and their roles as reported', () => {
    const roles = Object.fromEntries(base.parties.map((p) => [p.id, p.roles]));
    expect(roles).toMatchObject({
      israel: ['withdrawing-force'],
      lebanon: ['sovereign'],
      laf: ['deploying-force'],
      usa: ['guarantor', 'adjudicator'],
      centcom: ['guarantor'],
      monitors: ['monitor', 'adjudicator'],
      trustee: ['trustee'],
      unifil: ['observer'],
    });
    expect(base.actors).toEqual([
      { id: 'hezbollah', name: 'Hezbollah', sponsor: 'iran' },
      { id: 'iran', name: 'Islamic Republic of Iran' },
    ]);
  });

  it('uses the dates from the reporting: signed on Friday 26 June 2026, the truce running after it', () => {
    expect(base.signedAt).toBe('2026-06-26T16:00:00.000Z');
    expect(new Date(base.signedAt!).getUTCDay()).toBe(5);
    expect(base.provenance).toMatch(/14 May 2026/);
    expect(base.provenance).toMatch(/Sunday 17 May 2026/);
    expect(Date.parse(base.truce.expires)).toBeGreaterThan(Date.parse(base.signedAt!));
  });

  it('marks the agreement and every zone illustrative, with inline geometry resolved from geo/zones.geojson', () => {
    expect(base.illustrative).toBe(true);
    expect(base.zones.length).toBeGreaterThanOrEqual(5);
    for (const z of base.zones) {
      expect(z.illustrative, z.id).toBe(true);
      expect(['Polygon', 'MultiPolygon']).toContain(z.geometry?.type);
      expect(z.geometryRef).toBeUndefined();
    }
    expect(zone(base, 'buffer-strip')).toBeDefined();
  });

  it('walks the stage graph defined → agreed → clearing → verified-clear → withdrawn → deployed → held → handed-over', () => {
    expect(base.stages.map((s) => s.id)).toEqual([
      'defined',
      'agreed',
      'clearing',
      'verified-clear',
      'withdrawn',
      'deployed',
      'held',
      'handed-over',
    ]);
  });

  it('needs the withdrawing force to declare AND the monitors to observe before a zone counts as withdrawn', () => {
    expect(leaves(stage(base, 'withdrawn').entry)).toEqual([
      { statement: 'withdrawal.claim', role: 'withdrawing-force' },
      { statement: 'withdrawal.observe', role: 'monitor' },
    ]);
  });

  it('needs two of monitors, guarantor and host state, and the prerequisite zones, for a handover', () => {
    const entry = stage(base, 'handed-over').entry!;
    expect(entry).toMatchObject({ allOf: [{ atLeast: { n: 2 } }, { prerequisitesHandedOver: true }] });
  });

  it('sets a 24 h response window and a 72 h imminent-threat justification deadline', () => {
    expect(base.responseProtocol.response_window_ms).toBe(24 * 3600 * 1000);
    expect(base.responseProtocol.imminentThreatException.justification_deadline_ms).toBe(72 * 3600 * 1000);
  });

  it('keeps escrow in US cents, with a fixed handover tranche and a capped per-site tranche', () => {
    const e = base.escrow!;
    expect(e.currency).toBe('USD');
    const kinds = Object.fromEntries(e.indicators.map((i) => [i.id, i.kind]));
    expect(kinds).toEqual({ 'zone-handover-tranche': 'fixed', 'verified-hardware': 'scalable' });
    for (const p of e.pledges) expect(Number.isSafeInteger(p.amount)).toBe(true);
    expect(e.holds?.onConfirmedViolation.attributedTo).toContain('hezbollah');
  });

  it('defers small arms to a longer national process', () => {
    expect(base.weaponCategories.find((c) => c.id === 'small-arms')?.deferred).toBe(true);
  });

  it('returns a frozen agreement: nobody can change the rules in place', () => {
    expect(Object.isFrozen(base)).toBe(true);
    expect(Object.isFrozen(base.zones[0]!.prerequisites)).toBe(true);
  });
});

describe('the variants', () => {
  it('phased-pilot-zones is the base file itself', () => {
    expect(variant('phased-pilot-zones')).toEqual(base);
  });

  it('phased-with-custody adds a custody force and opens the buffer strip at once, paying mostly per verified site', () => {
    const a = variant('phased-with-custody');
    expect(a.id).not.toBe(base.id);
    expect(a.parties.find((p) => p.id === 'custody-force')?.roles).toEqual(['deploying-force']);
    expect(zone(a, 'buffer-strip').prerequisites).toEqual([]);
    expect(zone(base, 'buffer-strip').prerequisites.length).toBeGreaterThan(0);
    const price = (x: Agreement) => x.escrow!.indicators.find((i) => i.id === 'verified-hardware');
    expect(price(a)).toMatchObject({ kind: 'scalable' });
    const [pa, pb] = [price(a), price(base)] as { unitPrice: number; cap: number }[];
    expect(pa!.unitPrice).toBeGreaterThan(pb!.unitPrice);
    expect(pa!.cap).toBeGreaterThan(pb!.cap);
  });

  it('lebanese-linear withdraws without any clearance condition and opens every zone at once', () => {
    const a = variant('lebanese-linear');
    expect(a.stages.map((s) => s.id)).toEqual([
      'defined',
      'agreed',
      'withdrawn',
      'deployed',
      'held',
      'handed-over',
    ]);
    expect(a.zones.every((z) => z.prerequisites.length === 0)).toBe(true);
    expect(a.escrow!.indicators.map((i) => i.id)).toEqual(['zone-handover-tranche']);
    const conditions = a.stages.flatMap((s) => leaves(s.entry));
    expect(conditions.some((c) => 'evidenceCoverage' in c)).toBe(false);
  });

  it('israeli-conditional withholds every withdrawal and handover until country-wide disarmament', () => {
    const a = variant('israeli-conditional');
    for (const s of ['withdrawn', 'handed-over']) {
      expect(leaves(stage(a, s).entry)).toContainEqual({ benchmark: 'country-wide-disarmament' });
    }
    const b = a.benchmarks.find((x) => x.id === 'country-wide-sites-verified')!;
    expect(b.when).toMatchObject({ sitesVerified: { minRatio: 0.95 } });
    expect('zones' in (b.when as { sitesVerified: object }).sitesVerified).toBe(false);
    expect(a.weaponCategories.find((c) => c.id === 'small-arms')?.deferred).toBe(false);
  });

  it('every variant keeps its zones illustrative', () => {
    for (const v of listVariants('lebanon-2026'))
      expect(variant(v).zones.every((z) => z.illustrative)).toBe(true);
  });
});
