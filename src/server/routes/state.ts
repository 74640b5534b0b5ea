/**
 * The derived state at the reader's clearance, now or at any past time (/v1/state, its overview,
 * zones, incidents, escrow), its GeoJSON and column feeds, and live updates (/v1/events).
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../auth.js';
import type { ServerContext } from '../context.js';
import { incidentColumns } from '../incident-columns.js';
import { anyObject, atQuery, errorSchema } from '../schemas.js';
import { type Render, StateCache } from '../state-cache.js';
import {
  incidentsGeoJson,
  renderEscrow,
  renderIncidents,
  renderOverview,
  renderState,
  renderZones,
  zonesGeoJson,
} from '../views.js';

export function stateRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const a = ctx.service.agreement;
  const cache = new StateCache(ctx);
  const stateRoute = (
    path: string,
    summary: string,
    name: string,
    render: Render,
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
      (req, reply) => cache.answer(req, reply, name, render, contentType),
    );
  stateRoute(
    '/v1/state',
    'The whole state at the reader’s clearance: zones (stage, what each awaits, claims, inventory), incidents, strikes and findings, units, truce, escrow',
    'state',
    (s, m) => renderState(a, s, m),
  );
  stateRoute(
    '/v1/overview',
    'The state without its lists of incidents and strikes: zones (stage, what each awaits, history, claims, inventory), violations by actor, units, benchmarks, truce, escrow. Its cost does not grow with the number of incidents: the control room reads it at every move of its timeline',
    'overview',
    (s, m) => renderOverview(a, s, m),
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
  stateRoute(
    '/v1/incidents.columns',
    'Every incident as columns (log index, admission and event times in ms, position, and zone, type, actor, source grade, finding and response as codes into lists of values), with the findings on them by log index and every strike: one answer for a map of 100,000 incidents (offset and limit do not apply)',
    'incidents.columns',
    (s, m) => incidentColumns(s, m),
    'feeds',
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
      return cache.answer(req, reply, `zone:${id}`, (s, m) => ({
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
      const reader = await ctx.readerOf(req);
      const { events, options } = ctx;
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
}
