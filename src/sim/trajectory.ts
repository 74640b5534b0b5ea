/**
 * One trajectory: an agreement run forward day by day through the real engine.
 *
 * Every simulated fact is a statement the parties could sign, folded by the engine's own
 * `evolve`; time-driven changes come from its `settle`, and what each zone still waits for from
 * its `explain`. Signatures are left empty (the engine trusts the door, which checked them, and
 * requires only that every signing key is known): nothing else is skipped, and a trajectory
 * recorded with `record: true` signs and appends to a real data directory with the same result
 * (test/sim/live-agreement.test.ts).
 *
 * The log sits once a day: everything the parties say during simulated day d is admitted at its
 * end (`sittingMs(d)`, one minute before day d + 1 begins), in the order it was said. Day 0
 * begins at the dynamics' `start` (default: the agreement's signing).
 */
import { evolve, explain, FUNDS, initialState, settle } from '../engine/index.js';
import type { EngineState } from '../engine/state.js';
import type { Envelope, JsonObject } from '../statement/types.js';
import { ActionQueue } from './action-queue.js';
import { sampleDaysFor } from './aggregate.js';
import { ZonePlanner } from './planner.js';
import { delay, type Rng, streamRng } from './random.js';
import { Violence } from './violations.js';
import { DAY_MS, type World } from './world.js';

/** One minute before the next day: the daily sitting of the log. */
const SITTING_OFFSET_MS = DAY_MS - 60_000;

/** Samples of a trajectory at the run's sample days (every 7th day and the last: `sampleDaysFor`). */
export interface TrajectorySeries {
  handedOver: number[];
  /** Zones the deploying force works on or holds. */
  load: number[];
  /** Units of the deploying force deployed in zones. */
  unitsDeployed: number[];
  /** Escrow posted to the beneficiary, minor units. */
  released: number[];
  /** 0 in force, 1 suspended, 2 lapsed. */
  truce: number[];
  /** Obligations overdue at that moment (the engine's deadlines). */
  overdue: number[];
}

export interface TrajectoryResult {
  index: number;
  firstHandoverDay: number | null;
  allHandedOverDay: number | null;
  truceLapseDay: number | null;
  truceSuspensions: number;
  /** Per zone of the agreement, in its order. */
  handoverDay: (number | null)[];
  regressions: number[];
  /** Obligations under the agreement's deadlines that went overdue (met late or still owed), per owing party. */
  overdueBy: Record<string, number>;
  /** Per violation process: events generated, reported or declared, confirmed by the engine (violationsBy). */
  violations: { generated: number; reported: number; confirmed: number }[];
  statements: number;
  /** Waits the simulator could not act on, e.g. a condition kind it does not know. */
  stuck: string[];
  series: TrajectorySeries;
}

/** A recorded day: what was admitted at its sitting, and the state after it. */
export interface RecordedDay {
  day: number;
  sitting: string;
  envelopes: Envelope[];
  stages: Record<string, string>;
  truce: { status: string; expiresMs: number };
  escrow: Record<string, number>;
}

export class Trajectory {
  readonly rng: Rng;
  readonly state: EngineState;
  readonly queue = new ActionQueue();
  readonly planner: ZonePlanner;
  readonly violence: Violence;
  /** The current day and its sitting time. */
  day = 0;
  sittingMs = 0;
  /** Counters for statement nonces and subjects. */
  private nonceN = 0;
  private counters: Record<string, number> = {};
  private today: Envelope[] = [];
  private logIndex = 0;
  readonly stuck = new Set<string>();
  readonly recorded: RecordedDay[] | null;
  private readonly beneficiary: string;

  constructor(
    readonly world: World,
    readonly seed: number,
    readonly index: number,
    opts: { record?: boolean } = {},
  ) {
    this.rng = streamRng(seed, index);
    this.state = initialState(world.agreement);
    this.planner = new ZonePlanner(this);
    this.violence = new Violence(this);
    this.recorded = opts.record ? [] : null;
    this.beneficiary = `beneficiary:${world.agreement.escrow?.beneficiary ?? ''}`;
  }

  /** A random delay in ms. */
  delayMs(d: { mean: number; sd: number }): number {
    return Math.round(delay(this.rng, d.mean, d.sd) * DAY_MS);
  }

  /** A fresh id with a prefix: `sim-incident-3`. */
  nextId(prefix: string): string {
    const n = (this.counters[prefix] ?? 0) + 1;
    this.counters[prefix] = n;
    return `sim-${prefix}-${n}`;
  }

  /** Schedules an action; actions due before today's sitting run today. */
  at(dueMs: number, run: () => void): void {
    this.queue.push(dueMs, run);
  }

  /**
   * A statement by `party` (co-signed by `cosigners`), said at `atMs` and admitted at today's
   * sitting. The signature is left empty: see the module comment.
   */
  say(
    party: string,
    kind: string,
    subject: string,
    body: JsonObject,
    atMs: number,
    cosigners: string[] = [],
  ): void {
    const w = this.world;
    const key = w.keyOf[party]!;
    this.today.push({
      statement: {
        kind,
        agreement: w.agreement.id,
        issuer: party,
        key,
        at: new Date(Math.min(atMs, this.sittingMs)).toISOString(),
        nonce: `SIMULATED-${this.index.toString(36).padStart(4, '0')}-${(this.nonceN++).toString(36).padStart(5, '0')}`,
        classification: 'public',
        subject,
        body,
      },
      signatures: [{ key, sig: '' }, ...cosigners.map((c) => ({ key: w.keyOf[c]!, sig: '' }))],
    });
  }

  /** The first party with `role`. */
  partyWith(role: string): string {
    const p = this.world.byRole[role as keyof World['byRole']]?.[0];
    if (p === undefined)
      throw new Error(`simulation: agreement ${this.world.agreement.id} has no party with role ${role}`);
    return p;
  }

  /** Runs the whole trajectory and summarizes it. */
  run(): TrajectoryResult {
    const w = this.world;
    const zones = w.zoneIds.length;
    const samples = sampleDaysFor(w.days);
    let nextSample = 0;
    const series: TrajectorySeries = {
      handedOver: [],
      load: [],
      unitsDeployed: [],
      released: [],
      truce: [],
      overdue: [],
    };
    let firstHandoverDay: number | null = null;
    let allHandedOverDay: number | null = null;
    let truceLapseDay: number | null = null;
    const handoverDay: (number | null)[] = new Array(zones).fill(null);
    this.planner.start();
    this.violence.start();
    for (let d = 0; d < w.days; d++) {
      this.day = d;
      const dayStart = w.startMs + d * DAY_MS;
      this.sittingMs = dayStart + SITTING_OFFSET_MS;
      this.violence.generateDay(dayStart);
      for (
        let a = this.queue.popBefore(this.sittingMs);
        a !== undefined;
        a = this.queue.popBefore(this.sittingMs)
      )
        a.run();
      this.sit();
      this.planner.afterSitting();
      let handed = 0;
      for (let i = 0; i < zones; i++) {
        if (this.state.zones[w.zoneIds[i]!]!.stage === w.finalStage) {
          handed++;
          if (handoverDay[i] === null) handoverDay[i] = d;
        }
      }
      if (handed > 0 && firstHandoverDay === null) firstHandoverDay = d;
      if (handed === zones && allHandedOverDay === null) allHandedOverDay = d;
      const t = this.state.truce.status;
      if (t === 'lapsed' && truceLapseDay === null) truceLapseDay = d;
      if (d === samples[nextSample]) {
        nextSample++;
        series.handedOver.push(handed);
        series.load.push(this.planner.load());
        series.unitsDeployed.push(this.planner.unitsDeployed());
        series.released.push(this.state.escrow.accounts[this.beneficiary] ?? 0);
        series.truce.push(t === 'in-force' ? 0 : t === 'suspended' ? 1 : 2);
        let overdue = 0;
        for (const o of this.state.obligations) if (o.status === 'overdue') overdue++;
        series.overdue.push(overdue);
      }
    }
    return {
      index: this.index,
      firstHandoverDay,
      allHandedOverDay,
      truceLapseDay,
      truceSuspensions: this.state.truce.history.filter((h) => h.status === 'suspended').length,
      handoverDay,
      regressions: w.zoneIds.map(
        (z) => this.state.zones[z]!.history.filter((h) => h.reason === 'regression').length,
      ),
      overdueBy: this.overdueBy(),
      violations: this.violence.summary(),
      statements: this.logIndex,
      stuck: [...this.stuck].sort(),
      series,
    };
  }

  private overdueBy(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const o of this.state.obligations)
      if (o.overdueAt !== null) for (const p of o.owedBy) out[p] = (out[p] ?? 0) + 1;
    return out;
  }

  /** Admits today's statements at the sitting (in the order said) and settles time up to it. */
  private sit(): void {
    const w = this.world;
    const admitted = new Date(this.sittingMs).toISOString();
    const envs = this.today;
    this.today = [];
    // Stable by time said: statements scheduled for the same moment keep their order.
    if (envs.length > 1)
      envs.sort((a, b) => (a.statement.at < b.statement.at ? -1 : a.statement.at > b.statement.at ? 1 : 0));
    for (const envelope of envs)
      evolve(w.agreement, this.state, { index: this.logIndex++, admitted, envelope });
    settle(w.agreement, this.state, this.sittingMs);
    if (this.recorded !== null) {
      const s = this.state;
      this.recorded.push({
        day: this.day,
        sitting: admitted,
        envelopes: envs,
        stages: Object.fromEntries(w.zoneIds.map((z) => [z, s.zones[z]!.stage])),
        truce: { status: s.truce.status, expiresMs: s.truce.expiresMs },
        escrow: { ...s.escrow.accounts, pending: s.escrow.pendingDebits[FUNDS] ?? 0 },
      });
    }
  }

  /** What every zone waits for now (the engine's explanation at the sitting). */
  explainNow(): ReturnType<typeof explain> {
    return explain(this.world.agreement, this.state, new Date(this.sittingMs).toISOString());
  }
}
