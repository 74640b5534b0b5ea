// Tamper campaign: random single-byte changes anywhere in an exported log (the checkpoint, hash
// tiles at every level, entry bundles with public statements and with commitments to
// restricted ones), each of which `phaseline verify` must catch. Every byte of an export is
// covered by a hash or a signature, so no change may pass. The bulk runs `verifyLog`, the code
// of `phaseline verify`, over the export held in memory; a sample goes through the compiled
// command on disk, as a user runs it.
// Reproduce a run with PHASELINE_TAMPER_SEED=<seed printed at the end>.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataDirPaths, readSignerKey } from '../../src/datadir/data-dir.js';
import { exportTiles } from '../../src/export/export-tiles.js';
import { ingest } from '../../src/ingest/ingest.js';
import { initDataDir, Mechanism } from '../../src/mechanism/mechanism.js';
import { mulberry32 } from '../../src/sim/prng.js';
import { signStatement } from '../../src/statement/envelope.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import type { TileSource } from '../../src/verify/tile-source.js';
import { VerifyError, verifyLog } from '../../src/verify/verify-log.js';
import { reportCampaign } from '../helpers/campaign.js';
import { distCli, tempDir } from '../helpers/cli.js';

const seed = Number(process.env.PHASELINE_TAMPER_SEED ?? 1207);
const flips = 1_000;
const cli_flips = 4;
const entries = 300; // past one full tile (256), so level-1 tiles and a partial bundle exist

let dir: string;
let exported: string;
let key: string;
const files = new Map<string, Buffer>();

beforeAll(async () => {
  dir = tempDir('phaseline-tamper-');
  const data = join(dir, 'data');
  initDataDir(data);
  const m = Mechanism.open(data);
  try {
    const signer = readSignerKey(join(dataDirPaths(data).keysDir, 'monitors.key'));
    const now = new Date().toISOString();
    const envelopes = Array.from({ length: entries }, (_, i) =>
      signStatement(
        {
          kind: 'incident.report',
          agreement: 'lebanon-2026',
          issuer: 'monitors',
          key: signer.vkey,
          at: now,
          nonce: `tamper-campaign-nonce-${i}`,
          classification: i % 3 === 0 ? 'mechanism' : 'public',
          subject: i % 3 === 0 ? `monitors/tamper-${i}` : `tamper-${i}`,
          body: {
            date_start: now,
            date_end: now,
            type: 'armed-presence',
            latitude: 33.2,
            longitude: 35.4,
            source_grade: 'B2',
            note: `report ${i}`,
          },
        },
        signer,
      ),
    );
    const results = ingest(m.log, envelopes, { now, ...m.hooks() });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    exported = join(dir, 'public');
    await exportTiles(new SyncLogStoreAdapter(m.log.store, 'log.db'), exported);
    key = readSignerKey(dataDirPaths(data).logKeyPath).vkey;
  } finally {
    m.close();
  }
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(exported, p), readFileSync(p));
    }
  };
  walk(exported);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The export in memory, with one byte of one file changed. */
function tampered(path: string, at: number, xor: number): TileSource {
  return {
    location: 'memory',
    async read(p) {
      const b = files.get(p);
      if (b === undefined || p !== path) return b;
      const copy = Buffer.from(b);
      copy[at] = copy[at]! ^ xor;
      return copy;
    },
  };
}

it(`catches each of ${flips} random single-byte changes of an export`, async () => {
  const started = Date.now();
  const random = mulberry32(seed);
  // Bytes are drawn uniformly over the whole export, so big files (bundles) get most flips.
  const all = [...files].sort(([a], [b]) => (a < b ? -1 : 1));
  const total = all.reduce((n, [, b]) => n + b.length, 0);
  const byKind = new Map<string, number>();
  expect(await verifyLog(tampered('', 0, 0), { key, workers: 1 })).toMatchObject({ size: entries });
  let caught = 0;
  const missed: string[] = [];
  for (let i = 0; i < flips; i++) {
    let offset = Math.floor(random() * total);
    let k = 0;
    while (offset >= all[k]![1].length) offset -= all[k++]![1].length;
    const path = all[k]![0];
    const xor = 1 + Math.floor(random() * 255);
    const kind =
      path === 'checkpoint' ? 'checkpoint' : path.startsWith('tile/entries') ? 'entry bundles' : 'hash tiles';
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    try {
      await verifyLog(tampered(path, offset, xor), { key, workers: 1 });
      missed.push(`${path} byte ${offset} ^ 0x${xor.toString(16)}`);
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      caught++;
    }
  }
  // A sample through the compiled command, on disk.
  let cliCaught = 0;
  for (let i = 0; i < cli_flips; i++) {
    const [path, bytes] = all[Math.floor(random() * all.length)]!;
    const at = Math.floor(random() * bytes.length);
    const changed = Buffer.from(bytes);
    changed[at] = changed[at]! ^ (1 + Math.floor(random() * 255));
    writeFileSync(join(exported, path), changed);
    const r = spawnSync('node', [distCli, 'verify', exported, '--key', key, '--statements'], {
      encoding: 'utf8',
    });
    writeFileSync(join(exported, path), bytes);
    if (r.status === 1 && r.stderr.startsWith('FAILED: ')) cliCaught++;
    else missed.push(`phaseline verify: ${path} byte ${at}: exit ${r.status} ${r.stdout}${r.stderr}`);
  }
  const clean = spawnSync('node', [distCli, 'verify', exported, '--key', key, '--statements'], {
    encoding: 'utf8',
  });
  expect([clean.status, clean.stdout]).toEqual([0, expect.stringContaining(`size ${entries}`)]);
  reportCampaign('tamper (export)', {
    seed: String(seed),
    'single-byte changes': flips + cli_flips,
    caught: caught + cliCaught,
    missed: missed.length,
    'of them in entry bundles / hash tiles / checkpoint': ['entry bundles', 'hash tiles', 'checkpoint']
      .map((k) => byKind.get(k) ?? 0)
      .join(' / '),
    'through the command': cli_flips,
    seconds: ((Date.now() - started) / 1000).toFixed(1),
  });
  expect(missed).toEqual([]);
  expect(caught + cliCaught).toBe(flips + cli_flips);
}, 180_000);
