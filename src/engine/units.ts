/**
 * Deploying-force units (DESIGN.md, "Unit"): registered by the deploying force, vetted by the
 * guarantor, deployed to one zone at a time. Capacity is finite and visible: a unit deployed
 * elsewhere leaves the zone it held.
 */
import type { Ctx } from './context.js';
import type { Bodies } from './kinds.js';
import { affirm, evaluateZone } from './zones.js';

export function registerUnit(ctx: Ctx, unitId: string, b: Bodies['unit.register']): void {
  ctx.state.units.set(unitId, {
    id: unitId,
    name: b.name,
    strength: b.strength,
    registeredBy: ctx.index,
    vetting: 'pending',
    vettedBy: [],
    zone: null,
    deployedBy: null,
  });
}

export function vetUnit(ctx: Ctx, unitId: string, b: Bodies['unit.vet']): void {
  const u = ctx.state.units.get(unitId)!;
  ctx.state.units.set(unitId, {
    ...u,
    vetting: b.outcome,
    vettedBy: b.outcome === 'vetted' ? [...u.vettedBy, ctx.index] : [],
  });
  if (u.zone !== null) evaluateZone(ctx, u.zone, ctx.nowMs);
}

export function deployUnit(ctx: Ctx, unitId: string, b: Bodies['unit.deploy']): void {
  const { state } = ctx;
  const u = state.units.get(unitId)!;
  // A unit holds one zone at a time: deploying it elsewhere leaves the zone it held.
  if (u.zone !== null) delete state.zones[u.zone]!.deployed[unitId];
  state.units.set(unitId, { ...u, zone: b.zone, deployedBy: b.zone === null ? null : ctx.index });
  if (b.zone !== null) {
    state.zones[b.zone]!.deployed[unitId] = ctx.index;
    affirm(ctx, b.zone, 'unit.deploy');
    evaluateZone(ctx, b.zone, ctx.nowMs);
  }
  if (u.zone !== null && u.zone !== b.zone) evaluateZone(ctx, u.zone, ctx.nowMs);
}
