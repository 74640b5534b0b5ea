/**
 * The witness over HTTP (https://c2sp.org/tlog-witness): the submission prefix and the
 * monitoring prefix are both the server's root.
 *
 *   POST /add-checkpoint      the protocol (answers in witness.ts)
 *   GET  /evidence?after=N    the refusals it kept, JSON, oldest first, at most 1,000 per page
 *   GET  /                    the witness's key and the logs it watches, plain text
 *
 * Plain `node:http` rather than the API's fastify: three routes, bodies read with a hard limit,
 * and nothing between a request and the witness, which has to answer thousands a second.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { add_checkpoint_bytes_max } from './add-checkpoint.js';
import type { Witness } from './witness.js';

export interface RunningWitness {
  /** `http://host:port`, the submission and monitoring prefix. */
  url: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (c: Buffer) => {
      length += c.length;
      if (length > limit) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(witness: Witness, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://witness');
  const plain = 'text/plain; charset=utf-8';
  if (url.pathname === '/add-checkpoint') {
    if (req.method !== 'POST') return send(res, 405, plain, 'use POST\n');
    const body = await readBody(req, add_checkpoint_bytes_max);
    if (body === undefined)
      return send(res, 400, plain, `the body is larger than ${add_checkpoint_bytes_max} bytes\n`);
    const a = await witness.addCheckpoint(body);
    return send(res, a.status, a.contentType, a.body);
  }
  if (req.method !== 'GET') return send(res, 405, plain, 'use GET\n');
  if (url.pathname === '/evidence') {
    const after = Number(url.searchParams.get('after') ?? '0');
    if (!Number.isSafeInteger(after) || after < 0)
      return send(res, 400, plain, 'after must be an evidence id\n');
    return send(res, 200, 'application/json', JSON.stringify(witness.store.evidence(after)));
  }
  if (url.pathname === '/') {
    return send(res, 200, plain, `${witness.vkey}\n${witness.origins.map((o) => `log ${o}\n`).join('')}`);
  }
  return send(res, 404, plain, 'not found: POST /add-checkpoint, GET /evidence\n');
}

/** Listens on `host:port` (port 0: any free port). */
export function serveWitness(witness: Witness, host: string, port: number): Promise<RunningWitness> {
  const server = createServer((req, res) => {
    handle(witness, req, res).catch((e: Error) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${e.message}\n`);
      else res.destroy(e);
    });
  });
  // Keep-alive connections from the logs that push to it (the spec asks clients to use them).
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${h}:${a.port}`,
        server,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
