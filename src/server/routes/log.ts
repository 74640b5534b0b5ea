/** The log as C2SP tlog-tiles: the signed checkpoint, hash tiles and entry bundles. */
import type { FastifyInstance } from 'fastify';
import { parseTilePath } from '../../log/tile.js';
import { ApiError } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorSchema } from '../schemas.js';

export function logRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { service } = ctx;
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
}
