/**
 * The control room (web/, built into dist/web by `npm run build:web`, which `npm ci` runs) served
 * as static files at `/`. The page reads only the public API under /v1 and /log. Files under
 * assets/ carry a content hash in their names, so they are cached for a year; index.html and the
 * basemap are revalidated.
 *
 * When the app was not built (a checkout where only `tsc` ran), `/` says how to build it instead
 * of answering 404.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the built app is: beside the compiled server (dist/web), or dist/web when run from src/ by tsx. */
export function webAppDir(): string | undefined {
  // $PHASELINE_WEB_DIR serves another build (tests serve a copy that a rebuild cannot empty under them).
  const chosen = process.env.PHASELINE_WEB_DIR;
  if (chosen) return existsSync(`${chosen}/index.html`) ? `${chosen.replace(/\/+$/, '')}/` : undefined;
  for (const rel of ['../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

export async function registerWebApp(app: FastifyInstance): Promise<void> {
  const root = webAppDir();
  if (root === undefined) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'The control room is not built in this checkout: run `npm run build:web` (npm ci does it). The API is at /docs.\n',
        ),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One wildcard route: a rebuilt app is served without a restart; a path that is no file
    // falls through to the API's JSON 404.
    wildcard: true,
    index: 'index.html',
    setHeaders: (res, path) => {
      res.setHeader(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
