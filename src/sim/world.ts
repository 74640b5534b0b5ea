/**
 * What every trajectory of one variant shares: the agreement with a key for every party (the
 * engine requires every signing key to be known), who plays which role, the violation processes
 * with their real event locations in this variant's zones, and the dynamics' numbers. Plain data,
 * so a world prepared once (prepare-world.ts) is sent to the worker threads as it is.
 */
import type { Agreement, Role } from '../agreement/model.js';
import type { Dynamics } from './dynamics-model.js';

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
