/**
 * Return, regression and escalation (issue 17 §3): the armed group's confirmed return to a held
 * or handed-over zone regresses it; confirmed unjustified strikes and serious violations add up
 * to a shorter or suspended truce, which only those the agreement names may resume; and a later
 * ruling that overturns a finding undoes its effects from that time on.
 */
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement, AgreementInput } from '../../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../../src/agreement/scenarios.js';
import { FUNDS, HOLDS } from '../../src/engine/escrow.js';
import { clearZone, DAY, deployZone, fixture, incident, partyKey, Story } from './fixture.js';

const USD = 100;

/** The fixture with two escalation rules: 2 strike violations in 10 days shorten the truce by 5 days; 2 serious violations in 10 days suspend it until the monitors resume it. */
function withEscalation(change?: (a: AgreementInput) => void): Agreement {
  return fixture((a) => {
    a.truce!.escalation = [
      {
        id: 'strikes',
        label: 'Two strike violations in 10 days shorten the truce by 5 days',
        count: 2,
        within_ms: 10 * DAY,
        of: { kinds: ['strike'] },
        shorten_ms: 5 * DAY,
      },
      {
        id: 'spiral',
        label: 'Two serious violations in 10 days suspend the truce',
        count: 2,
        within_ms: 10 * DAY,
        of: { kinds: ['incident'], severityAtLeast: 'serious' },
        suspend: true,
        resumeBy: [{ party: 'monitors' }],
      },
    ];
    change?.(a);
  });
}

function strikeViolation(s: Story, id: string, severity = 'minor') {
  s.must('israel', 'strike.declare', id, { zone: 'z2', target: 'a house' });
  return s.must('monitors', 'finding.issue', id, {
    outcome: 'confirmed-violation',
    violator: 'israel',
    severity,
  });
}

function incidentViolation(s: Story, id: string, severity: string, violator = 'group', zone = 'z2') {
  s.must('press', 'incident.report', id, incident(zone, s.now));
  return s.must('monitors', 'finding.issue', id, { outcome: 'confirmed-violation', violator, severity });
}

function lebanon(): Agreement {
  const base = loadAgreement(scenarioPath('lebanon-2026'));
  return withPartyKeys(base, Object.fromEntries(base.parties.map((p) => [p.id, [partyKey(p.id).vkey]])));
}

describe('escalation (small fixture)', () => {
  it('given two confirmed strike violations within 10 days, then the truce expires 5 days sooner; one more is not enough for another', () => {
    const s = new Story(withEscalation());
    const expires = s.state.truce.expiresMs;
    strikeViolation(s, 's1');
    expect(s.state.truce.expiresMs).toBe(expires);
    expect(s.explain().truce.waitingFor.map((w) => w.text)).toContainEqual(
      expect.stringMatching(
        /^1 more confirmed strike violation\(s\) before .* would bring its expiry 5 days nearer/,
      ),
    );
    s.wait(3 * DAY);
    strikeViolation(s, 's2');
    expect(s.state.truce.expiresMs).toBe(expires - 5 * DAY);
    expect(s.state.truce.escalation.strikes!.triggers).toEqual([
      expect.objectContaining({ subjects: ['s1', 's2'], shortened_ms: 5 * DAY, undone: null }),
    ]);
    strikeViolation(s, 's3');
    expect(s.state.truce.expiresMs).toBe(expires - 5 * DAY);
  });

  it('given two strike violations 11 days apart, then the window never holds two and nothing changes', () => {
    const s = new Story(withEscalation());
    const expires = s.state.truce.expiresMs;
    strikeViolation(s, 's1');
    s.wait(11 * DAY);
    strikeViolation(s, 's2');
    expect(s.state.truce.expiresMs).toBe(expires);
  });

  it('given the spiral rule suspended the truce, then the guarantor may not resume it (the agreement names the monitors) and the monitors may', () => {
    const s = new Story(withEscalation());
    incidentViolation(s, 'i1', 'serious');
    incidentViolation(s, 'i2', 'serious');
    expect(s.state.truce).toMatchObject({
      status: 'suspended',
      suspension: { rule: 'spiral', subjects: ['i1', 'i2'] },
    });
    expect(s.explain().truce.waitingFor[0]!.text).toBe(
      'a truce.resume by party monitors (suspended under spiral: i1, i2)',
    );
    const v = s.say('usa', 'truce.resume', '', { note: 'talks resumed' });
    expect(v).toMatchObject({ ok: false, code: 'role-not-allowed' });
    expect(v.ok || v.message).toMatch(/suspended under spiral; only party monitors may resume it/);
    s.must('monitors', 'truce.resume', '', {});
    expect(s.state.truce.status).toBe('in-force');
  });

  it('given a truce shortened by an escalation, when one of its findings is overturned, then the days come back from that time on, and the past is unchanged', () => {
    const s = new Story(withEscalation());
    const expires = s.state.truce.expiresMs;
    strikeViolation(s, 's1');
    strikeViolation(s, 's2');
    const shortenedAt = s.now;
    s.wait(DAY);
    s.must('monitors', 'finding.issue', 's2', { outcome: 'not-a-violation' });
    expect(s.state.truce.expiresMs).toBe(expires);
    expect(s.state.truce.escalation.strikes!.triggers[0]!.undone).toBe(
      s.state.findings.get('s2')!.effective!.at,
    );
    expect(s.timeline.stateAt(shortenedAt).truce.expiresMs).toBe(expires - 5 * DAY);
    // s1 counts again: one more strike violation in its window shortens the truce again
    strikeViolation(s, 's3');
    expect(s.state.truce.expiresMs).toBe(expires - 5 * DAY);
  });
});

describe('overturning a finding (small fixture)', () => {
  function heldZone(): Story {
    const s = new Story(fixture());
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
    clearZone(s, 'z1');
    deployZone(s, 'z1');
    s.wait(11 * DAY);
    s.must('laf', 'unit.register', 'tick', { name: 'clock', strength: 1 });
    expect(s.zone('z1').stage).toBe('held');
    return s;
  }

  it('given a grave violation that regressed a held zone, held funds and suspended the truce, when a later ruling finds it unfounded, then from that time on the zone is held again, the funds are back, the truce is in force and nobody is counted', () => {
    const s = heldZone();
    incidentViolation(s, 'ret-1', 'grave', 'group', 'z1');
    const confirmedAt = s.now;
    expect(s.zone('z1').stage).toBe('clearing');
    expect(s.state.escrow.accounts[HOLDS]).toBe(10_000_00);
    expect(s.state.truce.status).toBe('suspended');
    expect(s.state.violationsBy).toEqual({ group: 1, patron: 1 });
    s.wait(2 * DAY);
    const overturn = s.must('monitors', 'finding.issue', 'ret-1', { outcome: 'unfounded' });
    expect(s.zone('z1').stage).toBe('held');
    expect(s.zone('z1').history.at(-1)).toMatchObject({
      from: 'clearing',
      to: 'held',
      reason: 'overturned',
      cites: [overturn.index],
      rule: 'reclear',
    });
    expect(s.state.escrow.accounts[HOLDS]).toBe(0);
    // the hold went back into the funds: nothing was posted out of them
    expect(s.state.escrow.accounts[FUNDS]).toBe(100_000_00);
    expect(s.state.truce.status).toBe('in-force');
    expect(s.state.violationsBy).toEqual({});
    expect(s.state.findings.get('ret-1')).toMatchObject({ consequencesApplied: false, applied: null });
    // from that time on: the past still shows the finding in force
    const past = s.timeline.stateAt(confirmedAt);
    expect(past.zones.z1!.stage).toBe('clearing');
    expect(past.truce.status).toBe('suspended');
    // the zone goes on from held: the handover needs only its signatures
    s.must('monitors', 'zone.stage.sign', 'z1', { stage: 'handed-over' });
    s.must('usa', 'zone.stage.sign', 'z1', { stage: 'handed-over' });
    expect(s.zone('z1').stage).toBe('handed-over');
  });

  it('given a confirmed violation re-ruled at a different severity, then the first ruling’s effects are undone and the second’s apply', () => {
    const s = heldZone();
    incidentViolation(s, 'v-1', 'grave', 'group', 'z1');
    expect(s.zone('z1').stage).toBe('clearing');
    s.must('monitors', 'finding.issue', 'v-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'serious',
    });
    // serious in a held zone restarts the hold instead of sending it back to clearing
    expect(s.zone('z1').stage).toBe('deployed');
    expect(s.state.truce.status).toBe('in-force');
    expect(s.state.violationsBy).toEqual({ group: 1, patron: 1 });
    expect(s.state.escrow.accounts[HOLDS]).toBe(10_000_00);
  });

  it('given two grave violations suspended the truce, when one is overturned, then the other still holds it suspended', () => {
    const s = new Story(fixture());
    incidentViolation(s, 'g1', 'grave', 'israel');
    incidentViolation(s, 'g2', 'grave', 'israel');
    s.must('monitors', 'finding.issue', 'g1', { outcome: 'unfounded' });
    expect(s.state.truce).toMatchObject({ status: 'suspended', suspension: { subjects: ['g2'] } });
    s.must('monitors', 'finding.issue', 'g2', { outcome: 'inconclusive' });
    expect(s.state.truce.status).toBe('in-force');
  });
});

describe('the armed group returns (Lebanon 2026)', () => {
  it('given the first pilot zone handed over, when the armed group’s return is confirmed as a grave violation, then the zone goes back to clearing (the regression that sends it furthest back), the truce is suspended and only the guarantor may resume it', () => {
    const s = new Story(lebanon());
    s.must('trustee', 'escrow.pledge', 'gulf-donors', { amount: 600_000_000 * USD });
    const Z = 'sour-south-litani';
    for (const p of ['lebanon', 'israel', 'usa']) s.must(p, 'zone.stage.sign', Z, { stage: 'agreed' });
    s.must('laf', 'zone.stage.sign', Z, { stage: 'clearing' });
    for (const k of s.agreement.zones.find((z) => z.id === Z)!.knownSites) {
      s.must('laf', 'site.neutralize', Z, { category: k.category, count: k.count });
      s.must('monitors', 'site.verify', Z, { category: k.category, count: k.count });
    }
    s.must('monitors', 'zone.stage.sign', Z, { stage: 'verified-clear' });
    s.must('israel', 'withdrawal.claim', Z, {});
    s.must('monitors', 'withdrawal.observe', Z, { observed: 'withdrawn' });
    s.must('laf', 'unit.register', 'laf-5th', { name: '5th Brigade', strength: 850 });
    s.must('centcom', 'unit.vet', 'laf-5th', { outcome: 'vetted' });
    s.must('laf', 'unit.deploy', 'laf-5th', { zone: Z });
    s.must('monitors', 'zone.stage.sign', Z, { stage: 'deployed' });
    s.wait(31 * DAY);
    s.must('monitors', 'zone.stage.sign', Z, { stage: 'handed-over' }, { cosigners: ['usa'] });
    expect(s.zone(Z).stage).toBe('handed-over');
    s.must('monitors', 'incident.report', 'return-1', {
      date_start: s.now,
      date_end: s.now,
      zone: Z,
      type: 'armed-presence',
      actor: 'hezbollah',
      source_grade: 'A1',
    });
    s.must(
      'monitors',
      'finding.issue',
      'return-1',
      { outcome: 'confirmed-violation', violator: 'hezbollah', severity: 'grave' },
      { cosigners: ['usa'] },
    );
    expect(s.zone(Z).history.at(-1)).toMatchObject({ from: 'handed-over', to: 'clearing', rule: 'reclear' });
    expect(s.state.truce.status).toBe('suspended');
    expect(s.say('monitors', 'truce.resume', '', {})).toMatchObject({ ok: false, code: 'role-not-allowed' });
    s.must('usa', 'truce.resume', '', { note: 'the army arrested the cell' });
    expect(s.state.truce.status).toBe('in-force');
  });
});
