/**
 * Deadlines and overdue obligations (issue 17 §2): a step owed within a time of another event
 * shows overdue at the exact millisecond it passes, against the party that owes it, counts as
 * the violation the agreement names, holds escrow or blocks truce extensions while it lasts, and
 * is explained in what the zone waits for.
 */
import { describe, expect, it } from 'vitest';
import { loadAgreement, validateValue } from '../../src/agreement/load.js';
import type { Agreement } from '../../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../../src/agreement/scenarios.js';
import { HOLDS } from '../../src/engine/escrow.js';
import { clearZone, DAY, deployZone, fixtureInput, partyKey, Story } from './fixture.js';
import { withDeadlines } from './fixture-deadlines.js';

describe('deadlines (small fixture)', () => {
  it('given a zone verified clear, then its withdrawal is due in 3 days, owed by israel, and explained as such', () => {
    const s = new Story(withDeadlines());
    clearZone(s, 'z1');
    const verifiedAt = Date.parse(s.zone('z1').history.at(-1)!.at);
    const z = s.explain().zones.find((x) => x.id === 'z1')!;
    expect(z.obligations).toEqual([
      expect.objectContaining({
        deadline: 'withdraw',
        stage: 'withdrawn',
        owedBy: ['israel'],
        status: 'pending',
        due: new Date(verifiedAt + 3 * DAY).toISOString(),
      }),
    ]);
    expect(z.waitingFor[0]!.text).toMatch(/^withdrawn is due by .* owed by israel/);
  });

  it('given the withdrawal not made in time, then at the exact millisecond it is overdue against israel, counted as its violation', () => {
    const s = new Story(withDeadlines());
    clearZone(s, 'z1');
    const dueMs = s.state.obligations[0]!.dueMs;
    const before = s.timeline.stateAt(new Date(dueMs - 1).toISOString());
    const at = s.timeline.stateAt(new Date(dueMs).toISOString());
    expect(before.obligations[0]!.status).toBe('pending');
    expect(at.obligations[0]).toMatchObject({ status: 'overdue', overdueAt: new Date(dueMs).toISOString() });
    expect(before.violationsBy.israel ?? 0).toBe(0);
    expect(at.violationsBy.israel).toBe(1);
    const z = s.explain(new Date(dueMs + DAY).toISOString()).zones.find((x) => x.id === 'z1')!;
    expect(z.waitingFor[0]!.text).toMatch(/^OVERDUE since .*: withdrawn, owed by israel/);
  });

  it('given an overdue withdrawal, then a handover elsewhere extends the truce by nothing until the withdrawal is done', () => {
    const s = new Story(withDeadlines((a) => (a.zones![1]!.prerequisites = [])));
    clearZone(s, 'z2');
    deployZone(s, 'z2');
    clearZone(s, 'z1');
    s.wait(4 * DAY); // z1's withdrawal is overdue from here
    s.wait(7 * DAY);
    s.must('monitors', 'zone.stage.sign', 'z2', { stage: 'handed-over' });
    s.must('usa', 'zone.stage.sign', 'z2', { stage: 'handed-over' });
    expect(s.zone('z2').stage).toBe('handed-over');
    expect(s.state.truce.extensions).toEqual([]);
    expect(s.state.truce.blockedExtensions).toEqual([
      expect.objectContaining({ benchmark: 'zone-handed-over', key: 'z2', blockedBy: ['withdraw/z1'] }),
    ]);
    expect(s.explain().truce.extensionsBlockedBy).toEqual(['withdraw/z1']);
    // Israel withdraws late: the obligation is met (late), and the next results extend the truce again.
    s.must('israel', 'withdrawal.claim', 'z1', {});
    s.must('monitors', 'withdrawal.observe', 'z1', { observed: 'withdrawn' });
    const z1 = s.state.obligations.find((o) => o.zone === 'z1' && o.deadline === 'withdraw')!;
    expect(z1.status).toBe('met');
    expect(z1.overdueAt).not.toBeNull();
    expect(s.explain().truce.extensionsBlockedBy).toEqual([]);
  });

  it('given a late deployment, then funds are held while it is overdue and returned when the army deploys', () => {
    const s = new Story(withDeadlines());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    clearZone(s, 'z1');
    s.must('israel', 'withdrawal.claim', 'z1', {});
    s.must('monitors', 'withdrawal.observe', 'z1', { observed: 'withdrawn' });
    const deploy = s.state.obligations.find((o) => o.deadline === 'deploy')!;
    expect(deploy.owedBy).toEqual(['laf']);
    s.wait(2 * DAY + 1);
    s.must('laf', 'unit.register', 'u1', { name: 'Brigade', strength: 600 });
    expect(s.state.escrow.accounts[HOLDS]).toBe(5_000_00);
    const o = s.state.obligations.find((x) => x.deadline === 'deploy')!;
    expect(o.status).toBe('overdue');
    expect(s.state.escrow.transfers.find((t) => t.id === o.hold)).toMatchObject({
      rule: 'overdue:deploy/z1',
      amount: 5_000_00,
    });
    // no countsAs on this deadline: nobody's violation count changes
    expect(s.state.violationsBy.laf).toBeUndefined();
    s.must('usa', 'unit.vet', 'u1', { outcome: 'vetted' });
    s.must('laf', 'unit.deploy', 'u1', { zone: 'z1' });
    s.must('monitors', 'zone.stage.sign', 'z1', { stage: 'deployed' });
    expect(s.zone('z1').stage).toBe('deployed');
    expect(s.state.escrow.accounts[HOLDS]).toBe(0);
    expect(s.state.obligations.find((x) => x.deadline === 'deploy')!.status).toBe('met');
  });

  it('given a zone sent back before the clock’s start, then it owes nothing any more, and a new clock starts when it comes back', () => {
    const s = new Story(withDeadlines());
    clearZone(s, 'z1');
    s.must('press', 'incident.report', 'inc-1', {
      date_start: s.now,
      date_end: s.now,
      zone: 'z1',
      type: 'armed-presence',
      actor: 'group',
      source_grade: 'B2',
    });
    s.must('monitors', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'grave',
    });
    expect(s.zone('z1').stage).toBe('clearing');
    expect(s.state.obligations[0]!.status).toBe('cancelled');
    s.wait(5 * DAY);
    expect(s.timeline.stateAt(s.now).violationsBy.israel ?? 0).toBe(0);
    s.must('monitors', 'zone.stage.sign', 'z1', { stage: 'verified-clear' });
    expect(s.state.obligations.map((o) => o.status)).toEqual(['cancelled', 'pending']);
  });
});

describe('deadlines in the Lebanon 2026 scenario', () => {
  function lebanon(variant?: string): Agreement {
    const base = loadAgreement(scenarioPath('lebanon-2026'), variant ? { variant } : {});
    return withPartyKeys(base, Object.fromEntries(base.parties.map((p) => [p.id, [partyKey(p.id).vkey]])));
  }

  it('Israel owes each withdrawal within 7 days of verified clear; the Lebanese army each deployment within 5 days; the linear variant starts the withdrawal clock at agreement', () => {
    const a = lebanon();
    expect(a.deadlines.map((d) => [d.id, d.after, d.stage, d.within_ms / DAY, d.owedBy])).toEqual([
      ['withdraw-after-verified-clear', 'verified-clear', 'withdrawn', 7, { party: 'israel' }],
      ['deploy-after-withdrawal', 'withdrawn', 'deployed', 5, { party: 'laf' }],
    ]);
    expect(lebanon('lebanese-linear').deadlines.map((d) => d.id)).toEqual([
      'deploy-after-withdrawal',
      'withdraw-after-agreed',
    ]);
    expect(lebanon('israeli-conditional').deadlines.map((d) => d.id)).toEqual(['deploy-after-withdrawal']);
  });

  it('given the first pilot zone agreed under the linear variant, when Israel has not withdrawn 14 days later, then the zone shows the withdrawal overdue against israel', () => {
    const s = new Story(lebanon('lebanese-linear'));
    for (const p of ['lebanon', 'israel', 'usa'])
      s.must(p, 'zone.stage.sign', 'sour-south-litani', { stage: 'agreed' });
    s.wait(15 * DAY);
    const z = s.explain().zones.find((x) => x.id === 'sour-south-litani')!;
    expect(z.obligations[0]).toMatchObject({
      deadline: 'withdraw-after-agreed',
      status: 'overdue',
      owedBy: ['israel'],
    });
    expect(s.timeline.stateAt(s.now).violationsBy.israel).toBe(1);
  });
});

describe('deadlines are checked when the agreement loads', () => {
  it('names an unknown stage, a step that does not come after its start, and an owing party nobody is', () => {
    const input = fixtureInput();
    input.deadlines = [
      {
        id: 'a',
        label: 'x',
        after: 'verified-clear',
        stage: 'withdrawnn',
        within_ms: DAY,
        owedBy: { party: 'israel' },
      },
      {
        id: 'b',
        label: 'x',
        after: 'withdrawn',
        stage: 'agreed',
        within_ms: DAY,
        owedBy: { party: 'nobody' },
      },
    ];
    expect(() => validateValue(input, 'test')).toThrow(
      /deadlines\[0\]\.stage: unknown stage "withdrawnn"[\s\S]*deadlines\[1\]\.stage: the step owed \("agreed"\) must come after[\s\S]*deadlines\[1\]\.owedBy\.party: unknown party "nobody"/,
    );
  });
});
