// Classification over HTTP: a public reader never receives restricted content from any
// endpoint, feed, live update or tile; a cleared party gets it and can check it against the
// commitment in the leaf. Restricted statements carry a unique marker; every public response
// is searched for it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entriesPath, tilePath, tilesForSize } from '../../src/log/tile.js';
import { opensCommitment } from '../../src/statement/commitment.js';
import { newNonce, signStatement } from '../../src/statement/envelope.js';
import type { NoteSigner } from '../../src/statement/keys.js';
import { get, incident, type Live, makeDataDir, post, startServer } from './helpers.js';

let live: Live;
const MECH = `MECHMARK${randomBytes(6).toString('hex')}`;
const PARTIES = `PARTYMARK${randomBytes(6).toString('hex')}`;
let mechIndex = 0;
let partiesIndex = 0;
let sse = '';
const ctrl = new AbortController();

function tokenRequest(signer: NoteSigner, party: string, over: Record<string, unknown> = {}) {
  return signStatement(
    {
      kind: 'auth.token',
      agreement: 'lebanon-2026',
      issuer: party,
      key: signer.vkey,
      at: new Date().toISOString(),
      nonce: newNonce(),
      classification: 'public',
      subject: live.service.origin,
      body: {},
      ...over,
    },
    signer,
  );
}

async function token(party: string): Promise<string> {
  const r = await post(`${live.url}/v1/tokens`, tokenRequest(live.keys[party]!, party));
  expect(r.status).toBe(200);
  return r.json.token;
}

beforeAll(async () => {
  live = await startServer(makeDataDir());
  // A public live-update listener for the whole run.
  const res = await fetch(`${live.url}/v1/events`, { signal: ctrl.signal });
  const reader = res.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        sse += Buffer.from(value).toString();
      }
    } catch {}
  })();
  const m = await post(
    `${live.url}/v1/statements`,
    incident(live.keys.monitors!, {
      classification: 'mechanism',
      note: `${MECH} source identity`,
      id: `monitors/inc-${MECH}`,
    }),
  );
  expect(m.status).toBe(201);
  mechIndex = m.json.index;
  const p = await post(
    `${live.url}/v1/statements`,
    incident(live.keys.monitors!, {
      classification: 'parties',
      note: `${PARTIES} detail`,
      id: `monitors/inc-${PARTIES}`,
    }),
  );
  expect(p.status).toBe(201);
  partiesIndex = p.json.index;
  // A public statement after them, so live updates and state changes happen after the restricted ones.
  expect((await post(`${live.url}/v1/statements`, incident(live.keys.monitors!))).status).toBe(201);
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(async () => {
  ctrl.abort();
  await live?.close();
});

const readPaths = (size: number) => [
  '/v1/state',
  '/v1/state?at=2030-01-01',
  '/v1/zones',
  `/v1/zones/${live.service.agreement.zones[0]!.id}`,
  '/v1/incidents',
  '/v1/escrow',
  '/v1/zones.geojson',
  '/v1/incidents.geojson',
  '/v1/overview',
  '/v1/incidents.columns',
  '/v1/incidents.columns?at=2030-01-01',
  `/v1/statements/${mechIndex}`,
  `/v1/statements/${partiesIndex}`,
  '/log/checkpoint',
  '/metrics',
  '/openapi.json',
  '/healthz',
  ...tilesForSize(size).flatMap((t) => [
    `/log/${tilePath(t.level as number, t.index, t.width)}`,
    ...(t.level === 0 ? [`/log/${entriesPath(t.index, t.width)}`] : []),
  ]),
];

describe('a public reader', () => {
  it('never receives restricted content from any endpoint, feed, tile or live update', async () => {
    const size = live.service.log.size;
    const publicToken = await token('unifil'); // a party cleared for public only
    for (const headers of [{}, { authorization: `Bearer ${publicToken}` }] as Record<string, string>[]) {
      for (const path of readPaths(size)) {
        const r = await get(`${live.url}${path}`, headers);
        expect(r.status, path).toBe(200);
        expect(r.buf.includes(MECH), path).toBe(false);
        expect(r.buf.includes(PARTIES), path).toBe(false);
      }
    }
    // The restricted entries are shown as commitments, without content or salt.
    const e = await get(`${live.url}/v1/statements/${mechIndex}`);
    expect(e.json.leaf.commitment.classification).toBe('mechanism');
    expect(e.json).not.toHaveProperty('disclosure');
    expect(e.json).not.toHaveProperty('statement');
    expect(sse).toContain('event: append');
    expect(sse.includes(MECH) || sse.includes(PARTIES)).toBe(false);
  });

  it('cannot confirm a restricted statement by its id', async () => {
    const cleared = await token('monitors');
    const full = await get(`${live.url}/v1/statements/${mechIndex}`, { authorization: `Bearer ${cleared}` });
    const { statementId } = await import('../../src/statement/envelope.js');
    const id = statementId(full.json.statement);
    expect((await get(`${live.url}/v1/statements/${id}`)).status).toBe(404);
    expect(
      (await get(`${live.url}/v1/statements/${id}`, { authorization: `Bearer ${cleared}` })).json.index,
    ).toBe(mechIndex);
  });
});

describe('cleared readers', () => {
  it('a mechanism-cleared party gets the disclosure and it opens the commitment in the leaf', async () => {
    const t = await token('monitors');
    const r = await get(`${live.url}/v1/statements/${mechIndex}`, { authorization: `Bearer ${t}` });
    expect(r.json.disclosure.envelope.statement.body.note).toContain(MECH);
    expect(opensCommitment(r.json.leaf.commitment, r.json.disclosure)).toBe(true);
    const s = await get(`${live.url}/v1/incidents`, { authorization: `Bearer ${t}` });
    expect(s.text).toContain(MECH);
    expect(s.text).toContain(PARTIES);
  });

  it('a parties-cleared party sees parties content but not mechanism content', async () => {
    const t = await token('israel');
    const auth = { authorization: `Bearer ${t}` };
    const s = await get(`${live.url}/v1/state`, auth);
    expect(s.json.clearance).toBe('parties');
    expect(s.text).toContain(PARTIES);
    expect(s.text).not.toContain(MECH);
    const p = await get(`${live.url}/v1/statements/${partiesIndex}`, auth);
    expect(opensCommitment(p.json.leaf.commitment, p.json.disclosure)).toBe(true);
    const m = await get(`${live.url}/v1/statements/${mechIndex}`, auth);
    expect(m.buf.includes(MECH)).toBe(false);
  });
});

describe('tokens', () => {
  it('are refused for a bad request, and a bad token is a 401', async () => {
    const k = live.keys.israel!;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ kind: 'incident.report' }, 400, 'schema'],
      [{ subject: 'another.log/origin' }, 400, 'bad-request'],
      [{ at: new Date(Date.now() - 3_600_000).toISOString() }, 422, 'backdated'],
      [{ issuer: 'lebanon' }, 403, 'key-party-mismatch'],
    ];
    for (const [over, status, code] of cases) {
      const r = await post(`${live.url}/v1/tokens`, tokenRequest(k, 'israel', over));
      expect([r.status, r.json.code]).toEqual([status, code]);
    }
    const req = tokenRequest(k, 'israel');
    expect((await post(`${live.url}/v1/tokens`, req)).status).toBe(200);
    const replay = await post(`${live.url}/v1/tokens`, req);
    expect([replay.status, replay.json.code]).toEqual([409, 'duplicate-nonce']);
    const bad = await get(`${live.url}/v1/state`, { authorization: `Bearer ${'A'.repeat(43)}` });
    expect([bad.status, bad.json.code]).toEqual([401, 'bad-token']);
    const garbled = await get(`${live.url}/v1/state`, { authorization: 'Basic xyz' });
    expect(garbled.status).toBe(401);
  });

  it('cannot be submitted to the log as a statement', async () => {
    const before = (await get(`${live.url}/log/checkpoint`)).text;
    const r = await post(`${live.url}/v1/statements`, tokenRequest(live.keys.israel!, 'israel'));
    expect(r.status).toBe(400);
    expect((await get(`${live.url}/log/checkpoint`)).text).toBe(before);
  });
});
