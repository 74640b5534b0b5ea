// The write path is no oracle (finding 1 of the hardening issue; docs/design.md): a party not
// cleared for a record got 409 "id … is already used" for the id of a mechanism-only incident
// (201 for an unused id), and 201 versus 422 unknown-subject for an account or notification
// on it, depending on whether it existed. Two offices hold the same number of entries at the
// same times, one with restricted incidents and one with other restricted incidents; every
// write a submitter may send is sent, as the same signed bytes, to both. A submitter not
// cleared for the difference gets the same answer (status, code, message, index) from both; a
// cleared one may not, which shows the comparison can see a difference.
import { cpSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signStatement } from '../../src/statement/envelope.js';
import type { Classification, Envelope, JsonObject } from '../../src/statement/types.js';
import { type Live, makeDataDir, startServer } from './helpers.js';

const start_ms = Date.parse('2026-12-07T12:00:00.000Z');
let withSecrets: Live;
let withoutSecrets: Live;
let keysFrom: Live;
let serial = 0;

/** The same clock on both servers: each reading one millisecond later. */
function clock(): () => string {
  let t = start_ms;
  return () => new Date(t++).toISOString();
}

function signed(
  party: string,
  kind: string,
  subject: string,
  body: JsonObject,
  classification: Classification = 'public',
): Envelope {
  const k = keysFrom.keys[party]!;
  return signStatement(
    {
      kind,
      agreement: 'lebanon-2026',
      issuer: party,
      key: k.vkey,
      at: new Date(start_ms - 60_000).toISOString(),
      nonce: `write-oracle-probe-${serial++}`,
      classification,
      subject,
      body,
    },
    k,
  );
}

const report = (party: string, id: string, classification: Classification = 'public') =>
  signed(
    party,
    'incident.report',
    id,
    {
      date_start: '2026-12-07T10:00:00.000Z',
      date_end: '2026-12-07T10:00:00.000Z',
      type: 'armed-presence',
      source_grade: 'B2',
    },
    classification,
  );

async function answer(live: Live, env: Envelope): Promise<unknown> {
  const res = await fetch(`${live.url}/v1/statements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(env),
  });
  const json = (await res.json()) as Record<string, unknown>;
  // The receipt is signed over each log's own root: the rest is the answer.
  return { status: res.status, code: json.code, message: json.message, index: json.index, id: json.id };
}

beforeAll(async () => {
  // Both offices get the same party keys: the second directory is a copy of the first.
  const dir = makeDataDir(false);
  const copy = `${dir}-copy`;
  dirs.push(dir, copy);
  cpSync(dir, copy, { recursive: true });
  withSecrets = await startServer(dir, { now: clock() });
  withoutSecrets = await startServer(copy, { now: clock() });
  keysFrom = withSecrets;
  // The restricted state: a mechanism and a parties incident in one office, other ones (same
  // count, same times) in the other.
  const restricted = [
    [
      report('monitors', 'monitors/secret-1', 'mechanism'),
      report('monitors', 'monitors/other-1', 'mechanism'),
    ],
    [report('monitors', 'monitors/closed-1', 'parties'), report('monitors', 'monitors/other-2', 'parties')],
  ];
  for (const [a, b] of restricted) {
    expect(await answer(withSecrets, a!)).toMatchObject({ status: 201 });
    expect(await answer(withoutSecrets, b!)).toMatchObject({ status: 201 });
  }
});
const dirs: string[] = [];
afterAll(async () => {
  await withSecrets?.close();
  await withoutSecrets?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every write that names one of the restricted ids, or could collide with one. */
function probes(party: string): Envelope[] {
  const out: Envelope[] = [];
  for (const id of ['monitors/secret-1', 'monitors/closed-1', 'secret-1', 'closed-1']) {
    out.push(report(party, id));
    out.push(report(party, id, 'mechanism'));
    out.push(report(party, `${party}/${id}`, 'mechanism'));
    out.push(signed(party, 'account.attach', id, { position: 'disputes', text: 'our account' }));
    out.push(signed(party, 'incident.notify', id, { threat: 'launcher seen' }));
    out.push(signed(party, 'incident.response', id, { action: 'acted' }));
    out.push(signed(party, 'finding.issue', id, { outcome: 'unfounded' }));
    out.push(
      signed(party, 'strike.declare', `${party}-strike-${serial}`, { target: 'launcher', respondsTo: id }),
    );
    out.push(signed(party, 'strike.justify', id, { justification: 'imminent' }));
  }
  return out;
}

it('answers a submitter not cleared for the restricted records exactly as if they were other records', async () => {
  let compared = 0;
  // unifil reads public only; lebanon, israel, laf and trustee read parties (the agreement's default).
  for (const party of ['unifil', 'lebanon', 'israel', 'laf', 'trustee']) {
    for (const env of probes(party)) {
      // A parties-cleared submitter may read monitors/closed-1: such a write is not sent at all
      // (its answers may differ, and the two logs must stay the same length).
      if (party !== 'unifil' && JSON.stringify(env.statement).includes('"monitors/closed-1"')) continue;
      const a = await answer(withSecrets, env);
      const b = await answer(withoutSecrets, env);
      expect(a, `${party}: ${env.statement.kind} ${env.statement.subject}`).toEqual(b);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(100);
});

it('answers a cleared submitter from what it may read, so the comparison does see a difference', async () => {
  const env = signed('usa', 'account.attach', 'monitors/secret-1', { position: 'accepts', text: 'seen' });
  const a = (await answer(withSecrets, env)) as { status: number };
  const b = (await answer(withoutSecrets, env)) as { status: number; code: string };
  expect([a.status, b.status, b.code]).toEqual([201, 422, 'unknown-subject']);
});
