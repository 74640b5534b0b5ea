/**
 * The page's only way to the server: the public HTTP API (/v1, /log), with the bearer token of a
 * signed-in party when there is one. A newer request for the same purpose aborts the older one
 * (the scrubber moves faster than answers come).
 */
import type { IncidentPage, ServedStatementInfo, State, ZoneFeatures } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  token: string | null = null;
  readonly #inflight = new Map<string, AbortController>();

  headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  /** GET `path` as JSON; `purpose` names a stream of requests where only the latest matters. */
  async get<T>(path: string, purpose?: string): Promise<T> {
    let signal: AbortSignal | undefined;
    if (purpose !== undefined) {
      this.#inflight.get(purpose)?.abort();
      const c = new AbortController();
      this.#inflight.set(purpose, c);
      signal = c.signal;
    }
    const res = await fetch(path, { headers: this.headers(), signal });
    const text = await res.text();
    if (!res.ok) {
      let code = 'http';
      let message = `${res.status} ${res.statusText}`;
      try {
        const j = JSON.parse(text) as { code?: string; message?: string };
        code = j.code ?? code;
        message = j.message ?? message;
      } catch {}
      throw new ApiError(res.status, code, message);
    }
    return JSON.parse(text) as T;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const j = (await res.json()) as T & { code?: string; message?: string };
    if (!res.ok) throw new ApiError(res.status, j.code ?? 'http', j.message ?? String(res.status));
    return j;
  }

  static atQuery(at: string | null, sep = '?'): string {
    return at === null ? '' : `${sep}at=${encodeURIComponent(at)}`;
  }

  state(at: string | null): Promise<State> {
    return this.get<State>(`/v1/state?limit=1${Api.atQuery(at, '&')}`, 'state');
  }

  incidents(at: string | null, offset: number, limit: number): Promise<IncidentPage> {
    return this.get<IncidentPage>(`/v1/incidents?offset=${offset}&limit=${limit}${Api.atQuery(at, '&')}`);
  }

  zoneShapes(): Promise<ZoneFeatures> {
    return this.get<ZoneFeatures>('/v1/zones.geojson');
  }

  statement(index: number): Promise<ServedStatementInfo> {
    return this.get<ServedStatementInfo>(`/v1/statements/${index}`);
  }

  logKey(): Promise<{ origin: string; key: string }> {
    return this.get('/v1/log-key');
  }

  health(): Promise<{ ok: boolean; origin: string; size: number }> {
    return this.get('/healthz');
  }
}

export const api = new Api();
