/**
 * History before the signing (issue 17 §6): the Lebanon agreement carries the arrangements in
 * force before it, so the state at any time since 2 March 2026 shows what held; imported real
 * incidents keep their own dates and precision codes, read by when they happened as an explicit
 * read beside the admission-time state.
 */
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement } from '../../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../../src/agreement/scenarios.js';
import { happenedBy } from '../../src/engine/event-time.js';
import { explain } from '../../src/engine/explain.js';
import { eventsToEnvelopes, readScenarioEvents } from '../../src/interop/events-import.js';
import { fixture, partyKey, Story } from './fixture.js';

function lebanon(): Agreement {
  const base = loadAgreement(scenarioPath('lebanon-2026'));
  return withPartyKeys(base, Object.fromEntries(base.parties.map((p) => [p.id, [partyKey(p.id).vkey]])));
}

/** A Lebanon log from the signature: the pledges, then the real records reported two hours later. */
function lebanonLog(): Story {
  const a = lebanon();
  const s = new Story(a, '2026-06-26T16:00:00.000Z');
  s.must('trustee', 'escrow.pledge', 'gulf-donors', { amount: 1_00 });
  s.wait(2 * 3_600_000);
  const { events } = readScenarioEvents(a);
  for (const env of eventsToEnvelopes(a, events, partyKey('monitors').signer, { at: s.now })) {
    const v = s.timeline.append(env, s.now);
    if (!v.ok) throw new Error(v.message);
  }
  return s;
}

describe('what held before the signing (Lebanon 2026)', () => {
  const s = lebanonLog();
  const truceAt = (t: string) => explain(s.agreement, s.timeline.stateAt(t), t).truce;

  it('10 March 2026: open hostilities, no truce', () => {
    const t = truceAt('2026-03-10T12:00:00.000Z');
    expect(t.status).toBe('not-started');
    expect(t.arrangement).toMatchObject({ id: 'hostilities-2026', kind: 'hostilities', status: 'in-force' });
    expect(t.waitingFor[0]!.text).toContain(
      'no truce: Hostilities between Israel and Hezbollah (since 2026-03-02)',
    );
  });

  it('16 May 2026: the extension of 23 April, expiring on Sunday 17 May, with the 45-day extension agreed the day before', () => {
    const t = truceAt('2026-05-16T12:00:00.000Z');
    expect(t.arrangement).toMatchObject({
      id: 'extension-2026-04-23',
      kind: 'truce',
      status: 'in-force',
      until: '2026-05-17T21:00:00.000Z',
      next: { id: 'extension-2026-05-15', agreedAt: '2026-05-15T00:00:00.000Z' },
    });
  });

  it('18 May 2026: the 45-day extension, until 1 July', () => {
    const t = truceAt('2026-05-18T12:00:00.000Z');
    expect(t.arrangement).toMatchObject({
      id: 'extension-2026-05-15',
      status: 'in-force',
      until: '2026-07-01T21:00:00.000Z',
      next: null,
    });
  });

  it('27 June 2026: the framework signed on 26 June, its own truce in force', () => {
    const t = truceAt('2026-06-27T12:00:00.000Z');
    expect(t.status).toBe('in-force');
    expect(t.arrangement).toBeNull();
    expect(t.expires).toBe('2026-08-10T16:00:00.000Z');
  });

  it('a fixture without prior arrangements says only that its truce has not started', () => {
    const f = new Story(fixture(), '2026-06-01T00:00:00.000Z');
    expect(f.explain().truce).toMatchObject({ status: 'not-started', arrangement: null });
  });
});

describe('imported real incidents keep their own dates and precision codes', () => {
  const s = lebanonLog();

  it('every record is admitted at the import and keeps its event’s date and UCDP date precision', () => {
    const ucdp = [...s.state.incidents.entries()]
      .filter(([id]) => id.startsWith('ucdp-ged-'))
      .map(([, i]) => i);
    expect(ucdp.length).toBe(123);
    for (const i of ucdp) {
      expect(i.admitted).toBe('2026-06-26T18:01:00.000Z');
      expect(i.date_start < '2025-01-01').toBe(true);
      expect([1, 2, 3, 4, 5]).toContain(i.date_prec);
    }
    expect(new Set(ucdp.map((i) => i.date_prec)).size).toBeGreaterThan(1);
  });

  it('the state at a time before the import holds none of them (admission time); the event-time read, known now, does', () => {
    const before = s.timeline.stateAt('2026-05-16T12:00:00.000Z');
    expect(before.incidents.count()).toBe(0);
    const h = happenedBy(s.state, Date.parse('2026-05-16T12:00:00.000Z'));
    expect(h.knownAt).toBe('2026-06-26T18:01:00.000Z');
    expect(h.bySource['ucdp-ged']).toBe(123);
    expect(h.bySource['fpv-catalogue']).toBeGreaterThan(0);
    const later = happenedBy(s.state, Date.parse('2026-06-20T00:00:00.000Z'));
    expect(later.count).toBeGreaterThanOrEqual(h.count);
    expect(happenedBy(s.state, Date.parse('2024-01-01T00:00:00.000Z')).count).toBe(0);
  });
});
