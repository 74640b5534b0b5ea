/**
 * The HTTP server's sockets, bounded: every connection costs a file descriptor, and without
 * these limits about 20,000 sockets that send nothing filled the process's table, after which
 * every request failed.
 *
 * - A connection must deliver a request's headers within `headers_timeout_ms` of opening (or of
 *   the end of its previous request) and the whole request within `request_timeout_ms`; an idle
 *   keep-alive connection is closed after `keep_alive_timeout_ms`. Node checks these deadlines
 *   every `connectionsCheckingInterval`, 30 s by default, so a documented 30 s fired at 43–73 s:
 *   here it checks every {@link deadline_check_ms}.
 * - At most `connections_per_address_max` connections from one client address, and
 *   `connections_max` in all, so one address cannot take every slot: the others, and /healthz,
 *   keep answering. A connection over either limit gets a 503 naming the limit, then is closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerOptions } from './options.js';

/** How often deadlines are checked, ms: a timeout fires at most this late. */
export const deadline_check_ms = 1_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server (for Fastify's `serverFactory`) with the limits above. */
export function boundedHttpServer(options: ServerOptions, handler: Handler): Server {
  if (options.headers_timeout_ms > options.request_timeout_ms)
    throw new Error(
      `headers_timeout_ms ${options.headers_timeout_ms} is longer than request_timeout_ms ${options.request_timeout_ms}, which includes the headers; lower it or raise request_timeout_ms`,
    );
  const server = createServer(
    {
      headersTimeout: options.headers_timeout_ms,
      requestTimeout: options.request_timeout_ms,
      keepAliveTimeout: options.keep_alive_timeout_ms,
      connectionsCheckingInterval: deadline_check_ms,
    },
    handler,
  );
  // The deadlines above bound every phase of a connection; no inactivity timer on top.
  server.timeout = 0;
  const perAddress = new Map<string, number>();
  let open = 0;
  // A refused socket must never reach the HTTP machinery (its parser would serve a request
  // sent on it), so the gate sits where net.Server hands sockets to the 'connection' listeners.
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'connection') return emit(event, ...args);
    const socket = args[0] as Socket;
    const address = socket.remoteAddress ?? '';
    const fromAddress = perAddress.get(address) ?? 0;
    const refusal =
      open >= options.connections_max
        ? `the server holds its maximum of ${options.connections_max} connections (connections_max); retry shortly`
        : fromAddress >= options.connections_per_address_max
          ? `your address holds the maximum of ${options.connections_per_address_max} open connections (connections_per_address_max); close or reuse some`
          : undefined;
    if (refusal !== undefined) {
      refuse(socket, refusal);
      return true;
    }
    open++;
    perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open--;
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n === 0) perAddress.delete(address);
      else perAddress.set(address, n);
    });
    return emit(event, ...args);
  }) as typeof server.emit;
  return server;
}

/** Answers 503 on a socket the HTTP server never sees, then closes it (whatever the client sent is not read). */
function refuse(socket: Socket, message: string): void {
  const body = JSON.stringify({ code: 'overloaded', message });
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.resume(); // drain what the client sends until the close
  setTimeout(() => socket.destroy(), 1_000).unref();
}
