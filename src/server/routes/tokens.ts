/** POST /v1/tokens: a signed token request exchanged for a bearer token (see auth.ts). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { anyObject, errorSchema } from '../schemas.js';

export function tokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
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
    async (req) => ctx.tokens.issue(req.body),
  );
}
