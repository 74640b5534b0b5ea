// Independent replay of the demo's export: the public state re-derived from the exported log and
// the agreement equals, byte for byte, what a live office serves at every tenth size; and a
// changed entry, a dropped entry or a wrong agreement file is named at the first commitment where
// the log's word and the re-derivation part.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../src/agreement/load.js';
import type { Agreement } from '../../src/agreement/model.js';
import { readSignerKey } from '../../src/datadir/data-dir.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { serializeState } from '../../src/engine/index.js';
import { exportTiles } from '../../src/export/export-tiles.js';
import { signCheckpoint } from '../../src/log/checkpoint.js';
import { leafHash, rootFromLeafHashes } from '../../src/log/rfc6962.js';
import { encodeEntryBundle, entriesPath, tile_width } from '../../src/log/tile.js';
import { Mechanism } from '../../src/mechanism/mechanism.js';
import { PublicReplay } from '../../src/replay/public-state.js';
import { exportLeaves, replayExport, writeStateCommitments } from '../../src/replay/replay-export.js';
import { SqliteMechanismService } from '../../src/service/sqlite-service.js';
import type { LogEntry } from '../../src/statement/log-entry.js';
import { SyncLogStoreAdapter } from '../../src/store/async-log-store.js';
import { tileSource } from '../../src/verify/tile-source.js';

let tmp: string;
let demo: string;
let exported: string;
let agreement: Agreement;
let logKey: string;
let leaves: Buffer[];

/** The smallest power of two at or above n: the first commitment that covers entry n − 1. */
const commitmentCovering = (n: number) => 2 ** Math.ceil(Math.log2(n));

/** Writes `entries` as a complete export in `dir`, with a checkpoint signed by the demo's log key. */
function writeExport(dir: string, entries: Buffer[]): void {
  rmSync(join(dir, 'tile'), { recursive: true, force: true });
  for (let b = 0; b * tile_width < entries.length; b++) {
    const slice = entries.slice(b * tile_width, (b + 1) * tile_width);
    const file = join(dir, entriesPath(b, slice.length));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, encodeEntryBundle(slice));
  }
  const signer = readSignerKey(join(demo, 'log.key'));
  const root = rootFromLeafHashes(entries.map((e) => leafHash(e)));
  writeFileSync(
    join(dir, 'checkpoint'),
    signCheckpoint({ origin: signer.name, size: entries.length, root }, signer),
  );
}

/** A copy of the demo export whose entries are `entries` (the commitments stay the log's). */
function tampered(name: string, entries: Buffer[]): string {
  const dir = join(tmp, name);
  cpSync(exported, dir, { recursive: true });
  writeExport(dir, entries);
  return dir;
}

/** The first size in (from, to] at which two replays of the same leaves under two agreements serialize differently. */
function firstDifferingSize(
  a: Agreement,
  b: Agreement,
  entries: Buffer[],
  from: number,
  to: number,
): number | undefined {
  const ra = new PublicReplay(a);
  const rb = new PublicReplay(b);
  for (const leaf of entries.slice(0, to)) {
    ra.push(leaf);
    rb.push(leaf);
    if (ra.size > from && ra.text() !== rb.text()) return ra.size;
  }
  return undefined;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'phaseline-replay-'));
  demo = join(tmp, 'demo');
  seedDemo(demo);
  const m = Mechanism.open(demo);
  try {
    agreement = m.agreement;
    exported = join(tmp, 'export');
    await exportTiles(new SyncLogStoreAdapter(m.log.store), exported);
  } finally {
    m.close();
  }
  const signer = readSignerKey(join(demo, 'log.key'));
  logKey = signer.vkey;
  await writeStateCommitments(exported, tileSource(exported), agreement, signer);
  leaves = [];
  const size = Number(readFileSync(join(exported, 'checkpoint'), 'utf8').split('\n')[1]);
  for await (const bundle of exportLeaves(tileSource(exported), size))
    leaves.push(...bundle.map((b) => Buffer.from(b)));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('phaseline replay of the demo export', () => {
  it('agrees with every state commitment the export carries', async () => {
    const r = await replayExport(tileSource(exported), { agreement, key: logKey });
    expect(r.size).toBe(leaves.length);
    expect(r.commitments.map((c) => c.size)).toEqual(
      Array.from({ length: Math.floor(Math.log2(leaves.length)) + 1 }, (_, k) => 2 ** k),
    );
    expect(r.commitments.every((c) => c.agrees)).toBe(true);
    expect(r.firstDifference).toBeUndefined();
  });

  it('equals, byte for byte, the public state a live office serves at every tenth size', async () => {
    // A fresh office with the demo's agreement and keys takes the same statements at their
    // admission times; after every tenth one, its public state is what it would serve then.
    const office = join(tmp, 'office');
    mkdirSync(office);
    for (const f of ['agreement.yaml', 'geo', 'log.key', 'keys'])
      cpSync(join(demo, f), join(office, f), { recursive: true });
    const service = SqliteMechanismService.open(office);
    const served = new Map<number, string>();
    try {
      for (let i = 0; i < leaves.length; i++) {
        const entry = JSON.parse(leaves[i]!.toString()) as LogEntry;
        expect('envelope' in entry).toBe(true);
        const [result] = await service.submit(
          ['envelope' in entry ? entry.envelope : undefined],
          entry.admitted,
        );
        expect(result!.ok, `entry ${i}`).toBe(true);
        if ((i + 1) % 10 === 0)
          served.set(i + 1, serializeState(await service.stateAt(entry.admitted, 'public')));
      }
    } finally {
      await service.close();
    }
    expect(served.size).toBe(Math.floor(leaves.length / 10));
    const replay = new PublicReplay(agreement);
    for (const leaf of leaves) {
      replay.push(leaf);
      const want = served.get(replay.size);
      if (want !== undefined) expect(replay.text(), `size ${replay.size}`).toBe(want);
    }
  }, 300_000);

  it('equals the state at a past time (--at) folded from only the entries admitted by then', async () => {
    const mid = JSON.parse(leaves[400]!.toString()).admitted as string;
    const at = new Date(Date.parse(mid) + 1).toISOString();
    const r = await replayExport(tileSource(exported), { agreement, key: logKey, at });
    const byHand = new PublicReplay(agreement);
    for (const leaf of leaves) {
      if (Date.parse(JSON.parse(leaf.toString()).admitted) > Date.parse(at)) break;
      byHand.push(leaf);
    }
    expect(r.folded).toBe(byHand.size);
    expect(r.folded).toBeGreaterThan(400);
    expect(r.text).toBe(byHand.text(Date.parse(at)));
  });

  it('names the first commitment after a changed entry', async () => {
    // An incident report whose casualty figures were changed after the fact.
    const i = leaves.findIndex(
      (l, k) => k >= 300 && JSON.parse(l.toString()).envelope.statement.kind === 'incident.report',
    );
    const entry = JSON.parse(leaves[i]!.toString());
    entry.envelope.statement.body.deaths_high += 10;
    const changed = [...leaves];
    changed[i] = Buffer.from(JSON.stringify(entry));
    const r = await replayExport(tileSource(tampered('changed', changed)), { agreement, key: logKey });
    expect(r.firstDifference?.size).toBe(commitmentCovering(i + 1));
    expect(r.firstDifference?.lastAgreeing).toBe(commitmentCovering(i + 1) / 2);
  });

  it('names the first commitment after a dropped entry', async () => {
    const i = 100;
    const dropped = leaves.filter((_, k) => k !== i);
    const r = await replayExport(tileSource(tampered('dropped', dropped)), { agreement, key: logKey });
    expect(r.size).toBe(leaves.length - 1);
    expect(r.firstDifference?.size).toBe(commitmentCovering(i + 1));
    expect(r.firstDifference?.lastAgreeing).toBe(commitmentCovering(i + 1) / 2);
  });

  it('names the first commitment a wrong agreement file cannot reproduce', async () => {
    // The same agreement with one rule changed: the truce extension a handover earns.
    const text = readFileSync(join(demo, 'agreement.yaml'), 'utf8');
    const wrongFile = join(tmp, 'wrong-agreement.yaml');
    const changedText = text.replace(/extend_ms: (\d+)/, (_, ms) => `extend_ms: ${Number(ms) + 86_400_000}`);
    expect(changedText).not.toBe(text);
    writeFileSync(wrongFile, changedText);
    cpSync(join(demo, 'geo'), join(tmp, 'geo'), { recursive: true });
    const wrong = loadAgreement(wrongFile);
    const r = await replayExport(tileSource(exported), { agreement: wrong, key: logKey });
    const d = r.firstDifference!;
    expect(d).toBeDefined();
    expect(r.commitments.filter((c) => c.size < d.size).every((c) => c.agrees)).toBe(true);
    // The state really first differs after the last agreeing commitment, at or before the named one.
    const n = firstDifferingSize(agreement, wrong, leaves, d.lastAgreeing ?? 0, d.size);
    expect(n).toBeDefined();
    expect(commitmentCovering(n!)).toBe(d.size);
  }, 120_000);
});
