/**
 * Live updates by Server-Sent Events (GET /v1/events), fed by the service's `onAppended`.
 *
 * Events:
 *   event: append   data: {"size","first","count","checkpoint"}   after every durable commit
 *   event: stage    data: {"zone","from","to","size"}              a zone's stage changed, as seen
 *                                                                   at the client's clearance
 * A public client's stage events are computed from the public view of the log, so they can
 * never reveal a change that only restricted statements caused. Appends that arrive while an
 * update is being computed are coalesced into the next one.
 */
import type { ServerResponse } from 'node:http';
import type { MechanismService } from '../service/mechanism-service.js';
import type { Classification } from '../statement/types.js';
import type { ServerOptions } from './options.js';

interface Client {
  res: ServerResponse;
  clearance: Classification;
}

export class EventHub {
  readonly #service: MechanismService;
  readonly #options: ServerOptions;
  readonly #clients = new Set<Client>();
  readonly #stages: Partial<Record<Classification, Record<string, string>>> = {};
  readonly #unsubscribe: () => void;
  readonly #heartbeat: NodeJS.Timeout;
  #pending: { first: number; count: number } | undefined;
  #running = false;

  constructor(service: MechanismService, options: ServerOptions) {
    this.#service = service;
    this.#options = options;
    this.#unsubscribe = service.onAppended((first, count) => this.#onAppend(first, count));
    this.#heartbeat = setInterval(() => {
      for (const c of this.#clients) c.res.write(': keep-alive\n\n');
    }, options.sse_heartbeat_ms);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Adds a client whose response headers were already written. */
  async add(res: ServerResponse, clearance: Classification): Promise<void> {
    if (this.#stages[clearance] === undefined) this.#stages[clearance] = await this.#zoneStages(clearance);
    const client = { res, clearance };
    this.#clients.add(client);
    res.on('close', () => this.#clients.delete(client));
    const size = await this.#service.size();
    res.write(`event: hello\ndata: ${JSON.stringify({ size, clearance })}\n\n`);
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#heartbeat);
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }

  async #zoneStages(clearance: Classification): Promise<Record<string, string>> {
    const state = await this.#service.stateAt(this.#options.now(), clearance);
    const out: Record<string, string> = {};
    for (const id in state.zones) out[id] = state.zones[id]!.stage;
    return out;
  }

  #onAppend(first: number, count: number): void {
    if (this.#clients.size === 0) {
      // Nobody listens: forget the stages so the next client starts from the state it connects to.
      for (const k of Object.keys(this.#stages)) delete this.#stages[k as Classification];
      return;
    }
    if (this.#pending === undefined) this.#pending = { first, count };
    else this.#pending.count = first + count - this.#pending.first;
    if (!this.#running) void this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending !== undefined) {
        const { first, count } = this.#pending;
        this.#pending = undefined;
        const checkpoint = await this.#service.checkpoint();
        const size = first + count;
        this.#broadcast(undefined, 'append', { size, first, count, checkpoint });
        for (const level of Object.keys(this.#stages) as Classification[]) {
          const before = this.#stages[level]!;
          const after = await this.#zoneStages(level);
          this.#stages[level] = after;
          for (const zone in after) {
            if (after[zone] !== before[zone])
              this.#broadcast(level, 'stage', { zone, from: before[zone] ?? null, to: after[zone], size });
          }
        }
      }
    } catch {
      // A failed update (the store closing under us) must not take the server down.
    } finally {
      this.#running = false;
    }
  }

  #broadcast(level: Classification | undefined, event: string, data: unknown): void {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.#clients) if (level === undefined || c.clearance === level) c.res.write(text);
  }
}
