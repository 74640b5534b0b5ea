/**
 * Benchmarks: measurable results the agreement names (a zone reaching a stage, every zone
 * reaching one, a share of known sites verified, an attestation, all of several benchmarks).
 * An occurrence is recorded once per key (a zone id, or `*` for country-wide ones) and has
 * consequences elsewhere: truce extensions, fixed escrow indicators, other benchmarks, and the
 * zones whose entry conditions refer to benchmarks.
 */
import type { Benchmark } from '../agreement/model.js';
import { coverage } from './conditions.js';
import { type Ctx, dedupe } from './context.js';
import { earnFixed } from './escrow.js';
import { iso, type ZoneState } from './state.js';
import { extendTruce } from './truce.js';
import { evaluateZone } from './zones.js';

/** Records an occurrence of `b` for `key` and applies its consequences. */
function occur(ctx: Ctx, b: Benchmark, key: string, cites: number[], nowMs: number): void {
  const { rules, state } = ctx;
  state.benchmarks[b.id]!.occurrences.push({ key, at: iso(nowMs), cites });
  extendTruce(ctx, b.id, key, cites, nowMs);
  earnFixed(ctx, b.id, cites);
  for (const other of rules.benchmarksByType.allOfBenchmarks) {
    if (state.benchmarks[other.id]!.occurrences.length) continue;
    const ids = (other.when as { allOfBenchmarks: string[] }).allOfBenchmarks;
    if (!ids.includes(b.id)) continue;
    if (ids.every((id) => state.benchmarks[id]!.occurrences.length > 0)) {
      const all = ids.flatMap((id) => state.benchmarks[id]!.occurrences[0]!.cites);
      occur(ctx, other, '*', dedupe(all), nowMs);
    }
  }
  if (rules.stagesUseBenchmarks) for (const zid in state.zones) evaluateZone(ctx, zid, nowMs);
}

/** Benchmarks that occur when zone `z` reaches its current stage (per zone, and every zone). */
export function checkStageBenchmarks(ctx: Ctx, z: ZoneState, cites: number[], nowMs: number): void {
  const { rules, state } = ctx;
  const rank = rules.stageRank[z.stage]!;
  for (const b of rules.benchmarksByType.zoneReachesStage) {
    const w = (b.when as { zoneReachesStage: { stage: string; zones?: string[] } }).zoneReachesStage;
    if (rank < rules.stageRank[w.stage]!) continue;
    if (w.zones !== undefined && !w.zones.includes(z.id)) continue;
    if (state.benchmarks[b.id]!.occurrences.some((o) => o.key === z.id)) continue;
    occur(ctx, b, z.id, cites, nowMs);
  }
  for (const b of rules.benchmarksByType.allZonesReachStage) {
    if (state.benchmarks[b.id]!.occurrences.length) continue;
    const w = (b.when as { allZonesReachStage: { stage: string; zones?: string[] } }).allZonesReachStage;
    const zones = w.zones ?? rules.agreement.zones.map((x) => x.id);
    const need = rules.stageRank[w.stage]!;
    if (zones.every((id) => rules.stageRank[state.zones[id]!.stage]! >= need))
      occur(ctx, b, '*', cites, nowMs);
  }
}

/** `sitesVerified` benchmarks, after a site statement changed the verified counts. */
export function checkSitesVerified(ctx: Ctx): void {
  const { rules, state } = ctx;
  for (const b of rules.benchmarksByType.sitesVerified) {
    if (state.benchmarks[b.id]!.occurrences.length) continue;
    const w = (
      b.when as {
        sitesVerified: { minRatio: number; minCount: number; categories?: string[]; zones?: string[] };
      }
    ).sitesVerified;
    const cats = w.categories ?? rules.nonDeferred;
    let known = 0;
    let verified = 0;
    const cites: number[] = [];
    for (const zid of w.zones ?? Object.keys(state.zones)) {
      const z = state.zones[zid]!;
      const c = coverage(rules, z, cats);
      known += c.known;
      verified += c.verified;
      const by = z.affirmations['site.verify'];
      if (by) for (const p in by) cites.push(by[p]!);
    }
    const ratio = known === 0 ? 1 : verified / known;
    if (verified >= w.minCount && ratio >= w.minRatio && verified > 0)
      occur(ctx, b, '*', dedupe(cites), ctx.nowMs);
  }
}

/** `benchmark.attest`: the signers' attestations count once each; the benchmark occurs when every named role attested. */
export function attest(ctx: Ctx, benchmarkId: string): void {
  const { rules, state } = ctx;
  const bm = state.benchmarks[benchmarkId]!;
  for (const p of ctx.signers) if (bm.attestations[p] === undefined) bm.attestations[p] = ctx.index;
  const b = rules.agreement.benchmarks.find((x) => x.id === benchmarkId)!;
  if (!('attested' in b.when)) return;
  if (bm.occurrences.length) return;
  const parties = Object.keys(bm.attestations);
  const ok = b.when.attested.roles.every((r) => parties.some((p) => rules.partyRoles[p]?.has(r)));
  if (ok) occur(ctx, b, '*', dedupe(Object.values(bm.attestations)), ctx.nowMs);
}
