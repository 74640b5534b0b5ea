// A token request is usable once, ever (finding 2 of the hardening issue): its nonces were
// remembered per process, so the same signed request got 200, then 409, then 200 again after a
// restart, and 200 on a second PostgreSQL node — a captured request became a token. The nonce
// is now spent in the store: refused after a restart and on every other node.
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { initDataDir } from '../../src/mechanism/mechanism.js';
import { buildServer } from '../../src/server/server.js';
import type { MechanismService } from '../../src/service/mechanism-service.js';
import { PostgresMechanismService } from '../../src/service/postgres-service.js';
import { SqliteMechanismService } from '../../src/service/sqlite-service.js';
import type { Envelope } from '../../src/statement/types.js';
import { tempDir } from '../helpers/cli.js';
import { createTestDatabase, postgresUnavailable } from '../store/pg-helpers.js';
import { partyKeys, tokenRequest } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function freshRequest(dir: string, origin: string): Envelope {
  return tokenRequest(partyKeys(dir).monitors!, 'monitors', origin);
}

/** POSTs the request to a server over `service`; the status and code. */
async function exchange(service: MechanismService, request: Envelope): Promise<[number, string | undefined]> {
  const app: FastifyInstance = await buildServer(service);
  try {
    const r = await app.inject({ method: 'POST', url: '/v1/tokens', payload: request });
    return [r.statusCode, r.statusCode === 200 ? undefined : (r.json() as { code: string }).code];
  } finally {
    await app.close();
  }
}

describe('a token request', () => {
  it('is refused after a restart of the server that took it (SQLite)', async () => {
    const dir = tempDir('phaseline-token-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    initDataDir(dir);
    let service = SqliteMechanismService.open(dir);
    const request = freshRequest(dir, service.origin);
    expect(await exchange(service, request)).toEqual([200, undefined]);
    expect(await exchange(service, request)).toEqual([409, 'duplicate-nonce']);
    await service.close();
    service = SqliteMechanismService.open(dir);
    try {
      expect(await exchange(service, request)).toEqual([409, 'duplicate-nonce']);
      // A fresh request still works.
      expect(await exchange(service, freshRequest(dir, service.origin))).toEqual([200, undefined]);
    } finally {
      await service.close();
    }
  });

  it('is refused by every other PostgreSQL node and after their restarts', async () => {
    if (await postgresUnavailable()) return;
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const dataDir = tempDir('phaseline-token-pg-');
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    initDataDir(dataDir);
    const open = () => PostgresMechanismService.open({ url: db.url, dataDir, schema: 'tokens' });
    const a = await open();
    const b = await open();
    try {
      const request = freshRequest(dataDir, a.origin);
      expect(await exchange(a, request)).toEqual([200, undefined]);
      expect(await exchange(b, request)).toEqual([409, 'duplicate-nonce']);
      await b.close();
      const c = await open();
      try {
        expect(await exchange(c, request)).toEqual([409, 'duplicate-nonce']);
        expect(await exchange(c, freshRequest(dataDir, c.origin))).toEqual([200, undefined]);
      } finally {
        await c.close();
      }
    } finally {
      await a.close();
    }
  });
});
