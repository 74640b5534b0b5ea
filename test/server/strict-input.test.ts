// Strict input over HTTP (finding 4 of the hardening issue): each of these was admitted, or
// silently reinterpreted, before. A time with hour 24; a repeated member name (JSON.parse keeps
// the last one, so the signature verified over text other parsers read differently); a raw 0xFF
// byte (stored as U+FFFD, which the signature then covered); a declared charset or content
// coding ignored; a token request for restricted content. Each is refused with a code and a
// sentence naming what and where, and the log does not grow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incident, type Live, makeDataDir, post, sign, startServer, tokenRequest } from './helpers.js';

let live: Live;

beforeAll(async () => {
  live = await startServer(makeDataDir(false));
});
afterAll(async () => {
  await live?.close();
});

async function size(): Promise<number> {
  return live.service.size();
}

async function postBytes(body: Buffer, contentType: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${live.url}/v1/statements`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, text };
}

describe('statements over HTTP are read as I-JSON', () => {
  it('a time with hour 24 is refused (RFC 3339 and Go allow hours 00–23)', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const env = sign(live.keys.monitors!, 'monitors', {
      kind: 'observation.note',
      subject: 'buffer-strip',
      body: { text: 'patrol' },
      at: `${yesterday}T24:00:00.000Z`,
    });
    const before = await size();
    const r = await post(`${live.url}/v1/statements`, env);
    expect([r.status, r.json.code]).toEqual([400, 'schema']);
    expect(r.json.message).toMatch(/^malformed envelope: statement\.at: .*hours 00–23/);
    expect(await size()).toBe(before);
  });

  it('a repeated member name is refused, naming the name and where it is', async () => {
    const env = incident(live.keys.monitors!);
    const text = JSON.stringify(env).replace('"subject":', '"subject":"someone-elses-incident","subject":');
    const before = await size();
    const r = await post(`${live.url}/v1/statements`, text);
    expect([r.status, r.json.code]).toEqual([400, 'duplicate-member']);
    expect(r.json.message).toContain('the body repeats the member name "subject" in statement');
    expect(r.json.message).toMatch(/line 1, column \d+/);
    // In a batch, only its line is refused.
    const good = incident(live.keys.monitors!);
    const batch = `${text}\n${JSON.stringify(good)}\n`;
    const b = await postBytes(Buffer.from(batch), 'application/x-ndjson');
    const lines = b.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ line: 1, code: 'duplicate-member' });
    expect(lines[1]).toMatchObject({ line: 2, index: before });
  });

  it('a byte that is not UTF-8 is refused, not replaced by U+FFFD', async () => {
    // Signed over U+FFFD: the old server decoded 0xFF to U+FFFD, and the signature verified.
    const env = incident(live.keys.monitors!, { note: 'seen at \uFFFD checkpoint' });
    const utf8 = Buffer.from(JSON.stringify(env));
    const at = utf8.indexOf(Buffer.from('\uFFFD'));
    const raw = Buffer.concat([utf8.subarray(0, at), Buffer.from([0xff]), utf8.subarray(at + 3)]);
    const before = await size();
    const r = await postBytes(raw, 'application/json');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'invalid-utf8' });
    expect(JSON.parse(r.text).message).toContain(
      `the body is not UTF-8: byte 0xff at offset ${at} does not begin`,
    );
    const b = await postBytes(
      Buffer.concat([Buffer.from('\n'), raw, Buffer.from('\n')]),
      'application/x-ndjson',
    );
    expect(JSON.parse(b.text.trim())).toMatchObject({ line: 2, code: 'invalid-utf8' });
    expect(await size()).toBe(before);
  });

  it('a declared charset other than UTF-8, or a content coding, is refused with 415', async () => {
    const body = Buffer.from(JSON.stringify(incident(live.keys.monitors!)));
    const before = await size();
    for (const [headers, type, code] of [
      [{}, 'application/json; charset=latin1', 'unsupported-charset'],
      [{}, 'application/x-ndjson; charset="ISO-8859-1"', 'unsupported-charset'],
      [{ 'content-encoding': 'gzip' }, 'application/json', 'unsupported-encoding'],
      [{ 'content-encoding': 'br' }, 'application/x-ndjson', 'unsupported-encoding'],
    ] as const) {
      const r = await postBytes(body, type, headers);
      expect([r.status, JSON.parse(r.text).code]).toEqual([415, code]);
      expect(JSON.parse(r.text).message).toMatch(/UTF-8|uncompressed/);
    }
    expect(await size()).toBe(before);
    // UTF-8 declared in any spelling is read.
    const ok = await postBytes(body, 'application/json; charset=UTF-8');
    expect(ok.status).toBe(201);
  });

  it('a token request must say classification "public"', async () => {
    const k = live.keys.monitors!;
    const request = (classification: 'public' | 'mechanism') =>
      tokenRequest(k, 'monitors', live.service.origin, { classification });
    const r = await post(`${live.url}/v1/tokens`, request('mechanism'));
    expect([r.status, r.json.code]).toEqual([400, 'schema']);
    expect(r.json.message).toContain('statement.classification must be "public", not "mechanism"');
    expect((await post(`${live.url}/v1/tokens`, request('public'))).status).toBe(200);
  });

  it('a token request with a repeated member name is refused', async () => {
    const k = live.keys.monitors!;
    const env = tokenRequest(k, 'monitors', live.service.origin);
    const text = JSON.stringify(env).replace(
      '"classification":',
      '"classification":"mechanism","classification":',
    );
    const r = await post(`${live.url}/v1/tokens`, text);
    expect([r.status, r.json.code]).toEqual([400, 'duplicate-member']);
  });
});
