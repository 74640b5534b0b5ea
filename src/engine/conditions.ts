/**
 * Evaluates the agreement's condition language (model.ts, `Condition`) for one zone.
 *
 * A condition evaluates to the earliest time it holds given the facts so far (`readyMs`):
 * `-Infinity` when it holds whatever the time, a finite time when only waiting remains (elapsed
 * time without violations), `Infinity` when it needs new statements. So a zone advances when
 * `readyMs <= now`, and `dueMs` tells replay when to look again without a new statement.
 */
import type { Condition } from '../agreement/model.js';
import { type EngineState, iso, type Rules, SEVERITY_RANK, type ZoneState } from './state.js';

/** Something a zone still waits for, in words and as data. */
export interface Wait {
  text: string;
  data: Record<string, unknown>;
}

export interface Evaluation {
  readyMs: number;
  /** Log indexes of the statements that make the condition hold (when it holds). */
  cites: number[];
  /** What is missing at `nowMs` (only when asked for). */
  waits: Wait[];
}

/** The affirmation key under which statements of `kind` for `stage` are counted. */
export function affirmationKey(kind: string, stage: string): string {
  return kind === 'zone.stage.sign' ? `zone.stage.sign:${stage}` : kind;
}

/**
 * Evaluates `cond` for `zone` entering `stage` at `nowMs`. With `wantWaits`, explains what is
 * missing (slower; `evolve` does not ask).
 */
export function evaluate(
  rules: Rules,
  state: EngineState,
  zone: ZoneState,
  stage: string,
  cond: Condition,
  nowMs: number,
  wantWaits: boolean,
): Evaluation {
  if ('allOf' in cond) {
    let readyMs = -Infinity;
    const cites: number[] = [];
    const waits: Wait[] = [];
    for (const c of cond.allOf) {
      const e = evaluate(rules, state, zone, stage, c, nowMs, wantWaits);
      if (e.readyMs > readyMs) readyMs = e.readyMs;
      for (const x of e.cites) cites.push(x);
      if (wantWaits) for (const w of e.waits) waits.push(w);
    }
    return { readyMs, cites, waits };
  }
  if ('anyOf' in cond) return atLeast(rules, state, zone, stage, 1, cond.anyOf, nowMs, wantWaits, 'one of');
  if ('atLeast' in cond) {
    return atLeast(
      rules,
      state,
      zone,
      stage,
      cond.atLeast.n,
      cond.atLeast.of,
      nowMs,
      wantWaits,
      `${cond.atLeast.n} of`,
    );
  }
  if ('statement' in cond) {
    const key = affirmationKey(cond.statement, stage);
    const by = zone.affirmations[key];
    const need = cond.count ?? 1;
    const cites: number[] = [];
    const have: string[] = [];
    if (by !== undefined) {
      for (const party in by) {
        if (cond.party !== undefined ? party === cond.party : rules.partyRoles[party]?.has(cond.role!)) {
          have.push(party);
          if (cites.length < need) cites.push(by[party]!);
        }
      }
    }
    if (have.length >= need) return { readyMs: -Infinity, cites, waits: [] };
    const who =
      cond.party !== undefined
        ? `party ${cond.party}`
        : `${need > 1 ? `${need} parties` : 'a party'} with role ${cond.role}`;
    const what =
      cond.statement === 'zone.stage.sign'
        ? `zone.stage.sign for stage ${stage}`
        : affirmingText(cond.statement);
    return {
      readyMs: Infinity,
      cites: [],
      waits: wantWaits
        ? [
            {
              text: `${what} from ${who} (${have.length} of ${need}${have.length ? `: ${have.join(', ')}` : ''})`,
              data: {
                statement: cond.statement,
                stage,
                role: cond.role ?? null,
                party: cond.party ?? null,
                need,
                have,
              },
            },
          ]
        : [],
    };
  }
  if ('elapsedWithoutViolation' in cond) {
    const { sinceStage, ms, severityAtLeast } = cond.elapsedWithoutViolation;
    const since = zone.enteredAtMs[sinceStage];
    if (since === undefined) {
      return {
        readyMs: Infinity,
        cites: [],
        waits: wantWaits
          ? [
              {
                text: `the zone to enter ${sinceStage}, then ${hours(ms)} without a ${severityAtLeast} or worse violation`,
                data: { elapsedWithoutViolation: cond.elapsedWithoutViolation, since: null },
              },
            ]
          : [],
      };
    }
    let base = since;
    const min = SEVERITY_RANK[severityAtLeast];
    for (const v of zone.violations) if (SEVERITY_RANK[v.severity] >= min && v.atMs > base) base = v.atMs;
    const readyMs = base + ms;
    // Time alone satisfies nothing: cite the statements that brought the zone into `sinceStage`.
    let cites: number[] = [];
    for (let i = zone.history.length - 1; i >= 0; i--) {
      if (zone.history[i]!.to === sinceStage) {
        cites = zone.history[i]!.cites;
        break;
      }
    }
    if (readyMs <= nowMs || !wantWaits) return { readyMs, cites, waits: [] };
    return {
      readyMs,
      cites: [],
      waits: [
        {
          text: `${hours(readyMs - nowMs)} more without a ${severityAtLeast} or worse confirmed violation (until ${iso(readyMs)})`,
          data: {
            elapsedWithoutViolation: cond.elapsedWithoutViolation,
            since: iso(base),
            until: iso(readyMs),
            remaining_ms: readyMs - nowMs,
          },
        },
      ],
    };
  }
  if ('evidenceCoverage' in cond) {
    const { minRatio } = cond.evidenceCoverage;
    const cats = cond.evidenceCoverage.categories ?? rules.nonDeferred;
    const { known, verified } = coverage(rules, zone, cats);
    const ratio = known === 0 ? 1 : verified / known;
    if (ratio >= minRatio) {
      const by = zone.affirmations['site.verify'];
      return { readyMs: -Infinity, cites: by ? Object.values(by) : [], waits: [] };
    }
    return {
      readyMs: Infinity,
      cites: [],
      waits: wantWaits
        ? [
            {
              text: `monitors to verify ${Math.ceil(minRatio * known) - verified} more of the zone's ${known} known sites (${verified} verified, ${Math.round(ratio * 100)}% of ${Math.round(minRatio * 100)}% needed)`,
              data: { evidenceCoverage: cond.evidenceCoverage, known, verified, ratio },
            },
          ]
        : [],
    };
  }
  if ('prerequisitesHandedOver' in cond) {
    const prereqs = rules.prerequisites[zone.id] ?? [];
    const missing: string[] = [];
    const cites: number[] = [];
    for (const p of prereqs) {
      const pz = state.zones[p]!;
      if (pz.stage !== rules.finalStage) missing.push(p);
      else {
        const last = pz.history[pz.history.length - 1];
        if (last) for (const c of last.cites) cites.push(c);
      }
    }
    if (missing.length === 0) return { readyMs: -Infinity, cites, waits: [] };
    return {
      readyMs: Infinity,
      cites: [],
      waits: wantWaits
        ? [
            {
              text: `prerequisite zones to be ${rules.finalStage}: ${missing.join(', ')}`,
              data: { prerequisitesHandedOver: true, missing },
            },
          ]
        : [],
    };
  }
  if ('benchmark' in cond) {
    const occ = state.benchmarks[cond.benchmark]?.occurrences[0];
    if (occ) return { readyMs: -Infinity, cites: occ.cites, waits: [] };
    const label = rules.agreement.benchmarks.find((b) => b.id === cond.benchmark)?.label ?? cond.benchmark;
    return {
      readyMs: Infinity,
      cites: [],
      waits: wantWaits
        ? [{ text: `benchmark ${cond.benchmark} (${label})`, data: { benchmark: cond.benchmark } }]
        : [],
    };
  }
  if ('unitsDeployed' in cond) {
    let strength = 0;
    const cites: number[] = [];
    for (const u in zone.deployed) {
      const unit = state.units.get(u)!;
      if (unit.vetting !== 'vetted') continue;
      strength += unit.strength;
      cites.push(zone.deployed[u]!);
      for (const v of unit.vettedBy) cites.push(v);
    }
    if (strength >= cond.unitsDeployed.minStrength) return { readyMs: -Infinity, cites, waits: [] };
    return {
      readyMs: Infinity,
      cites: [],
      waits: wantWaits
        ? [
            {
              text: `vetted units totalling ${cond.unitsDeployed.minStrength} personnel deployed in the zone (${strength} now)`,
              data: { unitsDeployed: cond.unitsDeployed, strength },
            },
          ]
        : [],
    };
  }
  return assertNever(cond);
}

function assertNever(c: never): never {
  throw new Error(`unknown condition ${JSON.stringify(c)}`);
}

function atLeast(
  rules: Rules,
  state: EngineState,
  zone: ZoneState,
  stage: string,
  n: number,
  of: Condition[],
  nowMs: number,
  wantWaits: boolean,
  label: string,
): Evaluation {
  const evals = of.map((c) => evaluate(rules, state, zone, stage, c, nowMs, wantWaits));
  const order = evals.map((_, i) => i).sort((a, b) => evals[a]!.readyMs - evals[b]!.readyMs || a - b);
  if (order.length < n) return { readyMs: Infinity, cites: [], waits: [] };
  const readyMs = evals[order[n - 1]!]!.readyMs;
  const cites: number[] = [];
  for (let k = 0; k < n; k++) for (const c of evals[order[k]!]!.cites) cites.push(c);
  if (readyMs <= nowMs || !wantWaits) return { readyMs, cites, waits: [] };
  const met = evals.filter((e) => e.readyMs <= nowMs).length;
  const options = evals.filter((e) => e.readyMs > nowMs).map((e) => e.waits.map((w) => w.text).join(' and '));
  return {
    readyMs,
    cites,
    waits: [
      {
        text: `${n - met} more of: ${options.join('; or ')}`,
        data: { atLeast: n, met, options: evals.filter((e) => e.readyMs > nowMs).map((e) => e.waits), label },
      },
    ],
  };
}

/** Known and verified sites of the zone over `categories`: known = max(declared, found, baseline). */
export function coverage(
  rules: Rules,
  zone: ZoneState,
  categories: readonly string[],
): { known: number; verified: number } {
  let known = 0;
  let verified = 0;
  const baseline = rules.baselines[zone.id];
  for (const c of categories) {
    const inv = zone.inventory[c];
    const base = baseline?.[c] ?? 0;
    if (inv === undefined) {
      known += base;
      continue;
    }
    known += Math.max(inv.declared, inv.found, base, inv.verified);
    verified += inv.verified;
  }
  return { known, verified: Math.min(verified, known) };
}

function affirmingText(kind: string): string {
  switch (kind) {
    case 'withdrawal.observe':
      return 'withdrawal.observe (observed: withdrawn)';
    case 'unit.vet':
      return 'unit.vet (vetted)';
    default:
      return kind;
  }
}

function hours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 48 ? `${Math.round((h / 24) * 10) / 10} days` : `${Math.round(h * 10) / 10} h`;
}
