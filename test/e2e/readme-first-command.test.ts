// The README's first command, followed on this checkout: `npm ci` has run (CI does it on a clean
// clone), so `npm start` must bring up a server on the Lebanon 2026 scenario, honouring $PORT,
// seeded with the demo history, and print the address to open.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../helpers/cli.js';

describe("the README's first command", () => {
  let child: ChildProcess;
  let url = '';
  let output = '';

  beforeAll(async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const firstBlock = readme.match(/```sh\n([^\n]+)\n([^\n]+)\n```/);
    expect(firstBlock?.[1]).toBe('npm ci && npm start');
    expect(firstBlock?.[2]).toBe('npm test');
    // `npm ci` built dist/ through the prepare script, and test/setup/build-dist.ts rebuilt it
    // before any test if a source was newer; a rebuild here would rewrite dist/ under the other
    // tests that run the compiled command at the same time.
    child = spawn('npm', ['start'], {
      cwd: repoRoot,
      env: { ...process.env, PORT: '0', PHASELINE_DATA: join(tempDir(), 'phaseline-data') },
      detached: true, // its own process group, so the whole npm → node tree can be stopped
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address printed within 60 s:\n${output}`)), 60_000);
      const take = (d: Buffer) => {
        output += d.toString();
        const m = output.match(/open (http:\/\/127\.0\.0\.1:\d+)\/docs/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', take);
      child.stderr!.on('data', take);
      child.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });

  it('seeds the demo history once and serves it: zones, the signed log, and the docs', async () => {
    expect(output).toMatch(
      /initialized .* with the Lebanon 2026 scenario .* SIMULATED demo statements and 272 real incident records/,
    );
    const zone = await (await fetch(`${url}/v1/zones/sour-south-litani`)).json();
    expect(JSON.stringify(zone)).toContain('handed-over');
    const checkpoint = await (await fetch(`${url}/log/checkpoint`)).text();
    expect(checkpoint).toMatch(/^phaseline\.example\/lebanon-2026\n\d{3,}\n/);
    const docs = await fetch(`${url}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(openapi.paths['/v1/statements']).toBeDefined();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
