// The HTTP API over real HTTP on 127.0.0.1: every endpoint, every rejection path (right status,
// a message, and the log unchanged), receipts that verify offline, tiles byte-identical to
// `phaseline log export`, and `phaseline verify` against the live /log URL.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTiles } from '../../src/export/export-tiles.js';
import { verifyReceipt } from '../../src/log/receipt.js';
import { generateKeyPair, parseSignerKey } from '../../src/statement/keys.js';
import { encodeEntry, type LogEntry } from '../../src/statement/log-entry.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { cliMain, repoRoot, tempDir } from '../helpers/cli.js';
import { get, incident, type Live, makeDataDir, openEvents, post, sign, startServer } from './helpers.js';

let live: Live;

beforeAll(async () => {
  live = await startServer(makeDataDir());
});
afterAll(async () => {
  await live?.close();
});

const checkpoint = async () => (await get(`${live.url}/log/checkpoint`)).text;

function files(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(root, p));
    else out.push(relative(root, p));
  }
  return out;
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('reads', () => {
  it('answers /healthz, /metrics, /openapi.json and /docs', async () => {
    const h = await get(`${live.url}/healthz`);
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ ok: true, origin: live.service.origin });
    const m = await get(`${live.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.text).toContain('phaseline_log_size');
    expect(m.text).toContain('phaseline_http_requests_total');
    const o = await get(`${live.url}/openapi.json`);
    expect(o.json.openapi).toMatch(/^3\./);
    for (const p of [
      '/v1/statements',
      '/v1/statements/{idOrIndex}',
      '/v1/state',
      '/v1/zones',
      '/v1/zones/{id}',
      '/v1/incidents',
      '/v1/escrow',
      '/v1/zones.geojson',
      '/v1/incidents.geojson',
      '/v1/overview',
      '/v1/incidents.columns',
      '/v1/events',
      '/v1/tokens',
      '/log/checkpoint',
      '/log/tile/{*}',
      '/healthz',
      '/metrics',
    ])
      expect(Object.keys(o.json.paths)).toContain(p);
    const d = await get(`${live.url}/docs/`);
    expect(d.status).toBe(200);
    expect(d.text).toContain('swagger');
  });

  it('serves the state now and at a past time, per zone, incidents, escrow', async () => {
    const s = await get(`${live.url}/v1/state`);
    expect(s.status).toBe(200);
    expect(s.json.clearance).toBe('public');
    expect(s.json.zones.length).toBeGreaterThan(0);
    const z = s.json.zones[0];
    expect(z).toHaveProperty('stage');
    expect(z).toHaveProperty('waitingFor');
    expect(z).toHaveProperty('claims');
    expect(z).toHaveProperty('inventory');
    for (const k of ['incidents', 'findings', 'units', 'truce', 'escrow']) expect(s.json).toHaveProperty(k);
    expect(s.json.incidents.length).toBeGreaterThan(0);
    const past = await get(`${live.url}/v1/state?at=2026-07-01`);
    expect(past.json.at).toBe('2026-07-01T00:00:00.000Z');
    expect(past.json.log.folded).toBeLessThan(s.json.log.folded);
    const zones = await get(`${live.url}/v1/zones`);
    expect(zones.json.zones.map((x: { id: string }) => x.id)).toEqual(
      s.json.zones.map((x: { id: string }) => x.id),
    );
    const one = await get(`${live.url}/v1/zones/${z.id}?at=2026-08-01`);
    expect(one.status).toBe(200);
    expect(one.json.id).toBe(z.id);
    const none = await get(`${live.url}/v1/zones/no-such-zone`);
    expect(none.status).toBe(404);
    expect(none.json.code).toBe('not-found');
    const inc = await get(`${live.url}/v1/incidents`);
    expect(inc.json.incidents.length).toBe(s.json.incidents.length);
    const esc = await get(`${live.url}/v1/escrow`);
    expect(esc.json).toHaveProperty('summary.available');
  });

  it('pages incidents and strikes: totals, a window in log order, the next page, and findings for that page only', async () => {
    const all = await get(`${live.url}/v1/incidents?limit=10000`);
    const total = all.json.total.incidents as number;
    expect(total).toBe(all.json.incidents.length);
    expect(total).toBeGreaterThan(5);
    expect(all.json.next).toBeNull();
    const page = await get(`${live.url}/v1/incidents?offset=2&limit=3`);
    expect(page.status).toBe(200);
    expect(page.json.total.incidents).toBe(total);
    expect(page.json.incidents.map((i: { id: string }) => i.id)).toEqual(
      all.json.incidents.slice(2, 5).map((i: { id: string }) => i.id),
    );
    expect(page.json.next).toEqual({ offset: 5, limit: 3 });
    const subjects = new Set([...page.json.incidents, ...page.json.strikes].map((r: { id: string }) => r.id));
    for (const k of Object.keys(page.json.findings)) expect(subjects.has(k)).toBe(true);
    const geo = await get(`${live.url}/v1/incidents.geojson?limit=2`);
    expect(geo.json.features.length).toBeLessThanOrEqual(2);
    expect(geo.json.total.incidents).toBe(total);
    const tooMany = await get(`${live.url}/v1/incidents?limit=10001`);
    expect(tooMany.status).toBe(400);
    const bad = await get(`${live.url}/v1/state?at=yesterday-ish`);
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('bad-time');
  });

  it('serves the overview: the state without its lists, after the last entry and at a past time', async () => {
    for (const at of ['?at=2030-01-01T00:00:00Z', '?at=2026-08-01T12:00:00Z']) {
      const whole = (await get(`${live.url}/v1/state${at}`)).json;
      const o = await get(`${live.url}/v1/overview${at}`);
      expect(o.status).toBe(200);
      for (const k of ['incidents', 'strikes', 'findings', 'total', 'next'])
        expect(o.json).not.toHaveProperty(k);
      for (const k of ['at', 'log', 'zones', 'violationsBy', 'units', 'benchmarks', 'truce', 'escrow'])
        expect(o.json[k], k).toEqual(whole[k]);
    }
  });

  it('serves every incident as columns: the paged list’s incidents, findings and strikes, now and at a past time', async () => {
    type Coded = { values: (string | null)[]; codes: number[] };
    const value = (c: Coded, k: number) => c.values[c.codes[k]!];
    for (const at of ['', '?at=2026-08-01T12:00:00Z']) {
      const list = (await get(`${live.url}/v1/incidents${at}${at ? '&' : '?'}limit=10000`)).json;
      const c = await get(`${live.url}/v1/incidents.columns${at}`);
      expect(c.status).toBe(200);
      const cols = c.json.incidents;
      expect(c.json.count).toBe(list.total.incidents);
      expect(cols.entry.length).toBe(list.incidents.length);
      list.incidents.forEach(
        (
          i: {
            entry: number;
            admitted: string;
            date_start: string;
            latitude: number | null;
            longitude: number | null;
            zone: string | null;
            type: string;
            actor: string | null;
            source_grade: string;
            notification: unknown;
            response: { action: string } | null;
            finding: { effective: { outcome: string } | null } | null;
          },
          k: number,
        ) => {
          expect(cols.entry[k]).toBe(i.entry);
          expect(cols.admitted_ms[k]).toBe(Date.parse(i.admitted));
          expect(cols.date_start_ms[k]).toBe(Date.parse(i.date_start));
          expect([cols.longitude[k], cols.latitude[k]]).toEqual([i.longitude, i.latitude]);
          expect(value(cols.zone, k)).toBe(i.zone);
          expect(value(cols.type, k)).toBe(i.type);
          expect(value(cols.actor, k)).toBe(i.actor);
          expect(value(cols.source_grade, k)).toBe(i.source_grade);
          expect(value(cols.finding, k)).toBe(i.finding?.effective?.outcome ?? null);
          expect(value(cols.response, k)).toBe(
            i.response?.action ?? (i.notification !== null ? 'notified' : 'none'),
          );
          expect(c.json.findings[i.entry] ?? null).toEqual(i.finding);
        },
      );
      expect(Object.keys(c.json.findings).length).toBeGreaterThan(0);
      expect(c.json.strikes).toEqual(list.strikes);
    }
  });

  it('serves GeoJSON feeds of zones (with stage, illustrative) and incidents (points)', async () => {
    const z = await get(`${live.url}/v1/zones.geojson`);
    expect(z.headers.get('content-type')).toContain('application/geo+json');
    expect(z.json.type).toBe('FeatureCollection');
    const f = z.json.features[0];
    expect(f.geometry.type).toMatch(/Polygon/);
    expect(f.properties).toHaveProperty('stage');
    expect(f.properties.illustrative).toBe(true);
    const i = await get(`${live.url}/v1/incidents.geojson`);
    expect(i.json.features.length).toBeGreaterThan(0);
    expect(i.json.features[0].geometry.type).toBe('Point');
  });

  it('serves a statement by index and by id, with a receipt', async () => {
    const byIndex = await get(`${live.url}/v1/statements/3`);
    expect(byIndex.status).toBe(200);
    expect(byIndex.json.index).toBe(3);
    const id = (await get(`${live.url}/v1/statements/3`)).json;
    const leafBytes = encodeEntry(id.leaf as LogEntry);
    verifyReceipt(id.receipt, leafBytes, live.service.logKey, live.service.origin);
    expect(id.simulated).toBe(true);
    const { statementId } = await import('../../src/statement/envelope.js');
    const sid = statementId(id.statement);
    const byId = await get(`${live.url}/v1/statements/${sid}`);
    expect(byId.json.index).toBe(3);
    expect((await get(`${live.url}/v1/statements/99999999`)).status).toBe(404);
    expect((await get(`${live.url}/v1/statements/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await get(`${live.url}/v1/statements/xyz`)).status).toBe(400);
  });

  it('answers unknown routes with 404 and a code', async () => {
    const r = await get(`${live.url}/v2/nothing`);
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('not-found');
  });

  it('lets browsers from any origin read (CORS)', async () => {
    const r = await fetch(`${live.url}/v1/state`, {
      method: 'OPTIONS',
      headers: { origin: 'https://map.example', 'access-control-request-method': 'GET' },
    });
    expect(r.status).toBeLessThan(300);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('submissions', () => {
  it('admits one statement with 201 {index, id, receipt} and the receipt verifies offline', async () => {
    const before = (await get(`${live.url}/healthz`)).json.size;
    const r = await post(`${live.url}/v1/statements`, incident(live.keys.monitors!));
    expect(r.status).toBe(201);
    expect(r.json.index).toBe(before);
    const e = await get(`${live.url}/v1/statements/${r.json.index}`);
    const v = verifyReceipt(
      r.json.receipt,
      encodeEntry(e.json.leaf),
      live.service.logKey,
      live.service.origin,
    );
    expect(v.index).toBe(before);
    expect((await get(`${live.url}/healthz`)).json.size).toBe(before + 1);
  });

  it('admits an NDJSON batch with one result line per input line, with line numbers', async () => {
    const good = [incident(live.keys.monitors!), incident(live.keys.monitors!)];
    const body = `${JSON.stringify(good[0])}\n\n{not json\n${JSON.stringify(good[1])}\n${JSON.stringify(good[0])}\n`;
    const res = await fetch(`${live.url}/v1/statements`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5]);
    expect(lines[0]).toHaveProperty('receipt');
    expect(lines[1].code).toBe('malformed-json');
    expect(lines[1].message).toMatch(/^line 3 is not JSON: /);
    expect(lines[2].index).toBe(lines[0].index + 1);
    expect(lines[3].code).toBe('duplicate-statement');
  });

  describe('rejections: right status, a message, and the log unchanged', () => {
    const cases: [string, () => Promise<{ status: number; json: any }>, number, string][] = [
      [
        'bad signature',
        () => {
          const env = incident(live.keys.monitors!);
          (env.statement.body as { note?: string }).note = 'changed after signing';
          return post(`${live.url}/v1/statements`, env);
        },
        401,
        'signature',
      ],
      [
        'unknown key',
        () => {
          const stranger = parseSignerKey(generateKeyPair('stranger').skey);
          return post(`${live.url}/v1/statements`, incident(stranger));
        },
        401,
        'unknown-key',
      ],
      [
        'role not allowed',
        () =>
          post(
            `${live.url}/v1/statements`,
            sign(live.keys.unifil!, 'unifil', {
              kind: 'withdrawal.observe',
              subject: live.service.agreement.zones[0]!.id,
              body: { observed: 'withdrawn' },
            }),
          ),
        403,
        'role-not-allowed',
      ],
      [
        'unknown zone',
        () =>
          post(
            `${live.url}/v1/statements`,
            sign(live.keys.lebanon!, 'lebanon', {
              kind: 'zone.stage.sign',
              subject: 'no-such-zone',
              body: { stage: 'agreed' },
            }),
          ),
        422,
        'unknown-subject',
      ],
      [
        'time before the backdating window',
        () => {
          const env = incident(live.keys.monitors!);
          return post(
            `${live.url}/v1/statements`,
            sign(live.keys.monitors!, 'monitors', {
              kind: env.statement.kind,
              subject: env.statement.subject,
              body: env.statement.body,
              at: new Date(Date.now() - 3 * 86_400_000).toISOString(),
            }),
          );
        },
        422,
        'backdated',
      ],
      [
        'time after the clock-skew window',
        () => {
          const env = incident(live.keys.monitors!);
          return post(
            `${live.url}/v1/statements`,
            sign(live.keys.monitors!, 'monitors', {
              kind: env.statement.kind,
              subject: env.statement.subject,
              body: env.statement.body,
              at: new Date(Date.now() + 3_600_000).toISOString(),
            }),
          );
        },
        422,
        'clock-skew',
      ],
      [
        'wrong agreement',
        () =>
          post(
            `${live.url}/v1/statements`,
            sign(live.keys.lebanon!, 'lebanon', {
              kind: 'zone.stage.sign',
              subject: 'x',
              body: { stage: 'agreed' },
              agreement: 'another-agreement',
            }),
          ),
        422,
        'wrong-agreement',
      ],
      ['malformed JSON', () => post(`${live.url}/v1/statements`, '{"statement": '), 400, 'malformed-json'],
      ['not an envelope', () => post(`${live.url}/v1/statements`, { hello: 'world' }), 400, 'schema'],
      [
        'oversized body',
        () => post(`${live.url}/v1/statements`, JSON.stringify({ pad: 'x'.repeat(1_100_000) })),
        413,
        'body-too-large',
      ],
      [
        'statement over 64,000 bytes',
        () => {
          const env = incident(live.keys.monitors!, { note: 'x'.repeat(3000) });
          const body = env.statement.body as Record<string, unknown>;
          body.evidence = Array.from({ length: 1200 }, (_, i) => `${i}`.padStart(64, 'a'));
          return post(
            `${live.url}/v1/statements`,
            sign(live.keys.monitors!, 'monitors', {
              kind: env.statement.kind,
              subject: env.statement.subject,
              body: env.statement.body,
            }),
          );
        },
        413,
        'size',
      ],
      [
        'unsupported content type',
        async () => {
          const res = await fetch(`${live.url}/v1/statements`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'hello',
          });
          return { status: res.status, json: await res.json() };
        },
        415,
        'unsupported-media-type',
      ],
    ];
    for (const [name, send, status, code] of cases) {
      it(`${name} → ${status} ${code}`, async () => {
        const before = await checkpoint();
        const r = await send();
        expect(r.json.code).toBe(code);
        expect(r.status).toBe(status);
        expect(r.json.message).toMatch(/\w+ \w+/);
        expect(await checkpoint()).toBe(before);
      });
    }

    it('names the body in a malformed statement’s message (it is parsed by a verification worker)', async () => {
      const r = await post(`${live.url}/v1/statements`, '{"statement": ');
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/^the body is not JSON: /);
    });

    it('duplicate → 409 duplicate-statement', async () => {
      const env = incident(live.keys.monitors!);
      expect((await post(`${live.url}/v1/statements`, env)).status).toBe(201);
      const before = await checkpoint();
      const r = await post(`${live.url}/v1/statements`, env);
      expect(r.status).toBe(409);
      expect(r.json.code).toBe('duplicate-statement');
      expect(await checkpoint()).toBe(before);
    });

    it('revoked key → 403 revoked-key', async () => {
      const extra = generateKeyPair('israel');
      const reg = sign(live.keys.israel!, 'israel', {
        kind: 'key.register',
        subject: 'israel',
        body: { key: extra.vkey },
      });
      expect((await post(`${live.url}/v1/statements`, reg)).status).toBe(201);
      const signer = parseSignerKey(extra.skey);
      const ok = sign(signer, 'israel', {
        kind: 'withdrawal.claim',
        subject: live.service.agreement.zones[0]!.id,
        body: { note: 'signed with the new key' },
      });
      expect((await post(`${live.url}/v1/statements`, ok)).status).toBe(201);
      const rev = sign(live.keys.israel!, 'israel', {
        kind: 'key.revoke',
        subject: 'israel',
        body: { key: extra.vkey },
      });
      expect((await post(`${live.url}/v1/statements`, rev)).status).toBe(201);
      const before = await checkpoint();
      const r = await post(
        `${live.url}/v1/statements`,
        sign(signer, 'israel', {
          kind: 'withdrawal.claim',
          subject: live.service.agreement.zones[0]!.id,
          body: { note: 'after revocation' },
        }),
      );
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('revoked-key');
      expect(await checkpoint()).toBe(before);
    });
  });
});

describe('the log over HTTP', () => {
  it('serves checkpoint, tiles and entry bundles byte-identical to phaseline log export', async () => {
    const out = tempDir('phaseline-export-');
    await exportTiles(new SyncLogStoreAdapter(live.service.log.store), out);
    const paths = files(out);
    expect(paths.length).toBeGreaterThan(4);
    for (const p of paths) {
      const r = await get(`${live.url}/log/${p}`);
      expect(r.status, p).toBe(200);
      expect(r.buf.equals(readFileSync(join(out, p))), p).toBe(true);
    }
    // A partial tile of a width below the current one is a prefix; a width above it does not exist.
    const size = live.service.log.size;
    const w = size % 256;
    const part = await get(
      `${live.url}/log/tile/0/${String(Math.floor(size / 256)).padStart(3, '0')}.p/${w - 1}`,
    );
    expect(part.buf.length).toBe((w - 1) * 32);
    expect((await get(`${live.url}/log/tile/0/999`)).status).toBe(404);
    expect((await get(`${live.url}/log/tile/0/000.p/0300`)).status).toBe(404);
    expect((await get(`${live.url}/log/tile/entries/x001/000`)).status).toBe(404);
  });

  it('passes phaseline verify against the live /log URL', async () => {
    const r = await runCli([
      'verify',
      `${live.url}/log`,
      '--key',
      live.service.logKey,
      '--statements',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).size).toBe(live.service.log.size);
  }, 60_000);
});

describe('live updates', () => {
  it('sends an append event with the new size and checkpoint after a commit', async () => {
    const ctrl = new AbortController();
    const events = await openEvents(live.url, ctrl.signal);
    expect(events.res.headers.get('content-type')).toContain('text/event-stream');
    await events.until((t) => t.includes('event: hello'));
    const r = await post(`${live.url}/v1/statements`, incident(live.keys.monitors!));
    await events.until((t) => t.includes('event: append'));
    const data = events.data('append') as { size: number; checkpoint: string };
    expect(data.size).toBe(r.json.index + 1);
    expect(data.checkpoint).toContain(`\n${r.json.index + 1}\n`);
    ctrl.abort();
  });
});

describe('live updates of stages', () => {
  it('sends a stage event, to public readers too, when a zone changes stage', async () => {
    const fresh = await startServer(makeDataDir(false));
    const ctrl = new AbortController();
    try {
      const events = await openEvents(fresh.url, ctrl.signal);
      await events.until((t) => t.includes('event: hello'));
      // The plan of the pilot zone, signed by the host state, the withdrawing force and the guarantor.
      const zone = 'sour-south-litani';
      const sizes: number[] = [];
      for (const party of ['lebanon', 'israel', 'usa']) {
        const r = await post(
          `${fresh.url}/v1/statements`,
          sign(fresh.keys[party]!, party, {
            kind: 'zone.stage.sign',
            subject: zone,
            body: { stage: 'agreed' },
          }),
        );
        expect(r.status).toBe(201);
        sizes.push(r.json.index + 1);
      }
      const text = await events.until((t) => t.includes('event: stage'));
      const data = events.data('stage');
      expect(data).toMatchObject({ zone, from: 'defined', to: 'agreed' });
      // Announced with the commit of the third signature, not before.
      expect(data.size).toBe(sizes[2]);
      expect(text.split('event: stage').length - 1).toBe(1);
    } finally {
      ctrl.abort();
      await fresh.close();
    }
  });
});

describe('rate limits', () => {
  it('limits requests per address and statements per key', async () => {
    const small = await startServer(makeDataDir(false), {
      rate_address_requests_max: 5,
      rate_key_statements_burst: 2,
      rate_key_statements_per_second: 0.001,
    });
    try {
      const s = small;
      // An open live-update stream does not keep the server from closing (finally below).
      const stream = await fetch(`${s.url}/v1/events`);
      expect(stream.status).toBe(200);
      // A forged statement naming the key (its signature does not verify) is rejected as such
      // and takes nothing from the key's allowance: the limit counts verified statements.
      const forged = incident(s.keys.monitors!);
      (forged.statement.body as { note?: string }).note = 'changed after signing';
      const forgedLines = `${JSON.stringify(forged)}\n`.repeat(3);
      const batch = await fetch(`${s.url}/v1/statements`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: forgedLines,
      });
      expect(
        (await batch.text())
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).code),
      ).toEqual(['signature', 'signature', 'signature']);
      const codes: number[] = [];
      const bodies: { code?: string; message?: string }[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await post(`${s.url}/v1/statements`, incident(s.keys.monitors!));
        codes.push(r.status);
        bodies.push(r.json);
      }
      expect(codes.slice(0, 2)).toEqual([201, 201]);
      expect(codes[2]).toBe(429);
      expect(bodies[2]).toMatchObject({ code: 'rate-limited' });
      expect(bodies[2]!.message).toMatch(/statements per second/);
      let last = 0;
      for (let i = 0; i < 3; i++) last = (await get(`${s.url}/v1/zones`)).status;
      expect(last).toBe(429);
      const body = (await get(`${s.url}/v1/zones`)).json;
      expect(body.code).toBe('rate-limited');
      expect((await get(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
