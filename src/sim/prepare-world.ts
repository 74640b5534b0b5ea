/**
 * Preparing a variant for simulation, once, in the main thread: keys for parties that have none,
 * roles, the processes' real event places located in this variant's zones (point in polygon),
 * and the dynamics' numbers in the units trajectories use.
 */
import { createHash } from 'node:crypto';
import type { Agreement, Role } from '../agreement/model.js';
import { withPartyKeys } from '../agreement/scenarios.js';
import { rulesFor } from '../engine/index.js';
import { generateKeyPair } from '../statement/keys.js';
import { processEvents } from './calibrate.js';
import { assertDynamicsFit, type LoadedDynamics } from './dynamics.js';
import type { Dynamics } from './dynamics-model.js';
import type { Place, PreparedProcess, World } from './world.js';

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

/** Event places per agreement and events file: locating real events in zones costs more than a trajectory. */
const placesCache = new WeakMap<Agreement, Map<string, Place[]>>();

function placesOf(
  loaded: LoadedDynamics,
  p: Dynamics['violations']['processes'][number],
  agreement: Agreement,
): Place[] {
  let m = placesCache.get(agreement);
  if (m === undefined) {
    m = new Map();
    placesCache.set(agreement, m);
  }
  const key = JSON.stringify([loaded.dir, p.events]);
  let places = m.get(key);
  if (places === undefined) {
    places = processEvents(loaded, p, agreement).map((e) => ({
      zone: e.body.zone ?? null,
      latitude: e.body.latitude!,
      longitude: e.body.longitude!,
    }));
    m.set(key, places);
  }
  return places;
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
      places: placesOf(loaded, p, agreement),
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
