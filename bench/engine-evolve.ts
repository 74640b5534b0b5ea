/**
 * Engine benchmark (issue 3, "Speed"):
 *   1. `evolve` over N already-verified statements of the default scenario, compared with a bare
 *      loop that only `JSON.parse`s the same entries (both loops start from the stored JSON
 *      text of each entry, as a replay from the store does);
 *   2. state at an arbitrary past time over the same log, from snapshots: median of random times.
 *
 * Run: `npx tsx bench/engine-evolve.ts [--entries 1000000] [--snapshot-every 20000] [--queries 41]`
 *
 * The stream is synthetic but shaped like the default scenario's life: every zone is taken
 * through its stages with the signatures its conditions need (so stage changes, benchmarks,
 * truce extensions and escrow releases happen), amid a majority of inventory statements,
 * incident reports, notifications, responses, accounts, findings and strikes. Entries carry
 * registered keys but placeholder signatures: `evolve` never checks signatures (the door did).
 */

import { createHash } from 'node:crypto';
import { cpus } from 'node:os';
import { loadAgreement } from '../src/agreement/load.js';
import type { Agreement } from '../src/agreement/model.js';
import { scenarioPath, withPartyKeys } from '../src/agreement/scenarios.js';
import { evolve } from '../src/engine/evolve.js';
import { recordIds } from '../src/engine/records.js';
import { type EntrySource, stateAt } from '../src/engine/replay.js';
import { cloneState, type EngineEntry, type EngineState, initialState } from '../src/engine/state.js';
import { mulberry32 } from '../src/sim/prng.js';
import { generateKeyPair } from '../src/statement/keys.js';
import type { Statement } from '../src/statement/types.js';

export interface EngineBenchOptions {
  entries?: number;
  snapshotEvery?: number;
  queries?: number;
  log?: (line: string) => void;
}

export interface EngineBenchResult {
  entries: number;
  parseOnlyPerSecond: number;
  parseAndEvolvePerSecond: number;
  evolveOnlyPerSecond: number;
  ratio: number;
  snapshotMs: number;
  stateAtMedianMs: number;
  stateAtMaxMs: number;
  finalStages: Record<string, string>;
}

const SIG = Buffer.alloc(68, 7).toString('base64');
const DAY = 86_400_000;

/** The default scenario with generated party keys. */
export function benchAgreement(): { agreement: Agreement; keys: Record<string, string> } {
  const base = loadAgreement(scenarioPath('lebanon-2026'));
  const keys: Record<string, string> = {};
  for (const p of base.parties) {
    keys[p.id] = generateKeyPair(p.id, createHash('sha256').update(`bench/${p.id}`).digest()).vkey;
  }
  const agreement = withPartyKeys(base, Object.fromEntries(Object.entries(keys).map(([p, k]) => [p, [k]])));
  return { agreement, keys };
}

/** Generates `n` log entries as stored JSON text (deterministic). */
export function generateEntries(agreement: Agreement, keys: Record<string, string>, n: number): string[] {
  const rnd = mulberry32(2026);
  const zones = agreement.zones.map((z) => z.id);
  const cats = agreement.weaponCategories.map((c) => c.id);
  const start = Date.parse('2026-06-26T16:00:00.000Z');
  const step_ms = 20_000; // one statement every 20 s on average: a million statements ≈ 7.5 months
  const out: string[] = [];
  let incidents = 0;
  let strikes = 0;
  let nonce = 0;
  // Scripted progress: statements that move zones forward, each not before a given time.
  type Scripted = {
    notBefore: number;
    party: string;
    kind: string;
    subject: string;
    body: Record<string, unknown>;
  };
  const script: Scripted[] = [];
  const plan = (t: number, zone: string) => {
    const sign = (party: string, stage: string, at: number): Scripted => ({
      notBefore: at,
      party,
      kind: 'zone.stage.sign',
      subject: zone,
      body: { stage },
    });
    const z = agreement.zones.find((x) => x.id === zone)!;
    script.push(
      sign('lebanon', 'agreed', t),
      sign('israel', 'agreed', t),
      sign('usa', 'agreed', t),
      sign('laf', 'clearing', t),
    );
    for (const k of z.knownSites) {
      script.push({
        notBefore: t,
        party: 'laf',
        kind: 'site.declare',
        subject: zone,
        body: { category: k.category, count: k.count },
      });
      script.push({
        notBefore: t + DAY,
        party: 'monitors',
        kind: 'site.verify',
        subject: zone,
        body: { category: k.category, count: k.count },
      });
    }
    script.push(sign('monitors', 'verified-clear', t + 2 * DAY));
    script.push({ notBefore: t + 3 * DAY, party: 'usa', kind: 'withdrawal.claim', subject: zone, body: {} });
    script.push({
      notBefore: t + 3 * DAY,
      party: 'israel',
      kind: 'withdrawal.deny',
      subject: zone,
      body: {},
    });
    script.push({
      notBefore: t + 4 * DAY,
      party: 'israel',
      kind: 'withdrawal.claim',
      subject: zone,
      body: {},
    });
    script.push({
      notBefore: t + 4 * DAY,
      party: 'monitors',
      kind: 'withdrawal.observe',
      subject: zone,
      body: { observed: 'withdrawn' },
    });
    const unit = `bde-${zone}`;
    script.push({
      notBefore: t,
      party: 'laf',
      kind: 'unit.register',
      subject: unit,
      body: { name: `Brigade ${zone}`, strength: 800 },
    });
    script.push({
      notBefore: t + DAY,
      party: 'centcom',
      kind: 'unit.vet',
      subject: unit,
      body: { outcome: 'vetted' },
    });
    script.push({ notBefore: t + 5 * DAY, party: 'laf', kind: 'unit.deploy', subject: unit, body: { zone } });
    script.push(sign('monitors', 'deployed', t + 5 * DAY));
    script.push(sign('monitors', 'handed-over', t + 36 * DAY), sign('usa', 'handed-over', t + 36 * DAY));
  };
  // Zones one after another, 45 days apart (in the file's order, which respects prerequisites),
  // so each zone's certificates are signed when the zone is ready for them.
  zones.forEach((z, i) => {
    plan(start + i * 45 * DAY, z);
  });
  script.sort((a, b) => a.notBefore - b.notBefore);
  script.push({
    notBefore: start,
    party: 'trustee',
    kind: 'escrow.pledge',
    subject: 'gulf-donors',
    body: { amount: 60000000000 },
  });
  script.unshift(script.pop()!);
  let next = 0;
  const sha = (i: number) => createHash('sha256').update(String(i)).digest('hex');
  const evidence = [sha(1), sha(2)];
  for (let i = 0; i < n; i++) {
    const now = start + i * step_ms;
    let party: string;
    let kind: string;
    let subject: string;
    let body: Record<string, unknown>;
    const s = script[next];
    if (s !== undefined && s.notBefore <= now && i % 5 === 0) {
      next++;
      ({ party, kind, subject, body } = s);
    } else {
      const r = rnd();
      const zone = zones[Math.floor(rnd() * zones.length)]!;
      if (r < 0.35) {
        const verbs = ['site.declare', 'site.find', 'site.verify'] as const;
        kind = verbs[Math.floor(rnd() * 3)]!;
        party = kind === 'site.declare' ? 'laf' : 'monitors';
        subject = zone;
        body = { category: cats[Math.floor(rnd() * cats.length)]!, count: 1, evidence };
      } else if (r < 0.6) {
        kind = 'incident.report';
        party = ['monitors', 'unifil', 'israel', 'lebanon'][Math.floor(rnd() * 4)]!;
        subject = `inc-${++incidents}`;
        const at = new Date(now - 3_600_000).toISOString();
        body = {
          date_start: at,
          date_end: at,
          zone,
          latitude: 33.2 + rnd() * 0.3,
          longitude: 35.2 + rnd() * 0.4,
          where_prec: 2,
          type: 'armed-presence',
          actor: 'hezbollah',
          deaths_low: 0,
          deaths_best: 0,
          deaths_high: 1,
          source_grade: 'B2',
          evidence,
        };
      } else if (r < 0.7 && incidents > 0) {
        kind = 'incident.notify';
        party = 'monitors';
        subject = `inc-${incidents}`;
        body = { threat: 'armed presence near a launch site', evidence };
      } else if (r < 0.78 && incidents > 0) {
        kind = 'incident.response';
        party = 'laf';
        subject = `inc-${incidents}`;
        body = { action: 'acted', evidence };
      } else if (r < 0.85 && incidents > 0) {
        kind = 'account.attach';
        party = rnd() < 0.5 ? 'israel' : 'lebanon';
        subject = `inc-${Math.max(1, incidents - Math.floor(rnd() * 10))}`;
        body = { position: 'disputes', text: 'Our own account of the incident, with imagery.', evidence };
      } else if (r < 0.9 && incidents > 0) {
        kind = 'finding.issue';
        party = rnd() < 0.5 ? 'monitors' : 'usa';
        subject = `inc-${Math.max(1, incidents - Math.floor(rnd() * 5))}`;
        body = {
          outcome: rnd() < 0.995 ? 'inconclusive' : 'confirmed-violation',
          violator: 'hezbollah',
          severity: 'minor',
          evidence,
        };
      } else if (r < 0.92) {
        kind = 'strike.declare';
        party = 'israel';
        subject = `strike-${++strikes}`;
        body = {
          zone,
          target: 'launcher',
          respondsTo: incidents > 0 ? `inc-${incidents}` : undefined,
          imminentThreat: false,
          evidence,
        };
        if (body.respondsTo === undefined) delete body.respondsTo;
      } else {
        kind = 'withdrawal.observe';
        party = 'monitors';
        subject = zone;
        body = { observed: 'withdrawn', evidence };
      }
    }
    const statement: Statement = {
      kind,
      agreement: agreement.id,
      issuer: party,
      key: keys[party]!,
      at: new Date(now - 1000).toISOString(),
      nonce: Buffer.from(`n${++nonce}`.padEnd(16, '.')).toString('base64url'),
      classification: 'public',
      subject,
      body: body as Statement['body'],
    };
    const entry: EngineEntry = {
      index: i,
      admitted: new Date(now).toISOString(),
      envelope: { statement, signatures: [{ key: keys[party]!, sig: SIG }] },
    };
    out.push(JSON.stringify(entry));
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs the benchmark and returns (and logs) the figures. */
export function benchEngineEvolve(opts: EngineBenchOptions = {}): EngineBenchResult {
  const n = opts.entries ?? 1_000_000;
  const every = opts.snapshotEvery ?? 20_000;
  const queries = opts.queries ?? 41;
  const log = opts.log ?? ((l: string) => console.log(l));
  const { agreement, keys } = benchAgreement();
  let t0 = performance.now();
  const lines = generateEntries(agreement, keys, n);
  log(
    `generated ${n} entries (${Math.round(lines.reduce((a, l) => a + l.length, 0) / n)} bytes each on average) in ${Math.round(performance.now() - t0)} ms`,
  );

  // Warm up both loops on a slice so the JIT has compiled them before timing.
  const warm = Math.min(n, 50_000);
  for (let i = 0; i < warm; i++) JSON.parse(lines[i]!);
  {
    const st = initialState(agreement);
    for (let i = 0; i < warm; i++) evolve(agreement, st, JSON.parse(lines[i]!) as EngineEntry);
  }

  // 1. bare JSON.parse loop; timed twice (before and after the fold) and the faster run kept, so
  // that a garbage collection landing in one run does not flatter the ratio.
  let sink = 0;
  const parseLoop = (): number => {
    const t = performance.now();
    for (let i = 0; i < n; i++) sink += (JSON.parse(lines[i]!) as EngineEntry).index & 1;
    return performance.now() - t;
  };
  let parseMs = parseLoop();

  // 2. JSON.parse + evolve, taking snapshots as a store would (their time is measured apart).
  // The parsed entries are not kept (a replay from the store does not keep them either).
  const snapshots: { count: number; state: EngineState }[] = [{ count: 0, state: initialState(agreement) }];
  let state = initialState(agreement);
  let snapshotMs = 0;
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    state = evolve(agreement, state, JSON.parse(lines[i]!) as EngineEntry);
    if ((i + 1) % every === 0) {
      const t = performance.now();
      snapshots.push({ count: i + 1, state: cloneState(state) });
      snapshotMs += performance.now() - t;
    }
  }
  const evolveMs = performance.now() - t0 - snapshotMs;
  parseMs = Math.min(parseMs, parseLoop());

  // 3. evolve alone over entries parsed beforehand (in chunks, so the parsed log need not fit in memory)
  const st2 = initialState(agreement);
  let evolveOnlyMs = 0;
  const chunk = 100_000;
  for (let from = 0; from < n; from += chunk) {
    const parsed: EngineEntry[] = [];
    for (let i = from; i < Math.min(n, from + chunk); i++) parsed.push(JSON.parse(lines[i]!) as EngineEntry);
    const t = performance.now();
    for (const e of parsed) evolve(agreement, st2, e);
    evolveOnlyMs += performance.now() - t;
  }

  const parseRate = n / (parseMs / 1000);
  const evolveRate = n / (evolveMs / 1000);
  const ratio = evolveRate / parseRate;
  log(
    `JSON.parse only:          ${Math.round(parseRate).toLocaleString('en')} entries/s (${Math.round(parseMs)} ms)${sink < 0 ? '' : ''}`,
  );
  log(
    `JSON.parse + evolve:      ${Math.round(evolveRate).toLocaleString('en')} entries/s (${Math.round(evolveMs)} ms)`,
  );
  log(
    `snapshots (cloneState):   ${snapshots.length - 1} every ${every} entries, ${Math.round(snapshotMs)} ms in all (not in the rate above: a store takes them beside the fold)`,
  );
  log(`evolve only (pre-parsed): ${Math.round(n / (evolveOnlyMs / 1000)).toLocaleString('en')} entries/s`);
  log(`ratio (parse+evolve ÷ parse): ${(ratio * 100).toFixed(1)}%  [targets: >= 200,000/s and >= 25%]`);

  // 4. state at random past times from snapshots, reading entries (JSON text) on demand.
  const source: EntrySource = {
    length: n,
    admittedAt: (i) => (JSON.parse(lines[i]!) as EngineEntry).admitted,
    get: (i) => JSON.parse(lines[i]!) as EngineEntry,
  };
  const first = Date.parse(source.admittedAt(0));
  const last = Date.parse(source.admittedAt(n - 1));
  const rnd = mulberry32(7);
  const times: number[] = [];
  for (let q = 0; q < queries; q++) {
    const at = new Date(first + Math.floor(rnd() * (last - first))).toISOString();
    const t = performance.now();
    stateAt(agreement, source, snapshots, at);
    times.push(performance.now() - t);
  }
  const med = median(times);
  log(
    `state at a random past time: median ${med.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms over ${queries} queries  [target: median < 200 ms]`,
  );
  const finalStages = Object.fromEntries(Object.values(state.zones).map((z) => [z.id, z.stage]));
  log(
    `final stages: ${JSON.stringify(finalStages)}; incidents ${recordIds(state.incidents).length}, transfers ${state.escrow.transfers.length}, truce ${state.truce.status} until ${new Date(state.truce.expiresMs).toISOString()}`,
  );
  return {
    entries: n,
    parseOnlyPerSecond: parseRate,
    parseAndEvolvePerSecond: evolveRate,
    evolveOnlyPerSecond: n / (evolveOnlyMs / 1000),
    ratio,
    snapshotMs,
    stateAtMedianMs: med,
    stateAtMaxMs: Math.max(...times),
    finalStages,
  };
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('engine-evolve.ts')) {
  log_machine();
  benchEngineEvolve({
    entries: arg('--entries'),
    snapshotEvery: arg('--snapshot-every'),
    queries: arg('--queries'),
  });
}

function log_machine(): void {
  // Figures depend on the machine: say which.
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, node ${process.version}`);
}
