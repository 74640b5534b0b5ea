/**
 * The demo history (src/demo/demo-history.ts): a deterministic, signed, SIMULATED several-month
 * history of the default scenario that the engine admits in full.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement } from '../../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../../src/agreement/scenarios.js';
import {
  generateDemoHistory,
  isSimulated,
  mulberry32,
  SIMULATED_NOTE_PREFIX,
} from '../../src/demo/demo-history.js';
import { HOLDS } from '../../src/engine/escrow.js';
import { recordValues } from '../../src/engine/records.js';
import { Timeline } from '../../src/engine/replay.js';
import { zoneLocator } from '../../src/interop/zones.js';
import type { NoteSigner } from '../../src/statement/keys.js';
import type { Envelope } from '../../src/statement/types.js';
import { partyKey } from '../engine/fixture.js';

const DAY = 86_400_000;
const SEED = 7;

let agreement: Agreement;
let signers: Record<string, NoteSigner>;
let history: Envelope[];
let timeline: Timeline;
const rejections: string[] = [];
let everContested: string[] = [];

beforeAll(() => {
  const base = loadAgreement(scenarioPath('lebanon-2026'), { variant: 'phased-pilot-zones' });
  agreement = withPartyKeys(base, Object.fromEntries(base.parties.map((p) => [p.id, [partyKey(p.id).vkey]])));
  signers = Object.fromEntries(base.parties.map((p) => [p.id, partyKey(p.id).signer]));
  history = generateDemoHistory(agreement, signers, {
    seed: SEED,
    from: '2026-06-26T16:00:00.000Z',
    months: 4,
  });
  // Replay independently of the generator: every statement admitted at its own time.
  timeline = new Timeline(agreement);
  const contested = new Set<string>();
  for (const env of history) {
    const v = timeline.append(env, env.statement.at);
    if (!v.ok) rejections.push(`${env.statement.kind} ${env.statement.subject}: ${v.code}: ${v.message}`);
    for (const z of Object.values(timeline.current.zones))
      if (z.withdrawal.status === 'contested') contested.add(z.id);
  }
  everContested = [...contested];
});

describe('demo history', () => {
  it('is admitted in full by the engine, in chronological order', () => {
    expect(history.length).toBeGreaterThan(300);
    expect(rejections).toEqual([]);
    for (let i = 1; i < history.length; i++)
      expect(history[i]!.statement.at > history[i - 1]!.statement.at).toBe(true);
  });

  it('is deterministic: the same seed gives byte-identical envelopes, another seed a different history', () => {
    const again = generateDemoHistory(agreement, signers, {
      seed: SEED,
      from: '2026-06-26T16:00:00.000Z',
      months: 4,
    });
    expect(JSON.stringify(again)).toBe(JSON.stringify(history));
    const other = generateDemoHistory(agreement, signers, { seed: SEED + 1, months: 4 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(history));
    const r1 = mulberry32(1);
    const r2 = mulberry32(1);
    expect([r1(), r1(), r1()]).toEqual([r2(), r2(), r2()]);
  });

  it('starts at the signing and spans at least three months', () => {
    const first = Date.parse(history[0]!.statement.at);
    const last = Date.parse(history.at(-1)!.statement.at);
    expect(history[0]!.statement.at.slice(0, 10)).toBe('2026-06-26');
    expect(first).toBeGreaterThanOrEqual(Date.parse('2026-06-26T16:00:00.000Z'));
    expect(last - first).toBeGreaterThanOrEqual(90 * DAY);
  });

  it('is labelled SIMULATED: every nonce, and every free-text field a body has', () => {
    for (const env of history) {
      expect(isSimulated(env.statement)).toBe(true);
      for (const field of ['note', 'threat', 'target', 'reasoning', 'text', 'justification', 'training']) {
        const v = env.statement.body[field];
        if (v !== undefined) expect(String(v).startsWith(SIMULATED_NOTE_PREFIX)).toBe(true);
      }
    }
  });

  it('takes zones through the stages in the prerequisite order; at least one is handed over', () => {
    const zones = timeline.current.zones;
    const handed = Object.values(zones)
      .filter((z) => z.stage === 'handed-over')
      .map((z) => z.id);
    expect(handed).toContain('sour-south-litani');
    expect(handed.length).toBeGreaterThanOrEqual(2);
    expect(zones['sour-south-litani']!.history.map((h) => h.to)).toEqual([
      'agreed',
      'clearing',
      'verified-clear',
      'withdrawn',
      'deployed',
      'held',
      'handed-over',
    ]);
    const handedAt = (id: string) => zones[id]!.history.find((h) => h.to === 'handed-over')?.at;
    for (const z of agreement.zones) {
      const cleared = zones[z.id]!.history.find((h) => h.to === 'clearing');
      if (cleared === undefined) continue;
      for (const p of z.prerequisites) {
        expect(handedAt(p), `${z.id} opened before ${p} was handed over`).toBeDefined();
        expect(handedAt(p)! <= cleared.at).toBe(true);
      }
    }
    // Several zones beyond the first have moved.
    expect(Object.values(zones).filter((z) => z.stage !== 'defined').length).toBeGreaterThanOrEqual(5);
    expect(Object.values(zones).every((z) => z.history.every((h) => h.reason !== 'regression'))).toBe(true);
  });

  it('has a contested withdrawal episode, observed by the monitors in the end', () => {
    expect(everContested).toContain('sour-south-litani');
    const kinds = history
      .filter((e) => e.statement.subject === 'sour-south-litani')
      .map((e) => `${e.statement.issuer}:${e.statement.kind}`);
    expect(kinds).toContain('usa:withdrawal.claim');
    expect(kinds).toContain('israel:withdrawal.deny');
    expect(timeline.current.zones['sour-south-litani']!.withdrawal.status).toBe('observed');
  });

  it('registers, vets (guarantor’s command) and deploys units; one is rejected first', () => {
    const units = recordValues(timeline.current.units);
    expect(units.length).toBeGreaterThanOrEqual(3);
    const vets = history.filter((e) => e.statement.kind === 'unit.vet');
    expect(vets.every((e) => e.statement.issuer === 'centcom')).toBe(true);
    expect(vets.some((e) => e.statement.body.outcome === 'rejected')).toBe(true);
    expect(units.filter((u) => u.zone !== null && u.vetting === 'vetted').length).toBeGreaterThanOrEqual(3);
  });

  it('has incidents of several types inside their zones, with findings and dissenting accounts', () => {
    const s = timeline.current;
    const incidents = recordValues(s.incidents);
    expect(new Set(incidents.map((i) => i.type)).size).toBeGreaterThanOrEqual(6);
    const locate = zoneLocator(agreement);
    for (const i of incidents) expect(locate(i.longitude!, i.latitude!), i.id).toBe(i.zone);
    const findings = recordValues(s.findings).filter((f) => f.effective !== null);
    expect(findings.length).toBeGreaterThan(10);
    expect(
      findings.some((f) => f.subjectKind === 'incident' && f.effective!.outcome === 'confirmed-violation'),
    ).toBe(true);
    expect(findings.some((f) => f.accounts.some((a) => a.position === 'disputes'))).toBe(true);
    expect(findings.some((f) => f.effective!.severity === 'grave')).toBe(true);
    const classes = new Set(recordValues(s.strikes).map((x) => x.classification));
    expect(classes).toContain('violation-no-notification');
    expect(classes).toContain('permitted-after-window');
    expect([...classes].some((c) => c.startsWith('imminent-threat'))).toBe(true);
    expect(
      recordValues(s.incidents).some((i) => i.notification !== null && i.response?.action === 'acted'),
    ).toBe(true);
  });

  it('escrow: pledges, releases posted by the trustee, a hold released, and the books balance', () => {
    const e = timeline.current.escrow;
    expect(Object.values(e.accounts).reduce((x, y) => x + y, 0)).toBe(0);
    expect(e.transfers.some((t) => t.rule === 'zone-handover-tranche' && t.status === 'posted')).toBe(true);
    expect(e.transfers.some((t) => t.rule === 'verified-hardware' && t.status === 'posted')).toBe(true);
    expect(e.transfers.some((t) => t.rule === 'hold-release')).toBe(true);
    expect(e.accounts['beneficiary:lebanon']).toBeGreaterThanOrEqual(50_000_000 * 100);
    expect(e.accounts[HOLDS]).toBeGreaterThanOrEqual(0);
  });

  it('the truce started at the signing, was suspended by the grave violation, resumed, and extended by benchmarks', () => {
    const t = timeline.current.truce;
    expect(t.status).toBe('in-force');
    expect(t.history.map((h) => h.status)).toEqual(['in-force', 'suspended', 'in-force']);
    expect(t.extensions.map((x) => x.benchmark)).toContain('zone-handed-over');
    expect(t.expiresMs).toBeGreaterThan(Date.parse(history.at(-1)!.statement.at));
  });
});

describe('other seeds and lengths', () => {
  it('every seed tried gives a fully admitted history with the first zone handed over and the truce in force', () => {
    for (const seed of [1, 2, 3, 42, 20260626]) {
      // generateDemoHistory throws if the engine rejects any statement it writes
      const h = generateDemoHistory(agreement, signers, { seed, months: 4 });
      const t = new Timeline(agreement);
      for (const e of h) expect(t.append(e, e.statement.at).ok).toBe(true);
      expect(t.current.zones['sour-south-litani']!.stage, `seed ${seed}`).toBe('handed-over');
      expect(t.current.truce.status, `seed ${seed}`).toBe('in-force');
    }
  });

  it('a shorter and a longer history are admitted too', () => {
    const short = generateDemoHistory(agreement, signers, { seed: SEED, months: 1 });
    const long = generateDemoHistory(agreement, signers, { seed: SEED, months: 7 });
    expect(short.length).toBeLessThan(history.length);
    expect(long.length).toBeGreaterThan(history.length);
    expect(Date.parse(long.at(-1)!.statement.at) - Date.parse(long[0]!.statement.at)).toBeGreaterThan(
      180 * DAY,
    );
  });
});
