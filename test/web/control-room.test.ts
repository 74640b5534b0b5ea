/// <reference lib="dom" />
// The control room in Debian's Chromium (playwright-core), against a real server on the demo
// history: load, open a zone, verify a receipt and see a tampered one fail, filter incidents,
// go back in time, Arabic right to left, a statement arriving live, the daily report's counts,
// and a public reader never seeing restricted content while a signed-in party does.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDirPaths } from '../../src/datadir/data-dir.js';
import { repoRoot, tempDir } from '../helpers/cli.js';
import { get, incident, type Live, makeDataDir, post, startServer } from '../server/helpers.js';

const executablePath = process.env.PHASELINE_CHROMIUM ?? '/usr/bin/chromium';
const built = join(repoRoot, 'dist/web/index.html');
const missing = !existsSync(executablePath)
  ? `no Chromium at ${executablePath} (apt-get install chromium)`
  : !existsSync(built)
    ? 'the web app is not built (npm run build:web)'
    : undefined;
if (missing && process.env.PHASELINE_REQUIRE_BROWSER) throw new Error(`browser tests required: ${missing}`);
if (missing) console.warn(`skipping the browser tests: ${missing}`);

const MARKER = `restricted-marker-${process.pid}-${Date.now()}`;

// Each test drives a real browser on a shared two-core machine: generous limits, which only guard against a hang.
describe.skipIf(missing !== undefined)('the control room in a browser', { timeout: 180_000 }, () => {
  let live: Live;
  let browser: Browser;
  let webDir: string;
  const pages: Page[] = [];

  beforeAll(async () => {
    webDir = tempDir('phaseline-web-');
    cpSync(join(repoRoot, 'dist/web'), webDir, { recursive: true });
    process.env.PHASELINE_WEB_DIR = webDir;
    live = await startServer(makeDataDir());
    const r = await post(
      `${live.url}/v1/statements`,
      incident(live.keys.monitors!, { classification: 'parties', id: MARKER }),
    );
    expect(r.status).toBe(201);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await live?.close();
    delete process.env.PHASELINE_WEB_DIR;
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  /** A fresh page on `/` (with a hash), waiting for `ready` (the zones drawn and listed). */
  async function open(
    hash = '#/',
    ready = ['body[data-map-ready="true"]', '[data-testid="zone-list"] li'],
  ): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1300, height: 850 } });
    pages.push(page);
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${live.url}/${hash}`);
    for (const selector of ready) await page.waitForSelector(selector, { timeout: 60_000 });
    return page;
  }

  it('loads the map with zones, the offline basemap and its attribution', async () => {
    const page = await open();
    expect(await page.locator('[data-testid="zone-list"] > li').count()).toBe(9);
    expect(await page.locator('.maplibregl-ctrl-attrib').innerText()).toMatch(/OpenStreetMap.*UCDP/s);
    expect(await page.locator('.map-note').innerText()).toMatch(/illustrative/);
    expect(await page.locator('.zone-label').count()).toBe(9);
    await page.close();
  });

  it('opens a zone: its stage, what it waits for and the statements behind each stage', async () => {
    const page = await open();
    await page.click('[data-zone="marjaayoun-west"]');
    const panel = page.locator('[data-testid="zone-panel"]');
    await expect.poll(() => panel.getAttribute('data-zone')).toBe('marjaayoun-west');
    const zone = (await get(`${live.url}/v1/zones/marjaayoun-west`)).json;
    expect(await panel.locator('[data-testid="zone-stage"]').innerText()).toBe(zone.stage);
    expect(await panel.locator('[data-testid="zone-waits"]').innerText()).toContain(zone.waitingFor[0].text);
    const cites = zone.history.flatMap((h: { cites: number[] }) => h.cites);
    for (const c of cites.slice(0, 3))
      await expect.poll(() => panel.locator(`[data-verify="${c}"]`).count()).toBeGreaterThan(0);
    await page.close();
  });

  it('verifies a receipt in the browser, and fails a tampered one visibly', async () => {
    const page = await open('#/zone/sour-south-litani', [
      'body[data-map-ready="true"]',
      '[data-testid="zone-panel"] [data-verify]',
    ]);
    const first = page.locator('[data-testid="zone-panel"] [data-verify]').first();
    const index = Number(await first.getAttribute('data-verify'));
    await first.click();
    const verdict = page.locator('[data-testid="verify-verdict"]');
    await expect.poll(() => verdict.getAttribute('data-ok'), { timeout: 20_000 }).toBe('true');
    expect(await page.locator('[data-step][data-status="ok"]').count()).toBe(6);
    await page.click('dialog button:has-text("Close")');

    // The network now returns a receipt with one proof hash changed.
    await page.route(`**/v1/statements/${index}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const lines = body.receipt.split('\n');
      lines[2] = Buffer.alloc(32, 9).toString('base64');
      await route.fulfill({ response: res, json: { ...body, receipt: lines.join('\n') } });
    });
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.waitForSelector('[data-testid="zone-panel"] [data-verify]');
    await page.locator(`[data-testid="zone-panel"] [data-verify="${index}"]`).first().click();
    await expect.poll(() => verdict.getAttribute('data-ok'), { timeout: 20_000 }).toBe('false');
    expect(await page.locator('[data-step="inclusion"]').getAttribute('data-status')).toBe('failed');
    expect(await verdict.innerText()).toMatch(/FAILED/);
    await page.close();
  });

  it('filters incidents by type', async () => {
    const page = await open();
    const count = page.locator('[data-testid="incident-count"]');
    const all = (await get(`${live.url}/v1/incidents?limit=10000`)).json.incidents as {
      type: string;
      latitude: number | null;
    }[];
    await expect.poll(() => count.getAttribute('data-shown'), { timeout: 30_000 }).toBe(String(all.length));
    await page.selectOption('[data-filter="type"]', 'air-strike');
    const strikes = all.filter((i) => i.type === 'air-strike').length;
    expect(strikes).toBeGreaterThan(0);
    expect(strikes).toBeLessThan(all.length);
    await expect.poll(() => count.getAttribute('data-shown')).toBe(String(strikes));
    await page.close();
  });

  it('shows the earlier stage when the timeline is dragged to before the first handover', async () => {
    const page = await open();
    const zone = (await get(`${live.url}/v1/zones/sour-south-litani`)).json;
    const handover = zone.history.find((h: { to: string }) => h.to === 'handed-over');
    expect(await page.locator('[data-zone="sour-south-litani"] .zone-stage').getAttribute('data-stage')).toBe(
      'handed-over',
    );
    const before = Math.floor(Date.parse(handover.at) / 1000) - 86_400;
    await page.locator('[data-testid="scrubber-range"]').fill(String(before - (before % 3600)));
    await expect
      .poll(() => page.locator('[data-zone="sour-south-litani"] .zone-stage').getAttribute('data-stage'), {
        timeout: 20_000,
      })
      .toBe(handover.from);
    expect(await page.locator('[data-testid="moment"]').innerText()).not.toMatch(/Live/);
    await page.close();
  });

  it('switches to Arabic, right to left', async () => {
    const page = await open();
    await page.selectOption('[data-testid="language"]', 'ar');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    expect(await page.locator('header.top h1').innerText()).toContain('غرفة');
    const side = (await page.locator('aside.side').boundingBox())!;
    const map = (await page.locator('[data-testid="map"]').boundingBox())!;
    expect(side.x).toBeLessThan(map.x); // the side panel moves to the left
    await page.selectOption('[data-testid="language"]', 'en');
    await page.close();
  });

  it('receives a statement submitted during the test', async () => {
    const page = await open();
    const size = (await get(`${live.url}/healthz`)).json.size as number;
    await page.waitForTimeout(500); // the live stream is open once the page has loaded
    expect((await post(`${live.url}/v1/statements`, incident(live.keys.monitors!))).status).toBe(201);
    await expect
      .poll(() => page.locator('[data-testid="changed"]').innerText(), { timeout: 20_000 })
      .toContain(String(size));
    await expect.poll(() => page.locator('[data-testid="log-size"]').innerText()).toContain(String(size + 1));
    await page.close();
  });

  it('shows the daily report of a known day with the counts the log gives', async () => {
    const page = await open('#/report/2026-06-26', ['[data-count="incidents"]']);
    const incidents = (await get(`${live.url}/v1/incidents?limit=10000`)).json.incidents as {
      admitted: string;
    }[];
    const thatDay = incidents.filter((i) => i.admitted.startsWith('2026-06-26')).length;
    expect(thatDay).toBeGreaterThan(100);
    expect(await page.locator('[data-count="incidents"] .num').innerText()).toBe(
      thatDay.toLocaleString('en'),
    );
    const stageChanges = (
      (await get(`${live.url}/v1/zones`)).json.zones as { history: { at: string }[] }[]
    ).flatMap((z) => z.history.filter((h) => h.at.startsWith('2026-06-26'))).length;
    expect(await page.locator('[data-count="stageChanges"] .num').innerText()).toBe(String(stageChanges));
    await page.locator('.report-body button.cite').first().click();
    await expect
      .poll(() => page.locator('[data-testid="verify-verdict"]').getAttribute('data-ok'), { timeout: 20_000 })
      .toBe('true');
    await page.close();
  });

  it('never shows restricted content to the public view; a signed-in party sees it', async () => {
    const page = await open();
    const bodies: string[] = [];
    page.on('response', async (r) => {
      try {
        bodies.push(await r.text());
      } catch {}
    });
    const today = new Date().toISOString().slice(0, 10);
    await page.goto(`${live.url}/#/report/${today}`);
    await page.waitForSelector('[data-count="incidents"]', { timeout: 30_000 });
    await page.goto(`${live.url}/#/zone/sour-south-litani`);
    await page.waitForSelector('[data-testid="zone-panel"]');
    await page.waitForTimeout(1000);
    expect(await page.content()).not.toContain(MARKER);
    expect(bodies.join('\n')).not.toContain(MARKER);

    await page.goto(`${live.url}/#/report/${today}`);
    await page.click('button:has-text("Sign in as a party")');
    await page.setInputFiles(
      '[data-testid="key-file"]',
      join(dataDirPaths(live.dir).keysDir, 'monitors.key'),
    );
    await page.click('[data-testid="sign-in-submit"]');
    await expect
      .poll(() => page.locator('[data-testid="view"]').getAttribute('data-clearance'), { timeout: 20_000 })
      .toBe('mechanism');
    await expect.poll(() => page.locator('.report-body').innerText(), { timeout: 30_000 }).toContain(MARKER);
    await page.close();
  });
});
