// Connections cannot exhaust the server (finding 3 of the hardening issue): sockets that send
// nothing were never closed and no address had a cap, so ~20,000 of them filled the descriptor
// table; the slow-header and slow-body timeouts fired at 43 s and 73 s though 30 s was
// documented. Here, with small limits: each timeout fires when documented (within the 1 s
// deadline check), one address gets no more than its share, and /healthz answers from another
// address while one holds its maximum. The exhaustion campaign prints its counts.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCampaign } from '../helpers/campaign.js';
import { type Live, makeDataDir, startServer } from './helpers.js';

const limits = {
  headers_timeout_ms: 1_000,
  request_timeout_ms: 2_000,
  keep_alive_timeout_ms: 1_000,
  connections_per_address_max: 20,
  connections_max: 50,
};
const late_ms = 1_500; // the deadline check runs every second: a timeout may fire up to that late, plus scheduling

let live: Live;
let port: number;

beforeAll(async () => {
  live = await startServer(makeDataDir(false), limits);
  port = Number(new URL(live.url).port);
});
const clients: Socket[] = [];
afterAll(async () => {
  for (const s of clients) s.destroy();
  await live?.close();
});

interface Client {
  socket: Socket;
  received: () => string;
  closed: Promise<number>; // ms from connect to close
}

const open = (localAddress = '127.0.0.1') => openTo(localAddress, port);

function openTo(localAddress: string, to: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    let data = '';
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port: to, localAddress });
    clients.push(socket);
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.on('data', (d) => {
      data += d.toString();
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

async function healthOf(localAddress: string, to: number): Promise<string> {
  const c = await openTo(localAddress, to);
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await c.closed;
  return c.received().split('\r\n')[0]!;
}

describe('timeouts fire when documented', () => {
  it('a connection that sends nothing is closed after headers_timeout_ms', async () => {
    const c = await open();
    const ms = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(limits.headers_timeout_ms - 50);
    expect(ms).toBeLessThan(limits.headers_timeout_ms + late_ms);
  });

  it('headers sent a byte at a time are cut off after headers_timeout_ms', async () => {
    const c = await open();
    const text = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100);
    let i = 0;
    const drip = setInterval(() => c.socket.writable && c.socket.write(text[i++ % text.length]!), 100);
    const ms = await c.closed;
    clearInterval(drip);
    expect(ms).toBeLessThan(limits.headers_timeout_ms + late_ms);
  });

  it('a body sent slowly is cut off after request_timeout_ms', async () => {
    const c = await open();
    c.socket.write(
      'POST /v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 100);
    const ms = await c.closed;
    clearInterval(drip);
    expect(ms).toBeGreaterThanOrEqual(limits.request_timeout_ms - 50);
    expect(ms).toBeLessThan(limits.request_timeout_ms + late_ms);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('an idle keep-alive connection is closed after keep_alive_timeout_ms', async () => {
    const c = await open();
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    while (!c.received().includes('"ok":true')) await new Promise((r) => setTimeout(r, 10));
    const answered = Date.now();
    await c.closed;
    expect(Date.now() - answered).toBeLessThan(limits.keep_alive_timeout_ms + late_ms);
  });
});

describe('connection exhaustion', () => {
  it('one address holds at most its share; /healthz answers elsewhere; the total is capped', async () => {
    // Its own server, whose idle connections live long enough to be counted on a busy machine.
    const server = await startServer(makeDataDir(false), {
      ...limits,
      headers_timeout_ms: 8_000,
      request_timeout_ms: 8_000,
    });
    const to = Number(new URL(server.url).port);
    const open = (address: string) => openTo(address, to);
    const healthFrom = (address: string) => healthOf(address, to);
    const attempts = 200;
    // One address opens far more than it may, all idle.
    const flood = await Promise.all(Array.from({ length: attempts }, () => open('127.0.0.1')));
    // Connected is not yet accepted: wait until the server has answered every refusal.
    const answered = () => flood.filter((c) => c.received().startsWith('HTTP/1.1 503')).length;
    for (let t = 0; t < 100 && answered() < attempts - limits.connections_per_address_max; t++)
      await new Promise((r) => setTimeout(r, 50));
    const refused = flood.filter((c) => c.received().startsWith('HTTP/1.1 503'));
    const held = flood.filter((c) => !c.socket.destroyed && c.received() === '');
    expect(held).toHaveLength(limits.connections_per_address_max);
    expect(refused).toHaveLength(attempts - limits.connections_per_address_max);
    expect(refused[0]!.received()).toContain('connections_per_address_max');
    // Another address is served while the first holds its maximum.
    expect(await healthFrom('127.0.0.2')).toBe('HTTP/1.1 200 OK');
    // More addresses fill the server to connections_max; past it, every address is refused.
    const others: Client[] = [];
    for (let a = 3; others.length < limits.connections_max - limits.connections_per_address_max; a++)
      for (let k = 0; k < 10; k++) others.push(await open(`127.0.0.${a}`));
    const full = await open('127.0.0.200');
    await full.closed;
    expect(full.received()).toMatch(/^HTTP\/1\.1 503[\s\S]*connections_max/);
    // The idle ones are closed at headers_timeout_ms, and the server answers again.
    await Promise.all([...held, ...others].map((c) => c.closed));
    expect(await healthFrom('127.0.0.1')).toBe('HTTP/1.1 200 OK');
    reportCampaign('connection exhaustion', {
      'connections attempted from one address': attempts,
      'held (connections_per_address_max)': held.length,
      'refused with 503': refused.length,
      'other addresses filling connections_max': others.length,
      '/healthz from another address while one held its maximum': 'answered',
    });
    await server.close();
  }, 60_000);
});
