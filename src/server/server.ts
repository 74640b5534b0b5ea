/**
 * The HTTP API of a mechanism office (Fastify 5), written against {@link MechanismService}
 * only, so every storage back end serves the same API. The OpenAPI 3 document is at
 * /openapi.json and browsable at /docs.
 *
 * Classification holds at every endpoint: a reader's clearance (public unless a bearer token
 * says otherwise, see auth.ts) selects the view of the log that state, feeds and live updates
 * are computed from; statements above it are shown as their commitments only; the log's tiles
 * and entry bundles hold commitments for restricted statements and so are public as they are.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isSimulated } from '../demo/demo-history.js';
import type { EngineState } from '../engine/index.js';
import type { IngestResult, SubmitGate } from '../ingest/ingest.js';
import { parseTilePath } from '../log/tile.js';
import type { MechanismService } from '../service/mechanism-service.js';
import { opensCommitment } from '../statement/commitment.js';
import { EnvelopeText } from '../statement/envelope.js';
import { decodeEntry } from '../statement/log-entry.js';
import { decodeUtf8, decodeUtf8Lines, parseStrictJson } from '../statement/strict-json.js';
import { CLASSIFICATION_RANK, type Classification } from '../statement/types.js';
import { ApiError, KeyRateLimiter, type Reader, TokenIssuer } from './auth.js';
import { boundedHttpServer } from './connections.js';
import { EventHub } from './events.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type ServerOptions, server_defaults } from './options.js';
import { NdjsonBody, refuseUnreadableBody } from './request-body.js';
import { STATUS_BY_CODE, statusFor, statusTableMarkdown } from './status-codes.js';
import {
  incidentsGeoJson,
  renderEscrow,
  renderIncidents,
  renderState,
  renderZones,
  type StateMeta,
  zonesGeoJson,
} from './views.js';

declare module 'fastify' {
  interface FastifyInstance {
    phaseline: { metrics: Metrics; events: EventHub; options: ServerOptions };
  }
}

/** Where statements are submitted (one as JSON, a batch as NDJSON). */
const statements_route = '/v1/statements';

const errorSchema = {
  type: 'object',
  description: 'A rejection: a stable code (see the status table) and a sentence saying what to do.',
  properties: { code: { type: 'string' }, message: { type: 'string' }, id: { type: 'string' } },
};

const atQuery = {
  type: 'object',
  properties: {
    at: {
      type: 'string',
      description:
        'A time (RFC 3339 or a date); default now (to the second). State at a past time folds only entries admitted by then.',
    },
    offset: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'Lists of incidents and strikes: the first record to return (in log order).',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: 10_000,
      default: 1000,
      description:
        'Lists of incidents and strikes: at most this many of each (the answer gives the totals and the next page).',
    },
  },
};

const anyObject = (description: string) => ({ description, type: 'object', additionalProperties: true });

/** Builds the server; call `listen` on the result. `close()` also closes the live-update hub (not the service). */
export async function buildServer(
  service: MechanismService,
  overrides: Partial<ServerOptions> = {},
): Promise<FastifyInstance> {
  const options: ServerOptions = { ...server_defaults, ...overrides };
  const app = Fastify({
    logger: options.logger,
    bodyLimit: options.body_bytes_max,
    // Timeouts and connection limits: see connections.ts.
    serverFactory: (handler) => boundedHttpServer(options, handler),
    // Requests still running at close() are let finish; idle keep-alive sockets are closed.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const metrics = createMetrics(
    () => service.size(),
    () => (service as { queued?: number }).queued ?? 0,
  );
  const events = new EventHub(service, options);
  app.decorate('phaseline', { metrics, events, options });
  // preClose: live-update streams never end on their own, and close() waits for open requests.
  app.addHook('preClose', async () => events.close());

  // --- keys of the current state, for tokens (refreshed when the log grows) ---
  let keyCache: { size: number; keys: EngineState['keys'] } | undefined;
  const tokens = new TokenIssuer(
    service.agreement,
    service.origin,
    options,
    async (vkey) => {
      const size = await service.size();
      if (keyCache === undefined || keyCache.size !== size)
        keyCache = { size, keys: (await service.stateAt(options.now(), 'mechanism')).keys };
      return keyCache.keys[vkey];
    },
    (key, nonce, expiresMs, nowMs) => service.spendNonce(key, nonce, expiresMs, nowMs),
  );
  const keyLimiter = new KeyRateLimiter(
    options.rate_key_statements_per_second,
    options.rate_key_statements_burst,
  );
  const readerOf = (req: FastifyRequest): Promise<Reader> => tokens.reader(req.headers.authorization);

  // --- plugins ---
  await app.register(cors, {
    origin:
      options.cors_origins === '*' ? '*' : options.cors_origins === false ? false : options.cors_origins,
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization'],
    exposedHeaders: ['Retry-After', 'X-Log-Size'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: true,
    max: options.rate_address_requests_max,
    timeWindow: options.rate_window_ms,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, ctx) => {
      const e = new ApiError(
        'rate-limited',
        `too many requests from this address: at most ${ctx.max} per ${Math.round(options.rate_window_ms / 1000)} s; retry after ${ctx.after}`,
      );
      (e as unknown as { statusCode: number }).statusCode = 429;
      return e;
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Phaseline API',
        version: '1',
        description: [
          `The HTTP API of a Phaseline mechanism office for agreement \`${service.agreement.id}\` (log origin \`${service.origin}\`).`,
          '',
          'Writing: POST signed statements; the signature is the credential. Reading restricted (`parties`, `mechanism`) content: a bearer token from POST /v1/tokens. Without a token every endpoint answers with public content and commitments only.',
          '',
          'Rejections are `{code, message}`; the status follows the code:',
          '',
          statusTableMarkdown(),
          '',
          `Limits: JSON body ${options.body_bytes_max} bytes, NDJSON batch ${options.batch_bytes_max} bytes and ${options.batch_statements_max} statements, ${options.rate_address_requests_max} requests per address per ${options.rate_window_ms} ms (tiles, /healthz and /metrics exempt), ${options.rate_key_statements_per_second} statements per key per second (burst ${options.rate_key_statements_burst}).`,
        ].join('\n'),
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token from POST /v1/tokens; grants the clearance of the key’s party.',
          },
        },
      },
      tags: [
        { name: 'statements', description: 'Submit and read signed statements' },
        { name: 'state', description: 'The derived state, now or at any past time' },
        { name: 'feeds', description: 'GeoJSON feeds and live updates' },
        { name: 'log', description: 'C2SP tlog-tiles, byte-identical to `phaseline log export`' },
        { name: 'auth', description: 'Bearer tokens for cleared parties' },
        { name: 'operations', description: 'Health and metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // --- bodies: one statement as JSON, a batch as NDJSON; nothing else ---
  // Bodies arrive as bytes and are read as I-JSON (statement/strict-json.ts): UTF-8 only, a
  // byte that is not UTF-8 refused rather than replaced, no repeated member names. A body whose
  // headers declare another charset or a content coding is refused (415) before it is read:
  // honouring them silently differently from what was signed is what strict input rules out.
  app.removeAllContentTypeParsers();
  app.addHook('onRequest', async (req) => refuseUnreadableBody(req.headers));
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: options.body_bytes_max },
    (req, body, done) => {
      const text = decodeUtf8(body as Buffer, 'the body');
      if (!text.ok) {
        done(new ApiError(text.code, text.message), undefined);
        return;
      }
      // A statement goes to the verification workers as its text: they parse it (a malformed
      // one is rejected there, with the same message as below), which spares the sequencing
      // thread the parse and the copy of an object tree (bench/server-http.ts).
      if (req.method === 'POST' && req.routeOptions.url === statements_route) {
        done(null, new EnvelopeText(text.text, 'the body'));
        return;
      }
      const p = parseStrictJson(text.text, 'the body');
      if (p.ok) done(null, p.value);
      else done(new ApiError(p.code, p.message), undefined);
    },
  );
  app.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'buffer', bodyLimit: options.batch_bytes_max },
    (_req, body, done) => done(null, new NdjsonBody(body as Buffer)),
  );

  app.setErrorHandler(
    (err: Error & { code?: string; statusCode?: number; validation?: unknown }, req, reply) => {
      let code: string;
      let message = err.message;
      if (err instanceof ApiError) code = err.code;
      else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        code = 'body-too-large';
        const ndjson = String(req.headers['content-type'] ?? '').startsWith('application/x-ndjson');
        message = ndjson
          ? `the batch is over ${options.batch_bytes_max} bytes; split it into several requests`
          : `the body is over ${options.body_bytes_max} bytes; one statement is at most 64,000 bytes, send batches as application/x-ndjson`;
      } else if (
        err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
        err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
      ) {
        code = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported-media-type' : 'bad-request';
        message =
          'send one statement as application/json or a batch as application/x-ndjson (one envelope per line)';
      } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        code = 'malformed-json';
        message = 'the body is empty; send a signed envelope {statement, signatures}';
      } else if (err.validation) code = 'bad-request';
      else if (err.statusCode === 429) code = 'rate-limited';
      else if (err.statusCode !== undefined && err.statusCode < 500) code = 'bad-request';
      else {
        req.log.error(err);
        reply
          .status(500)
          .send({ code: 'internal', message: 'internal error; the server log has the details' });
        return;
      }
      const status = err.statusCode === 429 ? 429 : statusFor(code);
      reply.status(status).send({ code, message });
    },
  );
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ code: 'not-found', message: `no route ${req.method} ${req.url}; see /docs` });
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  // --- helpers ---
  const parseAt = (at: string | undefined): string => {
    if (at === undefined || at === '') return options.now();
    const ms = Date.parse(at);
    if (Number.isNaN(ms))
      throw new ApiError(
        'bad-time',
        `at=${at} is not a time; use RFC 3339 such as 2026-07-01T12:00:00Z or a date`,
      );
    return new Date(ms).toISOString();
  };
  // Rendered answers per (view, clearance, log size, time): state reads are pure functions of those.
  const cache = new Map<string, string>();
  let cacheBytes = 0;
  const cached = async (
    req: FastifyRequest,
    reply: FastifyReply,
    name: string,
    render: (state: EngineState, meta: StateMeta) => unknown,
    contentType = 'application/json; charset=utf-8',
  ) => {
    const reader = await readerOf(req);
    const query = req.query as { at?: string; offset?: number; limit?: number };
    const asked = query.at;
    const at = parseAt(asked);
    const page = { offset: query.offset ?? 0, limit: query.limit ?? 1000 };
    const size = await service.size();
    // "Now" is cached per second: a repeated read within the same second and the same log size
    // gets the answer computed at its first read (time-driven changes lag by under a second;
    // entries never do, the size is part of the key).
    const key = `${name}|${reader.clearance}|${size}|${asked ? at : `now:${at.slice(0, 19)}`}|${page.offset}|${page.limit}`;
    let text = cache.get(key);
    if (text === undefined) {
      const state = await service.stateAt(at, reader.clearance);
      text = JSON.stringify(render(state, { at, clearance: reader.clearance, size, page }));
      // Bounded by bytes, not entries: one answer over a large log can be megabytes.
      cacheBytes += text.length;
      cache.set(key, text);
      for (const [k, v] of cache) {
        if (cacheBytes <= options.state_cache_bytes_max || cache.size === 1) break;
        cache.delete(k);
        cacheBytes -= v.length;
      }
    }
    reply.header('content-type', contentType).header('x-log-size', String(size));
    return reply.send(text);
  };
  const a = service.agreement;

  // --- statements ---
  // The per-key statement limit is taken once a statement's signatures verified (a gate of
  // `submit`): a forged statement that names someone's key cannot use up that key's allowance.
  const keyGate =
    (sentence: string): SubmitGate =>
    (envelope) =>
      keyLimiter.take(envelope.statement.key, 1)
        ? undefined
        : {
            code: 'rate-limited',
            message: `this key submits more than ${options.rate_key_statements_per_second} statements per second; ${sentence}`,
          };
  const oneGate = keyGate('slow down');
  const batchGate = keyGate('resubmit this line later');

  const submitOne = async (value: unknown): Promise<{ status: number; body: unknown }> => {
    let r: IngestResult;
    try {
      [r] = (await service.submit([value], options.now(), oneGate)) as [IngestResult];
    } catch (e) {
      return { status: 503, body: { code: 'unavailable', message: (e as Error).message } };
    }
    metrics.submissions.inc({ result: r.ok ? 'admitted' : r.code });
    if (!r.ok) return { status: statusFor(r.code), body: r };
    return { status: 201, body: { index: r.index, id: r.id, receipt: await service.receipt(r.index) } };
  };

  const submitBatch = async (body: NdjsonBody, withReceipts: boolean): Promise<string> => {
    // Lines go to the service as texts: they are parsed where their signatures are checked
    // (the verification workers), not on the thread that sequences the log. A line whose bytes
    // are not UTF-8 is answered here and goes nowhere.
    const lines = decodeUtf8Lines(body.bytes, (line) => `line ${line}`);
    if (lines.length > options.batch_statements_max)
      throw new ApiError(
        'body-too-large',
        `the batch has more than ${options.batch_statements_max} statements (batch_statements_max); split it`,
      );
    const items: { line: number; text: EnvelopeText }[] = [];
    for (const l of lines)
      if ('text' in l) items.push({ line: l.line, text: new EnvelopeText(l.text, `line ${l.line}`) });
    let results: IngestResult[];
    try {
      results = await service.submit(
        items.map((it) => it.text),
        options.now(),
        batchGate,
      );
    } catch (e) {
      throw new ApiError('unavailable', (e as Error).message);
    }
    const out: string[] = new Array(lines.length);
    let answered = 0;
    for (const [k, it] of lines.entries()) {
      const r = 'rejection' in it ? it.rejection : results[answered++]!;
      metrics.submissions.inc({ result: r.ok ? 'admitted' : r.code });
      out[k] = JSON.stringify(
        r.ok
          ? withReceipts
            ? { line: it.line, index: r.index, id: r.id, receipt: await service.receipt(r.index) }
            : { line: it.line, index: r.index, id: r.id }
          : { line: it.line, ...r, ok: undefined },
      );
    }
    return out.join('\n') + (lines.length > 0 ? '\n' : '');
  };

  app.post(
    statements_route,
    {
      schema: {
        tags: ['statements'],
        summary: 'Submit one signed statement (JSON) or a batch (NDJSON)',
        description: [
          'With `Content-Type: application/json`: one envelope `{statement, signatures}`; 201 with `{index, id, receipt}` once the statement is durable and covered by a signed checkpoint (`receipt` is a C2SP tlog-proof), or a rejection `{code, message}` with the status from the table in the API description.',
          '',
          'With `Content-Type: application/x-ndjson`: one envelope per line; 200 with one NDJSON line per non-blank input line, in order, each `{line, index, id, receipt}` or `{line, code, message}`. `?receipts=false` leaves the receipts out.',
          '',
          'Statements are rate-limited per signing key, counted once their signatures verify (a forgery naming a key uses none of its allowance); the body is limited per content type.',
        ].join('\n'),
        consumes: ['application/json', 'application/x-ndjson'],
        querystring: {
          type: 'object',
          properties: {
            receipts: { type: 'boolean', default: true, description: 'NDJSON batches: include receipts' },
          },
        },
        response: {
          200: { description: 'NDJSON batch: one result line per input line', type: 'string' },
          201: anyObject('Admitted: `{index, id, receipt}`'),
          ...Object.fromEntries([...new Set(Object.values(STATUS_BY_CODE))].map((s) => [s, errorSchema])),
        },
      },
    },
    async (req, reply) => {
      if (req.body instanceof NdjsonBody) {
        const out = await submitBatch(req.body, (req.query as { receipts?: boolean }).receipts !== false);
        return reply.status(200).header('content-type', 'application/x-ndjson').send(out);
      }
      const r = await submitOne(req.body);
      return reply.status(r.status as 201).send(r.body);
    },
  );

  app.get(
    '/v1/statements/:idOrIndex',
    {
      schema: {
        tags: ['statements'],
        summary:
          'A statement by id (64 hex) or log index: its leaf, receipt and, for cleared readers, its content',
        description:
          'For a restricted statement the leaf is its commitment; the `disclosure` (envelope and salt, which open the commitment) is included only for a reader whose clearance covers its classification. Looking a restricted statement up by id without that clearance answers 404, so ids cannot be confirmed.',
        security: [{ bearer: [] }, {}],
        params: { type: 'object', properties: { idOrIndex: { type: 'string' } }, required: ['idOrIndex'] },
        response: { 200: anyObject('The entry'), 400: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const reader = await readerOf(req);
      const p = (req.params as { idOrIndex: string }).idOrIndex;
      let index: number | undefined;
      const byId = /^[0-9a-f]{64}$/.test(p);
      if (byId) index = await service.indexOfStatement(p);
      else if (/^(0|[1-9][0-9]{0,15})$/.test(p)) index = Number(p);
      else
        throw new ApiError(
          'bad-request',
          `${p} is neither a statement id (64 lowercase hex) nor a log index`,
        );
      const notFound = new ApiError('not-found', `no statement ${p} in the log`);
      if (index === undefined) throw notFound;
      const stored = await service.entry(index, true);
      if (stored === undefined) throw notFound;
      const leaf = decodeEntry(stored.bytes, `entry ${index}`);
      const classification: Classification = 'commitment' in leaf ? leaf.commitment.classification : 'public';
      const cleared = CLASSIFICATION_RANK[reader.clearance] >= CLASSIFICATION_RANK[classification];
      if (byId && !cleared) throw notFound;
      const envelope = 'envelope' in leaf ? leaf.envelope : cleared ? stored.disclosure?.envelope : undefined;
      const body: Record<string, unknown> = {
        index,
        classification,
        admitted: leaf.admitted,
        leaf,
        receipt: await service.receipt(index),
      };
      if (envelope !== undefined) {
        body.statement = envelope.statement;
        body.simulated = isSimulated(envelope.statement);
      }
      if (cleared && 'commitment' in leaf && stored.disclosure !== undefined) {
        body.disclosure = stored.disclosure;
        body.opensCommitment = opensCommitment(leaf.commitment, stored.disclosure);
      }
      return reply.send(body);
    },
  );

  app.post(
    '/v1/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a signed token request for a bearer token',
        description:
          'Body: an envelope in the statement format with `kind: "auth.token"`, `agreement` = this agreement, `issuer`/`key` = a registered, unrevoked key of the party, `at` within 5 minutes of the server clock, a fresh `nonce`, `classification: "public"`, `subject` = this log origin, `body: {}`. Answer: `{token, expires, party, clearance}`; send `Authorization: Bearer <token>` on reads. The token lives 15 minutes (token_ttl_ms) and dies with its key.',
        response: {
          200: anyObject('`{token, expires, party, clearance}`'),
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
        },
      },
    },
    async (req) => tokens.issue(req.body),
  );

  // --- state ---
  const stateRoute = (
    path: string,
    summary: string,
    name: string,
    render: (s: EngineState, m: StateMeta) => unknown,
    tag = 'state',
    contentType?: string,
  ) =>
    app.get(
      path,
      {
        schema: {
          tags: [tag],
          summary,
          security: [{ bearer: [] }, {}],
          querystring: atQuery,
          response: { 200: anyObject(summary), 400: errorSchema, 401: errorSchema },
        },
      },
      (req, reply) => cached(req, reply, name, render, contentType),
    );
  stateRoute(
    '/v1/state',
    'The whole state at the reader’s clearance: zones (stage, what each awaits, claims, inventory), incidents, strikes and findings, units, truce, escrow',
    'state',
    (s, m) => renderState(a, s, m),
  );
  stateRoute(
    '/v1/zones',
    'Every zone: stage, what it awaits, history, claims, inventory',
    'zones',
    (s, m) => ({
      at: m.at,
      zones: renderZones(a, s, m.at),
    }),
  );
  stateRoute(
    '/v1/incidents',
    'Incidents, strikes and findings, a page at a time (offset, limit; the answer gives totals and the next page)',
    'incidents',
    (s, m) => ({ at: m.at, ...renderIncidents(s, m.page) }),
  );
  stateRoute('/v1/escrow', 'Escrow: balances, indicators, transfers', 'escrow', (s, m) => ({
    at: m.at,
    ...renderEscrow(a, s, m.at),
  }));
  stateRoute(
    '/v1/zones.geojson',
    'Zone polygons with their stage (GeoJSON; illustrative shapes are flagged)',
    'zones.geojson',
    (s, m) => zonesGeoJson(a, s, m),
    'feeds',
    'application/geo+json',
  );
  stateRoute(
    '/v1/incidents.geojson',
    'Incidents with a known point (GeoJSON points)',
    'incidents.geojson',
    (s, m) => incidentsGeoJson(s, m),
    'feeds',
    'application/geo+json',
  );
  app.get(
    '/v1/zones/:id',
    {
      schema: {
        tags: ['state'],
        summary: 'One zone',
        security: [{ bearer: [] }, {}],
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        querystring: atQuery,
        response: { 200: anyObject('The zone'), 404: errorSchema },
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      if (!a.zones.some((z) => z.id === id))
        throw new ApiError('not-found', `no zone ${id}; GET /v1/zones lists them`);
      return cached(req, reply, `zone:${id}`, (s, m) => ({
        at: m.at,
        ...renderZones(a, s, m.at).find((z) => z.id === id),
      }));
    },
  );

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['feeds'],
        summary:
          'Live updates (Server-Sent Events): `append` after every durable commit, `stage` when a zone changes stage',
        security: [{ bearer: [] }, {}],
        response: { 200: { description: 'text/event-stream', type: 'string' } },
      },
    },
    async (req, reply) => {
      const reader = await readerOf(req);
      if (events.clients >= options.sse_clients_max)
        throw new ApiError(
          'overloaded',
          `too many live-update clients (sse_clients_max ${options.sse_clients_max})`,
        );
      reply.hijack();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
      reply.raw.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      await events.add(reply.raw, reader.clearance);
    },
  );

  // --- the log: C2SP tlog-tiles ---
  app.get(
    '/log/checkpoint',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['log'],
        summary: 'The latest signed checkpoint (c2sp.org/tlog-checkpoint)',
        response: { 200: { type: 'string', description: 'signed note' }, 404: errorSchema },
      },
    },
    async (_req, reply) => {
      const note = await service.checkpoint();
      if (note === undefined) throw new ApiError('not-found', 'the log is empty: no checkpoint yet');
      return reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(note);
    },
  );
  app.get(
    '/log/tile/*',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['log'],
        summary:
          'Hash tiles `tile/<L>/<N>[.p/<W>]` and entry bundles `tile/entries/<N>[.p/<W>]` (c2sp.org/tlog-tiles)',
        response: { 200: { type: 'string', format: 'binary', description: 'tile bytes' }, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const path = `tile/${(req.params as { '*': string })['*']}`;
      let id: ReturnType<typeof parseTilePath>;
      try {
        id = parseTilePath(path);
      } catch (e) {
        throw new ApiError('not-found', (e as Error).message);
      }
      const bytes =
        id.level === 'entries'
          ? await service.entryBundle(id.index, id.width)
          : await service.tile(id.level, id.index, id.width);
      if (bytes === undefined)
        throw new ApiError('not-found', `${path} does not exist at the current log size`);
      // A tile's name fixes its content (full tiles never change, a partial tile of width W neither).
      return reply
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(bytes);
    },
  );

  // --- operations ---
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Liveness and the log size',
        response: { 200: anyObject('ok'), 503: errorSchema },
      },
    },
    async (_req, reply) => {
      const failure = (service as { failure?: Error }).failure;
      if (failure) return reply.status(503).send({ code: 'unavailable', message: failure.message });
      return { ok: true, origin: service.origin, size: await service.size() };
    },
  );
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: { tags: ['operations'], summary: 'Prometheus metrics', response: { 200: { type: 'string' } } },
    },
    async (_req, reply) =>
      reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );

  return app;
}
