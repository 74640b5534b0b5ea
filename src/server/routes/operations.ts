/** Operations: /healthz (readiness and the log size), /metrics (Prometheus), /openapi.json. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { anyObject, errorSchema } from '../schemas.js';

export function operationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { service, metrics } = ctx;
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
      const failure = service.failure;
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
}
