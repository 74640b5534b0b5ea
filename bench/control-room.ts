/**
 * The control room's speed (issue 18, "Speed"), in headless Debian Chromium (playwright-core)
 * against the compiled `phaseline serve`, as a reader would meet it:
 *  - first meaningful paint of the map: from navigation start to the first frame with the basemap
 *    and the zones coloured by their stage (target ≤ 2 s), and, for information, to the frame with
 *    every incident of the live moment on the map;
 *  - the timeline: `--moves` jumps of the scrubber to moments spread over the log's history, each
 *    from its input event to the frame that shows the moment (zones, truce, escrow, and the map
 *    with the incidents admitted by then): median (target ≤ 100 ms), and, for information, to the
 *    frame with the incidents as they were at that moment (findings and responses of then, loaded
 *    once the scrubber rests);
 *  - the page's JavaScript besides the map library, gzipped (target ≤ 500 KB);
 *  - where the time of a move goes on the server: the answer the page asks for at a past moment,
 *    fetched from this process.
 * The log holds the demo plus `--incidents` signed incident reports (bench/control-room-log.ts);
 * the yardstick is the same measurement on the plain demo (a few hundred incidents) in the same
 * run, so the ratios say what the hundred thousand incidents cost.
 *
 * Run: `npm run build && npx tsx bench/control-room.ts [--incidents 100000] [--moves 50] [--keep DIR]`
 * (--keep builds the large log in DIR once and reuses it; building takes minutes.)
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { seedDemo } from '../src/demo/seed-demo.js';
import { argument, numberArgument } from './args.js';
import { buildControlRoomLog } from './control-room-log.js';
import { startServe, unlimited_rates } from './serve-process.js';

const incidents = numberArgument('incidents', 100_000);
const moves = numberArgument('moves', 50);
const keep = argument('keep');
const executablePath = process.env.PHASELINE_CHROMIUM ?? '/usr/bin/chromium';
const targets = { paint_ms: 2000, move_ms: 100, script_kb: 500 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** The built page's JavaScript besides the map library (its chunk and worker), gzipped as a server would send it. */
function pageScriptBytes(): { files: { name: string; raw: number; gzip: number }[]; gzip: number } {
  const dir = 'dist/web/assets';
  if (!existsSync(dir)) throw new Error('dist/web is not built: run npm run build first');
  const files = readdirSync(dir)
    .filter((f) => /\.m?js$/.test(f) && !f.startsWith('maplibre'))
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes).length };
    });
  return { files, gzip: files.reduce((a, f) => a + f.gzip, 0) };
}

interface Figures {
  incidents: number;
  paintMs: number;
  incidentsPaintedMs: number;
  moveMs: number[];
  cutMs: number[];
  exactMs: number[];
  apiMs: number[];
}

/** Serves `dir`, opens the page, and measures. */
async function measure(dir: string): Promise<Figures> {
  const server = await startServe(dir, unlimited_rates);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { size: number };
    const last = (await (await fetch(`${server.url}/v1/statements/${health.size - 1}`)).json()) as {
      admitted: string;
    };
    const first = (await (await fetch(`${server.url}/v1/statements/0`)).json()) as { admitted: string };
    const page = await browser.newPage({ viewport: { width: 1300, height: 850 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(
      () => performance.getEntriesByName('phaseline:incidents-painted').length > 0,
      null,
      {
        timeout: 600_000,
        polling: 100,
      },
    );
    const marks = await page.evaluate(() => ({
      paint: performance.getEntriesByName('phaseline:map-painted')[0]!.startTime,
      incidents: performance.getEntriesByName('phaseline:incidents-painted')[0]!.startTime,
      shown: Number(document.querySelector('[data-testid="incident-count"]')?.getAttribute('data-shown')),
    }));

    // Moments spread over the log's history (whole hours, as the scrubber steps), in an order
    // that jumps back and forth: each needs the state of a moment the page has not shown yet.
    const from = Math.ceil(Date.parse(first.admitted) / 3_600_000) + 1;
    const to = Math.floor(Date.parse(last.admitted) / 3_600_000);
    const hours = Array.from(
      { length: moves },
      (_, k) => from + Math.floor((((k * 37) % moves) + 0.5) * ((to - from) / moves)),
    );
    const moveMs: number[] = [];
    const cutMs: number[] = [];
    const exactMs: number[] = [];
    for (const h of hours) {
      const seconds = await page.evaluate((s) => {
        const input = document.querySelector<HTMLInputElement>('[data-testid="scrubber-range"]')!;
        // React listens to the input event; the value goes through the element's own setter,
        // which snaps it to the range's steps as a drag would.
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(s));
        input.dispatchEvent(new Event('input', { bubbles: true }));
        return Number(input.value);
      }, h * 3600);
      const at = new Date(seconds * 1000).toISOString();
      for (const attribute of ['moment', 'momentIncidents', 'momentExact'])
        await page.waitForFunction(([name, a]) => document.body.dataset[name!] === a, [attribute, at], {
          timeout: 300_000,
          polling: 50,
        });
      const [shown, cut, exact] = await page.evaluate(() =>
        ['phaseline:moment', 'phaseline:moment-incidents', 'phaseline:moment-exact'].map(
          (name) => performance.getEntriesByName(name).at(-1)!.duration,
        ),
      );
      moveMs.push(shown!);
      cutMs.push(cut!);
      exactMs.push(exact!);
    }

    // The server's part: the answer a move asks for, at moments the page has not asked about
    // (half an hour later, so no cached answer serves it).
    const apiMs: number[] = [];
    for (const h of hours) {
      const at = new Date(h * 3_600_000 + 1_800_000).toISOString();
      const t0 = performance.now();
      const r = await fetch(`${server.url}${MOVE_PATH}${encodeURIComponent(at)}`);
      await r.arrayBuffer();
      apiMs.push(performance.now() - t0);
    }
    return {
      incidents: marks.shown,
      paintMs: marks.paint,
      incidentsPaintedMs: marks.incidents,
      moveMs,
      cutMs,
      exactMs,
      apiMs,
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** What the page fetches when the timeline moves (the server's part of a move). */
const MOVE_PATH = '/v1/overview?at=';

const big = keep ?? join(tmpdir(), `phaseline-bench-control-room-${process.pid}`);
const small = join(tmpdir(), `phaseline-bench-control-room-demo-${process.pid}`);
try {
  if (!existsSync(join(big, 'agreement.yaml'))) {
    const t0 = performance.now();
    const r = buildControlRoomLog(big, incidents, (line) => process.stdout.write(`\r${line}    `));
    process.stdout.write(
      `\nbuilt ${big}: ${r.logSize} entries, ${r.byKind['incident.report']} incident reports, in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
    );
  }
  seedDemo(small);
  const scripts = pageScriptBytes();
  const yard = await measure(small);
  const load = await measure(big);
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const row = (name: string, a: number, b: number, target?: number) =>
    console.log(
      `${name.padEnd(58)} ${ms(a).padStart(9)} ${ms(b).padStart(9)} ${(a / b).toFixed(1).padStart(6)}×  ${
        target === undefined ? '' : `≤ ${target} ms: ${a <= target ? 'met' : 'NOT met'}`
      }`,
    );
  console.log(
    `\n${''.padEnd(58)} ${`${load.incidents}`.padStart(9)} ${`${yard.incidents}`.padStart(9)}  ratio  (incidents on the map; shared machine, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`,
  );
  row('first meaningful paint of the map (zones by stage)', load.paintMs, yard.paintMs, targets.paint_ms);
  row('every incident of the live moment on the map', load.incidentsPaintedMs, yard.incidentsPaintedMs);
  row(
    `timeline: a new moment shown, median of ${moves} moves`,
    median(load.moveMs),
    median(yard.moveMs),
    targets.move_ms,
  );
  row('timeline: the same, 90th percentile', quantile(load.moveMs, 0.9), quantile(yard.moveMs, 0.9));
  row('timeline: incidents cut to the moment, median', median(load.cutMs), median(yard.cutMs));
  row('timeline: incidents as they were then, median', median(load.exactMs), median(yard.exactMs));
  row(`server: GET ${MOVE_PATH}…, median`, median(load.apiMs), median(yard.apiMs));
  const kb = scripts.gzip / 1024;
  console.log(
    `page JavaScript besides the map library, gzipped: ${kb.toFixed(0)} KB (≤ ${targets.script_kb} KB: ${kb <= targets.script_kb ? 'met' : 'NOT met'}): ${scripts.files.map((f) => `${f.name} ${(f.raw / 1024).toFixed(0)} KB raw, ${(f.gzip / 1024).toFixed(0)} KB gzipped`).join('; ')}`,
  );
} finally {
  rmSync(small, { recursive: true, force: true });
  if (keep === undefined) rmSync(big, { recursive: true, force: true });
}
