/**
 * Prometheus metrics (prom-client), one registry per server so that several servers in one
 * process (tests) do not collide. Served at GET /metrics in the text exposition format.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
  submissions: Counter<'result'>;
}

export function createMetrics(size: () => Promise<number>, queued: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'phaseline_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'phaseline_http_request_duration_seconds',
    help: 'Time from receiving a request to sending the response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const submissions = new Counter({
    name: 'phaseline_submissions_total',
    help: 'Submitted statements by result: admitted, or the rejection code.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'phaseline_log_size',
    help: 'Entries in the log (the latest checkpoint size).',
    registers: [registry],
    async collect() {
      this.set(await size());
    },
  });
  new Gauge({
    name: 'phaseline_sequencer_queue_statements',
    help: 'Statements waiting for the sequencer.',
    registers: [registry],
    collect() {
      this.set(queued());
    },
  });
  return { registry, requests, latency, submissions };
}
