// `phaseline serve` and `phaseline submit` as a person runs them: a fresh directory is seeded
// with the demo, the address is printed, submit sends statements with per-line results, and
// SIGTERM stops the server cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliMain, repoRoot, tempDir } from '../helpers/cli.js';
import { incident, partyKeys } from './helpers.js';

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

async function firstLine(child: ChildProcess): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing`)));
  });
}

describe('phaseline serve and submit', () => {
  it('seeds a fresh directory, prints the address, takes submissions, stops on SIGTERM', async () => {
    const dir = join(tempDir(), 'office');
    const serve = run(['serve', '--data', dir, '--json'], { PORT: '0' });
    const { url, size } = JSON.parse(await firstLine(serve.child));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(size).toBeGreaterThan(500); // the demo history
    const state = (await (await fetch(`${url}/v1/state`)).json()) as { incidents: unknown[] };
    expect(state.incidents.length).toBeGreaterThan(0);

    const keys = partyKeys(dir);
    const file = join(tempDir(), 'batch.ndjson');
    const envs = [incident(keys.monitors!), incident(keys.monitors!)];
    writeFileSync(
      file,
      `${JSON.stringify(envs[0])}\nnot json\n${JSON.stringify(envs[1])}\n${JSON.stringify(envs[0])}\n`,
    );
    const sub = run(['submit', file, '--server', url, '--json']);
    const r = await sub.done;
    expect(r.code).toBe(1); // some lines were rejected
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.code ?? 'ok'])).toEqual([
      [2, 'malformed-json'],
      [1, 'ok'],
      [3, 'ok'],
      [4, 'duplicate-statement'],
    ]);
    expect(lines[1].index).toBe(size);

    const one = join(tempDir(), 'one.json');
    writeFileSync(one, JSON.stringify(incident(keys.monitors!), null, 2));
    const ok = await run(['submit', one, '--server', url]).done;
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`admitted at index ${size + 2}`);

    serve.child.kill('SIGTERM');
    const end = await serve.done;
    expect(end.code).toBe(0);
    expect(end.stderr).toContain('SIGTERM: stopping');
  }, 60_000);

  it('explains a bad port and an unreachable server', async () => {
    const file = join(tempDir(), 'one.json');
    writeFileSync(file, '{"statement":{}}');
    const bad = await run(['submit', file, '--server', 'http://127.0.0.1:1']).done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('cannot reach http://127.0.0.1:1');
    const port = await run(['serve', '--data', tempDir(), '--port', 'eighty']).done;
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port eighty is not a port number');
  }, 30_000);
});
