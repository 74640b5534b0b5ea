// Fuzz campaign over HTTP: mutated statements (as single JSON bodies and as lines of NDJSON
// batches) and mutated token requests, from a seeded generator, against a live server.
// Asserted: no answer is a 5xx and the server stays up; every statement the server admits is one
// that a key holder really signed (its id is one this test signed: a mutation that kept a
// signature valid over other text would show up as an unknown id); and the whole log verifies
// afterwards, every public statement's signature included.
// Reproduce a run with PHASELINE_FUZZ_SEED=<seed printed at the end>.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataDirPaths, readSignerKey } from '../../src/datadir/data-dir.js';
import { mulberry32 } from '../../src/sim/prng.js';
import { signStatement, statementId } from '../../src/statement/envelope.js';
import type { NoteSigner } from '../../src/statement/keys.js';
import type { Classification, Envelope, JsonObject, Statement } from '../../src/statement/types.js';
import { tileSource } from '../../src/verify/tile-source.js';
import { verifyLog } from '../../src/verify/verify-log.js';
import { reportCampaign } from '../helpers/campaign.js';
import { type Live, makeDataDir, startServer } from './helpers.js';

const seed = Number(process.env.PHASELINE_FUZZ_SEED ?? 20261207);
const batches = 70;
const batch_lines = 250;
const single_bodies = 1_500;
const token_bodies = 1_000;
const concurrency = 8;

// The server's clock: one millisecond per reading from a fixed start, so a seed replays exactly.
const start_ms = Date.parse('2026-12-07T12:00:00.000Z');
let clock = start_ms;
let live: Live;
const random = mulberry32(seed);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

beforeAll(async () => {
  live = await startServer(makeDataDir(false), {
    now: () => new Date(clock++).toISOString(),
    rate_address_requests_max: 1_000_000,
    rate_key_statements_burst: 1_000_000,
    rate_key_statements_per_second: 1_000_000,
  });
});
afterAll(async () => {
  await live?.close();
});

/** Ids of every statement this test signed: nothing else may be admitted. */
const signed = new Set<string>();
let serial = 0;

const base64url = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

function nonce(): string {
  let s = '';
  for (let i = 0; i < 22; i++) s += pick(base64url);
  return s;
}

function signAs(party: string, init: Partial<Statement> & { kind: string; body: JsonObject }): Envelope {
  const key: NoteSigner = live.keys[party]!;
  const statement: Statement = {
    agreement: 'lebanon-2026',
    issuer: party,
    key: key.vkey,
    at: new Date(start_ms - int(3_600_000)).toISOString(),
    nonce: nonce(),
    classification: 'public',
    subject: '',
    ...init,
  };
  const env = signStatement(statement, key);
  signed.add(statementId(env.statement));
  return env;
}

const classifications: Classification[] = ['public', 'parties', 'mechanism'];
const when = () => new Date(start_ms - int(86_400_000)).toISOString();

/** A valid statement of a few kinds, restricted ones included. */
function original(): Envelope {
  switch (int(5)) {
    case 0:
    case 1: {
      const classification = pick(classifications);
      return signAs('monitors', {
        kind: 'incident.report',
        subject: `${classification === 'public' ? '' : 'monitors/'}fuzz-${seed}-${serial++}`,
        classification,
        body: {
          date_start: when(),
          date_end: when(),
          type: 'armed-presence',
          latitude: 33 + random(),
          longitude: 35 + random(),
          source_grade: 'B2',
          note: `report ${serial}`,
        },
      });
    }
    case 2:
      return signAs(pick(['lebanon', 'israel', 'usa']), {
        kind: 'zone.stage.sign',
        subject: pick(['sour-south-litani', 'marjayoun', 'bint-jbeil']),
        body: { stage: pick(['agreed', 'clearing', 'withdrawn']) },
      });
    case 3:
      return signAs('monitors', {
        kind: 'incident.notify',
        subject: `fuzz-${seed}-${int(serial + 1)}`,
        body: { threat: 'launcher seen' },
      });
    default:
      return signAs(pick(['lebanon', 'israel']), {
        kind: 'account.attach',
        subject: `fuzz-${seed}-${int(serial + 1)}`,
        body: { position: pick(['accepts', 'disputes']), text: 'our account' },
      });
  }
}

const nasty: unknown[] = [
  '',
  null,
  true,
  0,
  -0,
  1e308,
  -1,
  0.5,
  2 ** 53 + 2,
  [],
  {},
  'x'.repeat(70_000),
  '2026-12-06T24:00:00.000Z',
  '2026-02-30T00:00:00.000Z',
  '2016-12-31T23:59:60.000Z',
  '\ud800',
  '\u0000',
  '\u2028',
  'ﬀ',
  '\uFFFD',
  'mechanism',
  'parties',
  '__proto__',
  { __proto__: 1 },
  { constructor: { prototype: 1 } },
  [[[[[[[[[[]]]]]]]]]],
];

/** Sets or removes a member somewhere in the statement. */
function mutateValue(st: Record<string, unknown>): void {
  const target = random() < 0.5 ? st : ((st.body as Record<string, unknown>) ?? st);
  const keys = Object.keys(target);
  const name =
    random() < 0.8 && keys.length > 0 ? pick(keys) : pick(['extra', '__proto__', 'constructor', 'kind']);
  if (random() < 0.2) delete target[name];
  else target[name] = structuredClone(pick(nasty));
}

/** Text-level mutations: what a hostile or broken client can send. */
function mutateText(text: string): Buffer {
  const bytes = Buffer.from(text);
  const at = int(bytes.length);
  switch (int(11)) {
    case 0: {
      const b = Buffer.from(bytes);
      b[at] = (b[at]! ^ (1 << int(8))) & 0xff;
      return b;
    }
    case 1:
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([int(256)]), bytes.subarray(at)]);
    case 2:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + int(16)))]);
    case 3:
      return bytes.subarray(0, at);
    case 4: {
      // A repeated member name, which JSON.parse would take silently.
      const name = pick(['kind', 'classification', 'subject', 'issuer', 'key', 'body', 'statement', 'sig']);
      const i = text.indexOf('{', at % Math.max(1, text.length - 1));
      const where = i === -1 ? 0 : i + 1;
      return Buffer.from(
        `${text.slice(0, where)}"${name}":${JSON.stringify(pick(nasty))},${text.slice(where)}`,
      );
    }
    case 5:
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 1)]);
    case 6:
      return Buffer.from('['.repeat(1 + int(5000)) + text + ']'.repeat(int(5000)));
    case 7: {
      const junk = Buffer.alloc(1 + int(200));
      for (let i = 0; i < junk.length; i++) junk[i] = int(256);
      return junk;
    }
    case 8:
      return Buffer.from(
        text.replace(/"([a-z]+)":/, (_m, k) => `"\\u00${k.charCodeAt(0).toString(16)}${k.slice(1)}":`),
      );
    case 9:
      return Buffer.from(`${text} ${pick(['{}', '[]', 'null', '1', '"x"'])}`);
    default:
      return Buffer.from(text.replace(/\d/, () => String(int(10))));
  }
}

/** One mutated statement: a text mutation of a valid envelope, or a JSON-level one, re-signed or not. */
function mutant(): Buffer {
  const env = original();
  const r = random();
  if (r < 0.45) return mutateText(JSON.stringify(env));
  const st = structuredClone(env.statement) as unknown as Record<string, unknown>;
  mutateValue(st);
  if (r < 0.75) {
    // Signed after the change: the signature verifies, and the engine's rules decide.
    try {
      const party = typeof st.issuer === 'string' && live.keys[st.issuer] ? st.issuer : 'monitors';
      const key = live.keys[party]!;
      const again = signStatement({ ...(st as unknown as Statement), key: key.vkey }, key);
      signed.add(statementId(again.statement));
      return Buffer.from(JSON.stringify(again));
    } catch {
      return Buffer.from(JSON.stringify({ signatures: env.signatures, statement: st }));
    }
  }
  // Changed after signing, or with its signatures changed: the signature must not verify.
  const signatures =
    random() < 0.5
      ? env.signatures
      : pick([[], [env.signatures[0], env.signatures[0]], original().signatures]);
  return Buffer.from(JSON.stringify({ signatures, statement: st }));
}

const statuses = new Map<number, number>();
let admitted = 0;
let foreign = 0;

function count(status: number): void {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}

function checkAdmitted(id: unknown): void {
  admitted++;
  if (typeof id !== 'string' || !signed.has(id)) foreign++;
}

const headerVariants: Record<string, string>[] = [
  {},
  {},
  {},
  { 'content-type': 'application/json; charset=utf-8' },
  { 'content-type': 'application/json; charset=latin1' },
  { 'content-type': 'text/plain' },
  { 'content-encoding': 'gzip' },
];

async function send(path: string, body: Buffer, contentType: string): Promise<Response> {
  const headers = { 'content-type': contentType, ...(random() < 0.1 ? pick(headerVariants) : {}) };
  return fetch(`${live.url}${path}`, { method: 'POST', headers, body: new Uint8Array(body) });
}

async function inParallel(n: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

it(`survives ${batches * batch_lines + single_bodies + token_bodies} mutated statements and bodies, admits only what was signed, and its log verifies`, async () => {
  const started = Date.now();
  // Batches: each line a mutant; the answer has a line per non-blank line.
  for (let b = 0; b < batches; b++) {
    const lines: Buffer[] = [];
    for (let i = 0; i < batch_lines; i++)
      lines.push(Buffer.from(mutant().toString('latin1').replace(/\n/g, ' '), 'latin1'));
    const res = await send(
      '/v1/statements',
      Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])),
      'application/x-ndjson',
    );
    count(res.status);
    const text = await res.text();
    if (res.status === 200)
      for (const l of text.split('\n')) {
        if (l === '') continue;
        const r = JSON.parse(l) as { index?: number; id?: string };
        if (r.index !== undefined) checkAdmitted(r.id);
      }
  }
  const batched = Date.now();
  // Single statements and token requests, several connections at once.
  const bodies = Array.from({ length: single_bodies }, () => mutant());
  await inParallel(bodies.length, async (i) => {
    const res = await send('/v1/statements', bodies[i]!, 'application/json');
    count(res.status);
    const json = (await res.json().catch(() => ({}))) as { id?: string };
    if (res.status === 201) checkAdmitted(json.id);
  });
  const tokenRequests = Array.from({ length: token_bodies }, () => {
    const party = pick(['monitors', 'israel', 'lebanon', 'trustee']);
    const env = signAs(party, {
      kind: 'auth.token',
      at: new Date(clock).toISOString(),
      subject: live.service.origin,
      body: {},
    });
    const st = structuredClone(env.statement) as unknown as Record<string, unknown>;
    if (random() < 0.5) return mutateText(JSON.stringify(env));
    mutateValue(st);
    let resigned: Envelope | undefined;
    try {
      if (random() < 0.5) resigned = signStatement(st as unknown as Statement, live.keys[party]!);
    } catch {}
    return Buffer.from(JSON.stringify(resigned ?? { ...env, statement: st }));
  });
  const singles = Date.now();
  let tokens = 0;
  await inParallel(tokenRequests.length, async (i) => {
    const res = await send('/v1/tokens', tokenRequests[i]!, 'application/json');
    count(res.status);
    await res.arrayBuffer();
    if (res.status === 200) tokens++;
  });

  const verified = Date.now();
  const health = await fetch(`${live.url}/healthz`);
  expect(health.status).toBe(200);
  const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  const key = readSignerKey(dataDirPaths(live.dir).logKeyPath).vkey;
  const report = await verifyLog(tileSource(`${live.url}/log`), { key, statements: true });
  reportCampaign('fuzz (HTTP)', {
    seed: String(seed),
    'mutated statements and bodies': batches * batch_lines + single_bodies + token_bodies,
    admitted,
    'admitted but never signed': foreign,
    'tokens issued': tokens,
    '5xx': fivexx,
    'log size verified': report.size,
    'seconds (batches + single bodies + tokens + verify)': [
      batched - started,
      singles - batched,
      verified - singles,
      Date.now() - verified,
    ]
      .map((ms) => (ms / 1000).toFixed(1))
      .join(' + '),
  });
  expect(Object.fromEntries([...statuses].filter(([s]) => s >= 500))).toEqual({});
  expect(foreign).toBe(0);
  expect(report.size).toBe(await live.service.size());
  expect(admitted).toBeGreaterThan(0);
}, 300_000);
