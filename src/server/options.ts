/**
 * Every limit of the HTTP server in one place, named with its unit last, with its default.
 * `phaseline serve` uses the defaults; tests and benchmarks override what they need.
 */

export interface ServerOptions {
  /** Largest `application/json` request body (one statement, a token request), bytes. Default 1 MiB. */
  body_bytes_max: number;
  /** Largest `application/x-ndjson` batch body, bytes. Default 64 MiB. */
  batch_bytes_max: number;
  /** Most statements (non-blank lines) in one NDJSON batch. Default 100,000. */
  batch_statements_max: number;
  /** Requests per address per `rate_window_ms` (every route but /healthz and /metrics). Default 6,000 (100/s). */
  rate_address_requests_max: number;
  /** Window of the per-address request limit, ms. Default 60,000. */
  rate_window_ms: number;
  /** Statements per signing key per second, sustained (token bucket). Default 1,000. */
  rate_key_statements_per_second: number;
  /** Burst of statements one key may submit at once (bucket size). Default 20,000. */
  rate_key_statements_burst: number;
  /** Allowed CORS origins: `*` for any (bearer tokens are not cookies: no ambient authority), a list, or `false` for none. Default `*`. */
  cors_origins: '*' | string[] | false;
  /** Time to receive a request's headers, from the connection's opening or the end of its previous request, ms. Default 10,000. */
  headers_timeout_ms: number;
  /** Time to receive a whole request (headers and body), ms (Node `requestTimeout`). Default 30,000. */
  request_timeout_ms: number;
  /** Idle keep-alive connections are closed after this, ms. Default 72,000 (above common proxy idle timeouts). */
  keep_alive_timeout_ms: number;
  /** Open connections from one client address; more are answered 503 and closed. Default 64. */
  connections_per_address_max: number;
  /** Open connections in all (keep it well under the process's file-descriptor limit, `ulimit -n`). Default 4,096. */
  connections_max: number;
  /** Lifetime of a bearer token, ms. Default 900,000 (15 minutes). */
  token_ttl_ms: number;
  /** Largest allowed difference between a token request's `at` and the server clock, ms. Default 300,000. */
  token_request_skew_ms: number;
  /** Live tokens kept at once; issuing more evicts the oldest. Default 100,000. */
  tokens_max: number;
  /** Concurrent Server-Sent Events clients. Default 1,000. */
  sse_clients_max: number;
  /** Comment line sent to idle SSE clients, ms (keeps proxies and the idle timeout from closing them). Default 15,000. */
  sse_heartbeat_ms: number;
  /** Rendered state answers kept for repeated reads, in UTF-16 code units (≈ bytes). Default 16 MiB. */
  state_cache_bytes_max: number;
  /** Fastify's logger (pino) on or off. Default off. */
  logger: boolean;
  /** The clock, RFC 3339 UTC with milliseconds: the one place the server reads time. Default `new Date().toISOString()`. */
  now: () => string;
}

export const MiB = 1024 * 1024;

export const server_defaults: ServerOptions = {
  body_bytes_max: 1 * MiB,
  batch_bytes_max: 64 * MiB,
  batch_statements_max: 100_000,
  rate_address_requests_max: 6_000,
  rate_window_ms: 60_000,
  rate_key_statements_per_second: 1_000,
  rate_key_statements_burst: 20_000,
  cors_origins: '*',
  headers_timeout_ms: 10_000,
  request_timeout_ms: 30_000,
  keep_alive_timeout_ms: 72_000,
  connections_per_address_max: 64,
  connections_max: 4_096,
  token_ttl_ms: 15 * 60_000,
  token_request_skew_ms: 5 * 60_000,
  tokens_max: 100_000,
  sse_clients_max: 1_000,
  sse_heartbeat_ms: 15_000,
  state_cache_bytes_max: 16 * MiB,
  logger: false,
  now: () => new Date().toISOString(),
};

type NumericOption = {
  [K in keyof ServerOptions]: ServerOptions[K] extends number ? K : never;
}[keyof ServerOptions];

/** What each numeric limit bounds, with its unit: the lines of `phaseline serve --help`. */
export const server_limit_help: Record<NumericOption, string> = {
  body_bytes_max: 'bytes: largest application/json body (one statement, a token request)',
  batch_bytes_max: 'bytes: largest application/x-ndjson batch body',
  batch_statements_max: 'statements: most lines in one NDJSON batch',
  rate_address_requests_max: 'requests per address per rate_window_ms (tiles, /healthz, /metrics exempt)',
  rate_window_ms: 'milliseconds: window of the per-address request limit',
  rate_key_statements_per_second: 'statements per second per signing key, sustained',
  rate_key_statements_burst: 'statements: burst one key may submit at once',
  headers_timeout_ms:
    'milliseconds: a request’s headers must arrive within this of the connection opening (or of the previous request)',
  request_timeout_ms: 'milliseconds: a whole request (headers and body) must arrive within this',
  keep_alive_timeout_ms: 'milliseconds: an idle keep-alive connection is closed after this',
  connections_per_address_max: 'connections: open at once from one client address; more get 503',
  connections_max: 'connections: open at once in all; keep it under `ulimit -n`',
  token_ttl_ms: 'milliseconds: lifetime of a bearer token',
  token_request_skew_ms: 'milliseconds: how far a token request’s `at` may be from the server clock',
  tokens_max: 'tokens: live bearer tokens kept; more evict the oldest',
  sse_clients_max: 'clients: live-update (SSE) streams at once',
  sse_heartbeat_ms: 'milliseconds: between comment lines sent to idle SSE clients',
  state_cache_bytes_max: 'UTF-16 code units (≈ bytes): rendered state answers kept for repeated reads',
};
