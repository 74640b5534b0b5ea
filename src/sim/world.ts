/**
 * What every trajectory of one variant shares, prepared once: the agreement with a key for every
 * party (the engine requires every signing key to be known), who plays which role, the violation
 * processes with their real event locations in this variant's zones, and the numbers of the
 * dynamics file in the units the trajectory uses.
 */
import { createHash } from 'node:crypto';
import type { Agreement, Role } from '../agreement/model.js';
import { withPartyKeys } from '../agreement/scenarios.js';
import { rulesFor } from '../engine/index.js';
import { generateKeyPair } from '../statement/keys.js';
import { processEvents } from './calibrate.js';
import { assertDynamicsFit, type LoadedDynamics } from './dynamics.js';
import type { Delay, Dynamics } from './dynamics-model.js';

export const DAY_MS = 86_400_000;

/** A place where a simulated event happens: a real event's point and the zone it lies in (or none). */
export interface Place {
  zone: string | null;
  latitude: number;
  longitude: number;
}

export interface PreparedProcess {
  actor: string;
  acts: 'strike' | 'incident';
  incidentType: Dynamics['violations']['processes'][number]['incidentType'];
  /** Background events per day (fitted baseline × baselineScale). */
  mu: number;
  /** alpha[j]: events of this process triggered by one event of process j. */
  alpha: number[];
  /** e^{−β}: the daily decay factor of this process's excitation. */
  decay: number;
  /** Cumulative severity shares: minor, minor+serious, 1. */
  severityCdf: [number, number, number];
  imminentThreat: number;
  justified: number;
  places: Place[];
}

export interface World {
  agreement: Agreement;
  dynamics: Dynamics;
  /** Variant name, for reports. */
  variant: string;
  startMs: number;
  days: number;
  /** Party ids per role, in agreement order. */
  byRole: Record<Role, string[]>;
  keyOf: Record<string, string>;
  /** The parties that co-sign a finding: enough adjudicators for the quorum. */
  adjudicators: string[];
  processes: PreparedProcess[];
  zoneIds: string[];
  finalStage: string;
}

/** Deterministic keys for parties the agreement gives none (a scenario file has none). */
function withSimulationKeys(agreement: Agreement): Agreement {
  const missing = agreement.parties.filter((p) => p.keys.length === 0);
  if (missing.length === 0) return agreement;
  const keys: Record<string, string[]> = {};
  for (const p of missing) {
    const seed = createHash('sha256').update(`phaseline-sim/party-key/${agreement.id}/${p.id}`).digest();
    keys[p.id] = [generateKeyPair(p.id, seed).vkey];
  }
  return withPartyKeys(agreement, keys);
}

/** Prepares a variant for simulation; throws DynamicsError when the dynamics do not fit it. */
export function prepareWorld(
  agreement: Agreement,
  loaded: LoadedDynamics,
  options: { variant: string; days?: number; dynamics?: Dynamics },
): World {
  assertDynamicsFit(loaded, agreement);
  const d = options.dynamics ?? loaded.dynamics;
  const a = withSimulationKeys(agreement);
  const byRole = {} as Record<Role, string[]>;
  for (const p of a.parties)
    for (const r of p.roles) {
      byRole[r] ??= [];
      byRole[r].push(p.id);
    }
  const keyOf: Record<string, string> = {};
  for (const p of a.parties) keyOf[p.id] = p.keys[0]!;
  const adjudicators = a.parties
    .filter((p) => p.roles.some((r) => a.adjudication.adjudicatorRoles.includes(r)))
    .map((p) => p.id)
    .slice(0, Math.max(1, a.adjudication.findingQuorum));
  const ids = d.violations.processes.map((p) => p.actor);
  const processes = d.violations.processes.map((p): PreparedProcess => {
    const alpha = ids.map((from) =>
      from === p.actor
        ? p.selfExcitation.value
        : (d.violations.crossExcitation.find((c) => c.from === from && c.to === p.actor)?.value ?? 0),
    );
    const s = p.severity;
    return {
      actor: p.actor,
      acts: p.acts,
      incidentType: p.incidentType,
      mu: p.baseline.value * p.baselineScale.value,
      alpha,
      decay: Math.exp(-p.decay.value),
      severityCdf: [s.minor, s.minor + s.serious, 1],
      imminentThreat: p.imminentThreat?.value ?? 0,
      justified: p.justified?.value ?? 0,
      places: processEvents(loaded, p, a).map((e) => ({
        zone: e.body.zone ?? null,
        latitude: e.body.latitude!,
        longitude: e.body.longitude!,
      })),
    };
  });
  const start = d.start ?? a.signedAt;
  if (start === undefined)
    throw new Error(`agreement ${a.id} has no signedAt and the dynamics file no start: day 0 is unknown`);
  const rules = rulesFor(a);
  return {
    agreement: a,
    dynamics: d,
    variant: options.variant,
    startMs: Date.parse(start),
    days: options.days ?? d.horizon.value,
    byRole,
    keyOf,
    adjudicators,
    processes,
    zoneIds: a.zones.map((z) => z.id),
    finalStage: rules.finalStage,
  };
}

/** A delay parameter in milliseconds. */
export function delayMs(rngDelay: (mean: number, sd: number) => number, d: Delay): number {
  return Math.round(rngDelay(d.mean, d.sd) * DAY_MS);
}
