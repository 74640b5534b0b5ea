/**
 * A small agreement built in code, real Ed25519 keys from fixed seeds, and a `Story` that signs
 * and submits statements through the engine's door, so tests read like the rules:
 *
 *   story.say('monitors', 'zone.stage.sign', 'z1', { stage: 'verified-clear' })
 */
import { createHash } from 'node:crypto';
import {
  type Agreement,
  type AgreementInput,
  AgreementSchema,
  type StatementKind,
} from '../../src/agreement/model.js';
import type { Admission } from '../../src/engine/admit.js';
import { explain } from '../../src/engine/explain.js';
import { Timeline } from '../../src/engine/replay.js';
import type { EngineEntry, EngineState } from '../../src/engine/state.js';
import { cosign, signStatement } from '../../src/statement/envelope.js';
import { generateKeyPair, type NoteSigner, parseSignerKey } from '../../src/statement/keys.js';
import type { Classification, Envelope, JsonObject, Statement } from '../../src/statement/types.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A deterministic key for `name` (seed = SHA-256 of name and n). */
export function keyFor(name: string, n = 0): { signer: NoteSigner; vkey: string } {
  const seed = createHash('sha256').update(`phaseline-test-key/${name}/${n}`).digest();
  const kp = generateKeyPair(name, seed);
  return { signer: parseSignerKey(kp.skey), vkey: kp.vkey };
}

export const PARTIES = ['israel', 'lebanon', 'laf', 'usa', 'monitors', 'trustee', 'press'] as const;
export type PartyId = (typeof PARTIES)[number];

// One key per party, computed once per test file.
const KEYS: Record<string, { signer: NoteSigner; vkey: string }> = Object.fromEntries(
  PARTIES.map((p) => [p, keyFor(p)]),
);
export function partyKey(p: string): { signer: NoteSigner; vkey: string } {
  KEYS[p] ??= keyFor(p);
  return KEYS[p];
}

const square = (x: number, y: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x, y],
      [x + 0.1, y],
      [x + 0.1, y + 0.1],
      [x, y + 0.1],
      [x, y],
    ],
  ],
});

/** The small test agreement: two zones (z2 opens after z1 is handed over), the default stage graph with short times. */
export function fixtureInput(): AgreementInput {
  return {
    id: 'test-accord',
    logOrigin: 'phaseline.test/accord',
    title: 'Test accord',
    illustrative: true,
    provenance: 'Invented for the engine tests.',
    parties: [
      { id: 'israel', name: 'Withdrawing state', roles: ['withdrawing-force'], keys: [KEYS.israel!.vkey] },
      { id: 'lebanon', name: 'Host state', roles: ['sovereign'], keys: [KEYS.lebanon!.vkey] },
      { id: 'laf', name: 'Host army', roles: ['deploying-force'], keys: [KEYS.laf!.vkey] },
      { id: 'usa', name: 'Guarantor', roles: ['guarantor', 'adjudicator'], keys: [KEYS.usa!.vkey] },
      {
        id: 'monitors',
        name: 'Monitoring coalition',
        roles: ['monitor', 'adjudicator'],
        keys: [KEYS.monitors!.vkey],
      },
      { id: 'trustee', name: 'Escrow trustee', roles: ['trustee'], keys: [KEYS.trustee!.vkey] },
      { id: 'press', name: 'Observer', roles: ['observer'], keys: [KEYS.press!.vkey] },
    ],
    actors: [
      { id: 'group', name: 'Armed group', sponsor: 'patron' },
      { id: 'patron', name: 'State sponsor' },
    ],
    weaponCategories: [
      { id: 'rockets', label: 'Rockets', priority: 1 },
      { id: 'tunnels', label: 'Tunnels', priority: 1 },
      { id: 'small-arms', label: 'Small arms', priority: 4, deferred: true },
    ],
    stages: [
      { id: 'defined' },
      {
        id: 'agreed',
        entry: {
          allOf: [
            { statement: 'zone.stage.sign', role: 'sovereign' },
            { statement: 'zone.stage.sign', role: 'withdrawing-force' },
            { statement: 'zone.stage.sign', party: 'usa' },
          ],
        },
      },
      {
        id: 'clearing',
        entry: {
          allOf: [
            { prerequisitesHandedOver: true },
            { statement: 'zone.stage.sign', role: 'deploying-force' },
          ],
        },
      },
      {
        id: 'verified-clear',
        entry: {
          allOf: [{ statement: 'zone.stage.sign', role: 'monitor' }, { evidenceCoverage: { minRatio: 0.9 } }],
        },
      },
      {
        id: 'withdrawn',
        entry: {
          allOf: [
            { statement: 'withdrawal.claim', role: 'withdrawing-force' },
            { statement: 'withdrawal.observe', role: 'monitor' },
          ],
        },
      },
      {
        id: 'deployed',
        entry: {
          allOf: [{ unitsDeployed: { minStrength: 500 } }, { statement: 'zone.stage.sign', role: 'monitor' }],
        },
      },
      {
        id: 'held',
        entry: {
          elapsedWithoutViolation: { sinceStage: 'deployed', ms: 10 * DAY, severityAtLeast: 'serious' },
        },
      },
      {
        id: 'handed-over',
        entry: {
          atLeast: {
            n: 2,
            of: [
              { statement: 'zone.stage.sign', role: 'monitor' },
              { statement: 'zone.stage.sign', party: 'usa' },
              { statement: 'zone.stage.sign', role: 'sovereign' },
            ],
          },
        },
      },
    ],
    zones: [
      {
        id: 'z1',
        name: 'First pilot zone',
        geometry: square(35.2, 33.2),
        knownSites: [
          { category: 'rockets', count: 4 },
          { category: 'tunnels', count: 2 },
        ],
      },
      { id: 'z2', name: 'Second zone', geometry: square(35.4, 33.2), prerequisites: ['z1'] },
    ],
    regressions: [
      {
        id: 'restart-hold',
        onConfirmedViolation: { severityAtLeast: 'serious', zoneAtOrAfter: 'held' },
        to: 'deployed',
      },
      {
        id: 'reclear',
        onConfirmedViolation: { severityAtLeast: 'grave', zoneAtOrAfter: 'verified-clear' },
        to: 'clearing',
      },
    ],
    benchmarks: [
      {
        id: 'zone-handed-over',
        label: 'A zone is handed over',
        when: { zoneReachesStage: { stage: 'handed-over' } },
      },
      {
        id: 'all-handed-over',
        label: 'Every zone is handed over',
        when: { allZonesReachStage: { stage: 'handed-over' } },
      },
      {
        id: 'country-disarmed',
        label: 'Country-wide disarmament',
        when: { attested: { roles: ['guarantor', 'monitor'] } },
      },
    ],
    responseProtocol: {
      response_window_ms: 24 * HOUR,
      withdrawingForceMayActAfterWindow: true,
      scope: 'notified-zone',
      imminentThreatException: { allowed: true, justification_deadline_ms: 72 * HOUR },
    },
    truce: {
      expires: '2026-08-01T00:00:00.000Z',
      extensions: [{ on: 'zone-handed-over', extend_ms: 60 * DAY }],
      suspendOn: { severityAtLeast: 'grave' },
      lapse: { warning_ms: 72 * HOUR },
    },
    escrow: {
      currency: 'USD',
      beneficiary: 'lebanon',
      pledges: [{ donor: 'donor-a', amount: 100_000_00 }],
      indicators: [
        {
          id: 'handover-tranche',
          label: 'Per zone handed over',
          kind: 'fixed',
          on: 'zone-handed-over',
          amount: 30_000_00,
        },
        {
          id: 'hardware',
          label: 'Per verified site',
          kind: 'scalable',
          measure: 'sites-verified',
          unitPrice: 1_000_00,
          cap: 5_000_00,
        },
      ],
      holds: {
        onConfirmedViolation: {
          severityAtLeast: 'serious',
          amount: 10_000_00,
          attributedTo: ['lebanon', 'laf', 'group'],
        },
      },
    },
    adjudication: { adjudicatorRoles: ['adjudicator'], findingQuorum: 1 },
    time: { backdating_window_ms: 48 * HOUR, clock_skew_ms: 5 * 60_000 },
  };
}

/** The fixture agreement, parsed (defaults applied), with optional changes to the input first. */
export function fixture(change?: (a: AgreementInput) => void): Agreement {
  const input = fixtureInput();
  change?.(input);
  return AgreementSchema.parse(input);
}

let nonceCounter = 0;
/** A fresh deterministic nonce (128 bits, base64url). */
export function nextNonce(): string {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(++nonceCounter, 12);
  b.writeUInt32BE(0x5eed, 0);
  return b.toString('base64url');
}

export interface SayOptions {
  /** Other parties that co-sign. */
  cosigners?: string[];
  /** Override the statement time (default: the story clock). */
  at?: string;
  /** Sign with this key instead of the party's (e.g. a rotated one). */
  key?: { signer: NoteSigner; vkey: string };
  issuer?: string;
  classification?: Classification;
}

/** Builds a signed envelope. */
export function envelope(
  agreement: Agreement,
  party: string,
  kind: StatementKind | string,
  subject: string,
  body: JsonObject,
  at: string,
  opts: SayOptions = {},
): Envelope {
  const key = opts.key ?? partyKey(party);
  const statement: Statement = {
    kind,
    agreement: agreement.id,
    issuer: opts.issuer ?? party,
    key: key.vkey,
    at,
    nonce: nextNonce(),
    classification: opts.classification ?? 'public',
    subject,
    body,
  };
  let env = signStatement(statement, key.signer);
  for (const c of opts.cosigners ?? []) env = cosign(env, partyKey(c).signer);
  return env;
}

/** A story: a timeline, a clock, and parties that say things. */
export class Story {
  readonly agreement: Agreement;
  readonly timeline: Timeline;
  nowMs: number;

  constructor(
    agreement: Agreement,
    start = '2026-06-26T16:00:00.000Z',
    options: { snapshot_interval_entries?: number } = {},
  ) {
    this.agreement = agreement;
    this.timeline = new Timeline(agreement, options);
    this.nowMs = Date.parse(start);
  }

  get now(): string {
    return new Date(this.nowMs).toISOString();
  }

  get state(): EngineState {
    return this.timeline.current;
  }

  /** Moves the story clock forward. */
  wait(ms: number): this {
    this.nowMs += ms;
    return this;
  }

  /** Signs and submits; returns the door's verdict (and the entry when admitted). */
  say(
    party: string,
    kind: StatementKind | string,
    subject: string,
    body: JsonObject = {},
    opts: SayOptions = {},
  ): Admission & { entry?: EngineEntry } {
    const env = envelope(this.agreement, party, kind, subject, body, opts.at ?? this.now, opts);
    return this.timeline.append(env, this.now);
  }

  /** Like `say`, but fails the test when the door rejects. */
  must(
    party: string,
    kind: StatementKind | string,
    subject: string,
    body: JsonObject = {},
    opts: SayOptions = {},
  ): EngineEntry {
    const v = this.say(party, kind, subject, body, opts);
    if (!v.ok) throw new Error(`${party} ${kind} ${subject} was rejected: ${v.code}: ${v.message}`);
    this.wait(60_000);
    return v.entry!;
  }

  zone(id: string) {
    return this.state.zones[id]!;
  }

  explain(at = this.now) {
    return explain(this.agreement, this.state, at);
  }
}

/** Runs a zone from `defined` through `verified-clear` with every signature it needs. */
export function clearZone(s: Story, zone: string): void {
  s.must('lebanon', 'zone.stage.sign', zone, { stage: 'agreed' });
  s.must('israel', 'zone.stage.sign', zone, { stage: 'agreed' });
  s.must('usa', 'zone.stage.sign', zone, { stage: 'agreed' });
  s.must('laf', 'zone.stage.sign', zone, { stage: 'clearing' });
  const known = s.agreement.zones.find((z) => z.id === zone)!.knownSites;
  for (const k of known) {
    s.must('laf', 'site.declare', zone, { category: k.category, count: k.count });
    s.must('laf', 'site.neutralize', zone, { category: k.category, count: k.count });
    s.must('monitors', 'site.verify', zone, {
      category: k.category,
      count: k.count,
      evidence: [sha('site' + zone + k.category)],
    });
  }
  s.must('monitors', 'zone.stage.sign', zone, { stage: 'verified-clear' });
}

/** Withdraws (claimed and observed), deploys a vetted unit and certifies `deployed`. */
export function deployZone(s: Story, zone: string, unit = `unit-${zone}`): void {
  s.must('israel', 'withdrawal.claim', zone, {});
  s.must('monitors', 'withdrawal.observe', zone, { observed: 'withdrawn' });
  if (s.state.units.get(unit) === undefined) {
    s.must('laf', 'unit.register', unit, { name: `Brigade for ${zone}`, strength: 600 });
    s.must('usa', 'unit.vet', unit, { outcome: 'vetted' });
  }
  s.must('laf', 'unit.deploy', unit, { zone });
  s.must('monitors', 'zone.stage.sign', zone, { stage: 'deployed' });
}

export function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** An incident.report body in `zone` at `at` (armed presence by the armed group, source grade B2). */
export function incident(zone: string, at: string, type = 'armed-presence') {
  return {
    date_start: at,
    date_end: at,
    zone,
    type,
    actor: 'group',
    source_grade: 'B2',
    latitude: 33.25,
    longitude: 35.25,
  };
}
