/**
 * Violations in a trajectory: the fitted Hawkes processes generate each side's events day by
 * day (hawkes.ts has the equations), and each event becomes what the mechanism would log —
 * a strike the withdrawing force declares, or an incident the monitors report — followed by the
 * response protocol (notification, the deploying force's response, a strike after the window),
 * a justification when one was promised, and the adjudicators' finding. The engine classifies
 * the strikes and draws the consequences (regressions, truce suspension, escrow holds).
 */
import type { Severity } from '../agreement/model.js';
import type { JsonObject } from '../statement/types.js';
import { chance, poisson, weightedIndex } from './random.js';
import type { Trajectory } from './trajectory.js';
import { DAY_MS, type Place, type PreparedProcess } from './world.js';

const HOUR_MS = 3_600_000;
const SEVERITIES: Severity[] = ['minor', 'serious', 'grave'];

export class Violence {
  /** Excitation S_j of each process. */
  private readonly S: Float64Array;
  /** Events that happen outside the process (protocol strikes, returns), added to today's counts. */
  private readonly extra: Float64Array;
  private readonly generated: number[];
  private readonly reported: number[];
  private readonly byActor: Record<string, number> = {};
  private readonly placesByZone: Map<string, Place[]>[];

  constructor(private readonly t: Trajectory) {
    const n = t.world.processes.length;
    this.S = new Float64Array(n);
    this.extra = new Float64Array(n);
    this.generated = new Array(n).fill(0);
    this.reported = new Array(n).fill(0);
    t.world.processes.forEach((p, i) => {
      this.byActor[p.actor] = i;
    });
    this.placesByZone = t.world.processes.map((p) => {
      const m = new Map<string, Place[]>();
      for (const pl of p.places)
        if (pl.zone !== null) (m.get(pl.zone) ?? m.set(pl.zone, []).get(pl.zone)!).push(pl);
      return m;
    });
  }

  start(): void {
    this.scheduleReturns();
  }

  summary(): { generated: number; reported: number; confirmed: number }[] {
    return this.t.world.processes.map((p, i) => ({
      generated: this.generated[i]!,
      reported: this.reported[i]!,
      confirmed: this.t.state.violationsBy[p.actor] ?? 0,
    }));
  }

  /** Draws today's events of every process and updates the excitation. */
  generateDay(dayStartMs: number): void {
    const ps = this.t.world.processes;
    const rng = this.t.rng;
    const counts: number[] = [];
    for (let k = 0; k < ps.length; k++) {
      const p = ps[k]!;
      let lam = p.mu;
      for (let j = 0; j < ps.length; j++) lam += p.alpha[j]! * this.S[j]!;
      const n = poisson(rng, lam);
      counts.push(n);
      for (let e = 0; e < n; e++) this.event(k, dayStartMs + Math.floor(rng() * (DAY_MS - 2 * HOUR_MS)));
    }
    for (let j = 0; j < ps.length; j++) {
      const d = ps[j]!.decay;
      this.S[j] = d * this.S[j]! + (1 - d) * (counts[j]! + this.extra[j]!);
      this.extra[j] = 0;
    }
  }

  private place(k: number): Place {
    const pl = this.t.world.processes[k]!.places;
    return pl.length === 0
      ? { zone: null, latitude: 0, longitude: 0 }
      : pl[Math.floor(this.t.rng() * pl.length)]!;
  }

  private severity(p: PreparedProcess): Severity {
    const u = this.t.rng();
    return u < p.severityCdf[0] ? 'minor' : u < p.severityCdf[1] ? 'serious' : 'grave';
  }

  private event(k: number, atMs: number): void {
    const p = this.t.world.processes[k]!;
    this.generated[k]!++;
    if (p.acts === 'strike') this.strike(k, atMs, this.place(k), null);
    else this.incident(k, atMs, this.place(k), p.incidentType, null);
  }

  /** A strike the withdrawing force declares; `respondsTo` for a strike under the protocol. */
  private strike(k: number, atMs: number, place: Place, respondsTo: string | null): void {
    const t = this.t;
    const p = t.world.processes[k]!;
    const rng = t.rng;
    const id = t.nextId('strike');
    const imminent = respondsTo === null && chance(rng, p.imminentThreat);
    this.reported[k]!++;
    // Fields are added one by one: object spreads with conditions cost more than the engine's fold here.
    const body: JsonObject = {};
    if (place.zone !== null) body.zone = place.zone;
    body.latitude = place.latitude;
    body.longitude = place.longitude;
    body.target = '[SIMULATED] target';
    if (respondsTo !== null) body.respondsTo = respondsTo;
    body.imminentThreat = imminent;
    body.evidence = [];
    t.say(p.actor, 'strike.declare', id, body, atMs);
    // Justifications come the next day, inside the agreement's deadline (72 h in the scenario).
    if (imminent && chance(rng, p.justified))
      t.at(atMs + DAY_MS, () =>
        t.say(
          p.actor,
          'strike.justify',
          id,
          { justification: '[SIMULATED] justification', evidence: [] },
          atMs + DAY_MS,
        ),
      );
    const dyn = t.world.dynamics;
    const adjudicateAt = atMs + Math.max(DAY_MS, t.delayMs(dyn.adjudication.delay));
    t.at(adjudicateAt, () => {
      const s = t.state.strikes.get(id);
      if (s === undefined) return;
      const c = s.classification;
      // What the protocol permits, or a threat justified in time, is no violation to rule on.
      if (c === 'permitted-after-window' || c === 'imminent-threat-justified') return;
      if (!chance(rng, dyn.adjudication.confirmed.value)) return;
      this.finding(id, p.actor, this.severity(p), adjudicateAt);
    });
  }

  /** An incident by an actor: detected (or not), reported, perhaps notified, and adjudicated. */
  private incident(
    k: number,
    atMs: number,
    place: Place,
    type: PreparedProcess['incidentType'],
    severity: Severity | null,
    onConfirmed?: (atMs: number) => void,
  ): void {
    const t = this.t;
    const rng = t.rng;
    const dyn = t.world.dynamics;
    const p = t.world.processes[k]!;
    if (!chance(rng, dyn.detection.probability.value)) return;
    const reportAt = atMs + t.delayMs(dyn.detection.delay);
    const monitor = t.partyWith('monitor');
    t.at(reportAt, () => {
      const id = t.nextId('incident');
      this.reported[k]!++;
      const day = new Date(atMs).toISOString();
      const body: JsonObject = { date_start: day, date_end: day };
      if (place.zone !== null) body.zone = place.zone;
      if (place.latitude !== 0) {
        body.latitude = place.latitude;
        body.longitude = place.longitude;
      }
      body.where_prec = 1;
      body.type = type;
      body.actor = p.actor;
      body.source_grade = 'B2';
      body.evidence = [];
      body.note = '[SIMULATED] incident';
      t.say(monitor, 'incident.report', id, body, reportAt);
      if (place.zone !== null && chance(rng, dyn.protocol.notified.value))
        this.protocol(id, place, reportAt + 60_000);
      const adjudicateAt = reportAt + Math.max(DAY_MS, t.delayMs(dyn.adjudication.delay));
      t.at(adjudicateAt, () => {
        if (!chance(rng, dyn.adjudication.confirmed.value)) return;
        this.finding(id, p.actor, severity ?? this.severity(p), adjudicateAt);
        onConfirmed?.(adjudicateAt);
      });
    });
  }

  /** The response protocol after a notified threat: the deploying force acts, or the withdrawing force may. */
  private protocol(incident: string, place: Place, atMs: number): void {
    const t = this.t;
    const rng = t.rng;
    const dyn = t.world.dynamics;
    t.say(
      t.partyWith('monitor'),
      'incident.notify',
      incident,
      { threat: '[SIMULATED] notified threat', evidence: [] },
      atMs,
    );
    if (chance(rng, dyn.protocol.deployingForceActs.value)) {
      const at = atMs + 12 * HOUR_MS;
      t.at(at, () =>
        t.say(
          t.partyWith('deploying-force'),
          'incident.response',
          incident,
          { action: 'acted', evidence: [] },
          at,
        ),
      );
      return;
    }
    const k = t.world.processes.findIndex((p) => p.acts === 'strike');
    if (k < 0 || !chance(rng, dyn.protocol.strikeAfterWindow.value)) return;
    // After the window (24 h from the notification's sitting): two days on is safely past it.
    const at = atMs + 2 * DAY_MS;
    t.at(at, () => {
      this.generated[k]!++;
      this.extra[k]! += 1;
      this.strike(k, at, place, incident);
    });
  }

  /** A confirmed violation, co-signed by enough adjudicators for the quorum. */
  private finding(subject: string, violator: string, severity: Severity, atMs: number): void {
    const t = this.t;
    const [issuer, ...co] = t.world.adjudicators;
    t.say(
      issuer!,
      'finding.issue',
      subject,
      { outcome: 'confirmed-violation', violator, severity, reasoning: '[SIMULATED] finding', evidence: [] },
      atMs,
      co,
    );
  }

  /** The armed group's return to handed-over zones: a daily chance per zone, checked at each sitting. */
  private scheduleReturns(): void {
    const t = this.t;
    const r = t.world.dynamics.armedGroupReturn;
    const k = this.byActor[r.actor]!; // the loader checks the returning actor has a process
    const daily = r.hazard.value / 30;
    if (daily <= 0) return;
    const check = (dueMs: number) => {
      t.at(dueMs, () => {
        for (const z of t.world.zoneIds) {
          if (t.state.zones[z]!.stage !== t.world.finalStage || !chance(t.rng, daily)) continue;
          const places = this.placesByZone[k]!.get(z);
          const place: Place =
            places && places.length > 0
              ? { ...places[Math.floor(t.rng() * places.length)]!, zone: z }
              : { zone: z, latitude: 0, longitude: 0 };
          const sites = poisson(t.rng, r.newSites.value);
          this.generated[k]!++;
          this.extra[k]! += 1;
          this.incident(k, dueMs, place, 'armed-presence', r.severity, (at) => this.newSites(z, sites, at));
        }
        check(dueMs + DAY_MS);
      });
    };
    check(t.world.startMs + DAY_MS / 2);
  }

  /** Sites the returning group re-established, found by the monitors when the return is confirmed. */
  private newSites(zone: string, count: number, atMs: number): void {
    if (count <= 0) return;
    const t = this.t;
    const known = t.world.agreement.zones.find((z) => z.id === zone)!.knownSites.filter((s) => s.count > 0);
    if (known.length === 0) return;
    const per = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const c =
        known[
          weightedIndex(
            t.rng,
            known.map((s) => s.count),
          )
        ]!.category;
      per.set(c, (per.get(c) ?? 0) + 1);
    }
    for (const [category, n] of per) {
      t.planner.addSites(zone, category, n);
      t.say(
        t.partyWith('monitor'),
        'site.find',
        zone,
        { category, count: n, evidence: [], note: '[SIMULATED] sites re-established' },
        atMs,
      );
    }
  }

  /** Severity names, for tests. */
  static readonly severities = SEVERITIES;
}
