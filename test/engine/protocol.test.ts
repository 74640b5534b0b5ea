import { describe, expect, it } from 'vitest';
import { clearZone, DAY, deployZone, fixture, HOUR, incident, Story } from './fixture.js';

function deployed(change?: Parameters<typeof fixture>[0]) {
  const s = new Story(fixture(change));
  clearZone(s, 'z1');
  deployZone(s, 'z1');
  return s;
}

describe('incidents and the response protocol', () => {
  it('records an incident with UCDP-style fields: time, place, attributed actor as claimed, casualties, source grade', () => {
    const s = new Story(fixture());
    s.must('press', 'incident.report', 'inc-1', {
      ...incident('z1', s.now, 'artillery'),
      deaths_low: 1,
      deaths_best: 2,
      deaths_high: 4,
      where_prec: 2,
    });
    expect(s.state.incidents.get('inc-1')).toMatchObject({
      type: 'artillery',
      zone: 'z1',
      actor: 'group',
      reporter: 'press',
      where_prec: 2,
      casualties: { low: 1, best: 2, high: 4 },
      source_grade: 'B2',
    });
  });

  it('given an armed presence notified to the deploying force, when it responds within the window, then a later strike by the withdrawing force is a violation', () => {
    const s = deployed();
    s.must('monitors', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('monitors', 'incident.notify', 'inc-1', { threat: 'armed men at a launch site' });
    s.wait(6 * HOUR);
    s.must('laf', 'incident.response', 'inc-1', { action: 'acted' });
    s.wait(20 * HOUR);
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'launch site', respondsTo: 'inc-1' });
    expect(s.state.strikes.get('s-1')!.classification).toBe('violation-deploying-force-acted');
    expect(s.zone('z1').stage).toBe('deployed');
  });

  it('given a notified threat the deploying force does not answer, when the window has passed, then a strike in the notified zone is permitted', () => {
    const s = deployed();
    s.must('monitors', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('israel', 'incident.notify', 'inc-1', { threat: 'rocket launcher' });
    s.wait(23 * HOUR);
    s.must('israel', 'strike.declare', 's-early', { zone: 'z1', target: 'launcher', respondsTo: 'inc-1' });
    expect(s.state.strikes.get('s-early')!.classification).toBe('violation-within-window');
    s.wait(2 * HOUR);
    s.must('israel', 'strike.declare', 's-late', { zone: 'z1', target: 'launcher', respondsTo: 'inc-1' });
    expect(s.state.strikes.get('s-late')!.classification).toBe('permitted-after-window');
    s.must('israel', 'strike.declare', 's-far', { zone: 'z2', target: 'depot', respondsTo: 'inc-1' });
    expect(s.state.strikes.get('s-far')!.classification).toBe('violation-out-of-scope');
  });

  it('given the deploying force declares itself unable, then the withdrawing force may act at once', () => {
    const s = deployed();
    s.must('monitors', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('monitors', 'incident.notify', 'inc-1', { threat: 'tunnel shaft' });
    s.must('laf', 'incident.response', 'inc-1', { action: 'unable' });
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'shaft', respondsTo: 'inc-1' });
    expect(s.state.strikes.get('s-1')!.classification).toBe('permitted-after-window');
  });

  it('given an agreement that never lets the withdrawing force act, then even a strike after the window is a violation', () => {
    const s = deployed((a) => {
      a.responseProtocol.withdrawingForceMayActAfterWindow = false;
    });
    s.must('monitors', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('monitors', 'incident.notify', 'inc-1', { threat: 'x' });
    s.wait(2 * DAY);
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'x', respondsTo: 'inc-1' });
    expect(s.state.strikes.get('s-1')!.classification).toBe('violation-not-permitted');
  });

  it('a strike without notification is a violation', () => {
    const s = deployed();
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'a house' });
    expect(s.state.strikes.get('s-1')).toMatchObject({
      classification: 'violation-no-notification',
      reason: 'no notified threat precedes the strike',
    });
  });

  it('an imminent-threat strike must be justified within the deadline, or it becomes unjustified at the deadline', () => {
    const s = deployed();
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'launch crew', imminentThreat: true });
    s.must('israel', 'strike.declare', 's-2', { zone: 'z1', target: 'launch crew', imminentThreat: true });
    expect(s.state.strikes.get('s-1')!.classification).toBe('imminent-threat-awaiting-justification');
    s.wait(48 * HOUR);
    s.must('israel', 'strike.justify', 's-1', { justification: 'launch under way, radar track attached' });
    expect(s.state.strikes.get('s-1')!.classification).toBe('imminent-threat-justified');
    const deadline = s.state.strikes.get('s-2')!.justifyByMs!;
    expect(s.timeline.stateAt(new Date(deadline - 1).toISOString()).strikes.get('s-2')!.classification).toBe(
      'imminent-threat-awaiting-justification',
    );
    expect(s.timeline.stateAt(new Date(deadline).toISOString()).strikes.get('s-2')!.classification).toBe(
      'imminent-threat-unjustified',
    );
    s.wait(30 * HOUR);
    s.must('israel', 'strike.justify', 's-2', { justification: 'too late' });
    expect(s.state.strikes.get('s-2')!.classification).toBe('imminent-threat-unjustified');
  });

  it('only the striking party justifies its strike', () => {
    const s = deployed();
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 't', imminentThreat: true });
    expect(s.say('usa', 'strike.justify', 's-1', { justification: 'x' }).ok).toBe(false);
  });
});

describe('findings and accounts', () => {
  it('a finding takes effect only with the agreement’s quorum of adjudicating parties', () => {
    const s = new Story(
      fixture((a) => {
        a.adjudication = { adjudicatorRoles: ['adjudicator'], findingQuorum: 2 };
      }),
    );
    s.must('press', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('monitors', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'minor',
    });
    expect(s.state.findings.get('inc-1')!.effective).toBeNull();
    s.must('usa', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'serious',
    });
    expect(s.state.findings.get('inc-1')!.effective).toBeNull();
    s.must('usa', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'minor',
    });
    expect(s.state.findings.get('inc-1')!.effective).toMatchObject({
      outcome: 'confirmed-violation',
      severity: 'minor',
      violator: 'group',
    });
  });

  it('a confirmed violation by an actor rolls up to its sponsor', () => {
    const s = new Story(fixture());
    s.must('press', 'incident.report', 'inc-1', incident('z1', s.now));
    s.must('monitors', 'finding.issue', 'inc-1', {
      outcome: 'confirmed-violation',
      violator: 'group',
      severity: 'minor',
    });
    expect(s.state.violationsBy).toEqual({ group: 1, patron: 1 });
  });

  it('each party’s own account is kept beside the finding, and dissent is never overwritten', () => {
    const s = new Story(fixture());
    s.must('israel', 'strike.declare', 's-1', { zone: 'z1', target: 'depot' });
    s.must('monitors', 'finding.issue', 's-1', {
      outcome: 'confirmed-violation',
      violator: 'israel',
      severity: 'serious',
    });
    s.must('israel', 'account.attach', 's-1', {
      position: 'disputes',
      text: 'The depot was an active launch site.',
    });
    s.must('lebanon', 'account.attach', 's-1', { position: 'accepts', text: 'Civilian depot.' });
    s.must('israel', 'account.attach', 's-1', { position: 'disputes', text: 'Further imagery attached.' });
    const f = s.state.findings.get('s-1')!;
    expect(f.effective!.outcome).toBe('confirmed-violation');
    expect(f.accounts.map((x) => [x.party, x.position, x.text])).toEqual([
      ['israel', 'disputes', 'The depot was an active launch site.'],
      ['lebanon', 'accepts', 'Civilian depot.'],
      ['israel', 'disputes', 'Further imagery attached.'],
    ]);
    expect(s.state.violationsBy).toEqual({ israel: 1 });
  });
});
