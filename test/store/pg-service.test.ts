// PostgresMechanismService: a mechanism office whose log is in PostgreSQL, alone and as several
// nodes on one database. Skipped with a printed reason when PostgreSQL is unreachable.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordIds } from '../../src/engine/records.js';
import { verifyReceipt } from '../../src/log/receipt.js';
import { initDataDir } from '../../src/mechanism/mechanism.js';
import { PostgresMechanismService } from '../../src/service/postgres-service.js';
import { SqliteMechanismService } from '../../src/service/sqlite-service.js';
import { EnvelopeText } from '../../src/statement/envelope.js';
import type { Classification } from '../../src/statement/types.js';
import { incidentReport } from '../fixtures/pg-statements.js';
import { createTestDatabase, exportAndVerify, postgresUnavailable } from './pg-helpers.js';

const unavailable = await postgresUnavailable();

describe.skipIf(unavailable !== undefined)('a mechanism office on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  const at = () => new Date().toISOString();

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'phaseline-pg-data-'));
    initDataDir(dataDir);
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('admits through the engine, acknowledges with receipts that verify, refuses duplicates without touching the log', async () => {
    const node = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'single' });
    try {
      const now = at();
      const envs = [0, 1, 2].map((k) => incidentReport(dataDir, `solo-${k}`, now));
      const results = await node.submit(envs, now);
      expect(results.map((r) => r.ok && r.index)).toEqual([0, 1, 2]);
      const entry = (await node.entry(1, false))!;
      const receipt = await node.receipt(1);
      expect(verifyReceipt(receipt, entry.bytes, node.logKey, node.origin).index).toBe(1);
      const again = await node.submit([envs[0]], at());
      expect(again[0]).toMatchObject({ ok: false, code: 'duplicate-statement' });
      const wrongRole = incidentReport(dataDir, 'solo-x', now, { party: 'trustee' });
      const r = await node.submit([wrongRole, { not: 'an envelope' }], at());
      expect(r.map((x) => x.ok)).toEqual([expect.anything(), false]);
      expect(await node.size()).toBe(r[0]!.ok ? 4 : 3);
      expect(await node.tile(0, 0, 3)).toHaveLength(3 * 32);
      expect(await node.entryBundle(0, 3)).toBeDefined();
      expect(await node.entryBundle(0, 256)).toBeUndefined();
      expect(await exportAndVerify(node)).toBe(await node.size());
    } finally {
      await node.close();
    }
  });

  it('takes envelope texts as the SQLite service does, and asks the gate only about verified statements', async () => {
    const node = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'texts' });
    try {
      const now = at();
      const good = incidentReport(dataDir, 'text-0', now);
      const forged = incidentReport(dataDir, 'text-1', now);
      (forged.statement.body as { note?: string }).note = 'changed after signing';
      const gated = incidentReport(dataDir, 'text-2', now);
      const asked: string[] = [];
      const r = await node.submit(
        [
          new EnvelopeText(JSON.stringify(good), 'line 1'),
          new EnvelopeText('{"statement":', 'line 2'),
          new EnvelopeText(JSON.stringify(forged), 'line 3'),
          gated,
        ],
        now,
        (envelope) => {
          asked.push(envelope.statement.subject);
          return envelope.statement.subject === 'text-2'
            ? { code: 'rate-limited', message: 'slow down' }
            : undefined;
        },
      );
      expect(r[0]).toMatchObject({ ok: true, index: 0 });
      expect(r[1]).toMatchObject({ ok: false, code: 'malformed-json' });
      expect((r[1] as { message: string }).message).toMatch(/^line 2 is not JSON: /);
      expect(r[2]).toMatchObject({ ok: false, code: 'signature' });
      expect(r[3]).toEqual({ ok: false, code: 'rate-limited', message: 'slow down' });
      expect(asked).toEqual(['text-0', 'text-2']);
      expect(await node.size()).toBe(1);
    } finally {
      await node.close();
    }
  });

  it('stateAt folds only what the clearance may see: a restricted incident is absent from the public state', async () => {
    const node = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'classified' });
    try {
      const now = at();
      const results = await node.submit(
        [
          incidentReport(dataDir, 'open-1', now),
          incidentReport(dataDir, 'monitors/closed-1', now, { classification: 'parties' }),
          incidentReport(dataDir, 'monitors/secret-1', now, { classification: 'mechanism' }),
        ],
        now,
      );
      expect(results.every((r) => r.ok)).toBe(true);
      const later = new Date(Date.parse(now) + 1000).toISOString();
      expect(recordIds((await node.stateAt(later, 'public')).incidents)).toEqual(['open-1']);
      expect(recordIds((await node.stateAt(later, 'parties')).incidents).sort()).toEqual([
        'monitors/closed-1',
        'open-1',
      ]);
      expect(recordIds((await node.stateAt(later, 'mechanism')).incidents).sort()).toEqual([
        'monitors/closed-1',
        'monitors/secret-1',
        'open-1',
      ]);
      const restricted = (await node.entry(1, false))!;
      expect(restricted.bytes.toString()).not.toContain('closed-1');
      expect((await node.entry(1, true))!.disclosure?.envelope.statement.subject).toBe('monitors/closed-1');
    } finally {
      await node.close();
    }
  });

  it('keeps its engine in files of its own: states now and in the past, at every clearance, are those of the SQLite service fed the same statements', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'phaseline-pg-cache-'));
    const node = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'mirrored', cacheDir });
    const reference = SqliteMechanismService.open(dataDir, {
      dbPath: join(cacheDir, 'reference.db'),
      verify_workers: 0,
    });
    const levels: Classification[] = ['public', 'parties', 'mechanism'];
    try {
      const t0 = Date.now();
      const times: string[] = [];
      for (let k = 0; k < 30; k++) {
        const now = new Date(t0 + k * 1000).toISOString();
        times.push(now);
        const envs = levels.map((classification) =>
          incidentReport(dataDir, `mirrored-${classification}-${k}`, now, { classification }),
        );
        const [a, b] = [await node.submit(envs, now), await reference.submit(envs, now)];
        expect(a.every((r) => r.ok)).toBe(true);
        expect(b.map((r) => r.ok && r.index)).toEqual(a.map((r) => r.ok && r.index));
      }
      // A duplicate is refused by the door's memory, confirmed against the node's mirror.
      const again = await node.submit([incidentReport(dataDir, 'mirrored-public-0', times[0]!)], times[29]!);
      expect(again[0]).toMatchObject({ ok: false });
      for (const at of [times[0]!, times[12]!, times[29]!, new Date(t0 + 60_000).toISOString()])
        for (const clearance of levels) {
          const [mine, theirs] = [await node.stateAt(at, clearance), await reference.stateAt(at, clearance)];
          expect(JSON.stringify(mine.incidents), `${clearance} at ${at}`).toBe(
            JSON.stringify(theirs.incidents),
          );
          expect(mine.count).toBe(theirs.count);
        }
      expect(readdirSync(join(cacheDir, 'engine-0')).sort()).toEqual(['entries.db', 'views.db']);
    } finally {
      await node.close();
      await reference.close();
    }
    // The node's files went with it; the directory it was given stays.
    expect(readdirSync(join(cacheDir, 'engine-0'))).toEqual([]);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('makes its own cache directory when given none, removes it at close, and removes those of nodes no longer running', async () => {
    // 4,194,304 is above Linux's largest process id: no process runs under it.
    const stale = join(tmpdir(), 'phaseline-node-4194304-stale');
    mkdirSync(join(stale, 'engine-0'), { recursive: true });
    const node = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'cachedir' });
    const own = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`phaseline-node-${process.pid}-`));
    let mine: string[] = [];
    try {
      expect(existsSync(stale)).toBe(false);
      mine = own();
      expect(mine.length).toBeGreaterThan(0);
    } finally {
      await node.close();
    }
    for (const name of mine) expect(own()).not.toContain(name);
  });

  it('says where it could not make its cache directory, and how to choose another', async () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(dataDir, 'no', 'such', 'directory');
    try {
      await expect(
        PostgresMechanismService.open({ url: db.url, dataDir, schema: 'cachedir' }),
      ).rejects.toThrow(
        /cannot create this node's cache directory in .*no\/such\/directory .*; set TMPDIR to a writable directory/,
      );
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('two nodes in one process: concurrent submissions make one log; each hears the other append and folds it', async () => {
    const a = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'pair' });
    const b = await PostgresMechanismService.open({ url: db.url, dataDir, schema: 'pair' });
    try {
      const heardByB: number[] = [];
      b.onAppended((first, count) => {
        for (let i = first; i < first + count; i++) heardByB.push(i);
      });
      const rounds = 20;
      const submissions: Promise<unknown>[] = [];
      for (let k = 0; k < rounds; k++) {
        const now = at();
        submissions.push(
          a.submit([incidentReport(dataDir, `a-${k}`, now), incidentReport(dataDir, `a2-${k}`, now)], now),
        );
        submissions.push(b.submit([incidentReport(dataDir, `b-${k}`, now)], now));
      }
      await Promise.all(submissions);
      expect(await a.size()).toBe(rounds * 3);
      // Node B learns of A's appends through the database's notifications.
      await expect.poll(() => heardByB.length, { timeout: 5000 }).toBe(rounds * 3);
      expect(heardByB).toEqual([...Array(rounds * 3).keys()]);
      const later = new Date(Date.now() + 1000).toISOString();
      const sa = await a.stateAt(later, 'public');
      const sb = await b.stateAt(later, 'public');
      expect(recordIds(sa.incidents)).toHaveLength(rounds * 3);
      expect(JSON.stringify(sb.incidents)).toBe(JSON.stringify(sa.incidents));
      expect(await exportAndVerify(b)).toBe(rounds * 3);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
