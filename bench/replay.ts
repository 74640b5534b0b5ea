/**
 * Replay benchmark (issue 20, "Speed": `phaseline replay` of a 1,000,000-statement export at
 * ≥ 50 % of the rate of `phaseline verify` on it, in the same run).
 *
 * The export: `--entries` synthetic statements of the default scenario (bench/engine-evolve.ts's
 * stream: real envelope shapes, placeholder signatures, which neither command checks), appended
 * through the log and exported with `phaseline log export`'s code, with the state commitments
 * (state/<2^k>) that command writes. Subject and yardstick are the compiled commands, each in its
 * own process, on the same directory, alternating: `phaseline verify DIR --key K` (re-hashes every
 * entry and tile, two worker threads) and `phaseline replay DIR --agreement FILE --key K` (folds
 * every entry with the engine and checks every commitment). Rates are entries per second of wall
 * time, process start included for both.
 *
 * Run: `npm run build && npx tsx bench/replay.ts [--entries 1000000] [--rounds 3]`
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderAgreementFiles } from '../src/agreement/scenarios.js';
import { dataDirPaths, openLog, readSignerKey } from '../src/datadir/data-dir.js';
import type { EngineEntry } from '../src/engine/index.js';
import { exportTiles } from '../src/export/export-tiles.js';
import { batch_entries_max, type PendingEntry } from '../src/log/transparency-log.js';
import { writeStateCommitments } from '../src/replay/replay-export.js';
import { encodeEntry } from '../src/statement/log-entry.js';
import { SyncLogStoreAdapter } from '../src/store/async-log-store.js';
import { tileSource } from '../src/verify/tile-source.js';
import { numberArgument } from './args.js';
import { benchAgreement, generateEntries } from './engine-evolve.js';

const entries = numberArgument('entries', 1_000_000);
const rounds = numberArgument('rounds', 3);

function timed(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`phaseline ${args[0]} exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
  return s;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'phaseline-bench-replay-'));
  try {
    const data = join(tmp, 'data');
    const out = join(tmp, 'export');
    const { agreement, keys } = benchAgreement();
    console.log(`generating and appending ${entries} statements…`);
    const log = openLog(dataDirPaths(data), agreement.logOrigin);
    try {
      const texts = generateEntries(agreement, keys, entries);
      for (let off = 0; off < texts.length; off += batch_entries_max) {
        const batch: PendingEntry[] = texts.slice(off, off + batch_entries_max).map((t, k) => {
          const e = JSON.parse(t) as EngineEntry;
          return {
            bytes: encodeEntry({ v: 1, admitted: e.admitted, envelope: e.envelope }),
            meta: {
              statementId: createHash('sha256')
                .update(`${off + k}`)
                .digest('hex'),
            },
            disclosure: null,
          };
        });
        log.append(batch);
      }
      await exportTiles(new SyncLogStoreAdapter(log.store), out);
    } finally {
      log.store.close();
    }
    for (const [path, text] of Object.entries(renderAgreementFiles(agreement))) {
      mkdirSync(dirname(join(data, path)), { recursive: true });
      writeFileSync(join(data, path), text);
    }
    const signer = readSignerKey(dataDirPaths(data).logKeyPath);
    console.log('writing the state commitments…');
    const commitments = await writeStateCommitments(out, tileSource(out), agreement, signer);
    const agreementFile = join(data, 'agreement.yaml');
    const results: { verify: number; replay: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const v = timed(['verify', out, '--key', signer.vkey]);
      const p = timed([
        'replay',
        out,
        '--agreement',
        agreementFile,
        '--key',
        signer.vkey,
        '--out',
        '/dev/null',
        '--json',
      ]);
      results.push({ verify: entries / v, replay: entries / p });
      console.log(
        `round ${r + 1}: verify ${(entries / v).toFixed(0)} entries/s (${v.toFixed(1)} s), replay ${(entries / p).toFixed(0)} entries/s (${p.toFixed(1)} s, ${commitments} commitments), ratio ${(v / p).toFixed(2)}`,
      );
    }
    const ratios = results.map((x) => x.replay / x.verify).sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(
      `median ratio replay/verify: ${median.toFixed(2)} (target ≥ 0.50: ${median >= 0.5 ? 'met' : 'NOT met'}); ${entries} entries, ${rounds} alternating rounds`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
