// The storage contract, once, for every back end (Tessera's habit): each back end's test file
// calls describeLogStore with a factory, and the same rules must hold on SQLite and PostgreSQL.
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/log/checkpoint.js';
import { verifyReceipt } from '../../src/log/receipt.js';
import { leafHash } from '../../src/log/rfc6962.js';
import { tile_width } from '../../src/log/tile.js';
import { tileInterior } from '../../src/log/tile-interior.js';
import type { LogIdentity, PendingEntry } from '../../src/log/transparency-log.js';
import { MemoryTiles, TiledTree } from '../../src/log/tree.js';
import { commit } from '../../src/statement/commitment.js';
import { newNonce, signStatement, statementId } from '../../src/statement/envelope.js';
import { generateKeyPair, parseSignerKey, parseVerifierKey } from '../../src/statement/keys.js';
import { encodeEntry } from '../../src/statement/log-entry.js';
import { openNote } from '../../src/statement/note.js';
import { type AsyncLogStore, appendEntries, receiptOf, snapshotOf } from '../../src/store/async-log-store.js';
import { StoreError } from '../../src/store/log-store.js';

/** One back end's location: `open` opens (and migrates) it; call it again to reopen. */
export interface StoreHarness {
  open(): Promise<AsyncLogStore>;
  /** Makes the stored schema claim a version newer than this code. */
  markNewerSchema(): Promise<void>;
  cleanup(): Promise<void>;
}

const logKey = generateKeyPair('store-suite.example/log', new Uint8Array(32).fill(9));
export const suiteIdentity: LogIdentity = {
  origin: 'store-suite.example/log',
  signer: parseSignerKey(logKey.skey),
};
const signer = parseSignerKey(generateKeyPair('suite-party', new Uint8Array(32).fill(4)).skey);
const admitted = '2026-06-27T09:00:00.000Z';

/** `n` log entries; every `restrictedEvery`-th one is a commitment with its disclosure. */
export function pendingEntries(n: number, restrictedEvery = 0): PendingEntry[] {
  return Array.from({ length: n }, (_, k) => {
    const env = signStatement(
      {
        kind: 'observation.note',
        agreement: 'store-suite',
        issuer: 'suite-party',
        key: signer.vkey,
        at: admitted,
        nonce: newNonce(),
        classification: restrictedEvery > 0 && k % restrictedEvery === 0 ? 'parties' : 'public',
        subject: '',
        body: { k, secret: `content-${k}-${newNonce()}` },
      },
      signer,
    );
    const id = statementId(env.statement);
    if (env.statement.classification === 'public')
      return {
        bytes: encodeEntry({ v: 1, admitted, envelope: env }),
        meta: { statementId: id },
        disclosure: null,
      };
    const c = commit(env);
    return {
      bytes: encodeEntry({ v: 1, admitted, commitment: c.commitment }),
      meta: { statementId: id },
      disclosure: c.disclosure,
    };
  });
}

/** Appends through the sequencer, as a service does. */
function append(store: AsyncLogStore, entries: PendingEntry[]) {
  return store.sequence((tx) => appendEntries(tx, suiteIdentity, entries));
}

async function everything(store: AsyncLogStore) {
  const size = await store.size();
  return {
    size,
    checkpoint: await store.checkpoint(),
    entries: await store.readEntries(0, size + 10),
    tile00: await store.readTile(0, 0),
    tile01: await store.readTile(0, 1),
    tile10: await store.readTile(1, 0),
    disclosures: [...(await store.readDisclosures(0, size + 10)).entries()],
  };
}

export function describeLogStore(name: string, harness: () => Promise<StoreHarness>, skip = false): void {
  describe.skipIf(skip)(`log store contract: ${name}`, () => {
    const withStore = (fn: (store: AsyncLogStore, h: StoreHarness) => Promise<void>) => async () => {
      const h = await harness();
      const store = await h.open();
      try {
        await fn(store, h);
      } finally {
        await store.close().catch(() => undefined);
        await h.cleanup();
      }
    };

    it(
      'a new store is empty: size 0, no checkpoint, no tiles, no entries',
      withStore(async (store) => {
        expect(await store.size()).toBe(0);
        expect(await store.checkpoint()).toBeUndefined();
        expect(await store.readTile(0, 0)).toBeUndefined();
        expect(await store.readEntries(0, 10)).toEqual([]);
        expect(await store.indexOfStatement('00'.repeat(32))).toBeUndefined();
      }),
    );

    it(
      'appended entries read back byte for byte, are found by statement id, and the checkpoint signs their root',
      withStore(async (store) => {
        const entries = pendingEntries(10);
        const r = await append(store, entries);
        expect(r).toEqual({ first: 0, size: 10 });
        expect(await store.size()).toBe(10);
        const back = await store.readEntries(0, 100);
        expect(back.map((b) => b.toString('hex'))).toEqual(entries.map((e) => e.bytes.toString('hex')));
        expect(await store.readEntries(3, 2)).toEqual([entries[3]!.bytes, entries[4]!.bytes]);
        // The ids recorded at append, in log order, fewer past the end (what a replay reads).
        expect(await store.readStatementIds(0, 100)).toEqual(entries.map((e) => e.meta.statementId));
        expect(await store.readStatementIds(8, 5)).toEqual([
          entries[8]!.meta.statementId,
          entries[9]!.meta.statementId,
        ]);
        expect(await store.indexOfStatement(entries[7]!.meta.statementId)).toBe(7);
        const ids = [entries[2]!.meta.statementId, 'ab'.repeat(32)];
        expect([...(await store.indexesOfStatements(ids))]).toEqual([[ids[0], 2]]);
        const note = (await store.checkpoint())!;
        const cp = parseCheckpoint(openNote(note, [parseVerifierKey(suiteIdentity.signer.vkey)]).text);
        const tree = new TiledTree(0, new MemoryTiles().read);
        const ref = tree.append(entries.map((e) => leafHash(e.bytes)));
        expect(cp.size).toBe(10);
        expect(cp.root.equals(ref.root)).toBe(true);
        expect((await store.readTile(0, 0))!.length).toBe(10 * 32);
      }),
    );

    it(
      'a partial tile grows across batches and becomes full with its interior; receipts verify at every size',
      withStore(async (store) => {
        const all: PendingEntry[] = [];
        const reference = new MemoryTiles();
        const tree = new TiledTree(0, reference.read);
        for (const n of [100, 150, 6, 44, 1]) {
          const batch = pendingEntries(n, 5);
          all.push(...batch);
          await append(store, batch);
          reference.write(tree.append(batch.map((e) => leafHash(e.bytes))).tiles);
        }
        expect(await store.size()).toBe(301);
        const full = (await store.readTiles([{ level: 0, index: 0 }])).get('0/0')!;
        expect(full.bytes.length).toBe(tile_width * 32);
        expect(full.bytes.equals(reference.read(0, 0)!)).toBe(true);
        expect(full.interior!.equals(tileInterior(full.bytes))).toBe(true);
        const partial = (await store.readTiles([{ level: 0, index: 1 }])).get('0/1')!;
        expect(partial.bytes.length).toBe(45 * 32);
        expect(partial.interior).toBeUndefined();
        expect((await store.readTile(1, 0))!.equals(reference.read(1, 0)!)).toBe(true);
        for (const index of [0, 1, 99, 255, 256, 300]) {
          const receipt = await receiptOf(store, suiteIdentity, index);
          const v = verifyReceipt(
            receipt,
            all[index]!.bytes,
            suiteIdentity.signer.vkey,
            suiteIdentity.origin,
          );
          expect(v.index).toBe(index);
        }
        // A snapshot for a consistency proof holds the tiles it needs and nothing fails.
        const snap = await snapshotOf(store, { consistency: [1, 100, 256, 300] });
        expect(snap.size()).toBe(301);
      }),
    );

    it(
      'a batch that does not start at the current size is refused and changes nothing',
      withStore(async (store) => {
        await append(store, pendingEntries(5));
        const before = await everything(store);
        // A well-formed batch built for size 5 by a writer that then lost the race.
        let stale: Parameters<AsyncLogStore['append']>[0] | undefined;
        await store.sequence(async (tx) => {
          const snap = await snapshotOf(tx);
          const { TransparencyLog } = await import('../../src/log/transparency-log.js');
          new TransparencyLog(snap, suiteIdentity).append(pendingEntries(3));
          stale = snap.staged[0];
        });
        await append(store, pendingEntries(2));
        const middle = await everything(store);
        await expect(store.append(stale!)).rejects.toThrow(StoreError);
        await expect(store.append(stale!)).rejects.toThrow(/starts at 5 but the log has 7/);
        await expect(store.append({ ...stale!, firstIndex: 8 })).rejects.toThrow(/starts at 8/);
        expect(await everything(store)).toEqual(middle);
        expect(middle.size).toBe(before.size + 2);
      }),
    );

    it(
      'a batch that fails part-way leaves the store exactly at the previous checkpoint',
      withStore(async (store) => {
        await append(store, pendingEntries(7, 2));
        const before = await everything(store);
        const broken = store.sequence(async (tx) => {
          const snap = await snapshotOf(tx);
          const { TransparencyLog } = await import('../../src/log/transparency-log.js');
          new TransparencyLog(snap, suiteIdentity).append(pendingEntries(4, 2));
          const batch = snap.staged[0]!;
          // Entries and disclosures are written before tiles: a tile that cannot be stored
          // fails the batch after rows were inserted, which must all be rolled back.
          await tx.append({ ...batch, tiles: [{ ...batch.tiles[0]!, bytes: null as unknown as Buffer }] });
        });
        await expect(broken).rejects.toThrow();
        expect(await everything(store)).toEqual(before);
        // And the store still takes the next batch at the old size.
        expect(await append(store, pendingEntries(1))).toEqual({ first: 7, size: 8 });
      }),
    );

    it(
      'restricted content is kept beside the log, never in the public entry',
      withStore(async (store) => {
        const entries = pendingEntries(6, 3); // indexes 0 and 3 are restricted
        await append(store, entries);
        const stored = await store.readEntries(0, 6);
        for (const k of [0, 3]) {
          const secret = entries[k]!.disclosure!.envelope.statement.body as { secret: string };
          expect(stored[k]!.toString('utf8')).not.toContain(secret.secret);
          expect(stored[k]!.toString('utf8')).toContain('"commitment"');
          expect(await store.disclosure(k)).toEqual(entries[k]!.disclosure);
        }
        expect(await store.disclosure(1)).toBeUndefined();
        expect([...(await store.readDisclosures(0, 6)).keys()].sort()).toEqual([0, 3]);
        expect([...(await store.readDisclosures(1, 2)).keys()]).toEqual([]);
      }),
    );

    it(
      'reopening keeps everything and appends continue where they left off; migrations rerun as a no-op',
      withStore(async (store, h) => {
        const first = pendingEntries(260, 7);
        await append(store, first);
        const before = await everything(store);
        await store.close();
        const again = await h.open();
        const third = await h.open(); // a second node opening at once migrates nothing
        try {
          expect(await everything(again)).toEqual(before);
          expect(await everything(third)).toEqual(before);
          const more = pendingEntries(3);
          expect(await append(again, more)).toEqual({ first: 260, size: 263 });
          expect(await third.indexOfStatement(more[2]!.meta.statementId)).toBe(262);
          const receipt = await receiptOf(third, suiteIdentity, 261);
          expect(
            verifyReceipt(receipt, more[1]!.bytes, suiteIdentity.signer.vkey, suiteIdentity.origin).index,
          ).toBe(261);
        } finally {
          await again.close();
          await third.close();
        }
      }),
    );

    it(
      'a database written by a newer Phaseline is refused with a message saying so',
      withStore(async (store, h) => {
        await store.close();
        await h.markNewerSchema();
        await expect(h.open()).rejects.toThrow(/newer than this Phaseline/);
      }),
    );

    it(
      'concurrent sequencers take turns: no gap, no duplicate, every batch whole',
      withStore(async (store, h) => {
        const other = await h.open();
        try {
          const batches = Array.from({ length: 12 }, (_, k) => pendingEntries(1 + (k % 5) * 20, 4));
          const results = await Promise.all(batches.map((b, k) => append(k % 2 === 0 ? store : other, b)));
          const total = batches.reduce((n, b) => n + b.length, 0);
          expect(await store.size()).toBe(total);
          const spans = results.map((r) => [r.first, r.size]).sort((a, b) => a[0]! - b[0]!);
          let next = 0;
          for (const [first, end] of spans) {
            expect(first).toBe(next);
            next = end!;
          }
          const stored = await store.readEntries(0, total);
          const want = new Set(batches.flat().map((e) => e.bytes.toString('hex')));
          expect(new Set(stored.map((b) => b.toString('hex')))).toEqual(want);
          const receipt = await receiptOf(other, suiteIdentity, total - 1);
          expect(
            verifyReceipt(receipt, stored[total - 1]!, suiteIdentity.signer.vkey, suiteIdentity.origin).index,
          ).toBe(total - 1);
        } finally {
          await other.close();
        }
      }),
    );
  });
}
