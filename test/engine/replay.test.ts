import { describe, expect, it } from 'vitest';
import { explain } from '../../src/engine/explain.js';
import { recordIds, recordValues } from '../../src/engine/records.js';
import { arraySource, replay, stateAt } from '../../src/engine/replay.js';
import { cloneState, initialState, serializeState, snapshotState } from '../../src/engine/state.js';
import { clearZone, DAY, deployZone, fixture, incident, Story } from './fixture.js';

function story() {
  const s = new Story(fixture(), '2026-06-26T16:00:00.000Z', { snapshot_interval_entries: 3 });
  s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 100_000_00 });
  clearZone(s, 'z1');
  deployZone(s, 'z1');
  s.must('press', 'incident.report', 'inc-1', incident('z1', s.now));
  s.must('monitors', 'finding.issue', 'inc-1', { outcome: 'inconclusive' });
  s.wait(12 * DAY);
  s.must('monitors', 'zone.stage.sign', 'z1', { stage: 'handed-over' });
  s.must('lebanon', 'zone.stage.sign', 'z1', { stage: 'handed-over' });
  return s;
}

describe('replay', () => {
  it('replaying the same log gives byte-identical state, equal to the state followed live', () => {
    const s = story();
    const entries = Array.from({ length: s.timeline.length }, (_, i) => s.timeline.source().get(i));
    expect(serializeState(replay(s.agreement, entries))).toBe(serializeState(replay(s.agreement, entries)));
    expect(serializeState(replay(s.agreement, entries))).toBe(serializeState(s.state));
    expect(s.zone('z1').stage).toBe('handed-over');
  });

  it('state at a past time equals a fresh replay of the entries admitted by then, settled to then', () => {
    const s = story();
    const entries = Array.from({ length: s.timeline.length }, (_, i) => s.timeline.source().get(i));
    for (const e of entries) {
      const t = e.admitted;
      expect(serializeState(s.timeline.stateAt(t))).toBe(serializeState(replay(s.agreement, entries, t)));
    }
    // between entries, time-driven changes appear at their own time: held 10 days after deployment
    const deployedMs = s.zone('z1').enteredAtMs.deployed!;
    const at = new Date(deployedMs + 10 * DAY).toISOString();
    expect(s.timeline.stateAt(at).zones.z1!.stage).toBe('held');
  });

  it('a state forked from a snapshot never writes into the snapshot', () => {
    const s = story();
    const snap = snapshotState(s.state);
    const before = serializeState(snap);
    const fork = cloneState(snap);
    fork.incidents.set('inc-x', { ...snap.incidents.get('inc-1')!, id: 'inc-x' });
    expect(serializeState(snap)).toBe(before);
    expect(serializeState(fork)).toContain('inc-x');
    expect(serializeState(cloneState(fork))).toBe(serializeState(fork));
    // the snapshot refuses writes outright
    expect(() => snap.incidents.set('inc-y', fork.incidents.get('inc-x')!)).toThrow(/read-only/);
  });

  it('a snapshot is unaffected by later writes to the live state, which keeps folding', () => {
    const s = story();
    const snap = snapshotState(s.state);
    const before = serializeState(snap);
    s.must('press', 'incident.report', 'inc-later', incident('z1', s.now));
    expect(s.state.incidents.get('inc-later')).toBeDefined();
    expect(snap.incidents.get('inc-later')).toBeUndefined();
    expect(serializeState(snap)).toBe(before);
  });

  it('a forked state (as stateAt returns) lists every record, in first-stored order, to every reader', () => {
    const s = story();
    const fork = cloneState(cloneState(s.state));
    fork.incidents.set('inc-x', { ...s.state.incidents.get('inc-1')!, id: 'inc-x' });
    expect(recordIds(fork.incidents)).toEqual(['inc-1', 'inc-x']);
    expect(recordValues(fork.incidents).map((i) => i.id)).toEqual(['inc-1', 'inc-x']);
    expect(fork.incidents.count()).toBe(2);
    expect(fork.incidents.page(1, 5).map(([id]) => id)).toEqual(['inc-x']);
    expect(Object.keys(JSON.parse(JSON.stringify(fork.incidents))).sort()).toEqual(['inc-1', 'inc-x']);
    // an entry inherited from the snapshot can be replaced, more than once, without touching it
    fork.incidents.set('inc-1', { ...fork.incidents.get('inc-1')!, zone: 'z2' });
    fork.incidents.set('inc-1', { ...fork.incidents.get('inc-1')!, zone: 'z1' });
    expect(fork.incidents.get('inc-1')!.zone).toBe('z1');
    expect(recordIds(fork.incidents)).toEqual(['inc-1', 'inc-x']);
    expect(s.state.incidents.get('inc-1')!.zone).toBe('z1');
    expect(fork.incidents.get('inc-2')).toBeUndefined();
  });

  it('stateAt before the first entry is the initial state settled to that time', () => {
    const s = story();
    const st = stateAt(s.agreement, arraySource([]), [], '2026-01-01T00:00:00.000Z');
    expect(st.count).toBe(0);
    expect(serializeState({ ...st, settledMs: -Infinity })).toBe(serializeState(initialState(s.agreement)));
  });

  it('explain says, for every zone, its stage, the next one and what it waits for, in words and as data', () => {
    const s = story();
    const x = explain(s.agreement, s.state, s.now);
    expect(x.zones.map((z) => [z.id, z.stage, z.next])).toEqual([
      ['z1', 'handed-over', null],
      ['z2', 'defined', 'agreed'],
    ]);
    expect(x.zones[1]!.waitingFor).toHaveLength(3);
    expect(x.zones[1]!.waitingFor[0]!.data).toMatchObject({
      statement: 'zone.stage.sign',
      stage: 'agreed',
      role: 'sovereign',
      need: 1,
      have: [],
    });
    expect(x.truce.status).toBe('in-force');
    expect(x.indicators.map((i) => i.id)).toEqual(['handover-tranche', 'hardware']);
  });
});

describe('reserved names', () => {
  it('rejects an id that Object.prototype already has (it would read as existing)', () => {
    const s = new Story(fixture());
    const v = s.say('press', 'incident.report', 'constructor', incident('z1', s.now));
    expect(v.ok ? 'ok' : v.code).toBe('schema');
    const w = s.say('laf', 'incident.response', 'toString', { action: 'acted' });
    expect(w.ok ? 'ok' : w.message).toContain('reserved name');
    // A body member names the member's path.
    const b = s.say('press', 'incident.report', 'fresh-id', incident('hasOwnProperty', s.now));
    expect(b.ok ? 'ok' : `${b.code}: ${b.message}`).toBe(
      'schema: statement.body.zone: "hasOwnProperty" is a reserved name; choose another id',
    );
  });
});
