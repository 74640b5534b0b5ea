import { describe, expect, it } from 'vitest';
import { FUNDS, HOLDS } from '../../src/engine/escrow.js';
import type { EngineState } from '../../src/engine/state.js';
import { clearZone, DAY, deployZone, fixture, incident, Story } from './fixture.js';

function handOver(s: Story, zone: string) {
  clearZone(s, zone);
  deployZone(s, zone);
  s.wait(11 * DAY);
  s.must('monitors', 'zone.stage.sign', zone, { stage: 'handed-over' });
  s.must('usa', 'zone.stage.sign', zone, { stage: 'handed-over' });
}

function sum(st: EngineState): number {
  return Object.values(st.escrow.accounts).reduce((x, y) => x + y, 0);
}

describe('the truce clock', () => {
  it('lapses at its expiry, visibly coming (warning within 72 h)', () => {
    const s = new Story(fixture(), '2026-07-25T00:00:00.000Z');
    // The clock starts with the mechanism: the first statement in the log.
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 1_00 });
    expect(s.explain('2026-07-28T00:00:00.000Z').truce).toMatchObject({ status: 'in-force', warning: false });
    expect(s.explain('2026-07-30T00:00:00.000Z').truce).toMatchObject({ status: 'in-force', warning: true });
    expect(s.explain('2026-08-01T00:00:00.000Z').truce.status).toBe('lapsed');
    expect(s.timeline.stateAt('2026-08-01T00:00:00.000Z').truce.status).toBe('lapsed');
    expect(s.timeline.stateAt('2026-07-31T23:59:59.999Z').truce.status).toBe('in-force');
  });

  it('has not started in a log with nothing in it: a fresh office shows no lapse before anything happened', () => {
    const s = new Story(fixture(), '2026-12-07T00:00:00.000Z');
    const ex = s.explain();
    expect(ex.truce.status).toBe('not-started');
    expect(ex.truce.warning).toBe(false);
    expect(ex.truce.waitingFor[0]!.text).toBe(
      'the first statement in this log: the truce clock starts with the mechanism',
    );
    // the agreement's expiry (1 August) has passed: the first statement starts the clock and it lapses at once
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 1_00 });
    expect(s.state.truce.history.map((h) => [h.status, h.at])).toEqual([
      ['in-force', '2026-12-07T00:00:00.000Z'],
      ['lapsed', '2026-12-07T00:00:00.000Z'],
    ]);
  });

  it('starts at the agreement’s signature when the log already holds an entry made before it', () => {
    const s = new Story({ ...fixture(), signedAt: '2026-06-26T16:00:00.000Z' }, '2026-06-25T16:00:00.000Z');
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 1_00 });
    expect(s.state.truce.status).toBe('not-started');
    expect(s.timeline.stateAt('2026-06-26T15:59:59.999Z').truce.status).toBe('not-started');
    expect(s.timeline.stateAt('2026-06-26T16:00:00.000Z').truce).toMatchObject({
      status: 'in-force',
      history: [{ status: 'in-force', at: '2026-06-26T16:00:00.000Z', cites: [] }],
    });
  });

  it('is extended by 60 days when a zone is handed over, citing the handover', () => {
    const s = new Story(fixture());
    handOver(s, 'z1');
    expect(s.zone('z1').stage).toBe('handed-over');
    expect(s.state.truce.extensions).toHaveLength(1);
    expect(s.state.truce.extensions[0]!.cites).toEqual(s.zone('z1').history.at(-1)!.cites);
    expect(new Date(s.state.truce.expiresMs).toISOString()).toBe('2026-09-30T00:00:00.000Z');
  });

  it('is not revived by a benchmark met after it lapsed', () => {
    const s = new Story(
      fixture((a) => {
        a.truce.expires = '2026-07-01T00:00:00.000Z';
      }),
    );
    handOver(s, 'z1');
    expect(s.state.truce.status).toBe('lapsed');
    expect(s.state.truce.extensions).toHaveLength(0);
  });

  it('is suspended by a confirmed grave violation, until the guarantor resumes it', () => {
    const s = new Story(fixture());
    s.must('press', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('monitors', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'serious',
    });
    expect(s.state.truce.status).toBe('in-force');
    s.must('press', 'incident.report', 'inc-2', incident('z1', s.now));
    s.must('monitors', 'finding.issue', 'inc-2', {
      outcome: 'confirmed-violation',
      violator: 'israel',
      severity: 'grave',
    });
    expect(s.state.truce.status).toBe('suspended');
    expect(s.explain().truce.waitingFor[0]!.text).toContain('truce.resume');
    s.must('usa', 'truce.resume', '', { note: 'talks resumed' });
    expect(s.state.truce.status).toBe('in-force');
  });
});

describe('escrow: a double-entry ledger in minor units', () => {
  it('a pledge received is posted from the donor to the escrow funds; balances sum to zero', () => {
    const s = new Story(fixture());
    const e = s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    expect(s.state.escrow.accounts).toEqual({ 'donor:donor-a': -100_000_00, [FUNDS]: 100_000_00 });
    expect(s.state.escrow.transfers[0]).toMatchObject({ rule: 'pledge', status: 'posted', cites: [e.index] });
    expect(sum(s.state)).toBe(0);
  });

  it('a handover releases the fixed tranche as a pending transfer the trustee posts', () => {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    handOver(s, 'z1');
    const t = s.state.escrow.transfers.find((x) => x.rule === 'handover-tranche')!;
    expect(t).toMatchObject({
      debit: FUNDS,
      credit: 'beneficiary:lebanon',
      amount: 30_000_00,
      status: 'pending',
    });
    expect(t.cites).toEqual(s.zone('z1').history.at(-1)!.cites);
    s.must('trustee', 'escrow.settle', t.id, { action: 'post' });
    expect(s.state.escrow.accounts['beneficiary:lebanon']).toBe(30_000_00);
    expect(sum(s.state)).toBe(0);
  });

  it('scalable: each verified site releases its unit price, up to the cap', () => {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    s.must('laf', 'site.neutralize', 'z1', { category: 'rockets', count: 3 });
    s.must('laf', 'site.neutralize', 'z1', { category: 'small-arms', count: 50 });
    s.must('laf', 'site.neutralize', 'z2', { category: 'tunnels', count: 4 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 3 });
    s.must('monitors', 'site.verify', 'z1', { category: 'small-arms', count: 50 }); // deferred: not counted
    s.must('monitors', 'site.verify', 'z2', { category: 'tunnels', count: 4 });
    const hw = s.state.escrow.transfers.filter((x) => x.rule === 'hardware');
    expect(hw.map((x) => x.amount)).toEqual([3_000_00, 2_000_00]);
    expect(s.state.escrow.indicators.hardware).toMatchObject({ earned: 5_000_00, units: 7 });
  });

  it('never releases more than is available: what is earned without funds waits for a deposit', () => {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 2_000_00 });
    s.must('monitors', 'site.find', 'z1', { category: 'rockets', count: 4 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 4 });
    expect(s.state.escrow.transfers.filter((x) => x.rule === 'hardware').map((x) => x.amount)).toEqual([
      2_000_00,
    ]);
    expect(s.explain().indicators.find((i) => i.id === 'hardware')!.waitingFor[0]!.text).toContain(
      'earned but not available',
    );
    const d = s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 10_000_00 });
    const second = s.state.escrow.transfers.filter((x) => x.rule === 'hardware')[1]!;
    expect(second.amount).toBe(2_000_00);
    expect(second.cites).toContain(d.index);
    expect(sum(s.state)).toBe(0);
  });

  it('a confirmed serious violation by the host side puts a hold on undisbursed funds; the trustee can release it', () => {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    s.must('press', 'incident.report', 'inc-1', incident('z1', s.now));
    const f = s.must('monitors', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'serious',
    });
    const hold = s.state.escrow.transfers.at(-1)!;
    expect(hold).toMatchObject({
      debit: FUNDS,
      credit: HOLDS,
      amount: 10_000_00,
      status: 'posted',
      rule: 'hold:inc-1',
      cites: [f.index],
    });
    // a violation by the withdrawing force holds nothing (the agreement attributes holds to the host side)
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'x' });
    s.must('monitors', 'finding.issue', 's-1', {
      outcome: 'confirmed-violation',
      violator: 'israel',
      severity: 'serious',
    });
    expect(s.state.escrow.accounts[HOLDS]).toBe(10_000_00);
    s.must('trustee', 'escrow.settle', hold.id, { action: 'release-hold' });
    expect(s.state.escrow.accounts[HOLDS]).toBe(0);
    expect(s.state.escrow.accounts[FUNDS]).toBe(100_000_00);
    expect(s.say('trustee', 'escrow.settle', hold.id, { action: 'release-hold' }).ok).toBe(false);
  });

  it('a voided release returns the reservation to the funds', () => {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    s.must('laf', 'site.neutralize', 'z1', { category: 'rockets', count: 1 });
    s.must('monitors', 'site.verify', 'z1', { category: 'rockets', count: 1 });
    const t = s.state.escrow.transfers.at(-1)!;
    expect(s.explain().escrow.available).toBe(99_000_00);
    s.must('trustee', 'escrow.settle', t.id, { action: 'void' });
    expect(s.explain().escrow.available).toBe(100_000_00);
    expect(s.state.escrow.transfers.at(-1)!.status).toBe('voided');
  });
});
