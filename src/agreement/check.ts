/**
 * The checks beyond shape: every reference resolves, graphs have no cycles, money adds up, zone
 * geometry is valid, times are real times. The schema (model.ts) says what a field looks like;
 * this says whether the agreement as a whole can ever be evaluated. Pure: no I/O, no clock.
 *
 * Each problem carries the path of the offending value in the agreement; the loader turns that
 * into file, line and column.
 */

import { DEFAULT_PERMISSIONS } from '../engine/kinds.js';
import { KeyFormatError, keyLabel, parseVerifierKey } from '../statement/keys.js';
import { checkObligations } from './check-obligations.js';
import type { DocPath } from './errors.js';
import { checkZoneGeometry } from './geometry.js';
import type { Agreement, Condition, Role, StatementKind } from './model.js';
import { checkWitnesses } from './witnesses.js';
import type { PathProblem } from './zod-issues.js';

/** Runs every semantic check on a schema-valid agreement; returns all problems (empty when the agreement is sound). */
export function checkAgreement(a: Agreement): PathProblem[] {
  const out: PathProblem[] = [];
  const push = (path: DocPath, message: string, key = false) => out.push({ path, message, key });

  // --- ids are unique within each list, and parties and actors do not share ids --------------
  const ids = (list: readonly { id: string }[], ...where: string[]): Set<string> => {
    const seen = new Map<string, number>();
    list.forEach((x, i) => {
      const first = seen.get(x.id);
      if (first !== undefined)
        push([...where, i, 'id'], `duplicate id "${x.id}" (first used at ${where.join('.')}[${first}])`);
      else seen.set(x.id, i);
    });
    return new Set(seen.keys());
  };
  const partyIds = ids(a.parties, 'parties');
  const actorIds = ids(a.actors, 'actors');
  const categoryIds = ids(a.weaponCategories, 'weaponCategories');
  const stageIds = ids(a.stages, 'stages');
  const zoneIds = ids(a.zones, 'zones');
  ids(a.regressions, 'regressions');
  const benchmarkIds = ids(a.benchmarks, 'benchmarks');
  if (a.escrow) ids(a.escrow.indicators, 'escrow', 'indicators');
  a.actors.forEach((x, i) => {
    if (partyIds.has(x.id))
      push(['actors', i, 'id'], `actor id "${x.id}" is also a party id: attributions would be ambiguous`);
  });

  const known = (set: Set<string>) => {
    const list = [...set];
    return list.length === 0
      ? 'none declared'
      : list.length > 12
        ? `${list.slice(0, 12).join(', ')}, …`
        : list.join(', ');
  };
  const ref = (path: DocPath, what: string, id: string, set: Set<string>) => {
    if (!set.has(id)) push(path, `unknown ${what} "${id}" (known: ${known(set)})`);
  };

  // --- parties and their keys -----------------------------------------------------------------
  const holders = new Map<Role, string[]>();
  for (const p of a.parties)
    for (const r of new Set(p.roles)) holders.set(r, [...(holders.get(r) ?? []), p.id]);
  const keyOwner = new Map<string, string>();
  a.parties.forEach((p, i) => {
    const seenRoles = new Set<string>();
    p.roles.forEach((r, j) => {
      if (seenRoles.has(r)) push(['parties', i, 'roles', j], `role "${r}" is listed twice`);
      seenRoles.add(r);
    });
    p.keys.forEach((k, j) => {
      try {
        const v = parseVerifierKey(k);
        const label = `${v.name}+${v.keyId.toString(16).padStart(8, '0')}`;
        const owner = keyOwner.get(label);
        if (owner !== undefined)
          push(
            ['parties', i, 'keys', j],
            `key ${keyLabel(k)} is already registered to party "${owner}": each key belongs to one party`,
          );
        else keyOwner.set(label, p.id);
      } catch (e) {
        if (!(e instanceof KeyFormatError)) throw e;
        push(
          ['parties', i, 'keys', j],
          `${e.message} (generate keys with \`phaseline init\` or \`phaseline keygen\`)`,
        );
      }
    });
  });
  const roleHeldBy = (r: Role) => holders.get(r) ?? [];
  const needRole = (path: DocPath, r: Role, why: string) => {
    if (roleHeldBy(r).length === 0)
      push(path, `no party holds role "${r}", so ${why} (add the role to a party)`);
  };

  // --- actors: sponsors exist and do not loop -------------------------------------------------
  a.actors.forEach((x, i) => {
    if (x.sponsor === undefined) return;
    if (x.sponsor === x.id) push(['actors', i, 'sponsor'], `actor "${x.id}" cannot sponsor itself`);
    else ref(['actors', i, 'sponsor'], 'actor', x.sponsor, actorIds);
  });
  const sponsorOf = new Map(a.actors.map((x) => [x.id, x.sponsor]));
  a.actors.forEach((x, i) => {
    const chain = [x.id];
    for (let s = sponsorOf.get(x.id); s !== undefined && actorIds.has(s); s = sponsorOf.get(s)) {
      if (chain.includes(s)) {
        if (s === x.id && chain.length > 1)
          push(['actors', i, 'sponsor'], `sponsors form a cycle: ${[...chain, s].join(' → ')}`);
        break;
      }
      chain.push(s);
    }
  });

  // --- stage graph: forward order by `next`, no cycles, every stage reachable -------------------
  const stageIndex = new Map(a.stages.map((s, i) => [s.id, i]));
  const nextOf = (i: number): string | undefined => a.stages[i]!.next ?? a.stages[i + 1]?.id;
  a.stages.forEach((s, i) => {
    if (s.next !== undefined) {
      if (s.next === s.id) push(['stages', i, 'next'], `stage "${s.id}" cannot be its own next stage`);
      else ref(['stages', i, 'next'], 'stage', s.next, stageIds);
    }
  });
  const rank = new Map<string, number>();
  {
    let i: number | undefined = 0;
    const walked: string[] = [];
    while (i !== undefined) {
      const id = a.stages[i]!.id;
      if (rank.has(id)) {
        const from = a.stages.findIndex((s) => s.id === walked[walked.length - 1]);
        push(
          ['stages', from, a.stages[from]!.next !== undefined ? 'next' : 'id'],
          `forward stages form a cycle: ${[...walked.slice(walked.indexOf(id)), id].join(' → ')} (following "next" from the first stage must end at a final stage)`,
        );
        break;
      }
      rank.set(id, walked.length);
      walked.push(id);
      const n = nextOf(i);
      i = n === undefined ? undefined : stageIndex.get(n);
    }
    if (!out.some((p) => p.message.startsWith('forward stages form a cycle'))) {
      a.stages.forEach((s, j) => {
        if (!rank.has(s.id)) {
          push(
            ['stages', j, 'id'],
            `stage "${s.id}" is never reached by following "next" from the first stage "${a.stages[0]!.id}"`,
          );
        }
      });
    }
  }
  const stageRank = (id: string) => rank.get(id);

  // --- conditions -----------------------------------------------------------------------------
  const allowedRoles = (kind: StatementKind): readonly Role[] =>
    a.permissions?.[kind] ?? DEFAULT_PERMISSIONS[kind];
  const checkCondition = (c: Condition, path: DocPath, stageId: string | undefined): void => {
    if ('allOf' in c)
      c.allOf.forEach((x, i) => {
        checkCondition(x, [...path, 'allOf', i], stageId);
      });
    else if ('anyOf' in c)
      c.anyOf.forEach((x, i) => {
        checkCondition(x, [...path, 'anyOf', i], stageId);
      });
    else if ('atLeast' in c) {
      if (c.atLeast.n > c.atLeast.of.length) {
        push(
          [...path, 'atLeast', 'n'],
          `needs ${c.atLeast.n} of only ${c.atLeast.of.length} conditions: it can never hold`,
        );
      }
      c.atLeast.of.forEach((x, i) => {
        checkCondition(x, [...path, 'atLeast', 'of', i], stageId);
      });
    } else if ('statement' in c) {
      if (c.role === undefined && c.party === undefined) {
        push(path, `a "${c.statement}" quorum must name a "role" or a "party" whose signature counts`);
      }
      let eligible: string[] = a.parties.map((p) => p.id);
      if (c.role !== undefined) {
        eligible = roleHeldBy(c.role);
        needRole([...path, 'role'], c.role, `this quorum can never be met`);
        if (!allowedRoles(c.statement).includes(c.role)) {
          push(
            [...path, 'role'],
            `role "${c.role}" may not make "${c.statement}" statements (allowed: ${allowedRoles(c.statement).join(', ') || 'none'}; see "permissions")`,
          );
        }
      }
      if (c.party !== undefined) {
        const party = a.parties.find((p) => p.id === c.party);
        if (party === undefined)
          push([...path, 'party'], `unknown party "${c.party}" (known: ${known(partyIds)})`);
        else if (c.role !== undefined && !eligible.includes(c.party))
          push([...path, 'party'], `party "${c.party}" does not hold role "${c.role}"`);
        else if (!party.roles.some((r) => allowedRoles(c.statement).includes(r))) {
          push(
            [...path, 'party'],
            `party "${c.party}" holds no role that may make "${c.statement}" statements (allowed: ${allowedRoles(c.statement).join(', ')}; see "permissions")`,
          );
        }
        eligible = eligible.filter((p) => p === c.party);
      }
      const count = c.count ?? 1;
      if (eligible.length > 0 && count > eligible.length) {
        push(
          [...path, 'count'],
          `needs ${count} distinct parties but only ${eligible.length} ${eligible.length === 1 ? 'qualifies' : 'qualify'} (${eligible.join(', ')})`,
        );
      }
    } else if ('elapsedWithoutViolation' in c) {
      const since = c.elapsedWithoutViolation.sinceStage;
      if (!stageIds.has(since))
        ref([...path, 'elapsedWithoutViolation', 'sinceStage'], 'stage', since, stageIds);
      else if (stageId !== undefined && (stageRank(since) ?? -1) >= (stageRank(stageId) ?? -1)) {
        push(
          [...path, 'elapsedWithoutViolation', 'sinceStage'],
          `"${since}" is not before "${stageId}": time can only be counted from an earlier stage`,
        );
      }
    } else if ('evidenceCoverage' in c) {
      c.evidenceCoverage.categories?.forEach((x, i) => {
        ref([...path, 'evidenceCoverage', 'categories', i], 'weapon category', x, categoryIds);
      });
    } else if ('benchmark' in c) {
      ref([...path, 'benchmark'], 'benchmark', c.benchmark, benchmarkIds);
    } else if ('prerequisitesHandedOver' in c || 'unitsDeployed' in c) {
      if ('unitsDeployed' in c) needRole(path, 'deploying-force', 'no unit can ever deploy');
    } else {
      const never: never = c;
      void never;
    }
  };
  a.stages.forEach((s, i) => {
    if (s.entry !== undefined) checkCondition(s.entry, ['stages', i, 'entry'], s.id);
    else if (i > 0 && rank.has(s.id))
      push(['stages', i], `stage "${s.id}" has no "entry" condition: say what a zone needs to enter it`);
  });

  // --- regressions go backwards ---------------------------------------------------------------
  a.regressions.forEach((r, i) => {
    const at = r.onConfirmedViolation.zoneAtOrAfter;
    ref(['regressions', i, 'onConfirmedViolation', 'zoneAtOrAfter'], 'stage', at, stageIds);
    ref(['regressions', i, 'to'], 'stage', r.to, stageIds);
    const ra = stageRank(at);
    const rt = stageRank(r.to);
    if (ra !== undefined && rt !== undefined && rt >= ra) {
      push(
        ['regressions', i, 'to'],
        `a regression sends a zone back: "${r.to}" must come before "${at}" in the stage graph`,
      );
    }
  });

  // --- zones: geometry, prerequisites, host, stages, known sites --------------------------------
  a.zones.forEach((z, i) => {
    if (z.geometry === undefined) {
      push(
        ['zones', i],
        `zone "${z.id}" has no geometry: add "geometry" (a GeoJSON Polygon) or "geometryRef: {file, feature}"`,
      );
    } else {
      for (const g of checkZoneGeometry(z.geometry)) push(['zones', i, 'geometry', ...g.path], g.message);
    }
    z.prerequisites.forEach((p, j) => {
      if (p === z.id) push(['zones', i, 'prerequisites', j], `zone "${z.id}" cannot be its own prerequisite`);
      else ref(['zones', i, 'prerequisites', j], 'zone', p, zoneIds);
    });
    if (z.host !== undefined) {
      if (!partyIds.has(z.host)) ref(['zones', i, 'host'], 'party', z.host, partyIds);
      else if (!a.parties.find((p) => p.id === z.host)!.roles.includes('sovereign')) {
        push(['zones', i, 'host'], `host "${z.host}" is not a sovereign party`);
      }
    }
    if (z.initialStage !== undefined) ref(['zones', i, 'initialStage'], 'stage', z.initialStage, stageIds);
    const seenCat = new Set<string>();
    z.knownSites.forEach((k, j) => {
      ref(['zones', i, 'knownSites', j, 'category'], 'weapon category', k.category, categoryIds);
      if (seenCat.has(k.category))
        push(
          ['zones', i, 'knownSites', j, 'category'],
          `category "${k.category}" is listed twice for this zone`,
        );
      seenCat.add(k.category);
    });
  });
  for (const cycle of findCycles(
    a.zones.map((z) => ({ id: z.id, deps: z.prerequisites.filter((p) => zoneIds.has(p) && p !== z.id) })),
  )) {
    const i = a.zones.findIndex((z) => z.id === cycle[0]);
    const j = a.zones[i]!.prerequisites.indexOf(cycle[1]!);
    push(
      ['zones', i, 'prerequisites', j],
      `zone prerequisites form a cycle: ${cycle.join(' → ')} (no zone on it could ever open)`,
    );
  }

  // --- benchmarks -------------------------------------------------------------------------------
  a.benchmarks.forEach((b, i) => {
    const at: DocPath = ['benchmarks', i, 'when'];
    const w = b.when;
    if ('zoneReachesStage' in w || 'allZonesReachStage' in w) {
      const key = 'zoneReachesStage' in w ? 'zoneReachesStage' : 'allZonesReachStage';
      const v = 'zoneReachesStage' in w ? w.zoneReachesStage : w.allZonesReachStage;
      ref([...at, key, 'stage'], 'stage', v.stage, stageIds);
      v.zones?.forEach((z, j) => {
        ref([...at, key, 'zones', j], 'zone', z, zoneIds);
      });
    } else if ('sitesVerified' in w) {
      w.sitesVerified.categories?.forEach((c, j) => {
        ref([...at, 'sitesVerified', 'categories', j], 'weapon category', c, categoryIds);
      });
      w.sitesVerified.zones?.forEach((z, j) => {
        ref([...at, 'sitesVerified', 'zones', j], 'zone', z, zoneIds);
      });
      if (w.sitesVerified.minRatio === 0 && w.sitesVerified.minCount === 0) {
        push(
          [...at, 'sitesVerified'],
          'set "minRatio" or "minCount": with both 0 the benchmark is met before anything is verified',
        );
      }
    } else if ('attested' in w) {
      w.attested.roles.forEach((r, j) => {
        needRole([...at, 'attested', 'roles', j], r, 'this benchmark can never be attested');
      });
    } else if ('allOfBenchmarks' in w) {
      w.allOfBenchmarks.forEach((x, j) => {
        if (x === b.id) push([...at, 'allOfBenchmarks', j], `benchmark "${b.id}" cannot depend on itself`);
        else ref([...at, 'allOfBenchmarks', j], 'benchmark', x, benchmarkIds);
      });
    } else {
      const never: never = w;
      void never;
    }
  });
  const benchDeps = a.benchmarks.map((b) => ({
    id: b.id,
    deps:
      'allOfBenchmarks' in b.when
        ? b.when.allOfBenchmarks.filter((x) => benchmarkIds.has(x) && x !== b.id)
        : [],
  }));
  for (const cycle of findCycles(benchDeps)) {
    const i = a.benchmarks.findIndex((b) => b.id === cycle[0]);
    push(
      ['benchmarks', i, 'when', 'allOfBenchmarks'],
      `benchmarks depend on each other in a cycle: ${cycle.join(' → ')}`,
    );
  }

  // --- truce and times --------------------------------------------------------------------------
  const signedMs = a.signedAt === undefined ? undefined : parseRfc3339(a.signedAt);
  if (a.signedAt !== undefined && signedMs === undefined)
    push(['signedAt'], `"${a.signedAt}" is not a real date and time`);
  const expiresMs = parseRfc3339(a.truce.expires);
  if (expiresMs === undefined) push(['truce', 'expires'], `"${a.truce.expires}" is not a real date and time`);
  else if (signedMs !== undefined && expiresMs <= signedMs) {
    push(
      ['truce', 'expires'],
      `the truce expires (${a.truce.expires}) before the agreement is signed (${a.signedAt})`,
    );
  }
  a.truce.extensions.forEach((x, i) => {
    ref(['truce', 'extensions', i, 'on'], 'benchmark', x.on, benchmarkIds);
  });

  // --- response protocol -----------------------------------------------------------------------
  needRole(['responseProtocol'], 'deploying-force', 'no one can respond to a notified threat');
  needRole(['responseProtocol'], 'withdrawing-force', 'the response protocol binds no one');

  // --- adjudication -----------------------------------------------------------------------------
  const adjudicators = new Set<string>();
  a.adjudication.adjudicatorRoles.forEach((r, i) => {
    needRole(['adjudication', 'adjudicatorRoles', i], r, 'no finding can be issued under it');
    for (const p of roleHeldBy(r)) adjudicators.add(p);
  });
  if (adjudicators.size > 0 && a.adjudication.findingQuorum > adjudicators.size) {
    push(
      ['adjudication', 'findingQuorum'],
      `needs ${a.adjudication.findingQuorum} adjudicating parties but only ${adjudicators.size} hold an adjudicator role (${[...adjudicators].join(', ')})`,
    );
  }

  // --- escrow -----------------------------------------------------------------------------------
  if (a.escrow) {
    const e = a.escrow;
    ref(['escrow', 'beneficiary'], 'party', e.beneficiary, partyIds);
    needRole(['escrow'], 'trustee', 'no release can ever be settled');
    let pledged = 0;
    e.pledges.forEach((p, i) => {
      pledged += p.amount;
      if (p.amount === 0)
        push(
          ['escrow', 'pledges', i, 'amount'],
          'a pledge of 0 pledges nothing: remove it or give the amount in minor units',
        );
    });
    if (!Number.isSafeInteger(pledged))
      push(['escrow', 'pledges'], 'pledges add up to more than the largest exact whole number');
    e.indicators.forEach((ind, i) => {
      const at: DocPath = ['escrow', 'indicators', i];
      if (ind.beneficiary !== undefined) ref([...at, 'beneficiary'], 'party', ind.beneficiary, partyIds);
      switch (ind.kind) {
        case 'fixed':
          ref([...at, 'on'], 'benchmark', ind.on, benchmarkIds);
          if (ind.amount === 0) push([...at, 'amount'], 'a fixed indicator releasing 0 releases nothing');
          break;
        case 'scalable':
          ind.categories?.forEach((c, j) => {
            ref([...at, 'categories', j], 'weapon category', c, categoryIds);
          });
          if (ind.unitPrice === 0)
            push([...at, 'unitPrice'], 'a unit price of 0 releases nothing per verified unit');
          if (ind.cap < ind.unitPrice) {
            push(
              [...at, 'cap'],
              `cap ${ind.cap} is below the unit price ${ind.unitPrice}: not even one unit could be paid (both in minor units)`,
            );
          }
          ind.countsInStages?.forEach((st, j) => {
            ref([...at, 'countsInStages', j], 'stage', st, stageIds);
          });
          for (const key of ['capPerZone', 'capPerCategory'] as const)
            if (ind[key] === 0) push([...at, key], `${key} 0 lets the indicator release nothing`);
          if (
            ind.capPerPeriod !== undefined &&
            (ind.capPerPeriod.amount === 0 || ind.capPerPeriod.period_ms === 0)
          )
            push(
              [...at, 'capPerPeriod'],
              'a period cap needs a period longer than 0 ms and an amount above 0',
            );
          break;
        default: {
          const never: never = ind;
          void never;
        }
      }
    });
    const h = e.holds?.onConfirmedViolation;
    if (h !== undefined) {
      const at: DocPath = ['escrow', 'holds', 'onConfirmedViolation'];
      if (h.amount === undefined && h.ratio === undefined)
        push(at, 'a hold needs "amount" (minor units) or "ratio" (share of available funds)');
      if (h.amount !== undefined && h.ratio !== undefined)
        push(at, 'give either "amount" or "ratio", not both');
      h.attributedTo?.forEach((x, j) => {
        ref([...at, 'attributedTo', j], 'party or actor', x, new Set([...partyIds, ...actorIds]));
      });
    }
  }

  // --- permissions ------------------------------------------------------------------------------
  if (a.permissions) {
    for (const [kind, roles] of Object.entries(a.permissions)) {
      roles?.forEach((r, j) => {
        if (roleHeldBy(r).length === 0) push(['permissions', kind, j], `no party holds role "${r}"`);
      });
    }
  }

  checkWitnesses(a.witnesses, partyIds, push);
  out.push(...checkObligations(a));
  return out;
}

/** Parses an RFC 3339 UTC time the schema already shaped (`YYYY-MM-DDThh:mm:ss(.sss)Z`); undefined if the date or time does not exist. */
export function parseRfc3339(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const t = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  const back = new Date(t);
  // Date.UTC rolls 31 April over to 1 May; a round trip exposes it.
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== se
  ) {
    return undefined;
  }
  return t;
}

/** Every elementary cycle reachable by depth-first search, each reported once, as `[a, b, …, a]`. */
export function findCycles(nodes: readonly { id: string; deps: readonly string[] }[]): string[][] {
  const deps = new Map(nodes.map((n) => [n.id, n.deps]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      const s = state.get(d);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const n of nodes) if (!state.has(n.id)) visit(n.id);
  return cycles;
}
