/**
 * What the route files share, built once by `buildServer`: the service behind the API, the
 * limits, metrics, the live-update hub, the token issuer and who is reading.
 */
import type { FastifyRequest } from 'fastify';
import type { MechanismService } from '../service/mechanism-service.js';
import type { Reader, TokenIssuer } from './auth.js';
import type { EventHub } from './events.js';
import type { Metrics } from './metrics.js';
import type { ServerOptions } from './options.js';

export interface ServerContext {
  service: MechanismService;
  options: ServerOptions;
  metrics: Metrics;
  events: EventHub;
  tokens: TokenIssuer;
  /** The reader of a request: public, or the clearance its bearer token grants. */
  readerOf(req: FastifyRequest): Promise<Reader>;
}
