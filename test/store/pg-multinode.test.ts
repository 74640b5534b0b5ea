// Several `serve` nodes on one PostgreSQL: separate processes submitting concurrently end with
// one log that the verifier accepts, with no gap and no duplicate; a node killed with SIGKILL
// loses nothing it acknowledged, and the other keeps appending. Skipped with a printed reason
// when PostgreSQL is unreachable.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDataDir } from '../../src/mechanism/mechanism.js';
import { PostgresMechanismService } from '../../src/service/postgres-service.js';
import { statementId } from '../../src/statement/envelope.js';
import { decodeEntry } from '../../src/statement/log-entry.js';
import { lock_class_sequencer } from '../../src/store/postgres/migrations.js';
import { reportCampaign } from '../helpers/campaign.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, exportAndVerify, postgresUnavailable } from './pg-helpers.js';

const unavailable = await postgresUnavailable();

/** A child node: its acknowledged index → statement id, and a promise of its exit. */
interface Node {
  name: string;
  child: ChildProcess;
  acks: Map<number, string>;
  /** Wall-clock time of each ACK line, with the highest index in it. */
  ackTimes: { at: number; maxIndex: number }[];
  /** Batches that failed (never acknowledged). */
  errors: string[];
  ready: Promise<void>;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startNode(
  url: string,
  dataDir: string,
  name: string,
  count: number,
  batch: number,
  concurrency: number,
  env: NodeJS.ProcessEnv = {},
): Node {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'test/fixtures/pg-node.ts'),
      url,
      dataDir,
      name,
      String(count),
      String(batch),
      String(concurrency),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const acks = new Map<number, string>();
  const ackTimes: Node['ackTimes'] = [];
  const errors: string[] = [];
  let err = '';
  let buf = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  child.stdout!.on('data', (d) => {
    buf += d;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line === 'READY') onReady();
      if (line.startsWith('ERR ')) errors.push(line.slice(4));
      if (line.startsWith('ACK ')) {
        let max = -1;
        for (const pair of line.slice(4).split(' ')) {
          const [i, id] = pair.split(':');
          acks.set(Number(i), id!);
          max = Math.max(max, Number(i));
        }
        ackTimes.push({ at: Date.now(), maxIndex: max });
      }
      nl = buf.indexOf('\n');
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { name, child, acks, ackTimes, errors, ready, exited, stderr: () => err };
}

/** Every entry of the log as its statement id, in index order (restricted ones through their disclosure). */
async function statementIds(service: PostgresMechanismService): Promise<string[]> {
  const size = await service.size();
  const out: string[] = [];
  const entries = await service.store.readEntries(0, size);
  const disclosures = await service.store.readDisclosures(0, size);
  entries.forEach((bytes, i) => {
    const e = decodeEntry(bytes, `entry ${i}`);
    out.push(statementId('envelope' in e ? e.envelope.statement : disclosures.get(i)!.envelope.statement));
  });
  return out;
}

/** The `application_name` of the connection holding the sequencer lease, if any. */
async function leaseHolder(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.granted`,
      [lock_class_sequencer],
    );
    return r.rows[0]?.application_name;
  } finally {
    await c.end();
  }
}

/** Polls until node `name` holds the lease (or 5 s pass: the caller's checks then say which). */
async function waitUntilHolding(url: string, name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await leaseHolder(url)) !== `phaseline-${name}` && Date.now() < deadline);
}

describe.skipIf(unavailable !== undefined)('several nodes, one log (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  const running: Node[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'phaseline-pg-nodes-'));
    initDataDir(dataDir);
  });
  afterAll(async () => {
    for (const n of running) n.child.kill('SIGKILL');
    await Promise.all(running.map((n) => n.exited));
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two processes submitting concurrently end with one verified log, no gap, no duplicate', async () => {
    const perNode = 1500;
    const nodes = ['east', 'west'].map((name) => startNode(db.url, dataDir, name, perNode, 25, 4));
    running.push(...nodes);
    await Promise.all(nodes.map((n) => n.ready));
    const t0 = performance.now();
    const codes = await Promise.all(nodes.map((n) => n.exited));
    const seconds = (performance.now() - t0) / 1000;
    for (const n of nodes) expect(n.stderr()).toBe('');
    expect(codes).toEqual([0, 0]);
    console.log(
      `two nodes, 4 concurrent submitters each, batches of 25: ${((2 * perNode) / seconds).toFixed(0)} statements/s acknowledged (${(2 * perNode) / 25} batches in ${seconds.toFixed(2)} s)`,
    );
    const service = await PostgresMechanismService.open({ url: db.url, dataDir });
    try {
      expect(await service.size()).toBe(2 * perNode);
      const ids = await statementIds(service);
      expect(new Set(ids).size).toBe(ids.length);
      const acked = new Map([...nodes[0]!.acks, ...nodes[1]!.acks]);
      expect(acked.size).toBe(2 * perNode); // the two nodes never got the same index
      for (const [i, id] of acked) expect(ids[i]).toBe(id);
      // Both nodes got a share of the log: the lease really moved between them.
      for (const n of nodes) expect(n.acks.size).toBe(perNode);
      expect(await exportAndVerify(service)).toBe(2 * perNode);
    } finally {
      await service.close();
    }
  });

  it('a node killed with SIGKILL mid-run loses nothing it acknowledged, and the other takes over at once', async () => {
    const base = await (async () => {
      const s = await PostgresMechanismService.open({ url: db.url, dataDir });
      const n = await s.size();
      await s.close();
      return n;
    })();
    const victim = startNode(db.url, dataDir, 'victim', 0, 20, 4);
    const survivor = startNode(db.url, dataDir, 'survivor', 0, 20, 4);
    running.push(victim, survivor);
    await Promise.all([victim.ready, survivor.ready]);
    await expect
      .poll(() => Math.min(victim.acks.size, survivor.acks.size), { timeout: 20_000, interval: 50 })
      .toBeGreaterThan(400);
    // Kill the victim while it is the sequencer (holding the lease, mid-batch), when we catch it.
    await waitUntilHolding(db.url, 'victim');
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const killedHolding = (await leaseHolder(db.url)) === 'phaseline-victim';
    await victim.exited;
    const afterKill = survivor.acks.size;
    await expect
      .poll(() => survivor.acks.size, { timeout: 10_000, interval: 20 })
      .toBeGreaterThan(afterKill + 200);
    const firstAfter = survivor.ackTimes.find((t) => t.at > killedAt)!;
    console.log(
      `survivor acknowledged again ${firstAfter.at - killedAt} ms after the other node was killed (${killedHolding ? 'holding' : 'not holding'} the lease)`,
    );
    expect(firstAfter.at - killedAt).toBeLessThan(5000);
    survivor.child.kill('SIGKILL');
    await survivor.exited;
    expect(victim.stderr()).toBe('');
    expect(survivor.stderr()).toBe('');

    const service = await PostgresMechanismService.open({ url: db.url, dataDir });
    try {
      const ids = await statementIds(service);
      expect(new Set(ids).size).toBe(ids.length);
      for (const n of [victim, survivor]) {
        for (const [i, id] of n.acks) {
          expect(i).toBeGreaterThanOrEqual(base);
          expect(ids[i]).toBe(id);
        }
      }
      // The survivor appended after the victim died: the last entries are the survivor's.
      const survivorMax = Math.max(...survivor.acks.keys());
      const victimMax = Math.max(...victim.acks.keys());
      expect(survivorMax).toBeGreaterThan(victimMax);
      expect(await exportAndVerify(service)).toBe(ids.length);
      // And the log takes new statements after both deaths.
      const { incidentReport } = await import('../fixtures/pg-statements.js');
      const now = new Date().toISOString();
      const [r] = await service.submit([incidentReport(dataDir, 'after-the-crash', now)], now);
      expect(r).toMatchObject({ ok: true, index: ids.length });
    } finally {
      await service.close();
    }
  });

  it('a node paused inside a batch loses the lease after the idle timeout; the other goes on and nothing acknowledged is lost', async () => {
    const idleMs = 1500;
    const env = { PHASELINE_TEST_LEASE_IDLE_MS: String(idleMs) };
    const sleeper = startNode(db.url, dataDir, 'sleeper', 0, 20, 4, env);
    const runner = startNode(db.url, dataDir, 'runner', 0, 20, 4, env);
    running.push(sleeper, runner);
    await Promise.all([sleeper.ready, runner.ready]);
    await expect
      .poll(() => Math.min(sleeper.acks.size, runner.acks.size), { timeout: 20_000, interval: 50 })
      .toBeGreaterThan(300);
    // Pause the sleeper while it holds the lease (in the middle of a batch), when we catch it.
    await waitUntilHolding(db.url, 'sleeper');
    sleeper.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const heldWhenStopped = (await leaseHolder(db.url)) === 'phaseline-sleeper';
    const before = runner.acks.size;
    await expect
      .poll(() => runner.acks.size, { timeout: idleMs + 5000, interval: 20 })
      .toBeGreaterThan(before + 200);
    // The runner's longest stall after the pause. Acks of batches it committed just before the
    // pause can still be arriving through the pipe for a few ms, so measure the longest gap
    // between consecutive acks rather than the time to the first one.
    const times = runner.ackTimes.map((t) => t.at).filter((t) => t >= stoppedAt);
    let stall = times.length > 0 ? times[0]! - stoppedAt : 0;
    for (let k = 1; k < times.length; k++) stall = Math.max(stall, times[k]! - times[k - 1]!);
    console.log(
      `a paused node (${heldWhenStopped ? 'holding' : 'not holding'} the lease) stalled the other for ${stall} ms (lease idle timeout ${idleMs} ms)`,
    );
    expect(stall).toBeLessThan(idleMs + 3000);
    if (heldWhenStopped) expect(stall).toBeGreaterThanOrEqual(idleMs - 200);
    // Woken up, the paused node finds its session ended, fails that batch (never acknowledged)
    // and goes on appending.
    sleeper.child.kill('SIGCONT');
    const sleeperBefore = sleeper.acks.size;
    await expect
      .poll(() => sleeper.acks.size, { timeout: 10_000, interval: 20 })
      .toBeGreaterThan(sleeperBefore + 100);
    sleeper.child.kill('SIGKILL');
    runner.child.kill('SIGKILL');
    await Promise.all([sleeper.exited, runner.exited]);
    expect(sleeper.stderr()).toBe('');
    expect(runner.stderr()).toBe('');
    const service = await PostgresMechanismService.open({ url: db.url, dataDir });
    try {
      const ids = await statementIds(service);
      expect(new Set(ids).size).toBe(ids.length);
      for (const n of [sleeper, runner]) for (const [i, id] of n.acks) expect(ids[i]).toBe(id);
      expect(await exportAndVerify(service)).toBe(ids.length);
    } finally {
      await service.close();
    }
  });
  it('lease-holder campaign: nodes killed while holding the lease lose nothing acknowledged and leave no duplicate', async () => {
    const holding_kills_min = 10;
    const rounds_max = 20;
    const started = Date.now();
    const survivor = startNode(db.url, dataDir, 'steady', 0, 20, 4);
    running.push(survivor);
    await survivor.ready;
    const victims: Node[] = [];
    let killedHolding = 0;
    for (let k = 0; k < rounds_max && killedHolding < holding_kills_min; k++) {
      const victim = startNode(db.url, dataDir, `holder-${k}`, 0, 20, 4);
      running.push(victim);
      victims.push(victim);
      await victim.ready;
      await expect.poll(() => victim.acks.size, { timeout: 20_000, interval: 20 }).toBeGreaterThan(40);
      // Killed the moment it is seen holding the lease (mid-batch: appending under the lock).
      await waitUntilHolding(db.url, `holder-${k}`);
      victim.child.kill('SIGKILL');
      // The lock outlives the process until PostgreSQL notices the dead connection: asked now,
      // it says who held it at the kill.
      if ((await leaseHolder(db.url)) === `phaseline-holder-${k}`) killedHolding++;
      await victim.exited;
      console.log(
        `lease campaign: round ${k + 1}, ${killedHolding} killed holding, ${Math.round((Date.now() - started) / 1000)} s`,
      );
      expect(victim.stderr()).toBe('');
    }
    // The survivor keeps appending after the last kill.
    const before = survivor.acks.size;
    await expect
      .poll(() => survivor.acks.size, { timeout: 10_000, interval: 20 })
      .toBeGreaterThan(before + 100);
    survivor.child.kill('SIGKILL');
    await survivor.exited;
    const service = await PostgresMechanismService.open({ url: db.url, dataDir });
    try {
      const ids = await statementIds(service);
      const duplicates = ids.length - new Set(ids).size;
      let acknowledged = 0;
      let lost = 0;
      for (const n of [survivor, ...victims])
        for (const [i, id] of n.acks) {
          acknowledged++;
          if (ids[i] !== id) lost++;
        }
      const verified = await exportAndVerify(service);
      reportCampaign('SIGKILL of the lease holder (PostgreSQL)', {
        'nodes killed': victims.length,
        'killed while holding the lease': killedHolding,
        'statements acknowledged': acknowledged,
        'acknowledged then lost': lost,
        'duplicates in the log': duplicates,
        'log size verified': verified,
        seconds: Math.round((Date.now() - started) / 1000),
      });
      expect([lost, duplicates]).toEqual([0, 0]);
      expect(killedHolding).toBeGreaterThanOrEqual(holding_kills_min);
      expect(verified).toBe(ids.length);
    } finally {
      await service.close();
    }
  }, 900_000);
});
