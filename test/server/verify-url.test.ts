// `phaseline verify` pointed at a server's own address instead of its log (finding 5 of the
// hardening issue): it said only "checkpoint: not found"; it now names the URL to use.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataDirPaths, readSignerKey } from '../../src/datadir/data-dir.js';
import { distCli } from '../helpers/cli.js';
import { incident, type Live, makeDataDir, post, startServer } from './helpers.js';

let live: Live;
let key: string;

beforeAll(async () => {
  live = await startServer(makeDataDir(false));
  expect((await post(`${live.url}/v1/statements`, incident(live.keys.monitors!))).status).toBe(201);
  key = readSignerKey(dataDirPaths(live.dir).logKeyPath).vkey;
});
afterAll(async () => {
  await live?.close();
});

async function verify(target: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)('node', [distCli, 'verify', target, '--key', key]);
    return { code: 0, ...r };
  } catch (e) {
    const f = e as { code: number; stdout: string; stderr: string };
    return { code: f.code, stdout: f.stdout, stderr: f.stderr };
  }
}

it('verify of a server address without /log names the URL to use', async () => {
  for (const target of [live.url, `${live.url}/`]) {
    const r = await verify(target);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`not found at ${live.url}/checkpoint`);
    expect(r.stderr).toContain(`its log is at ${live.url}/log — run phaseline verify ${live.url}/log`);
  }
  const ok = await verify(`${live.url}/log`);
  expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/^OK: .* size 1 root /)]);
});

it('verify of an address where nothing is published says what a log looks like', async () => {
  const r = await verify(`${live.url}/v1`);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('has a file named checkpoint at its top');
});
