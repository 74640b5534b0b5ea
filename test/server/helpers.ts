/** A live server on 127.0.0.1 over a temp data directory, and statements signed by its party keys. */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { dataDirPaths, readSignerKey } from '../../src/datadir/data-dir.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { initDataDir } from '../../src/mechanism/mechanism.js';
import type { ServerOptions } from '../../src/server/options.js';
import { buildServer } from '../../src/server/server.js';
import { SqliteMechanismService } from '../../src/service/sqlite-service.js';
import { newNonce, signStatement } from '../../src/statement/envelope.js';
import type { NoteSigner } from '../../src/statement/keys.js';
import type { Classification, Envelope, JsonObject, Statement } from '../../src/statement/types.js';
import { tempDir } from '../helpers/cli.js';

export interface Live {
  dir: string;
  url: string;
  app: FastifyInstance;
  service: SqliteMechanismService;
  keys: Record<string, NoteSigner>;
  close(): Promise<void>;
}

export const PARTIES = ['israel', 'lebanon', 'laf', 'usa', 'centcom', 'monitors', 'trustee', 'unifil'];

export function partyKeys(dir: string): Record<string, NoteSigner> {
  const keys: Record<string, NoteSigner> = {};
  for (const p of PARTIES) keys[p] = readSignerKey(join(dataDirPaths(dir).keysDir, `${p}.key`));
  return keys;
}

/** A data directory: seeded with the demo (default) or only initialized. */
export function makeDataDir(demo = true): string {
  const dir = tempDir('phaseline-server-');
  if (demo) seedDemo(dir);
  else initDataDir(dir);
  return dir;
}

export async function startServer(dir: string, options: Partial<ServerOptions> = {}): Promise<Live> {
  const service = SqliteMechanismService.open(dir);
  const app = await buildServer(service, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return {
    dir,
    url: `http://127.0.0.1:${addr.port}`,
    app,
    service,
    keys: partyKeys(dir),
    async close() {
      await app.close();
      await service.close();
    },
  };
}

export interface StatementInit {
  kind: string;
  subject: string;
  body: JsonObject;
  classification?: Classification;
  at?: string;
  issuer?: string;
  agreement?: string;
}

/** A statement signed by `signer` for `party`, made now. */
export function sign(signer: NoteSigner, party: string, init: StatementInit): Envelope {
  return signStatement(
    {
      kind: init.kind,
      agreement: init.agreement ?? 'lebanon-2026',
      issuer: init.issuer ?? party,
      key: signer.vkey,
      at: init.at ?? new Date().toISOString(),
      nonce: newNonce(),
      classification: init.classification ?? 'public',
      subject: init.subject,
      body: init.body,
    },
    signer,
  );
}

let incidents = 0;

/** `monitors/ID` for a restricted incident (unless ID names its owner already), else ID. */
function restrictedId(classification: Classification | undefined, id: string): string {
  return (classification ?? 'public') === 'public' || id.includes('/') ? id : `monitors/${id}`;
}

/** An incident report by the monitors (a kind every test can make fresh: the subject is new). */
export function incident(
  signer: NoteSigner,
  options: { classification?: Classification; note?: string; id?: string } = {},
): Envelope {
  const now = new Date().toISOString();
  return sign(signer, 'monitors', {
    kind: 'incident.report',
    // A restricted record is named in its issuer's namespace (admit.ts, checkRecordId).
    subject: restrictedId(
      options.classification,
      options.id ?? `test-incident-${process.pid}-${Date.now()}-${incidents++}`,
    ),
    classification: options.classification ?? 'public',
    body: {
      date_start: now,
      date_end: now,
      type: 'armed-presence',
      latitude: 33.2,
      longitude: 35.4,
      source_grade: 'B2',
      ...(options.note ? { note: options.note } : {}),
    },
  });
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

export async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, buf, json, headers: res.headers };
}

/** A live-update stream: `until(pred)` reads until the text received so far satisfies `pred`. */
export async function openEvents(url: string, signal: AbortSignal) {
  const res = await fetch(`${url}/v1/events`, { signal });
  const reader = res.body!.getReader();
  const stream = {
    res,
    text: '',
    async until(pred: (t: string) => boolean): Promise<string> {
      while (!pred(stream.text)) {
        const { value, done } = await reader.read();
        if (done) break;
        stream.text += Buffer.from(value).toString();
      }
      return stream.text;
    },
    /** The data of the first `event` event, parsed. */
    data(event: string): Record<string, unknown> {
      return JSON.parse(stream.text.split(`event: ${event}\ndata: `)[1]!.split('\n')[0]!);
    },
  };
  return stream;
}

/** A token request (POST /v1/tokens) by `party`'s `signer` for the log `origin`, signed now. */
export function tokenRequest(
  signer: NoteSigner,
  party: string,
  origin: string,
  over: Partial<Statement> = {},
): Envelope {
  return signStatement(
    {
      kind: 'auth.token',
      agreement: 'lebanon-2026',
      issuer: party,
      key: signer.vkey,
      at: new Date().toISOString(),
      nonce: newNonce(),
      classification: 'public',
      subject: origin,
      body: {},
      ...over,
    },
    signer,
  );
}
