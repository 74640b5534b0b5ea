/**
 * Rendered state answers, kept per (view, clearance, log size, time, page): a state read is a
 * pure function of those, and rendering a large state costs far more than sending text.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EngineState } from '../engine/index.js';
import { ApiError } from './auth.js';
import type { ServerContext } from './context.js';
import type { StateMeta } from './views.js';

export type Render = (state: EngineState, meta: StateMeta) => unknown;

export class StateCache {
  readonly #ctx: ServerContext;
  readonly #answers = new Map<string, string>();
  #bytes = 0;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
  }

  /** `at` of a query as RFC 3339 (now when absent); throws `bad-time`. */
  parseAt(at: string | undefined): string {
    if (at === undefined || at === '') return this.#ctx.options.now();
    const ms = Date.parse(at);
    if (Number.isNaN(ms))
      throw new ApiError(
        'bad-time',
        `at=${at} is not a time; use RFC 3339 such as 2026-07-01T12:00:00Z or a date`,
      );
    return new Date(ms).toISOString();
  }

  /** Answers a state read named `name` with `render` of the state the request asks for. */
  async answer(
    req: FastifyRequest,
    reply: FastifyReply,
    name: string,
    render: Render,
    contentType = 'application/json; charset=utf-8',
  ): Promise<FastifyReply> {
    const { service, options } = this.#ctx;
    const reader = await this.#ctx.readerOf(req);
    const query = req.query as { at?: string; offset?: number; limit?: number };
    const asked = query.at;
    const at = this.parseAt(asked);
    const page = { offset: query.offset ?? 0, limit: query.limit ?? 1000 };
    const size = await service.size();
    // "Now" is cached per second: a repeated read within the same second and the same log size
    // gets the answer computed at its first read (time-driven changes lag by under a second;
    // entries never do, the size is part of the key).
    const key = `${name}|${reader.clearance}|${size}|${asked ? at : `now:${at.slice(0, 19)}`}|${page.offset}|${page.limit}`;
    let text = this.#answers.get(key);
    if (text === undefined) {
      const state = await service.stateAt(at, reader.clearance);
      text = JSON.stringify(render(state, { at, clearance: reader.clearance, size, page }));
      // Bounded by bytes, not entries: one answer over a large log can be megabytes.
      this.#bytes += text.length;
      this.#answers.set(key, text);
      for (const [k, v] of this.#answers) {
        if (this.#bytes <= options.state_cache_bytes_max || this.#answers.size === 1) break;
        this.#answers.delete(k);
        this.#bytes -= v.length;
      }
    }
    reply.header('content-type', contentType).header('x-log-size', String(size));
    return reply.send(text);
  }
}
