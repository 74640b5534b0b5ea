// `phaseline report daily` on the demo history: the Markdown and HTML carry the same counts as
// the report the server answers, the PDF is printed by headless Chromium (or refused with a
// message saying what to install), and a bad date names the value.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/cli/commands-report.js';
import { type CliResult, cliMain, repoRoot, tempDir } from '../helpers/cli.js';
import { get, type Live, makeDataDir, startServer } from '../server/helpers.js';

const day = '2026-06-26';

/** The CLI in a child process, awaited (the server it reads runs in this process, so no spawnSync). */
function phaseline(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliMain, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
let live: Live;
let dir: string;

beforeAll(async () => {
  dir = makeDataDir();
  live = await startServer(dir);
}, 120_000);
afterAll(async () => live?.close());

describe('phaseline report daily', { timeout: 180_000 }, () => {
  it('writes Markdown and HTML with the counts the server reports for the day', async () => {
    const served = (await get(`${live.url}/v1/reports/daily/${day}`)).json;
    expect(served.summary.incidents).toBeGreaterThan(100);
    const md = await phaseline(['report', 'daily', '--date', day, '--format', 'md', '--server', live.url]);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain(`- ${served.summary.incidents.toLocaleString('en')} incidents reported`);
    expect(md.stdout).toContain(`- ${served.summary.stageChanges} stage changes`);
    const out = join(tempDir(), 'r.html');
    const html = await phaseline([
      'report',
      'daily',
      '--date',
      day,
      '--format',
      'html',
      '--out',
      out,
      '--server',
      live.url,
    ]);
    expect(html.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).toContain(
      `<li data-count="incidents"><span class="num">${served.summary.incidents.toLocaleString('en')}</span>`,
    );
    expect(text).toContain(served.log.checkpoint.split('\n')[2]);
  });

  it('refuses a date that is not one, naming it', async () => {
    const r = await phaseline(['report', 'daily', '--date', '2026-02-30', '--server', live.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2026-02-30 is not a date/);
  });

  it('prints a PDF with headless Chromium, or says what to install', async () => {
    const out = join(tempDir(), 'r.pdf');
    const r = await phaseline([
      'report',
      'daily',
      '--date',
      day,
      '--format',
      'pdf',
      '--out',
      out,
      '--server',
      live.url,
    ]);
    if (findChromium() === undefined) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/PDF needs a headless Chromium.*apt-get install chromium/);
      return;
    }
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const none = await phaseline(
      ['report', 'daily', '--date', day, '--format', 'pdf', '--out', out, '--server', live.url],
      {
        env: { ...process.env, PHASELINE_CHROMIUM: '/nonexistent/chromium' },
      },
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /PDF needs a headless Chromium.*\/nonexistent\/chromium.*apt-get install chromium/,
    );
  });
});
