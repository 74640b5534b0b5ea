import { describe, expect, it } from 'vitest';
import { signStatement } from '../../src/statement/envelope.js';
import { envelope, fixture, HOUR, keyFor, partyKey, Story } from './fixture.js';

const a = fixture();

function code(v: { ok: boolean; code?: string }) {
  return v.ok ? 'ok' : v.code;
}

describe('admit: the door', () => {
  it('admits a well-formed statement by a registered key of a party allowed to say it', () => {
    const s = new Story(a);
    const v = s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' });
    expect(v.ok).toBe(true);
  });

  it('rejects a malformed envelope with schema', () => {
    const s = new Story(a);
    expect(code(s.timeline.admit({ statement: {}, signatures: [] }, s.now))).toBe('schema');
  });

  it('rejects an oversized statement with size', () => {
    const s = new Story(a);
    const v = s.say('press', 'incident.report', 'inc-big', { note: 'x'.repeat(70_000) });
    expect(code(v)).toBe('size');
  });

  it('rejects a tampered statement with signature', () => {
    const s = new Story(a);
    const env = envelope(a, 'lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, s.now);
    env.statement.subject = 'z2';
    expect(code(s.timeline.admit(env, s.now))).toBe('signature');
  });

  it('rejects a statement for another agreement with wrong-agreement', () => {
    const s = new Story(a);
    const env = envelope(
      { ...a, id: 'other' },
      'lebanon',
      'zone.stage.sign',
      'z1',
      { stage: 'agreed' },
      s.now,
    );
    expect(code(s.timeline.admit(env, s.now))).toBe('wrong-agreement');
  });

  it('rejects a key no party registered with unknown-key, naming what to do', () => {
    const s = new Story(a);
    const v = s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { key: keyFor('stranger') });
    expect(code(v)).toBe('unknown-key');
    expect(v.ok ? '' : v.message).toContain('key.register');
  });

  it('rejects a key used by another party with key-party-mismatch', () => {
    const s = new Story(a);
    const v = s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { key: partyKey('israel') });
    expect(code(v)).toBe('key-party-mismatch');
  });

  it('rejects an issuer that is not a party with unknown-party', () => {
    const s = new Story(a);
    const v = s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { issuer: 'nobody' });
    expect(code(v)).toBe('unknown-party');
  });

  it('rejects a kind the party’s roles do not allow with role-not-allowed', () => {
    const s = new Story(a);
    expect(code(s.say('israel', 'withdrawal.observe', 'z1', { observed: 'withdrawn' }))).toBe(
      'role-not-allowed',
    );
    expect(code(s.say('press', 'zone.stage.sign', 'z1', { stage: 'agreed' }))).toBe('role-not-allowed');
  });

  it('rejects a co-signature by a party not allowed to say the kind', () => {
    const s = new Story(a);
    s.must('press', 'incident.report', 'inc-1', {
      date_start: s.now,
      date_end: s.now,
      type: 'artillery',
      source_grade: 'C3',
    });
    const v = s.say(
      'monitors',
      'finding.issue',
      'inc-1',
      { outcome: 'unfounded' },
      { cosigners: ['israel'] },
    );
    expect(code(v)).toBe('role-not-allowed');
  });

  it('rejects a statement dated after now plus clock skew, and one before the backdating window', () => {
    const s = new Story(a);
    const late = new Date(s.nowMs + 6 * 60_000).toISOString();
    const early = new Date(s.nowMs - 49 * HOUR).toISOString();
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { at: late }))).toBe(
      'clock-skew',
    );
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { at: early }))).toBe(
      'backdated',
    );
    const within = new Date(s.nowMs - 47 * HOUR).toISOString();
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { at: within }))).toBe('ok');
  });

  it('admits a statement at most once (duplicate-statement), and a nonce at most once (duplicate-nonce)', () => {
    const s = new Story(a);
    const env = envelope(a, 'lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, s.now);
    expect(code(s.timeline.append(env, s.now))).toBe('ok');
    expect(code(s.timeline.append(env, s.now))).toBe('duplicate-statement');
    const again = envelope(a, 'lebanon', 'zone.stage.sign', 'z2', { stage: 'agreed' }, s.now);
    again.statement.nonce = env.statement.nonce;
    expect(code(s.timeline.append(signStatement(again.statement, partyKey('lebanon').signer), s.now))).toBe(
      'duplicate-nonce',
    );
  });

  it('names the JSON path of a bad body', () => {
    const s = new Story(a);
    const v = s.say('laf', 'site.declare', 'z1', { category: 'rockets', count: -1 });
    expect(code(v)).toBe('schema');
    expect(v.ok ? '' : v.message).toMatch(/^statement\.body\.count: /);
    const w = s.say('laf', 'site.declare', 'z1', { category: 'rockets', count: 1, colour: 'red' });
    expect(w.ok ? '' : w.message).toContain('statement.body');
  });

  it('rejects unknown subjects: zones, stages, categories, incidents, benchmarks', () => {
    const s = new Story(a);
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z9', { stage: 'agreed' }))).toBe('unknown-subject');
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'partying' }))).toBe('unknown-subject');
    expect(code(s.say('laf', 'site.declare', 'z1', { category: 'catapults', count: 1 }))).toBe(
      'unknown-subject',
    );
    expect(code(s.say('laf', 'incident.response', 'inc-404', { action: 'acted' }))).toBe('unknown-subject');
    expect(code(s.say('usa', 'benchmark.attest', 'moon-landing', {}))).toBe('unknown-subject');
    expect(
      code(
        s.say('press', 'incident.report', 'i', {
          date_start: s.now,
          date_end: s.now,
          type: 'artillery',
          source_grade: 'Z9',
        }),
      ),
    ).toBe('schema');
    expect(code(s.say('israel', 'unknown.kind', 'z1', {}))).toBe('schema');
  });

  it('rejects re-using an incident id with conflict', () => {
    const s = new Story(a);
    const body = { date_start: s.now, date_end: s.now, type: 'artillery', source_grade: 'C3' };
    s.must('press', 'incident.report', 'inc-1', body);
    expect(code(s.say('press', 'incident.report', 'inc-1', body))).toBe('conflict');
  });

  it('given a key rotation, the new key signs and the revoked key signs nothing after its revocation', () => {
    const s = new Story(a);
    const next = keyFor('lebanon', 1);
    s.must('lebanon', 'key.register', 'lebanon', { key: next.vkey });
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' }, { key: next }))).toBe('ok');
    s.wait(60_000);
    s.must(
      'lebanon',
      'key.revoke',
      'lebanon',
      { key: partyKey('lebanon').vkey, reason: 'rotation' },
      { key: next },
    );
    expect(code(s.say('lebanon', 'zone.stage.sign', 'z2', { stage: 'agreed' }))).toBe('revoked-key');
    expect(code(s.say('usa', 'zone.stage.sign', 'z2', { stage: 'agreed' }, { cosigners: ['lebanon'] }))).toBe(
      'revoked-key',
    );
  });

  it('a party cannot register a key already registered, nor revoke another party’s key', () => {
    const s = new Story(a);
    expect(code(s.say('lebanon', 'key.register', 'lebanon', { key: partyKey('israel').vkey }))).toBe(
      'conflict',
    );
    expect(code(s.say('lebanon', 'key.revoke', 'lebanon', { key: partyKey('israel').vkey }))).toBe(
      'key-party-mismatch',
    );
    expect(code(s.say('lebanon', 'key.register', 'israel', { key: keyFor('x').vkey }))).toBe(
      'unknown-subject',
    );
  });

  it('escrow settlements: only pending transfers are posted, a hold is released once', () => {
    const s = new Story(a);
    expect(code(s.say('trustee', 'escrow.pledge', 'donor-z', { amount: 5 }))).toBe('unknown-subject');
    s.must('trustee', 'escrow.pledge', 'donor-a', { amount: 5 });
    expect(code(s.say('trustee', 'escrow.settle', 't0', { action: 'post' }))).toBe('conflict');
    expect(code(s.say('trustee', 'escrow.settle', 't9', { action: 'post' }))).toBe('unknown-subject');
  });
});
