/**
 * The HTTP API of a mechanism office (Fastify 5), written against {@link MechanismService}
 * only, so every storage back end serves the same API. The OpenAPI 3 document is at
 * /openapi.json and browsable at /docs.
 *
 * This file wires: plugins, body parsers, the error handler and metrics hooks, then one route
 * file per resource under routes/ (statements, state, log, tokens, operations), each of which
 * turns a request into one call of the service.
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
import Fastify, { type FastifyInstance } from 'fastify';
import type { EngineState } from '../engine/index.js';
import type { MechanismService } from '../service/mechanism-service.js';
import { EnvelopeText } from '../statement/envelope.js';
import { decodeUtf8, parseStrictJson } from '../statement/strict-json.js';
import { ApiError, TokenIssuer } from './auth.js';
import { boundedHttpServer } from './connections.js';
import type { ServerContext } from './context.js';
import { registerControlRoom } from './control-room-routes.js';
import { EventHub } from './events.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type ServerOptions, server_defaults } from './options.js';
import { NdjsonBody, refuseUnreadableBody } from './request-body.js';
import { logRoutes } from './routes/log.js';
import { operationRoutes } from './routes/operations.js';
import { stateRoutes } from './routes/state.js';
import { statementRoutes, statements_route } from './routes/statements.js';
import { tokenRoutes } from './routes/tokens.js';
import { statusFor, statusTableMarkdown } from './status-codes.js';

declare module 'fastify' {
  interface FastifyInstance {
    phaseline: { metrics: Metrics; events: EventHub; options: ServerOptions };
  }
}

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
    () => service.queued,
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
  const ctx: ServerContext = {
    service,
    options,
    metrics,
    events,
    tokens,
    readerOf: (req) => tokens.reader(req.headers.authorization),
  };

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
  // reading it other than as it was signed is what strict input rules out.
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

  statementRoutes(app, ctx);
  tokenRoutes(app, ctx);
  stateRoutes(app, ctx);
  logRoutes(app, ctx);
  operationRoutes(app, ctx);
  await registerControlRoom(app, service, ctx.readerOf);
  return app;
}
