/**
 * A deterministic, signed, SIMULATED history of the default scenario (Lebanon 2026), for the
 * embedded demo: several months from the signing in Washington (Friday 26 June 2026), zone by
 * zone in the prerequisite order, with the incidents, strikes, findings and money a real
 * mechanism would log.
 *
 * Everything here is invented and labelled so:
 * - every statement's nonce starts with `SIMULATED-` ({@link isSimulated}); the nonce is the one
 *   free field every kind has, because body schemas are strict (no extra `simulated` field) and
 *   two kinds (`unit.deploy`, `escrow.pledge`) have no free-text field at all;
 * - every free-text field a body has (`note`, `threat`, `target`, `reasoning`, `text`,
 *   `justification`, `training`) starts with `[SIMULATED] `.
 *
 * Deterministic: the same agreement, signers and options give byte-identical envelopes. All
 * randomness comes from a seeded mulberry32; nonces are SHA-256(seed, counter); times are on a
 * simulated clock (no `Date.now()`).
 *
 * Admitted by construction: the generator runs the engine's own {@link Timeline} while it writes,
 * admitting each statement at its own `at`, and throws if the door rejects one (a bug here).
 * Decisions that depend on state (which transfers are pending, what stage a zone is in) read
 * that timeline, exactly as the real parties would read the published state.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { booleanPointInPolygon, point } from '@turf/turf';
import type { Agreement, StatementKind } from '../agreement/model.js';
import { packageRoot } from '../agreement/scenarios.js';
import type { IncidentType } from '../engine/kinds.js';
import { Timeline } from '../engine/replay.js';
import type { EngineState } from '../engine/state.js';
import { csvObjects } from '../interop/csv.js';
import { zoneBbox, zoneLocator } from '../interop/zones.js';
import { mulberry32 } from '../sim/prng.js';
import { cosign, signStatement } from '../statement/envelope.js';
import type { NoteSigner } from '../statement/keys.js';
import type { Envelope, JsonObject, Statement } from '../statement/types.js';

export const SIMULATED_NONCE_PREFIX = 'SIMULATED-';
export const SIMULATED_NOTE_PREFIX = '[SIMULATED] ';

/** True for statements made by the demo generator. */
export function isSimulated(statement: Pick<Statement, 'nonce'>): boolean {
  return statement.nonce.startsWith(SIMULATED_NONCE_PREFIX);
}

export interface DemoHistoryOptions {
  seed: number;
  /** Start of the history, RFC 3339 (default: the agreement's `signedAt`). */
  from?: string;
  /** Length in calendar months (default 4). */
  months?: number;
  /** Named places to put incidents at (default: the scenario's Who's On First localities). */
  places?: Place[];
}

/** A named place (Who's On First locality) for incident locations. */
export interface Place {
  name: string;
  latitude: number;
  longitude: number;
  wofId: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export { mulberry32 };

/** The scenario's localities (Who's On First, "Data from Who's On First"), when the file is there. */
export function loadPlaces(scenario = 'lebanon-2026'): Place[] {
  const file = join(packageRoot(), 'scenarios', scenario, 'geo', 'source', 'lbn_localities_wof.csv');
  if (!existsSync(file)) return [];
  const { rows } = csvObjects(readFileSync(file, 'utf8'), ['wof_id', 'placetype', 'name', 'lat', 'lon']);
  const out: Place[] = [];
  for (const r of rows) {
    const v = r.values;
    const lat = Number(v.lat);
    const lon = Number(v.lon);
    if (v.placetype !== 'locality' || !v.name || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    out.push({ name: v.name, latitude: lat, longitude: lon, wofId: v.wof_id! });
  }
  return out;
}

/** What the generator plans for one zone (ILLUSTRATIVE, like the zones). */
interface ZonePlan {
  id: string;
  /** Day (from the start) on which the three parties sign the zone's plan. */
  agreeDay: number;
  /** Site-work steps per working day while clearing. */
  pace: number;
  unit: { id: string; name: string; strength: number; training: string; rejectFirst?: boolean };
  contested?: boolean;
  // progress
  waitUntil: number;
  flags: Set<string>;
  phase: number;
  /** Next routine patrol while the zone is deployed (ms). */
  patrolAt: number;
  cats: { category: string; actual: number; declared: number; step: number }[] | null;
}

const PLANS: Omit<ZonePlan, 'waitUntil' | 'flags' | 'phase' | 'patrolAt' | 'cats'>[] = [
  {
    id: 'sour-south-litani',
    agreeDay: 0,
    pace: 8,
    contested: true,
    unit: {
      id: 'laf-5th-brigade',
      name: '5th Intervention Brigade',
      strength: 850,
      training: 'US-funded counter-IED and border-security course',
    },
  },
  {
    id: 'bent-jbeil',
    agreeDay: 1,
    pace: 4,
    unit: {
      id: 'laf-7th-brigade',
      name: '7th Infantry Brigade',
      strength: 720,
      training: 'UNIFIL-supported joint patrol training',
    },
  },
  {
    id: 'saida',
    agreeDay: 3,
    pace: 4,
    unit: {
      id: 'laf-1st-intervention-regiment',
      name: '1st Intervention Regiment',
      strength: 610,
      training: 'Rapid-reaction course',
      rejectFirst: true,
    },
  },
  {
    id: 'marjaayoun-west',
    agreeDay: 30,
    pace: 4,
    unit: {
      id: 'laf-9th-brigade',
      name: '9th Infantry Brigade',
      strength: 680,
      training: 'Mine-clearance certification',
    },
  },
  {
    id: 'marjaayoun-north',
    agreeDay: 55,
    pace: 4,
    unit: {
      id: 'laf-11th-brigade',
      name: '11th Infantry Brigade',
      strength: 700,
      training: 'Border-security course',
    },
  },
  {
    id: 'nabatieh-north-litani',
    agreeDay: 80,
    pace: 3,
    unit: {
      id: 'laf-6th-brigade',
      name: '6th Infantry Brigade',
      strength: 900,
      training: 'Urban operations course',
    },
  },
  {
    id: 'hasbaya',
    agreeDay: 90,
    pace: 4,
    unit: {
      id: 'laf-2nd-border-regiment',
      name: '2nd Land Border Regiment',
      strength: 560,
      training: 'Border-security course',
    },
  },
  {
    id: 'jezzine',
    agreeDay: 100,
    pace: 4,
    unit: {
      id: 'laf-10th-brigade',
      name: '10th Infantry Brigade',
      strength: 650,
      training: 'Mountain operations course',
    },
  },
  {
    id: 'buffer-strip',
    agreeDay: 110,
    pace: 4,
    unit: {
      id: 'laf-3rd-brigade',
      name: '3rd Infantry Brigade',
      strength: 950,
      training: 'Border-security and engineering course',
    },
  },
];

const STAGE_RANK_FALLBACK = -1;

interface QueuedAction {
  dueMs: number;
  seq: number;
  run: () => void;
}

/**
 * Generates the demo history: chronological, signed envelopes, every one admitted by the engine
 * at its own `at`. `partySigners` maps each party id to the signer of its registered key.
 */
export function generateDemoHistory(
  agreement: Agreement,
  partySigners: Readonly<Record<string, NoteSigner>>,
  options: DemoHistoryOptions,
): Envelope[] {
  return new DemoWriter(agreement, partySigners, options).run();
}

class DemoWriter {
  private readonly rng: () => number;
  private readonly timeline: Timeline;
  private readonly out: Envelope[] = [];
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly queue: QueuedAction[] = [];
  private seq = 0;
  private nonceCounter = 0;
  private evidenceCounter = 0;
  private incidentCounter = 0;
  private strikeCounter = 0;
  private t: number;
  private day = 0;
  private readonly plans: ZonePlan[];
  private readonly stageRank: Record<string, number>;
  private readonly placesByZone: Record<string, Place[]> = {};
  private readonly zoneIds: string[];

  constructor(
    private readonly agreement: Agreement,
    private readonly signers: Readonly<Record<string, NoteSigner>>,
    private readonly options: DemoHistoryOptions,
  ) {
    this.rng = mulberry32(options.seed);
    this.timeline = new Timeline(agreement);
    const from = options.from ?? agreement.signedAt;
    if (from === undefined)
      throw new Error('generateDemoHistory: give options.from (the agreement has no signedAt)');
    this.startMs = Date.parse(from);
    if (Number.isNaN(this.startMs))
      throw new Error(`generateDemoHistory: options.from ${JSON.stringify(from)} is not a time`);
    const end = new Date(this.startMs);
    end.setUTCMonth(end.getUTCMonth() + (options.months ?? 4));
    this.endMs = end.getTime();
    this.t = this.startMs;
    this.stageRank = Object.fromEntries(agreement.stages.map((s, i) => [s.id, i]));
    const known = new Set(agreement.zones.map((z) => z.id));
    this.zoneIds = agreement.zones.map((z) => z.id);
    this.plans = PLANS.filter((p) => known.has(p.id)).map((p) => ({
      ...p,
      waitUntil: 0,
      flags: new Set<string>(),
      phase: 0,
      patrolAt: 0,
      cats: null,
    }));
    for (const z of agreement.zones)
      if (!this.plans.some((p) => p.id === z.id)) {
        this.plans.push({
          id: z.id,
          agreeDay: 60,
          pace: 3,
          unit: {
            id: `laf-unit-${z.id}`,
            name: `Unit for ${z.name}`,
            strength: 600,
            training: 'Basic course',
          },
          waitUntil: 0,
          flags: new Set(),
          phase: 0,
          patrolAt: 0,
          cats: null,
        });
      }
    for (const p of ['israel', 'lebanon', 'laf', 'usa', 'centcom', 'monitors', 'trustee', 'unifil']) {
      if (!agreement.parties.some((x) => x.id === p))
        throw new Error(`generateDemoHistory: the demo needs party ${p} (the default scenario's parties)`);
      if (signers[p] === undefined) throw new Error(`generateDemoHistory: no signer for party ${p}`);
    }
    const locate = zoneLocator(agreement);
    for (const id of this.zoneIds) this.placesByZone[id] = [];
    for (const pl of options.places ?? loadPlaces()) {
      const z = locate(pl.longitude, pl.latitude);
      if (z !== null) this.placesByZone[z]!.push(pl);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Randomness, time, ids
  // -------------------------------------------------------------------------------------------

  private rand(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rng();
  }
  private int(lo: number, hi: number): number {
    return Math.floor(this.rand(lo, hi + 1));
  }
  private chance(p: number): boolean {
    return this.rng() < p;
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)]!;
  }
  private weighted<T>(xs: readonly [T, number][]): T {
    const total = xs.reduce((a, [, w]) => a + w, 0);
    let r = this.rng() * total;
    for (const [x, w] of xs) {
      r -= w;
      if (r < 0) return x;
    }
    return xs[xs.length - 1]![0];
  }
  private nonce(): string {
    const h = createHash('sha256')
      .update(`phaseline-demo/nonce/${this.options.seed}/${this.nonceCounter++}`)
      .digest();
    return SIMULATED_NONCE_PREFIX + h.subarray(0, 16).toString('base64url');
  }
  private evidence(what: string): string {
    return createHash('sha256')
      .update(`phaseline-demo/evidence/${this.options.seed}/${this.evidenceCounter++}/${what}`)
      .digest('hex');
  }
  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }
  private get state(): EngineState {
    return this.timeline.current;
  }
  private stage(zone: string): string {
    return this.state.zones[zone]!.stage;
  }
  private rank(zone: string): number {
    return this.stageRank[this.stage(zone)] ?? STAGE_RANK_FALLBACK;
  }
  private schedule(dueMs: number, run: () => void): void {
    this.queue.push({ dueMs, seq: this.seq++, run });
  }

  /** Signs `kind` by `party` at the simulated clock (a few minutes after the previous statement) and admits it. */
  private say(
    party: string,
    kind: StatementKind,
    subject: string,
    body: JsonObject,
    cosigners: string[] = [],
  ): void {
    this.t += Math.round(this.rand(3, 25) * MINUTE) + this.int(0, 59_999);
    const signer = this.signers[party]!;
    const statement: Statement = {
      kind,
      agreement: this.agreement.id,
      issuer: party,
      key: signer.vkey,
      at: this.iso(this.t),
      nonce: this.nonce(),
      classification: 'public',
      subject,
      body,
    };
    let env = signStatement(statement, signer);
    for (const c of cosigners) env = cosign(env, this.signers[c]!);
    const v = this.timeline.append(env, statement.at);
    if (!v.ok)
      throw new Error(
        `demo history: ${party} ${kind} ${subject} at ${statement.at} was rejected: ${v.code}: ${v.message}`,
      );
    this.out.push(env);
  }

  private note(text: string): string {
    return SIMULATED_NOTE_PREFIX + text;
  }

  // -------------------------------------------------------------------------------------------
  // The run: one working day at a time, actions in time order
  // -------------------------------------------------------------------------------------------

  run(): Envelope[] {
    const days = Math.ceil((this.endMs - this.startMs) / DAY);
    const midnight0 = Math.floor(this.startMs / DAY) * DAY;
    for (let d = 0; d < days; d++) {
      this.day = d;
      // Working day starts 06:00 UTC (09:00 in Beirut); day 0 starts at the signing.
      const base = d === 0 ? this.startMs : midnight0 + d * DAY + 6 * HOUR;
      if (base >= this.endMs) break;
      const next = midnight0 + (d + 1) * DAY + 6 * HOUR;
      if (d === 0) this.schedule(base, () => this.openingDay());
      this.schedule(base + Math.round(this.rand(0, 90) * MINUTE), () => this.zoneWork());
      if (d > 0 && d % 7 === 0) this.schedule(base + 9 * HOUR, () => this.trusteeSweep('weekly settlement'));
      if (d === 21)
        this.schedule(base + 3 * HOUR, () =>
          this.say('trustee', 'escrow.pledge', 'world-bank-trust', {
            amount: this.pledgeOf('world-bank-trust'),
          }),
        );
      if (d > 0 && this.chance(0.6))
        this.schedule(base + Math.round(this.rand(1, 12) * HOUR), () => this.incident());
      if (d > 0 && this.chance(0.15))
        this.schedule(base + Math.round(this.rand(2, 10) * HOUR), () => this.incident());
      this.scripted(d, base);
      this.drain(Math.min(next, this.endMs));
    }
    this.drain(this.endMs);
    return this.out;
  }

  /** Runs queued actions due before `untilMs`, earliest first (ties in the order scheduled). */
  private drain(untilMs: number): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const q = this.queue[i]!;
        if (q.dueMs >= untilMs) continue;
        if (
          best < 0 ||
          q.dueMs < this.queue[best]!.dueMs ||
          (q.dueMs === this.queue[best]!.dueMs && q.seq < this.queue[best]!.seq)
        )
          best = i;
      }
      if (best < 0) return;
      const [q] = this.queue.splice(best, 1);
      if (q!.dueMs > this.t) this.t = q!.dueMs;
      q!.run();
    }
  }

  private pledgeOf(donor: string): number {
    return this.agreement.escrow?.pledges.find((p) => p.donor === donor)?.amount ?? 1;
  }

  private openingDay(): void {
    // Donors' money arrives with the trustee on the day of the signing.
    for (const p of this.agreement.escrow?.pledges ?? []) {
      if (p.donor === 'world-bank-trust') continue; // arrives three weeks later
      this.say('trustee', 'escrow.pledge', p.donor, { amount: p.amount });
    }
  }

  /** The trustee posts every release the indicators authorized and nobody has settled. */
  private trusteeSweep(why: string): void {
    for (const tr of this.state.escrow.transfers) {
      if (tr.status !== 'pending') continue;
      this.say('trustee', 'escrow.settle', tr.id, {
        action: 'post',
        note: this.note(`${why}: release ${tr.rule} posted to the beneficiary account`),
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Zones: agreed → clearing → verified clear → withdrawn → deployed → held → handed over
  // -------------------------------------------------------------------------------------------

  private zoneWork(): void {
    for (const z of this.plans) {
      if (this.day < z.agreeDay) continue;
      this.unitPrep(z);
      if (this.t < z.waitUntil) continue;
      this.zoneStep(z);
    }
  }

  /**
   * The army prepares the zone's unit while the zone is being cleared (or, for the first
   * zones, as soon as it is agreed): registered, then vetted by the guarantor's military command
   * a few days later, so it can deploy as soon as the withdrawal is observed.
   */
  private unitPrep(z: ZonePlan): void {
    const rank = this.rank(z.id);
    const early = z.agreeDay <= 3 && z.flags.has('clearing');
    if (!(early || rank >= (this.stageRank.clearing ?? Infinity))) return;
    if (rank >= (this.stageRank.withdrawn ?? Infinity)) return; // deploymentStep takes over
    const u = this.state.units.get(z.unit.id);
    if (u === undefined) {
      if (z.id === 'sour-south-litani' || this.chance(0.5)) {
        this.say('laf', 'unit.register', z.unit.id, {
          name: z.unit.name,
          strength: z.unit.strength,
          training: this.note(z.unit.training),
        });
      }
      return;
    }
    if (u.vetting === 'pending' && this.chance(0.5)) this.vet(z, u.id);
    else if (u.vetting === 'rejected' && this.chance(0.3))
      this.say('centcom', 'unit.vet', u.id, {
        outcome: 'vetted',
        note: this.note('Re-vetted after retraining; readiness attested'),
      });
  }

  private vet(z: ZonePlan, unit: string): void {
    if (z.unit.rejectFirst)
      this.say('centcom', 'unit.vet', unit, {
        outcome: 'rejected',
        note: this.note(
          'Vetting incomplete: 40 personnel lack the required background checks; retraining required',
        ),
      });
    else
      this.say('centcom', 'unit.vet', unit, {
        outcome: 'vetted',
        note: this.note('Personnel vetted; readiness attested'),
      });
  }

  private sign(party: string, zone: string, stage: string, text: string): void {
    this.say(party, 'zone.stage.sign', zone, {
      stage,
      note: this.note(text),
      evidence: [this.evidence(`${zone}/${stage}/${party}`)],
    });
  }

  private zoneStep(z: ZonePlan): void {
    const stage = this.stage(z.id);
    const name = this.agreement.zones.find((x) => x.id === z.id)!.name;
    switch (stage) {
      case 'defined':
        if (z.flags.has('agreed')) return;
        z.flags.add('agreed');
        this.sign('lebanon', z.id, 'agreed', `The Lebanese Republic approves the plan for ${name}`);
        this.sign('israel', z.id, 'agreed', `Israel approves the plan and timetable for ${name}`);
        this.sign('usa', z.id, 'agreed', `The guarantor co-signs the plan for ${name}`);
        z.waitUntil = this.t + DAY;
        return;
      case 'agreed':
        if (z.flags.has('clearing')) return;
        z.flags.add('clearing');
        this.sign(
          'laf',
          z.id,
          'clearing',
          `LAF engineering units ready to clear ${name}; clearing starts once the zones it depends on are handed over`,
        );
        return;
      case 'clearing':
        this.clearingStep(z, name);
        return;
      case 'verified-clear':
        this.withdrawalStep(z, name);
        return;
      case 'withdrawn':
        this.deploymentStep(z, name);
        return;
      case 'deployed':
        // Routine monitor patrols while the army holds the zone.
        if (z.patrolAt === 0) z.patrolAt = this.t + Math.round(this.rand(5, 8) * DAY);
        else if (this.t >= z.patrolAt) {
          this.say('monitors', 'withdrawal.observe', z.id, {
            observed: 'withdrawn',
            evidence: [this.evidence('patrol')],
            note: this.note(`Routine patrol in ${name}: no foreign forces present; LAF checkpoints manned`),
          });
          z.patrolAt = this.t + Math.round(this.rand(6, 9) * DAY);
        }
        return;
      case 'held':
        if (z.flags.has('handover')) return;
        z.flags.add('handover');
        this.sign(
          'monitors',
          z.id,
          'handed-over',
          `The monitors certify ${name} held for 30 days without a serious violation, and recommend handover`,
        );
        this.later(3, 20, () => {
          this.sign(
            'usa',
            z.id,
            'handed-over',
            `The guarantor certifies the handover of ${name} to the Lebanese state`,
          );
          this.sign('lebanon', z.id, 'handed-over', `The Lebanese Republic takes over ${name}`);
          this.later(3, 8, () => this.trusteeSweep(`handover of ${name}`));
        });
        return;
      default:
        return; // handed over (or a variant's own stage): nothing more to do
    }
  }

  private clearingStep(z: ZonePlan, name: string): void {
    if (z.cats === null) {
      const zone = this.agreement.zones.find((x) => x.id === z.id)!;
      z.cats = zone.knownSites
        .filter((k) => k.count > 0)
        .map((k) => {
          const actual = k.count + (this.chance(0.25) ? this.int(1, 2) : 0); // inspections find more than the baseline
          const declared = Math.max(0, actual - (this.chance(0.4) ? this.int(1, 2) : 0)); // under-declared
          return { category: k.category, actual, declared, step: 0 };
        });
    }
    const pending = z.cats.filter((c) => c.step < 4);
    if (pending.length === 0) {
      if (!z.flags.has('verified-clear')) {
        z.flags.add('verified-clear');
        this.sign(
          'monitors',
          z.id,
          'verified-clear',
          `All known sites in ${name} verified neutralized (priority 1–2 categories)`,
        );
        z.waitUntil = this.t + Math.round(this.rand(12, 36) * HOUR);
      }
      return;
    }
    const steps = Math.min(pending.length * 4, z.pace + this.int(0, 1));
    for (let i = 0; i < steps; i++) {
      const c = pending[i % pending.length]!;
      if (c.step >= 4) continue;
      const label = this.agreement.weaponCategories.find((w) => w.id === c.category)?.label ?? c.category;
      switch (c.step) {
        case 0:
          if (c.declared > 0)
            this.say('laf', 'site.declare', z.id, {
              category: c.category,
              count: c.declared,
              evidence: [],
              note: this.note(`LAF declares ${c.declared} site(s): ${label.toLowerCase()} in ${name}`),
            });
          break;
        case 1:
          this.say('monitors', 'site.find', z.id, {
            category: c.category,
            count: c.actual,
            evidence: [this.evidence('inspection')],
            note: this.note(
              `Joint inspection found ${c.actual} site(s)${c.actual > c.declared ? ` (${c.actual - c.declared} more than declared)` : ''}: ${label.toLowerCase()}`,
            ),
          });
          break;
        case 2:
          this.say('laf', 'site.neutralize', z.id, {
            category: c.category,
            count: c.actual,
            evidence: [this.evidence('neutralize')],
            note: this.note(
              `${c.actual} site(s) ${c.category === 'tunnels' ? 'sealed with concrete' : c.category === 'depots' ? 'emptied, contents taken into custody' : 'destroyed or taken into custody'}`,
            ),
          });
          break;
        case 3:
          this.say('monitors', 'site.verify', z.id, {
            category: c.category,
            count: c.actual,
            evidence: [this.evidence('verify'), this.evidence('imagery')],
            note: this.note(`Monitors verified ${c.actual} site(s) neutralized: ${label.toLowerCase()}`),
          });
          break;
      }
      c.step++;
    }
    z.waitUntil = this.t + Math.round(this.rand(14, 30) * HOUR);
  }

  private withdrawalStep(z: ZonePlan, name: string): void {
    if (z.contested) {
      switch (z.phase) {
        case 0:
          // The episode the framework exists for: the guarantor says Israel pulled back, Israel
          // says it has not, Beirut says nothing. The zone shows "contested".
          this.say('usa', 'withdrawal.claim', z.id, {
            note: this.note(`A US official: Israeli forces have pulled back from ${name}`),
            evidence: [],
          });
          this.say('israel', 'withdrawal.deny', z.id, {
            note: this.note('An Israeli official: our forces remain in position'),
            evidence: [],
          });
          z.phase = 1;
          z.waitUntil = this.t + Math.round(this.rand(30, 40) * HOUR);
          return;
        case 1:
          this.say('monitors', 'withdrawal.observe', z.id, {
            observed: 'partial',
            evidence: [this.evidence('patrol'), this.evidence('imagery')],
            note: this.note(
              'Patrol found IDF positions still manned on two hilltops; the rest of the zone is clear',
            ),
          });
          z.phase = 2;
          z.waitUntil = this.t + Math.round(this.rand(40, 56) * HOUR);
          return;
        case 2:
          this.say('israel', 'withdrawal.claim', z.id, {
            note: this.note(`Withdrawal from ${name} completed, including the two hilltop positions`),
            evidence: [this.evidence('idf-map')],
          });
          this.say('lebanon', 'withdrawal.claim', z.id, {
            note: this.note('The Lebanese Republic confirms the withdrawal reported by the army'),
            evidence: [],
          });
          z.phase = 3;
          z.waitUntil = this.t + Math.round(this.rand(10, 20) * HOUR);
          return;
        default:
          this.say('monitors', 'withdrawal.observe', z.id, {
            observed: 'withdrawn',
            evidence: [this.evidence('patrol')],
            note: this.note(`Monitors observed the withdrawal from ${name}, hilltop positions empty`),
          });
          z.waitUntil = this.t + DAY;
          return;
      }
    }
    if (z.phase === 0) {
      this.say('israel', 'withdrawal.claim', z.id, {
        note: this.note(`IDF forces have left ${name}`),
        evidence: [this.evidence('idf-map')],
      });
      if (this.chance(0.5))
        this.say('lebanon', 'withdrawal.claim', z.id, {
          note: this.note('Confirmed by the army'),
          evidence: [],
        });
      z.phase = 1;
      z.waitUntil = this.t + Math.round(this.rand(12, 40) * HOUR);
    } else {
      this.say('monitors', 'withdrawal.observe', z.id, {
        observed: 'withdrawn',
        evidence: [this.evidence('patrol')],
        note: this.note(`Monitors observed the withdrawal from ${name}`),
      });
      z.waitUntil = this.t + DAY;
    }
  }

  private deploymentStep(z: ZonePlan, name: string): void {
    const u = this.state.units.get(z.unit.id);
    if (u === undefined) {
      this.say('laf', 'unit.register', z.unit.id, {
        name: z.unit.name,
        strength: z.unit.strength,
        training: this.note(z.unit.training),
      });
      z.waitUntil = this.t + Math.round(this.rand(12, 36) * HOUR);
      return;
    }
    if (u.vetting === 'pending') {
      this.vet(z, u.id);
      z.waitUntil = this.t + (z.unit.rejectFirst ? 4 * DAY : Math.round(this.rand(6, 20) * HOUR));
      return;
    }
    if (u.vetting === 'rejected') {
      this.say('centcom', 'unit.vet', u.id, {
        outcome: 'vetted',
        note: this.note('Re-vetted after retraining; readiness attested'),
      });
      z.waitUntil = this.t + Math.round(this.rand(6, 20) * HOUR);
      return;
    }
    if (u.zone !== z.id) {
      this.say('laf', 'unit.deploy', u.id, { zone: z.id });
      z.waitUntil = this.t + Math.round(this.rand(12, 30) * HOUR);
      return;
    }
    if (!z.flags.has('deployed')) {
      z.flags.add('deployed');
      this.sign(
        'monitors',
        z.id,
        'deployed',
        `${z.unit.name} (${z.unit.strength} personnel) deployed and manning checkpoints in ${name}`,
      );
    }
  }

  // -------------------------------------------------------------------------------------------
  // Incidents, the response protocol, strikes, findings and accounts
  // -------------------------------------------------------------------------------------------

  private place(zone: string): { latitude: number; longitude: number; where_prec: number; label: string } {
    const places = this.placesByZone[zone] ?? [];
    if (places.length > 0) {
      const p = this.pick(places);
      return {
        latitude: p.latitude,
        longitude: p.longitude,
        where_prec: 1,
        label: `${p.name} (Who's On First ${p.wofId})`,
      };
    }
    // No named place: a point inside the polygon, by rejection sampling in its bounding box.
    const [w, s, e, n] = zoneBbox(this.agreement, zone);
    const geom = this.agreement.zones.find((z) => z.id === zone)!.geometry!;
    for (let i = 0; i < 1000; i++) {
      const lon = Math.round(this.rand(w, e) * 1e5) / 1e5;
      const lat = Math.round(this.rand(s, n) * 1e5) / 1e5;
      if (booleanPointInPolygon(point([lon, lat]), geom))
        return {
          latitude: lat,
          longitude: lon,
          where_prec: 2,
          label: `${lat.toFixed(3)}, ${lon.toFixed(3)}`,
        };
    }
    throw new Error(`demo history: no point found inside zone ${zone}`);
  }

  /** The worst severity a finding in `zone` may have without undoing the zone's progress (the demo keeps its story on course). */
  private maxSeverity(zone: string): 'minor' | 'serious' | 'grave' {
    const r = this.rank(zone);
    if (r < (this.stageRank['verified-clear'] ?? Infinity)) return 'grave';
    if (r < (this.stageRank.deployed ?? Infinity)) return 'serious';
    return 'minor';
  }

  private report(
    party: string,
    zone: string,
    type: IncidentType,
    actor: string | undefined,
    grade: string,
    text: string,
    deaths = 0,
  ): { id: string; where: string } {
    const id = `sim-inc-${String(++this.incidentCounter).padStart(4, '0')}`;
    const pl = this.place(zone);
    const started = this.t - Math.round(this.rand(0.5, 6) * HOUR);
    const ended = Math.min(this.t, started + Math.round(this.rand(5, 90) * MINUTE));
    this.say(party, 'incident.report', id, {
      date_start: this.iso(started),
      date_end: this.iso(ended),
      zone,
      latitude: pl.latitude,
      longitude: pl.longitude,
      where_prec: pl.where_prec,
      type,
      ...(actor !== undefined ? { actor } : {}),
      deaths_low: deaths,
      deaths_best: deaths,
      deaths_high: deaths + (deaths > 0 ? this.int(0, 2) : 0),
      source_grade: grade,
      evidence: [this.evidence('report')],
      note: this.note(`${text} near ${pl.label}`),
    });
    return { id, where: pl.label.replace(/ \(.*\)$/, '') };
  }

  /** A finding by the monitors and the guarantor (the quorum is two): one co-signed statement, or two a day apart. */
  private finding(subject: string, body: JsonObject): void {
    const b = {
      ...body,
      reasoning: this.note(String(body.reasoning ?? 'Adjudicated on the evidence cited')),
      evidence: [this.evidence('finding')],
    };
    // Serious and grave findings are co-signed at once: a second signature days later could
    // land when the zone has moved on, and undo progress the demo's story needs.
    const split = this.chance(0.3);
    if (!split || (body.severity !== undefined && body.severity !== 'minor'))
      this.say('monitors', 'finding.issue', subject, b, ['usa']);
    else {
      this.say('monitors', 'finding.issue', subject, b);
      this.schedule(this.t + Math.round(this.rand(10, 40) * HOUR), () =>
        this.say('usa', 'finding.issue', subject, b),
      );
    }
  }

  private account(
    party: string,
    subject: string,
    position: 'accepts' | 'partially-accepts' | 'disputes' | 'no-position',
    text: string,
  ): void {
    this.say(party, 'account.attach', subject, {
      position,
      text: this.note(text),
      evidence: position === 'disputes' ? [this.evidence('account')] : [],
    });
  }

  private strike(
    zone: string,
    target: string,
    extra: { respondsTo?: string; imminentThreat?: boolean } = {},
  ): string {
    const id = `sim-strike-${String(++this.strikeCounter).padStart(4, '0')}`;
    const pl = this.place(zone);
    this.say('israel', 'strike.declare', id, {
      zone,
      latitude: pl.latitude,
      longitude: pl.longitude,
      target: this.note(`${target} near ${pl.label.replace(/ \(.*\)$/, '')}`),
      ...(extra.respondsTo !== undefined ? { respondsTo: extra.respondsTo } : {}),
      imminentThreat: extra.imminentThreat ?? false,
      evidence: [this.evidence('strike')],
    });
    return id;
  }

  private later(hoursLo: number, hoursHi: number, run: () => void): void {
    this.schedule(this.t + Math.round(this.rand(hoursLo, hoursHi) * HOUR), run);
  }

  /** A random incident somewhere in the zones, with whatever follows from it. */
  private incident(): void {
    const open = this.zoneIds.filter((z) => this.rank(z) >= 1);
    const zone = open.length > 0 && this.chance(0.75) ? this.pick(open) : this.pick(this.zoneIds);
    const scenario = this.weighted<string>([
      ['threat-acted', 30],
      ['threat-unable', 7],
      ['threat-lapsed', 6],
      ['strike-early', 5],
      ['strike-after-acted', 3],
      ['strike-unnotified', 8],
      ['imminent', 6],
      ['civilian-harm', 8],
      ['demolition', 5],
      ['obstruction', 8],
      ['movement-denial', 6],
      ['drone', 8],
      ['artillery', 4],
    ]);
    const threatType = (): IncidentType =>
      this.weighted<IncidentType>([
        ['armed-presence', 5],
        ['weapons-transfer', 2],
        ['tunnel-activity', 2],
        ['rocket-or-missile-launch', 1],
      ]);
    const threatText: Record<string, string> = {
      'armed-presence': 'Armed men seen moving between houses at night',
      'weapons-transfer': 'A truck unloading crates into a farm building',
      'tunnel-activity': 'Excavation spoil and a generator at a suspected tunnel shaft',
      'rocket-or-missile-launch': 'Rocket launcher rails found in an orchard, prepared for launch',
      'drone-incursion': 'An Israeli reconnaissance drone flew low over the town for two hours',
      artillery: 'Artillery shells landed on open ground outside the town',
      'harm-to-civilians': 'Two farmers wounded by fire from an Israeli position',
      demolition: 'Houses demolished by IDF engineering units',
      'obstruction-of-monitors': 'A monitors\u2019 patrol was blocked by a crowd and turned back',
      'freedom-of-movement-denial': 'A monitors\u2019 patrol was denied access to a private compound',
    };
    switch (scenario) {
      case 'threat-acted':
      case 'threat-unable':
      case 'threat-lapsed':
      case 'strike-early':
      case 'strike-after-acted': {
        const type = threatType();
        const reporter = this.pick(['monitors', 'monitors', 'israel']);
        const { id, where } = this.report(
          reporter,
          zone,
          type,
          'hezbollah',
          reporter === 'israel' ? 'B3' : 'B2',
          threatText[type]!,
        );
        this.later(0.3, 2, () => {
          this.say(
            reporter === 'israel' ? 'israel' : this.pick(['israel', 'monitors']),
            'incident.notify',
            id,
            {
              threat: this.note(`${threatText[type]} near ${where}; the LAF is asked to act`),
              evidence: [this.evidence('notify')],
            },
          );
          const notifiedAt = this.t;
          if (scenario === 'threat-acted' || scenario === 'strike-after-acted') {
            const respondAt = notifiedAt + Math.round(this.rand(2, 20) * HOUR);
            this.schedule(respondAt, () =>
              this.say('laf', 'incident.response', id, {
                action: this.chance(0.85) ? 'acted' : 'no-threat-found',
                note: this.note(
                  type === 'weapons-transfer'
                    ? 'Consignment seized, three arrested'
                    : 'Patrol dispatched; site searched and secured',
                ),
                evidence: [this.evidence('response')],
              }),
            );
            if (scenario === 'strike-after-acted') {
              this.schedule(respondAt + Math.round(this.rand(2, 10) * HOUR), () => {
                const s = this.strike(zone, 'A vehicle of the cell', { respondsTo: id });
                this.later(24, 96, () =>
                  this.strikeFinding(
                    s,
                    zone,
                    'the LAF had acted within the window; the strike was not permitted',
                  ),
                );
              });
            } else if (type === 'weapons-transfer' && this.chance(0.6)) {
              this.later(30, 120, () => {
                this.finding(id, {
                  outcome: 'confirmed-violation',
                  violator: 'hezbollah',
                  severity: 'minor',
                  reasoning: 'Weapons moved into a zone under the framework; seized by the LAF',
                });
                this.later(4, 30, () =>
                  this.account(
                    'laf',
                    id,
                    'partially-accepts',
                    'The consignment was seized within hours of the notification; the LAF acted as the framework requires',
                  ),
                );
              });
            }
          } else if (scenario === 'threat-unable') {
            this.schedule(notifiedAt + Math.round(this.rand(4, 12) * HOUR), () => {
              this.say('laf', 'incident.response', id, {
                action: 'unable',
                note: this.note('No unit available to reach the site within the window'),
                evidence: [],
              });
              this.later(1, 4, () => {
                const s = this.strike(zone, 'The notified launch position', { respondsTo: id });
                this.later(24, 96, () => {
                  this.finding(s, {
                    outcome: 'not-a-violation',
                    reasoning:
                      'The LAF declared itself unable to act; the strike stayed within the notified zone',
                  });
                  this.later(2, 30, () =>
                    this.account(
                      'lebanon',
                      s,
                      'disputes',
                      'The strike damaged two civilian houses; the LAF was moving a unit to the site',
                    ),
                  );
                });
              });
            });
          } else if (scenario === 'threat-lapsed') {
            this.schedule(notifiedAt + Math.round(this.rand(25, 34) * HOUR), () => {
              this.strike(
                zone,
                'The notified position, after the response window passed without a response',
                { respondsTo: id },
              );
            });
          } else {
            // strike-early: Israel does not wait for the window to end.
            this.schedule(notifiedAt + Math.round(this.rand(2, 8) * HOUR), () => {
              const s = this.strike(zone, 'The notified position', { respondsTo: id });
              this.later(24, 96, () =>
                this.strikeFinding(s, zone, 'the strike came inside the LAF response window'),
              );
            });
          }
        });
        return;
      }
      case 'strike-unnotified': {
        const s = this.strike(
          zone,
          this.pick([
            'A house said to store rockets',
            'A motorcycle carrying two men',
            'A warehouse',
            'An excavator at a suspected tunnel',
          ]),
        );
        this.later(24, 120, () => this.strikeFinding(s, zone, 'no threat was notified before the strike'));
        return;
      }
      case 'imminent': {
        const s = this.strike(zone, 'A launch team preparing to fire', { imminentThreat: true });
        const justify = this.chance(0.75);
        if (justify)
          this.later(6, 60, () =>
            this.say('israel', 'strike.justify', s, {
              justification: this.note(
                'Imagery showed a launcher being raised with a team around it; no time to notify',
              ),
              evidence: [this.evidence('justify')],
            }),
          );
        this.later(80, 140, () => {
          if (justify) {
            this.finding(s, {
              outcome: this.chance(0.5) ? 'not-a-violation' : 'inconclusive',
              reasoning: 'The imagery supports an imminent threat; the adjudicators cannot exclude it',
            });
            this.later(2, 30, () =>
              this.account(
                'lebanon',
                s,
                'disputes',
                'No launcher was found at the site by the LAF patrol the next morning',
              ),
            );
          } else {
            this.finding(s, {
              outcome: 'confirmed-violation',
              violator: 'israel',
              severity: 'minor',
              reasoning: 'Declared an imminent threat but never justified it',
            });
            this.later(2, 30, () =>
              this.account(
                'israel',
                s,
                'disputes',
                'The justification was delivered to the guarantor through a classified channel',
              ),
            );
          }
        });
        return;
      }
      case 'civilian-harm':
      case 'demolition': {
        const type: IncidentType = scenario === 'demolition' ? 'demolition' : 'harm-to-civilians';
        const { id } = this.report(
          this.pick(['lebanon', 'lebanon', 'unifil']),
          zone,
          type,
          'israel',
          this.pick(['B3', 'C3', 'B2']),
          threatText[type]!,
          scenario === 'civilian-harm' && this.chance(0.3) ? 1 : 0,
        );
        if (this.chance(0.7))
          this.later(30, 140, () => {
            const confirmed = this.chance(0.6);
            this.finding(
              id,
              confirmed
                ? {
                    outcome: 'confirmed-violation',
                    violator: 'israel',
                    severity: 'minor',
                    reasoning: 'Corroborated by a monitors\u2019 visit and imagery',
                  }
                : { outcome: 'inconclusive', reasoning: 'The monitors could not establish who fired' },
            );
            this.later(2, 40, () =>
              this.account(
                'israel',
                id,
                confirmed ? 'disputes' : 'no-position',
                confirmed
                  ? 'Our forces fired warning shots at armed men; no civilians were targeted'
                  : 'Under review by the IDF',
              ),
            );
          });
        return;
      }
      case 'obstruction':
      case 'movement-denial': {
        const type: IncidentType =
          scenario === 'obstruction' ? 'obstruction-of-monitors' : 'freedom-of-movement-denial';
        const { id } = this.report('monitors', zone, type, 'hezbollah', 'A2', threatText[type]!);
        this.later(20, 100, () => {
          this.finding(id, {
            outcome: 'confirmed-violation',
            violator: 'hezbollah',
            severity: 'minor',
            reasoning: 'The patrol\u2019s own report and video',
          });
          this.later(2, 40, () =>
            this.account(
              'lebanon',
              id,
              'partially-accepts',
              'The crowd were residents; the LAF escorted the patrol back the next day',
            ),
          );
        });
        return;
      }
      case 'drone': {
        const { id } = this.report(
          this.pick(['lebanon', 'unifil']),
          zone,
          'drone-incursion',
          'israel',
          'B2',
          threatText['drone-incursion']!,
        );
        if (this.chance(0.5))
          this.later(30, 120, () => {
            this.finding(id, {
              outcome: 'confirmed-violation',
              violator: 'israel',
              severity: 'minor',
              reasoning: 'Overflight of a zone under the framework, recorded by UNIFIL radar',
            });
            this.later(2, 40, () =>
              this.account(
                'israel',
                id,
                'disputes',
                'Surveillance flights are needed while the framework is being implemented',
              ),
            );
          });
        return;
      }
      default: {
        const { id } = this.report(
          'unifil',
          zone,
          'artillery',
          this.pick(['israel', 'hezbollah']),
          'B3',
          threatText.artillery!,
        );
        if (this.chance(0.5))
          this.later(30, 120, () =>
            this.finding(id, {
              outcome: this.pick(['inconclusive', 'unfounded'] as const),
              reasoning: 'Crater analysis did not establish the origin',
            }),
          );
        return;
      }
    }
  }

  private strikeFinding(strike: string, zone: string, why: string): void {
    // Routine strike findings are minor: a serious one shortens the truce (the agreement's
    // escalation rule), which the demo shows once, on a day of its own.
    this.finding(strike, {
      outcome: 'confirmed-violation',
      violator: 'israel',
      severity: 'minor',
      reasoning: `Violation of the response protocol: ${why}`,
    });
    this.later(2, 30, () =>
      this.account(
        'israel',
        strike,
        'disputes',
        'The target was an active threat to Israeli communities; Israel rejects the finding',
      ),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Scripted episodes (on fixed days, when the history is long enough)
  // -------------------------------------------------------------------------------------------

  private scripted(d: number, base: number): void {
    if (d === 9) {
      // A serious violation in a zone still waiting to be cleared: funds go on hold, released later.
      this.schedule(base + 4 * HOUR, () => {
        const zone =
          this.maxSeverity('bent-jbeil') !== 'minor'
            ? 'bent-jbeil'
            : this.zoneIds.find((z) => this.maxSeverity(z) !== 'minor')!;
        const { id } = this.report(
          'monitors',
          zone,
          'weapons-transfer',
          'hezbollah',
          'A2',
          'Monitors filmed anti-tank missiles moved into a village depot',
        );
        this.later(48, 60, () => {
          this.finding(id, {
            outcome: 'confirmed-violation',
            violator: 'hezbollah',
            severity: 'serious',
            reasoning: 'Filmed by the monitors; the depot was declared empty a week before',
          });
          this.later(3, 20, () =>
            this.account(
              'lebanon',
              id,
              'partially-accepts',
              'The missiles were moved by local members without the knowledge of the state; the LAF has sealed the depot',
            ),
          );
          this.later(24 * 28, 24 * 30, () => {
            const hold = this.state.escrow.transfers.find((t) => t.rule === `hold:${id}`);
            if (hold !== undefined && hold.settledBy === null)
              this.say('trustee', 'escrow.settle', hold.id, {
                action: 'release-hold',
                note: this.note('Hold released: the monitors verified the depot emptied and sealed'),
              });
          });
        });
      });
    }
    if (d === 38) {
      // A grave violation: a rocket launch from a zone not yet cleared suspends the truce; the
      // guarantor resumes it after the army arrests the cell.
      this.schedule(base + 2 * HOUR, () => {
        const zone =
          this.zoneIds.find((z) => z === 'nabatieh-north-litani' && this.maxSeverity(z) === 'grave') ??
          this.zoneIds.find((z) => this.maxSeverity(z) === 'grave');
        if (zone === undefined) return;
        const { id } = this.report(
          'israel',
          zone,
          'rocket-or-missile-launch',
          'hezbollah',
          'A1',
          'Four rockets launched towards northern Israel, intercepted',
          0,
        );
        this.later(1, 3, () =>
          this.say(
            'monitors',
            'incident.report',
            `sim-inc-${String(++this.incidentCounter).padStart(4, '0')}`,
            {
              date_start: this.state.incidents.get(id)!.date_start,
              date_end: this.state.incidents.get(id)!.date_end,
              zone,
              latitude: this.state.incidents.get(id)!.latitude!,
              longitude: this.state.incidents.get(id)!.longitude!,
              where_prec: 2,
              type: 'rocket-or-missile-launch',
              actor: 'hezbollah',
              source_grade: 'A2',
              evidence: [this.evidence('launch-site')],
              note: this.note(`Monitors found the launch site of ${id}: burnt rails and a timer`),
            },
          ),
        );
        this.later(20, 30, () => {
          this.finding(id, {
            outcome: 'confirmed-violation',
            violator: 'hezbollah',
            severity: 'grave',
            reasoning: 'Rockets launched at Israel; launch site found by the monitors',
          });
          this.later(2, 10, () =>
            this.account(
              'lebanon',
              id,
              'accepts',
              'The Lebanese state condemns the launch; the LAF has arrested two suspects',
            ),
          );
          this.later(60, 80, () =>
            this.say('usa', 'truce.resume', '', {
              note: this.note('The LAF arrested the launch cell; the guarantor resumes the truce'),
            }),
          );
        });
      });
    }
  }
}
