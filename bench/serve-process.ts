/**
 * `phaseline serve` as a child process, as a user starts it: through the `#!` line of
 * bin/phaseline.js (which sets the allocator's environment and the node flags), running the
 * compiled code in dist/ (`npm run build` first). The benchmarks measure that process, so what
 * they measure is what ships, not the TypeScript sources run by tsx in the benchmark's process.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { argument } from './args.js';

export interface ServeProcess {
  url: string;
  pid: number;
  child: ChildProcessByStdio<null, Readable, null>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `serve --data DIR --port 0 --json` plus `args`, and resolves once it listens.
 * `nodeFlags`, when given, runs `node FLAGS dist/cli/main.js` instead of the `#!` line (to compare
 * flags; the allocator setting of the `#!` line is kept). `onSpawn` gets the process id at once,
 * before the server has replayed its log and listens.
 */
export async function startServe(
  dir: string,
  args: string[] = [],
  nodeFlags?: string[],
  onSpawn?: (pid: number) => void,
): Promise<ServeProcess> {
  const serveArgs = ['serve', '--data', dir, '--port', '0', '--json', ...args];
  const env = {
    ...process.env,
    // This node first on the PATH, for `#!/usr/bin/env … node`.
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    ...(nodeFlags ? { MALLOC_MMAP_THRESHOLD_: '131072' } : {}),
  };
  const [command, argv]: [string, string[]] = nodeFlags
    ? [process.execPath, [...nodeFlags, 'dist/cli/main.js', ...serveArgs]]
    : ['bin/phaseline.js', serveArgs];
  return startListening(command, argv, env, onSpawn);
}

/**
 * Starts `command args` with `env` and resolves once it listens: once it prints a JSON line
 * with the `url` it serves on, as `phaseline serve --json` does.
 */
export async function startListening(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onSpawn?: (pid: number) => void,
): Promise<ServeProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  onSpawn?.(child.pid!);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      // SERVE_STDOUT=1 shows what the server prints (with --node-flags --trace-gc, say).
      if (process.env.SERVE_STDOUT) process.stderr.write(d);
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    },
  };
}

/** `--node-flags "…"` from this benchmark's arguments, for {@link startServe}; undefined when absent. */
export function nodeFlagsArgument(): string[] | undefined {
  const flags = argument('node-flags');
  return flags === undefined ? undefined : flags.split(/\s+/).filter(Boolean);
}

/** `serve` arguments that lift the per-address and per-key rate limits, for a load generator. */
export const unlimited_rates = [
  'rate_address_requests_max',
  'rate_key_statements_per_second',
  'rate_key_statements_burst',
].flatMap((name) => ['--limit', `${name}=1000000000`]);

/**
 * CPU time (user + system, ms) each thread of process `pid` has used so far, by thread id, from
 * /proc (Linux). Unlike a wall-clock profile it does not count time spent waiting for a core.
 */
function threadCpuMs(pid: number | 'self' = 'self'): Map<string, { name: string; ms: number }> {
  const tick_ms = 10; // USER_HZ is 100 on Linux
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime: fields 14 and 15 of proc(5), 12 and 13 after the name.
      out.set(tid, { name, ms: (Number(f[11]) + Number(f[12])) * tick_ms });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * CPU (ms) the server used between two {@link threadCpuMs} readings, by role: its main thread
 * (HTTP, sequencing, the log, the views; tid = pid), the `workers` busiest other threads (the
 * verification workers, one per core), and the rest (V8's helper threads: GC, compilation).
 */
function cpuBetween(
  pid: number,
  before: Map<string, { ms: number }>,
  after: Map<string, { ms: number }>,
  workers: number,
): { all: number; main: number; verification: number; rest: number } {
  const used = [...after].map(([tid, t]) => [tid, t.ms - (before.get(tid)?.ms ?? 0)] as const);
  const all = used.reduce((a, [, ms]) => a + ms, 0);
  const main = used.find(([tid]) => tid === String(pid))?.[1] ?? 0;
  const others = used.filter(([tid]) => tid !== String(pid)).sort((a, b) => b[1] - a[1]);
  const verification = others.slice(0, workers).reduce((a, [, ms]) => a + ms, 0);
  return { all, main, verification, rest: all - main - verification };
}

/** CPU (ms) of the server's threads by role, and of this process (the client), over a stretch. */
export interface CpuUsed {
  server: ReturnType<typeof cpuBetween>;
  clientMs: number;
}

/**
 * Starts measuring the CPU of server `pid` (its `workers` verification workers told apart) and
 * of this process; the function returned ends the stretch and gives what each used in it.
 */
export function startCpuMeter(pid: number, workers: number): () => CpuUsed {
  const server0 = threadCpuMs(pid);
  const client0 = process.cpuUsage();
  return () => {
    const server1 = threadCpuMs(pid);
    const client = process.cpuUsage(client0);
    return {
      server: cpuBetween(pid, server0, server1, workers),
      clientMs: (client.user + client.system) / 1000,
    };
  };
}

/** {@link CpuUsed} per statement, as a line. */
export function cpuLine({ server: cpu, clientMs }: CpuUsed, statements: number): string {
  const us = (ms: number) => `${((ms * 1000) / statements).toFixed(0)} µs`;
  return `server ${us(cpu.all)} = main thread ${us(cpu.main)} + verification workers ${us(cpu.verification)} + V8 helper threads ${us(cpu.rest)}; client ${us(clientMs)}`;
}
