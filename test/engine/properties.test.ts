/**
 * Property tests for DESIGN.md's invariants over random statement streams: random parties say
 * random kinds about random subjects at random times, through the real door (`admit`) with real
 * Ed25519 signatures; the invariants must hold whatever was admitted or rejected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATEMENT_KINDS, type StatementKind } from '../../src/agreement/model.js';
import { FUNDS, HOLDS } from '../../src/engine/escrow.js';
import { evolve } from '../../src/engine/evolve.js';
import { DEFAULT_PERMISSIONS } from '../../src/engine/kinds.js';
import { type Records, recordIds, recordValues } from '../../src/engine/records.js';
import { arraySource, type EntrySource, replay, stateAt } from '../../src/engine/replay.js';
import {
  cloneState,
  type EngineEntry,
  type EngineState,
  initialState,
  serializeState,
} from '../../src/engine/state.js';
import { settle } from '../../src/engine/time.js';
import { ClearanceView, type FoldedLog } from '../../src/service/clearance-view.js';
import { RecordStore } from '../../src/service/record-store.js';
import { DAY, envelope, fixture, HOUR, keyFor, PARTIES, Story } from './fixture.js';

const agreement = fixture();
const STAGES = agreement.stages.map((s) => s.id);
// Key pool: each party's agreement key plus two spare keys for rotations (computed once).
const POOL: Record<string, { signer: ReturnType<typeof keyFor>['signer']; vkey: string }[]> =
  Object.fromEntries(PARTIES.map((p) => [p, [keyFor(p), keyFor(p, 1), keyFor(p, 2)]]));
const ALLOWED: Record<string, string[]> = Object.fromEntries(
  STATEMENT_KINDS.map((k) => [
    k,
    agreement.parties.filter((p) => p.roles.some((r) => DEFAULT_PERMISSIONS[k].includes(r))).map((p) => p.id),
  ]),
);
// finding.issue follows adjudicatorRoles
ALLOWED['finding.issue'] = ['usa', 'monitors'];

// Weighted kinds: the ones that move zones come often so streams get somewhere.
const KIND = fc.oneof(
  { weight: 10, arbitrary: fc.constant<StatementKind | 'progress'>('progress') },
  { weight: 3, arbitrary: fc.constant<StatementKind>('zone.stage.sign') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<StatementKind>(
      'site.declare',
      'site.verify',
      'withdrawal.claim',
      'withdrawal.observe',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<StatementKind>(
      'unit.register',
      'unit.vet',
      'unit.deploy',
      'incident.report',
      'finding.issue',
      'escrow.pledge',
      'escrow.settle',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<StatementKind>(...STATEMENT_KINDS) },
);

const ACTION = fc.record({
  kind: KIND,
  allowedParty: fc.boolean(),
  partyPick: fc.nat(50),
  keyPick: fc.oneof(
    { weight: 8, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) },
  ),
  zone: fc.constantFrom('z1', 'z2'),
  stage: fc.constantFrom(...STAGES),
  n: fc.integer({ min: 1, max: 6 }),
  cat: fc.constantFrom('rockets', 'tunnels', 'small-arms'),
  ref: fc.integer({ min: 0, max: 2 }),
  flag: fc.boolean(),
  pick: fc.nat(3),
  waitMs: fc.constantFrom(0, 60_000, HOUR, DAY, 6 * DAY),
  cosign: fc.option(fc.constantFrom(...PARTIES), { freq: 4 }),
  skewMs: fc.oneof(
    { weight: 9, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constantFrom(-50 * HOUR, 10 * 60_000) },
  ),
});
type Action = typeof ACTION extends fc.Arbitrary<infer T> ? T : never;

/** A statement that helps the zone towards its next stage (so random streams get somewhere). */
function progress(
  a: Action,
  s: Story,
): { party: string; kind: StatementKind; subject: string; body: Record<string, unknown> } | null {
  // The stage as of now (time-driven changes applied to a copy; the timeline's state is left alone).
  const z = settle(agreement, cloneState(s.state), s.nowMs).zones[a.zone]!;
  const sign = (party: string, stage: string) => ({
    party,
    kind: 'zone.stage.sign' as const,
    subject: a.zone,
    body: { stage },
  });
  const unit = `u${a.zone}`;
  const steps: Record<string, ReturnType<typeof progress>[]> = {
    defined: [sign('lebanon', 'agreed'), sign('israel', 'agreed'), sign('usa', 'agreed')],
    agreed: [sign('laf', 'clearing')],
    clearing: [
      { party: 'laf', kind: 'site.neutralize', subject: a.zone, body: { category: 'rockets', count: 4 } },
      { party: 'laf', kind: 'site.neutralize', subject: a.zone, body: { category: 'tunnels', count: 2 } },
      { party: 'monitors', kind: 'site.verify', subject: a.zone, body: { category: 'rockets', count: 4 } },
      { party: 'monitors', kind: 'site.verify', subject: a.zone, body: { category: 'tunnels', count: 2 } },
      sign('monitors', 'verified-clear'),
    ],
    'verified-clear': [
      { party: 'israel', kind: 'withdrawal.claim', subject: a.zone, body: {} },
      { party: 'monitors', kind: 'withdrawal.observe', subject: a.zone, body: { observed: 'withdrawn' } },
    ],
    withdrawn: [
      { party: 'laf', kind: 'unit.register', subject: unit, body: { name: 'brigade', strength: 600 } },
      { party: 'usa', kind: 'unit.vet', subject: unit, body: { outcome: 'vetted' } },
      { party: 'laf', kind: 'unit.deploy', subject: unit, body: { zone: a.zone } },
      sign('monitors', 'deployed'),
    ],
    deployed: [],
    held: [
      sign('monitors', 'handed-over'),
      sign('usa', 'handed-over'),
      sign('lebanon', 'handed-over'),
      // Now and then the armed group returns to a held zone (a serious violation restarts the hold).
      {
        party: 'monitors',
        kind: 'incident.report',
        subject: `return-${a.zone}-${a.ref}`,
        body: {
          date_start: s.now,
          date_end: s.now,
          zone: a.zone,
          type: 'armed-presence',
          actor: 'group',
          source_grade: 'A2',
        },
      },
      {
        party: 'monitors',
        kind: 'finding.issue',
        subject: `return-${a.zone}-${a.ref}`,
        body: { outcome: 'confirmed-violation', violator: 'group', severity: 'serious' },
      },
    ],
    'handed-over': [],
  };
  let list = steps[z.stage]!;
  // While clearing, only the steps still missing (hardware is neutralized before it is verified).
  if (z.stage === 'clearing')
    list = list.filter((p) => {
      if (p!.kind === 'zone.stage.sign') return true;
      const inv = z.inventory[p!.body.category as string]!;
      return p!.kind === 'site.neutralize' ? inv.neutralized < 4 : inv.verified < inv.neutralized;
    });
  return list.length ? list[a.n % list.length]! : null;
}

function body(a: Action, s: Story): { subject: string; body: Record<string, unknown> } {
  const st = s.state;
  switch (a.kind) {
    case 'progress':
      return { subject: '', body: {} };
    case 'key.register':
    case 'key.revoke':
      return { subject: '', body: { key: '' } }; // filled by caller (needs the party)
    case 'zone.stage.sign':
      return { subject: a.zone, body: { stage: a.stage } };
    case 'withdrawal.claim':
    case 'withdrawal.deny':
      return { subject: a.zone, body: {} };
    case 'withdrawal.observe':
      return {
        subject: a.zone,
        body: { observed: a.flag ? 'withdrawn' : (['present', 'partial'] as const)[a.pick % 2] },
      };
    case 'site.declare':
    case 'site.find':
    case 'site.neutralize':
    case 'site.verify':
      return { subject: a.zone, body: { category: a.cat, count: a.n } };
    case 'unit.register':
      return { subject: `u${a.ref}`, body: { name: 'unit', strength: 100 * a.n + 100 } };
    case 'unit.vet':
      return { subject: `u${a.ref}`, body: { outcome: a.flag || a.pick > 0 ? 'vetted' : 'rejected' } };
    case 'unit.deploy':
      return { subject: `u${a.ref}`, body: { zone: a.pick === 3 ? null : a.zone } };
    case 'incident.report':
      return {
        subject: `i${a.n}`,
        body: {
          date_start: s.now,
          date_end: s.now,
          zone: a.zone,
          type: 'armed-presence',
          actor: 'group',
          source_grade: 'B2',
        },
      };
    case 'incident.notify':
      return { subject: `i${a.n}`, body: { threat: 'x' } };
    case 'incident.response':
      return {
        subject: `i${a.n}`,
        body: { action: (['acted', 'unable', 'no-threat-found'] as const)[a.pick % 3] },
      };
    case 'strike.declare':
      return {
        subject: `s${a.n}`,
        body: { zone: a.zone, target: 't', respondsTo: `i${a.ref + 1}`, imminentThreat: a.flag },
      };
    case 'strike.justify':
      return { subject: `s${a.n}`, body: { justification: 'j' } };
    case 'finding.issue': {
      const ids = [...recordIds(st.incidents), ...recordIds(st.strikes)];
      const subject = ids[a.n % Math.max(ids.length, 1)] ?? 'i1';
      const outcome = (['confirmed-violation', 'confirmed-violation', 'unfounded', 'inconclusive'] as const)[
        a.pick
      ];
      return {
        subject,
        body: {
          outcome,
          violator: a.flag ? 'group' : 'israel',
          severity: (['minor', 'serious', 'grave'] as const)[a.ref],
        },
      };
    }
    case 'account.attach':
      return { subject: `i${a.n}`, body: { position: 'disputes', text: 'no' } };
    case 'escrow.pledge':
      return { subject: 'donor-a', body: { amount: 1_000_00 * a.n } };
    case 'escrow.settle': {
      const t = st.escrow.transfers.length ? (a.n * 7919) % st.escrow.transfers.length : 0;
      return {
        subject: `t${t}`,
        body: { action: (['post', 'void', 'release-hold', 'post'] as const)[a.pick] },
      };
    }
    case 'benchmark.attest':
      return { subject: 'country-disarmed', body: {} };
    case 'truce.resume':
      return { subject: '', body: {} };
  }
}

/** Plays `actions` through the door; returns the story (with every admitted entry in its timeline). */
function play(actions: Action[], snapshotEvery = 5): Story {
  const s = new Story(agreement, '2026-06-26T16:00:00.000Z', { snapshot_interval_entries: snapshotEvery });
  for (const a of actions) {
    s.wait(a.waitMs);
    if (a.kind === 'progress') {
      const p = progress(a, s);
      if (p === null) s.wait(6 * DAY);
      else {
        // Sign with a current key of the party (random streams revoke keys too).
        const key = POOL[p.party]!.find(
          (k) => s.state.keys[k.vkey] !== undefined && s.state.keys[k.vkey]!.revokedAt === null,
        );
        if (key)
          s.timeline.append(
            envelope(agreement, p.party, p.kind, p.subject, p.body as never, s.now, { key }),
            s.now,
          );
      }
      continue;
    }
    const allowed = ALLOWED[a.kind]!;
    const party =
      a.allowedParty && allowed.length
        ? allowed[a.partyPick % allowed.length]!
        : PARTIES[a.partyPick % PARTIES.length]!;
    const key = POOL[party]![a.keyPick]!;
    let { subject, body: b } = body(a, s);
    if (a.kind === 'key.register' || a.kind === 'key.revoke') {
      subject = party;
      b = { key: POOL[party]![a.ref]!.vkey };
    }
    const env = envelope(
      agreement,
      party,
      a.kind,
      subject,
      b as never,
      new Date(s.nowMs + a.skewMs).toISOString(),
      {
        key,
        cosigners: a.cosign && a.cosign !== party ? [a.cosign] : [],
      },
    );
    s.timeline.append(env, s.now);
  }
  return s;
}

const entriesOf = (s: Story): EngineEntry[] => {
  const src = s.timeline.source();
  return Array.from({ length: src.length }, (_, i) => src.get(i));
};

const RUNS = { numRuns: 40 };
const STREAM = fc.array(ACTION, { minLength: 40, maxLength: 200, size: 'max' });

function signersOf(e: EngineEntry, keysAt: EngineState): string[] {
  return [...new Set(e.envelope.signatures.map((sg) => keysAt.keys[sg.key]!.party))];
}

describe('invariants over random statement streams', () => {
  it('no zone enters a stage without the quorum its condition names, and every stage change cites statements that satisfy it', () => {
    fc.assert(
      fc.property(STREAM, (actions) => {
        const s = play(actions);
        const entries = entriesOf(s);
        // Replaying step by step gives the key table as it was when each entry was admitted.
        const states: EngineState[] = [];
        let st = initialState(agreement);
        for (const e of entries) {
          states.push(cloneState(st));
          st = evolve(agreement, st, e);
        }
        for (const zid of ['z1', 'z2']) {
          const z = s.zone(zid);
          for (const ch of z.history) {
            if (ch.reason === 'regression') {
              const f = entries[ch.cites[0]!]!;
              expect(f.envelope.statement.kind).toBe('finding.issue');
              continue;
            }
            const changeMs = Date.parse(ch.at);
            const cited = ch.cites.map((i) => entries[i]!);
            expect(cited.length).toBeGreaterThan(0);
            for (const c of cited) expect(Date.parse(c.admitted)).toBeLessThanOrEqual(changeMs);
            // signers of cited zone.stage.sign statements for this stage and zone
            const signedBy = new Set<string>();
            for (const c of cited) {
              const stt = c.envelope.statement;
              if (stt.kind === 'zone.stage.sign' && stt.subject === zid && stt.body.stage === ch.to) {
                for (const p of signersOf(c, states[c.index]!)) signedBy.add(p);
              }
            }
            const has = (p: string) => signedBy.has(p);
            switch (ch.to) {
              case 'agreed':
                expect(has('lebanon') && has('israel') && has('usa')).toBe(true);
                break;
              case 'clearing':
                expect(has('laf')).toBe(true);
                if (zid === 'z2')
                  expect(
                    s.zone('z1').history.some((h) => h.to === 'handed-over' && Date.parse(h.at) <= changeMs),
                  ).toBe(true);
                break;
              case 'verified-clear':
                expect(has('monitors')).toBe(true);
                break;
              case 'withdrawn': {
                const kinds = cited.map(
                  (c) => `${c.envelope.statement.kind}:${signersOf(c, states[c.index]!).join('+')}`,
                );
                expect(kinds.some((k) => k.startsWith('withdrawal.claim:') && k.includes('israel'))).toBe(
                  true,
                );
                expect(
                  cited.some(
                    (c) =>
                      c.envelope.statement.kind === 'withdrawal.observe' &&
                      c.envelope.statement.body.observed === 'withdrawn',
                  ),
                ).toBe(true);
                break;
              }
              case 'deployed':
                expect(has('monitors')).toBe(true);
                expect(cited.some((c) => c.envelope.statement.kind === 'unit.deploy')).toBe(true);
                break;
              case 'held':
                break; // time alone; cites the statements that deployed
              case 'handed-over':
                expect(
                  [has('monitors'), has('usa'), has('lebanon')].filter(Boolean).length,
                ).toBeGreaterThanOrEqual(2);
                break;
              default:
                throw new Error(`unexpected stage ${ch.to}`);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it('replaying the same log gives byte-identical state', () => {
    fc.assert(
      fc.property(STREAM, (actions) => {
        const s = play(actions);
        const entries = entriesOf(s);
        const a = serializeState(replay(agreement, entries));
        const b = serializeState(replay(agreement, entries));
        expect(a).toBe(b);
        expect(a).toBe(serializeState(s.state));
      }),
      RUNS,
    );
  });

  it('escrow: balances sum to zero, nothing is released beyond what is available or earned, every transfer cites a rule and statements', () => {
    fc.assert(
      fc.property(STREAM, (actions) => {
        const s = play(actions);
        const e = s.state.escrow;
        expect(Object.values(e.accounts).reduce((x, y) => x + y, 0)).toBe(0);
        expect((e.accounts[FUNDS] ?? 0) - (e.pendingDebits[FUNDS] ?? 0)).toBeGreaterThanOrEqual(0);
        expect(e.accounts[HOLDS] ?? 0).toBeGreaterThanOrEqual(0);
        const received = Object.values(e.received).reduce((x, y) => x + y, 0);
        const released = e.transfers
          .filter((t) => t.credit.startsWith('beneficiary:') && t.status !== 'voided')
          .reduce((x, t) => x + t.amount, 0);
        expect(released).toBeLessThanOrEqual(received);
        for (const id in e.indicators)
          expect(e.indicators[id]!.authorized).toBeLessThanOrEqual(e.indicators[id]!.earned);
        for (const t of e.transfers) {
          expect(Number.isSafeInteger(t.amount) && t.amount > 0).toBe(true);
          expect(t.rule.length).toBeGreaterThan(0);
          expect(t.cites.length).toBeGreaterThan(0);
          for (const c of t.cites) expect(c).toBeGreaterThanOrEqual(0);
        }
      }),
      RUNS,
    );
  });

  it('escrow released never exceeds the value of verified reductions; a verified count never exceeds what was found or neutralized there', () => {
    const hardware = agreement.escrow!.indicators.find((i) => i.id === 'hardware')!;
    if (hardware.kind !== 'scalable') throw new Error('the fixture’s hardware indicator is scalable');
    const counted = hardware.categories ?? ['rockets', 'tunnels'];
    fc.assert(
      fc.property(STREAM, (actions) => {
        const s = play(actions);
        let verifiedUnits = 0;
        for (const z of Object.values(s.state.zones))
          for (const [c, inv] of Object.entries(z.inventory)) {
            expect(inv.verified).toBeLessThanOrEqual(Math.max(inv.found, inv.neutralized));
            expect(inv.verified).toBeLessThanOrEqual(inv.reported);
            if (counted.includes(c)) verifiedUnits += inv.verified;
          }
        const released = s.state.escrow.transfers
          .filter((t) => t.rule === 'hardware' && t.status !== 'voided')
          .reduce((x, t) => x + t.amount, 0);
        expect(released).toBeLessThanOrEqual(verifiedUnits * hardware.unitPrice);
      }),
      RUNS,
    );
  });

  it('state at time t never depends on entries admitted after t (and never reads them)', () => {
    fc.assert(
      fc.property(STREAM, fc.double({ min: 0, max: 1, noNaN: true }), (actions, frac) => {
        const s = play(actions, 4);
        const entries = entriesOf(s);
        if (entries.length === 0) return;
        const first = Date.parse(entries[0]!.admitted);
        const last = Date.parse(entries.at(-1)!.admitted) + 15 * DAY;
        const t = new Date(Math.floor(first + frac * (last - first))).toISOString();
        const tMs = Date.parse(t);
        const guarded: EntrySource = {
          length: entries.length,
          admittedAt: (i) => entries[i]!.admitted,
          get: (i) => {
            if (Date.parse(entries[i]!.admitted) > tMs)
              throw new Error(`read entry ${i}, admitted after ${t}`);
            return entries[i]!;
          },
        };
        const fromSnapshots = s.timeline.stateAt(t);
        const fresh = initialState(agreement);
        for (const e of entries) if (Date.parse(e.admitted) <= tMs) evolve(agreement, fresh, e);
        settle(agreement, fresh, tMs);
        expect(serializeState(fromSnapshots)).toBe(serializeState(fresh));
        expect(serializeState(stateAt(agreement, guarded, [], t))).toBe(serializeState(fresh));
        // and the live state was not disturbed by computing the past
        expect(serializeState(s.state)).toBe(serializeState(replay(agreement, entries)));
      }),
      RUNS,
    );
  });

  it('a statement is admitted at most once; a revoked key signs nothing after its revocation; a key says only what its party’s roles allow', () => {
    fc.assert(
      fc.property(STREAM, (actions) => {
        const s = play(actions);
        const entries = entriesOf(s);
        for (const e of entries)
          expect(s.timeline.admit(e.envelope, s.now)).toMatchObject({
            ok: false,
            code: 'duplicate-statement',
          });
        const ids = new Set(entries.map((e) => JSON.stringify(e.envelope.statement)));
        expect(ids.size).toBe(entries.length);
        const revokedAt = new Map<string, number>();
        let st = initialState(agreement);
        for (const e of entries) {
          for (const sg of e.envelope.signatures) {
            expect(revokedAt.has(sg.key)).toBe(false);
            const party = st.keys[sg.key]!.party;
            const roles = agreement.parties.find((p) => p.id === party)!.roles;
            const kind = e.envelope.statement.kind;
            expect(ALLOWED[kind]).toContain(party);
            expect(roles.length).toBeGreaterThan(0);
          }
          if (e.envelope.statement.kind === 'key.revoke')
            revokedAt.set(e.envelope.statement.body.key as string, e.index);
          st = evolve(agreement, st, e);
        }
      }),
      RUNS,
    );
  });
});

describe('the random streams are not vacuous', () => {
  it('reach stages, findings, escrow transfers, regressions and rejected statements across runs', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(STREAM, (actions) => {
        const s = play(actions);
        const later = s.timeline.stateAt(new Date(s.nowMs + 30 * DAY).toISOString());
        for (const z of Object.values(later.zones))
          for (const h of z.history) seen.add(`${h.reason}:${h.to}`);
        if (s.state.escrow.transfers.some((t) => t.status === 'pending')) seen.add('pending-transfer');
        if (recordValues(s.state.findings).some((f) => f.effective)) seen.add('finding');
        if (s.timeline.length < actions.length) seen.add('rejections');
        if (Object.values(s.state.keys).some((k) => k.revokedAt)) seen.add('revocation');
      }),
      { numRuns: 60, seed: 42 },
    );
    for (const x of [
      'entry-condition:agreed',
      'entry-condition:clearing',
      'entry-condition:verified-clear',
      'entry-condition:withdrawn',
      'entry-condition:deployed',
      'entry-condition:held',
      'entry-condition:handed-over',
      'regression:deployed',
      'pending-transfer',
      'finding',
      'rejections',
      'revocation',
    ]) {
      expect(seen).toContain(x);
    }
  });
});

describe('stateAt over an array source', () => {
  it('uses the snapshots it is given', () => {
    const s = new Story(agreement);
    s.must('lebanon', 'zone.stage.sign', 'z1', { stage: 'agreed' });
    const src = arraySource(entriesOf(s));
    expect(stateAt(agreement, src, [], s.now).count).toBe(1);
  });
});

describe('clearance views with their growing collections on disk (the server’s record store)', () => {
  it('give the same state at any past time however their snapshots were thinned', () => {
    fc.assert(
      fc.property(
        STREAM,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (actions, interval, kept, fracs) => {
          const s = play(actions);
          const entries = entriesOf(s);
          if (entries.length === 0) return;
          const log: FoldedLog = {
            admittedMs: (i) => Date.parse(entries[i]!.admitted),
            entries: (from, to) => entries.slice(from, to),
          };
          const store = new RecordStore(':memory:');
          try {
            // One snapshot per entry, all kept (the reference), against a few kept by thinning.
            const every = new ClearanceView(agreement, 'mechanism', log, {
              snapshot_interval_entries: 1,
              snapshots_max: entries.length + 2,
            });
            const thinned = new ClearanceView(agreement, 'mechanism', log, {
              snapshot_interval_entries: interval,
              snapshots_max: kept,
              records: { store, slot: 0 },
            });
            for (const e of entries) expect(thinned.push(e)).toBe(every.push(e));
            const first = Date.parse(entries[0]!.admitted);
            const last = Date.parse(entries.at(-1)!.admitted) + 15 * DAY;
            for (const f of fracs) {
              const t = new Date(Math.floor(first + f * (last - first))).toISOString();
              expect(serializeState(thinned.stateAt(t))).toBe(serializeState(every.stateAt(t)));
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('give byte-identical state to views in memory, now and at any past time, at every clearance', () => {
    fc.assert(
      fc.property(
        STREAM,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (actions, fracs) => {
          const s = play(actions);
          const entries = entriesOf(s);
          const log: FoldedLog = {
            admittedMs: (i) => Date.parse(entries[i]!.admitted),
            entries: (from, to) => entries.slice(from, to),
          };
          const store = new RecordStore(':memory:');
          try {
            // The three views fold each entry in turn, as the service does, so the rows they
            // write alike (public statements) are shared and the others are kept apart.
            const views = (['public', 'parties', 'mechanism'] as const).map((clearance, slot) => ({
              inMemory: new ClearanceView(agreement, clearance, log, { snapshot_interval_entries: 7 }),
              onDisk: new ClearanceView(agreement, clearance, log, {
                snapshot_interval_entries: 7,
                records: { store, slot },
              }),
            }));
            for (const e of entries) {
              for (const { inMemory, onDisk } of views) expect(onDisk.push(e)).toBe(inMemory.push(e));
              if (e.index % 10 === 0) store.flush(); // flushes land between folds, as group commits do
            }
            for (const { inMemory, onDisk } of views) {
              expect(serializeState(onDisk.current)).toBe(serializeState(inMemory.current));
              if (entries.length === 0) continue;
              const first = Date.parse(entries[0]!.admitted);
              const last = Date.parse(entries.at(-1)!.admitted) + 15 * DAY;
              for (const f of fracs) {
                const t = new Date(Math.floor(first + f * (last - first))).toISOString();
                const past = onDisk.stateAt(t);
                const expected = inMemory.stateAt(t);
                expect(serializeState(past)).toBe(serializeState(expected));
                // Record by record too (what the engine reads while folding): every id known now
                // reads as it was at t, or as absent when it came later.
                for (const coll of ['units', 'incidents', 'strikes', 'findings'] as const) {
                  const now = inMemory.current[coll] as Records<unknown>;
                  for (const id of recordIds(now))
                    expect((past[coll] as Records<unknown>).get(id)).toEqual(
                      (expected[coll] as Records<unknown>).get(id),
                    );
                }
                // Pages and counts (what the API's paged lists read), at t and now.
                for (const [got, want] of [
                  [past, expected],
                  [onDisk.current, inMemory.current],
                ] as const)
                  for (const coll of ['incidents', 'strikes', 'findings', 'units'] as const) {
                    const g = got[coll] as Records<unknown>;
                    const w = want[coll] as Records<unknown>;
                    const n = w.count();
                    expect(g.count()).toBe(n);
                    for (const [offset, limit] of [
                      [0, 1_000],
                      [1, 2],
                      [Math.floor(n / 2), 3],
                      [Math.max(0, n - 1), 5],
                    ] as const)
                      expect(g.page(offset, limit)).toEqual(w.page(offset, limit));
                  }
              }
              // Reading the past left the present alone.
              expect(serializeState(onDisk.current)).toBe(serializeState(inMemory.current));
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
