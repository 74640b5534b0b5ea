/**
 * The parties' conduct in a trajectory, driven by what the engine says each zone waits for
 * (`explain`). Nothing here knows the stage graph: a zone's waits are turned into actions —
 *
 * - a statement it waits for (a stage signature, a withdrawal claim, an observation) is signed by
 *   a party holding the role, after that role's delay, once nothing else blocks the zone;
 * - evidence coverage starts a clearing campaign: the deploying force neutralizes the zone's
 *   sites (the agreement's baseline plus those found beyond it) at its daily rate, category by
 *   category, and the monitors verify each category after a delay;
 * - deployed units: the deploying force sends vetted units with the strength asked for;
 * - a benchmark: sites verified in many zones start a campaign in each; an attestation is given
 *   when the benchmarks it is combined with have occurred;
 * - elapsed time and prerequisite zones: nothing to do but wait.
 *
 * Capacity: the deploying force works on or holds at most `zonesAtOnce` zones; a zone holds a
 * slot while a campaign runs in it or units are deployed there (until `garrison` days after its
 * handover), and units must be vetted (at `vettingPerWeek`) before they deploy. A wait the
 * planner does not understand (a condition added after this was written) is recorded in
 * `stuck`, so a result never hides that part of a variant was not simulated.
 */
import type { Benchmark } from '../agreement/model.js';
import { evaluate, rulesFor, type Wait } from '../engine/index.js';
import type { Delay } from './dynamics-model.js';
import { chance, gamma, poisson } from './random.js';
import type { Trajectory } from './trajectory.js';
import { DAY_MS } from './world.js';

interface ZonePlan {
  id: string;
  /** `stage|epoch` when last planned: actions scheduled under another key are dropped. */
  key: string;
  tags: Set<string>;
  /** The zone's true sites per category, drawn when work first starts there. */
  actual: Record<string, number> | null;
  neutralized: Record<string, number>;
  declared: Set<string>;
  campaign: boolean;
  deploying: boolean;
  units: string[];
  lastStage: string;
  lastEpoch: number;
}

interface Unit {
  id: string;
  strength: number;
  vetted: boolean;
  /** Zone it is deployed in or on its way to. */
  zone: string | null;
}

export class ZonePlanner {
  private readonly plans: Record<string, ZonePlan> = {};
  private readonly units: Unit[] = [];
  private readonly tags = new Set<string>();
  /** Everything must be planned again (capacity or a benchmark changed), or only these zones. */
  private dirty = true;
  private readonly dirtyZones = new Set<string>();
  private occurrences = 0;
  private resumeScheduled = false;
  private readonly capacity: number;

  constructor(private readonly t: Trajectory) {
    for (const z of t.world.zoneIds) {
      const s = t.state.zones[z]!;
      this.plans[z] = {
        id: z,
        key: '',
        tags: new Set(),
        actual: null,
        neutralized: {},
        declared: new Set(),
        campaign: false,
        deploying: false,
        units: [],
        lastStage: s.stage,
        lastEpoch: s.epoch,
      };
    }
    this.capacity = t.world.dynamics.force.zonesAtOnce.value;
  }

  /** Zones the deploying force works on or holds. */
  load(): number {
    let n = 0;
    for (const z in this.plans) if (this.holdsSlot(this.plans[z]!)) n++;
    return n;
  }

  unitsDeployed(): number {
    let n = 0;
    for (const u of this.units) if (u.zone !== null) n++;
    return n;
  }

  /** Sites the armed group re-established in a zone (the monitors found them). */
  addSites(zone: string, category: string, n: number): void {
    const p = this.plans[zone]!;
    p.actual ??= this.drawSites(zone);
    p.actual[category] = (p.actual[category] ?? 0) + n;
    this.dirty = true;
  }

  private holdsSlot(p: ZonePlan): boolean {
    return p.campaign || p.units.length > 0;
  }

  private slotFor(p: ZonePlan): boolean {
    return this.holdsSlot(p) || this.load() < this.capacity;
  }

  /** Day 0: the force's units are registered and queued for vetting; pledges and settlements are scheduled. */
  start(): void {
    const t = this.t;
    const w = t.world;
    const d = w.dynamics;
    const force = t.partyWith('deploying-force');
    const guarantors = w.byRole.guarantor ?? [];
    const adjudicators = new Set(w.adjudicators);
    const vetter = guarantors.find((g) => !adjudicators.has(g)) ?? t.partyWith('guarantor');
    const t0 = w.startMs + 3_600_000;
    let vetAt = t0;
    for (let i = 1; i <= d.force.units.value; i++) {
      const unit: Unit = { id: `sim-unit-${i}`, strength: d.force.strength.value, vetted: false, zone: null };
      this.units.push(unit);
      t.at(t0, () =>
        t.say(
          force,
          'unit.register',
          unit.id,
          { name: `[SIMULATED] unit ${i}`, strength: unit.strength },
          t0,
        ),
      );
      const rate = d.force.vettingPerWeek.value;
      if (rate <= 0) continue;
      vetAt += Math.round(gamma(t.rng, 1, 7 / rate) * DAY_MS);
      const at = vetAt;
      t.at(at, () => {
        t.say(vetter, 'unit.vet', unit.id, { outcome: 'vetted' }, at);
        unit.vetted = true;
        this.dirty = true;
      });
    }
    const trustee = t.partyWith('trustee');
    for (const p of d.escrow.pledges) {
      const amount = w.agreement.escrow?.pledges.find((x) => x.donor === p.donor)?.amount;
      if (amount === undefined || !chance(t.rng, p.paid.value)) continue;
      const at = w.startMs + t.delayMs(p.delay);
      t.at(at, () => t.say(trustee, 'escrow.pledge', p.donor, { amount }, at));
    }
    const every = d.escrow.settlementEvery.value * DAY_MS;
    const settle = (at: number) =>
      t.at(at, () => {
        for (const tr of t.state.escrow.transfers)
          if (tr.status === 'pending') t.say(trustee, 'escrow.settle', tr.id, { action: 'post' }, at);
        settle(at + every);
      });
    settle(w.startMs + every - DAY_MS / 2);
  }

  /** After each sitting: notice what changed, react, and plan again when anything did. */
  afterSitting(): void {
    const t = this.t;
    const w = t.world;
    for (const z of w.zoneIds) {
      const s = t.state.zones[z]!;
      const p = this.plans[z]!;
      if (s.stage === p.lastStage && s.epoch === p.lastEpoch) continue;
      // A zone handed over may open the zones that wait on it: plan them all.
      this.dirty = true;
      if (s.stage === w.finalStage) this.scheduleRelease(p, s.epoch);
      p.lastStage = s.stage;
      p.lastEpoch = s.epoch;
    }
    let occ = 0;
    for (const b in t.state.benchmarks) occ += t.state.benchmarks[b]!.occurrences.length;
    if (occ !== this.occurrences) {
      this.occurrences = occ;
      this.dirty = true;
    }
    if (t.state.truce.status === 'suspended' && !this.resumeScheduled) this.scheduleResume();
    if (!this.dirty && this.dirtyZones.size === 0) return;
    const zones = this.dirty ? w.zoneIds : w.zoneIds.filter((z) => this.dirtyZones.has(z));
    this.dirty = false;
    this.dirtyZones.clear();
    for (const z of zones) this.planZone(z);
  }

  /**
   * What the zone waits for to enter its next stage: the engine's own evaluation, as `explain`
   * gives it, for one zone (explaining all of them at every change would cost more than the
   * rest of the trajectory).
   */
  private waitsOf(zone: string): Wait[] | null {
    const t = this.t;
    const rules = rulesFor(t.world.agreement);
    const z = t.state.zones[zone]!;
    const next = rules.stageOrder[rules.stageRank[z.stage]! + 1];
    if (next === undefined) return null;
    const cond = rules.stageById[next]!.entry;
    if (cond === undefined) return [];
    return evaluate(rules, t.state, z, next, cond, t.sittingMs, true).waits;
  }

  private scheduleResume(): void {
    const t = this.t;
    this.resumeScheduled = true;
    const at = t.sittingMs + Math.max(DAY_MS / 2, t.delayMs(t.world.dynamics.truce.resume));
    t.at(at, () => {
      this.resumeScheduled = false;
      if (t.state.truce.status === 'suspended')
        t.say(
          t.partyWith('guarantor'),
          'truce.resume',
          t.world.agreement.id,
          { note: '[SIMULATED] truce resumed' },
          at,
        );
    });
  }

  /** Units leave a handed-over zone after the garrison period (if it is still handed over). */
  private scheduleRelease(p: ZonePlan, epoch: number): void {
    const t = this.t;
    const at = t.sittingMs + t.world.dynamics.force.garrison.value * DAY_MS;
    t.at(at, () => {
      const s = t.state.zones[p.id]!;
      if (s.stage !== t.world.finalStage || s.epoch !== epoch || p.units.length === 0) return;
      const force = t.partyWith('deploying-force');
      for (const id of p.units) {
        t.say(force, 'unit.deploy', id, { zone: null }, at);
        this.units.find((u) => u.id === id)!.zone = null;
      }
      p.units = [];
      this.dirty = true;
    });
  }

  private planZone(zone: string): void {
    const t = this.t;
    const waitingFor = this.waitsOf(zone);
    if (waitingFor === null) return;
    const p = this.plans[zone]!;
    const s = t.state.zones[zone]!;
    const key = `${s.stage}|${s.epoch}`;
    if (p.key !== key) {
      p.key = key;
      p.tags.clear();
    }
    const waits = flatten(waitingFor);
    let blocked = false;
    for (const w of waits) {
      const d = w.data;
      if ('statement' in d) continue;
      blocked = true;
      if ('evidenceCoverage' in d) {
        const cats = (d.evidenceCoverage as { categories?: string[] }).categories;
        this.campaign(p, cats ?? rulesFor(t.world.agreement).nonDeferred);
      } else if ('unitsDeployed' in d)
        this.deploy(p, (d.unitsDeployed as { minStrength: number }).minStrength - (d.strength as number));
      else if ('benchmark' in d) this.benchmark(d.benchmark as string);
      else if (!('elapsedWithoutViolation' in d) && !('prerequisitesHandedOver' in d))
        t.stuck.add(`${zone}: ${w.text}`);
    }
    if (blocked) return;
    const claimPending = waits.some((w) => w.data.statement === 'withdrawal.claim');
    for (const w of waits) this.sign(p, w, claimPending);
  }

  /** Signs a statement a zone waits for, after the signing party's delay. */
  private sign(p: ZonePlan, w: Wait, claimPending: boolean): void {
    const t = this.t;
    const d = w.data as {
      statement: string;
      stage: string;
      role: string | null;
      party: string | null;
      have: string[];
    };
    // The monitors observe a withdrawal only once the withdrawing force has claimed it.
    if (d.statement === 'withdrawal.observe' && claimPending) return;
    const party =
      d.party ??
      (t.world.byRole[d.role as keyof typeof t.world.byRole] ?? []).find((x) => !d.have.includes(x));
    if (party === undefined) {
      t.stuck.add(`${p.id}: ${w.text} (no party left to sign)`);
      return;
    }
    const tag = `${d.statement}|${d.stage}|${party}`;
    if (p.tags.has(tag)) return;
    const body = bodyFor(d.statement, d.stage);
    if (body === null) {
      t.stuck.add(`${p.id}: ${w.text} (the simulator does not make ${d.statement} statements)`);
      return;
    }
    p.tags.add(tag);
    const dyn = t.world.dynamics;
    const role = d.role ?? t.world.agreement.parties.find((x) => x.id === party)!.roles[0]!;
    const delay: Delay =
      d.statement === 'withdrawal.claim'
        ? dyn.withdrawal.delay
        : d.statement === 'withdrawal.observe'
          ? dyn.withdrawal.observation
          : (dyn.signing.byRole[role as keyof typeof dyn.signing.byRole] ?? dyn.signing.delay);
    const at = t.sittingMs + t.delayMs(delay);
    const key = p.key;
    t.at(at, () => {
      if (p.key !== key) return;
      p.tags.delete(tag);
      t.say(party, d.statement, p.id, body, at);
      this.dirtyZones.add(p.id);
    });
  }

  private drawSites(zone: string): Record<string, number> {
    const t = this.t;
    const hidden = t.world.dynamics.clearing.hiddenSitesPerKnown.value;
    const out: Record<string, number> = {};
    for (const s of t.world.agreement.zones.find((z) => z.id === zone)!.knownSites)
      out[s.category] = s.count + poisson(t.rng, hidden * s.count);
    return out;
  }

  /** Clears a zone's sites in `categories`: declared, then found and neutralized category by category, then verified. */
  private campaign(p: ZonePlan, categories: readonly string[]): void {
    const t = this.t;
    if (p.campaign || p.deploying) return;
    p.actual ??= this.drawSites(p.id);
    const order = t.world.agreement.weaponCategories.map((c) => c.id).filter((c) => categories.includes(c));
    const work = order
      .map((c) => ({ c, n: (p.actual![c] ?? 0) - (p.neutralized[c] ?? 0) }))
      .filter((x) => x.n > 0);
    if (work.length === 0 || !this.slotFor(p)) return;
    p.campaign = true;
    const dyn = t.world.dynamics.clearing;
    const host = t.partyWith('sovereign');
    const force = t.partyWith('deploying-force');
    const monitor = t.partyWith('monitor');
    let at = t.sittingMs + t.delayMs(dyn.setup);
    const start = at;
    t.at(start, () => {
      for (const { c } of work) {
        if (p.declared.has(c)) continue;
        p.declared.add(c);
        let declared = 0;
        for (let i = 0; i < (p.actual![c] ?? 0); i++) if (!chance(t.rng, dyn.undeclared.value)) declared++;
        if (declared > 0)
          t.say(host, 'site.declare', p.id, { category: c, count: declared, evidence: [] }, start);
      }
    });
    const rate = dyn.sitesPerDay.value;
    work.forEach(({ c, n }, i) => {
      at += rate > 0 ? Math.round(gamma(t.rng, n, 1 / rate) * DAY_MS) : Number.MAX_SAFE_INTEGER / 4;
      const done = at;
      const verifyAt = done + t.delayMs(dyn.verification);
      t.at(done, () => {
        t.say(force, 'site.find', p.id, { category: c, count: n, evidence: [] }, done);
        t.say(force, 'site.neutralize', p.id, { category: c, count: n, evidence: [] }, done);
        p.neutralized[c] = (p.neutralized[c] ?? 0) + n;
        if (i === work.length - 1) {
          p.campaign = false;
          this.dirty = true; // a slot is free
        }
      });
      t.at(verifyAt, () => {
        t.say(monitor, 'site.verify', p.id, { category: c, count: n, evidence: [] }, verifyAt);
        this.dirtyZones.add(p.id);
      });
    });
  }

  /** Sends vetted units with at least `need` more personnel, after the deployment delay. */
  private deploy(p: ZonePlan, need: number): void {
    const t = this.t;
    if (p.deploying || need <= 0 || !this.slotFor(p)) return;
    const chosen: Unit[] = [];
    let strength = 0;
    for (const u of this.units) {
      if (strength >= need) break;
      if (!u.vetted || u.zone !== null) continue;
      chosen.push(u);
      strength += u.strength;
    }
    if (strength < need) return; // waits for a unit to be vetted or freed
    p.deploying = true;
    for (const u of chosen) {
      u.zone = p.id;
      p.units.push(u.id);
    }
    const at = t.sittingMs + t.delayMs(t.world.dynamics.deployment.delay);
    const force = t.partyWith('deploying-force');
    t.at(at, () => {
      for (const u of chosen) t.say(force, 'unit.deploy', u.id, { zone: p.id }, at);
      p.deploying = false;
      this.dirtyZones.add(p.id);
    });
  }

  private benchmark(id: string): void {
    const t = this.t;
    const a = t.world.agreement;
    if ((t.state.benchmarks[id]?.occurrences.length ?? 0) > 0) return;
    const b = a.benchmarks.find((x) => x.id === id);
    if (b === undefined) return;
    const when = b.when as Record<string, unknown>;
    if ('allOfBenchmarks' in when) for (const c of when.allOfBenchmarks as string[]) this.benchmark(c);
    else if ('sitesVerified' in when) {
      const w = when.sitesVerified as { categories?: string[]; zones?: string[] };
      const cats = w.categories ?? rulesFor(a).nonDeferred;
      for (const z of w.zones ?? t.world.zoneIds) this.campaign(this.plans[z]!, cats);
    } else if ('attested' in when) this.attest(b, (when.attested as { roles: string[] }).roles);
  }

  /** Attests a benchmark once every benchmark it is combined with has occurred. */
  private attest(b: Benchmark, roles: readonly string[]): void {
    const t = this.t;
    const a = t.world.agreement;
    const siblings = a.benchmarks
      .filter((x) => 'allOfBenchmarks' in x.when && (x.when.allOfBenchmarks as string[]).includes(b.id))
      .flatMap((x) => (x.when as { allOfBenchmarks: string[] }).allOfBenchmarks)
      .filter((id) => id !== b.id);
    if (siblings.some((id) => (t.state.benchmarks[id]?.occurrences.length ?? 0) === 0)) return;
    const attested = t.state.benchmarks[b.id]!.attestations;
    const dyn = t.world.dynamics.signing;
    for (const role of roles) {
      const holders = t.world.byRole[role as keyof typeof t.world.byRole] ?? [];
      if (holders.some((h) => attested[h] !== undefined)) continue;
      const party = holders[0];
      if (party === undefined) continue;
      const tag = `attest|${b.id}|${party}`;
      if (this.tags.has(tag)) continue;
      this.tags.add(tag);
      const at = t.sittingMs + t.delayMs(dyn.byRole[role as keyof typeof dyn.byRole] ?? dyn.delay);
      t.at(at, () => {
        t.say(party, 'benchmark.attest', b.id, { evidence: [] }, at);
        this.dirty = true;
      });
    }
  }
}

/** A zone's waits with "n of" choices resolved: the first options still missing, in the agreement's order. */
function flatten(waits: readonly Wait[]): Wait[] {
  const out: Wait[] = [];
  for (const w of waits) {
    const d = w.data as { atLeast?: number; met?: number; options?: Wait[][] };
    if (d.atLeast !== undefined && d.options !== undefined) {
      for (const opt of d.options.slice(0, d.atLeast - (d.met ?? 0))) out.push(...flatten(opt));
    } else out.push(w);
  }
  return out;
}

function bodyFor(kind: string, stage: string): Record<string, never[] | string> | null {
  switch (kind) {
    case 'zone.stage.sign':
      return { stage, evidence: [] };
    case 'withdrawal.claim':
      return { evidence: [] };
    case 'withdrawal.observe':
      return { observed: 'withdrawn', evidence: [] };
    default:
      return null;
  }
}
