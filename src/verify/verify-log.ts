/**
 * `phaseline verify`: trusts nothing but the log's verifier key. It re-hashes every entry,
 * rebuilds every tile level by level and compares each with the published tile, checks the
 * checkpoint signature and root, and with an older checkpoint checks that the log only grew
 * (same root at the old size, plus an RFC 9162 consistency proof between the two).
 * The first discrepancy is reported with the path of the bad tile, bundle, entry or signature.
 */

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Witnesses } from '../agreement/witnesses.js';
import { openCheckpoint } from '../log/checkpoint.js';
import { consistencyProof, rootAt, verifyConsistency } from '../log/proof.js';
import { tile_width, tilePath } from '../log/tile.js';
import { foldTileHashes, tileHashReader } from '../log/tree.js';
import { moduleWorker } from '../runtime/module-worker.js';
import { parseVerifierKey } from '../statement/keys.js';
import type { BundleJob } from './bundle-worker.js';
import { checkBundles, VerifyError } from './check-bundles.js';
import type { TileSource } from './tile-source.js';
import { checkWitnessQuorum, describeQuorum } from './witness-quorum.js';

export { VerifyError };

export interface VerifyOptions {
  /** The log's verifier key string. */
  key: string;
  /** Expected origin; defaults to the key's name. */
  origin?: string;
  /** An older signed checkpoint the log must be consistent with. */
  since?: string;
  /** Also check every public statement's signatures. */
  statements?: boolean;
  /** The agreement's witnesses: the checkpoint must carry the quorum of their cosignatures. */
  witnesses?: Witnesses;
  /** Worker threads for re-hashing; 0 or 1 hashes on the calling thread. Default: available cores. */
  workers?: number;
  onProgress?: (entriesDone: number, size: number) => void;
}

export interface VerifyReport {
  origin: string;
  size: number;
  root: string;
  since?: { size: number; root: string };
  /** With `witnesses`: who cosigned the checkpoint, against the quorum. */
  witnesses?: { quorum: number; cosigned: string[] };
}

/** Bundles per worker job: large enough to amortize messaging, small enough to balance load. */
const bundles_per_job = 64;

export async function verifyLog(source: TileSource, options: VerifyOptions): Promise<VerifyReport> {
  const verifier = parseVerifierKey(options.key);
  const origin = options.origin ?? verifier.name;
  const note = await source.read('checkpoint');
  if (note === undefined) {
    const hint = await source.hintForMissingCheckpoint?.();
    throw new VerifyError(
      'checkpoint',
      `not found at ${source.location}/checkpoint${hint === undefined ? '' : `; ${hint}`}`,
    );
  }
  let cp: ReturnType<typeof openCheckpoint>['checkpoint'];
  try {
    cp = openCheckpoint(note.toString('utf8'), verifier, origin).checkpoint;
  } catch (e) {
    throw new VerifyError('checkpoint', (e as Error).message);
  }
  let quorum: VerifyReport['witnesses'];
  if (options.witnesses !== undefined) {
    let q: ReturnType<typeof checkWitnessQuorum>;
    try {
      q = checkWitnessQuorum(note.toString('utf8'), verifier, origin, options.witnesses);
    } catch (e) {
      throw new VerifyError('checkpoint', (e as Error).message);
    }
    if (!q.met) throw new VerifyError('checkpoint', `does not count: ${describeQuorum(q)}`);
    quorum = { quorum: q.quorum, cosigned: q.cosignatures.map((c) => c.witness) };
  }
  const size = cp.size;
  const nBundles = Math.ceil(size / tile_width);

  // Level 0: every entry re-hashed and compared with its tile (the bulk of the work).
  const fullTiles = Math.floor(size / tile_width);
  const level1 = Buffer.alloc(fullTiles * 32);
  let partial0: Buffer | undefined;
  const jobs: BundleJob[] = [];
  for (let from = 0; from < nBundles; from += bundles_per_job) {
    jobs.push({
      location: source.location,
      size,
      from,
      to: Math.min(nBundles, from + bundles_per_job),
      statements: options.statements ?? false,
    });
  }
  const workers = Math.min(options.workers ?? availableParallelism(), jobs.length);
  let entriesDone = 0;
  const take = (job: BundleJob, r: { fullRoots: Buffer; partial?: Buffer }) => {
    Buffer.from(r.fullRoots.buffer, r.fullRoots.byteOffset, r.fullRoots.byteLength).copy(
      level1,
      job.from * 32,
    );
    if (r.partial) partial0 = Buffer.from(r.partial.buffer, r.partial.byteOffset, r.partial.byteLength);
    entriesDone += Math.min(size, job.to * tile_width) - job.from * tile_width;
    options.onProgress?.(entriesDone, size);
  };
  if (workers <= 1) {
    for (const job of jobs) take(job, await checkBundles(source, size, job.from, job.to, job.statements));
  } else {
    await runInWorkers(jobs, workers, take);
  }

  // Levels 1…: each level's hashes are the roots of the full tiles below; compare every tile.
  const levels: Buffer[] = [];
  const partials: (Buffer | undefined)[] = [partial0];
  let hashes = level1;
  for (let level = 1; hashes.length > 0; level++) {
    const n = hashes.length / 32;
    const nTiles = Math.ceil(n / tile_width);
    const next = Buffer.alloc(Math.floor(n / tile_width) * 32);
    for (let t = 0; t < nTiles; t++) {
      const width = Math.min(tile_width, n - t * tile_width);
      const path = tilePath(level, t, width);
      const want = hashes.subarray(t * tile_width * 32, (t * tile_width + width) * 32);
      const got = await source.read(path);
      if (got === undefined) throw new VerifyError(path, 'tile missing');
      if (!want.equals(got))
        throw new VerifyError(
          path,
          got.length !== want.length
            ? `expected ${want.length} bytes, got ${got.length}`
            : 'tile does not match the hashes of the tiles below it',
        );
      if (width === tile_width) foldTileHashes(want, 0, tile_width).copy(next, t * 32);
    }
    levels[level] = hashes;
    partials[level] =
      n % tile_width ? hashes.subarray(Math.floor(n / tile_width) * tile_width * 32) : undefined;
    hashes = next;
  }

  // The verified hashes as a tile reader, for roots at this size and at an older one.
  const readTile = (level: number, index: number): Uint8Array | undefined => {
    if (level === 0) return index === fullTiles ? partial0 : undefined;
    return levels[level]?.subarray(index * tile_width * 32, (index + 1) * tile_width * 32);
  };
  const root = rootAt(size, tileHashReader(size, readTile));
  if (!root.equals(cp.root))
    throw new VerifyError(
      'checkpoint',
      `root ${cp.root.toString('base64')} is not the root of the published entries (${root.toString('base64')})`,
    );
  const report: VerifyReport = {
    origin,
    size,
    root: root.toString('base64'),
    ...(quorum ? { witnesses: quorum } : {}),
  };

  if (options.since !== undefined) {
    let old: ReturnType<typeof openCheckpoint>['checkpoint'];
    try {
      old = openCheckpoint(options.since, verifier, origin).checkpoint;
    } catch (e) {
      throw new VerifyError('--since checkpoint', (e as Error).message);
    }
    if (old.size > size)
      throw new VerifyError(
        'checkpoint',
        `size ${size} is smaller than the older checkpoint's ${old.size}: the log shrank`,
      );
    // A level-0 tile that is full now but was partial at the old size: fetch it; it is trusted
    // only once its root matches the verified level-1 hash.
    let boundary: Buffer | undefined;
    const b = Math.floor(old.size / tile_width);
    if (old.size % tile_width !== 0 && b < fullTiles) {
      const path = tilePath(0, b);
      const t = await source.read(path);
      if (
        t === undefined ||
        t.length !== tile_width * 32 ||
        !foldTileHashes(t, 0, tile_width).equals(level1.subarray(b * 32, b * 32 + 32))
      ) {
        throw new VerifyError(path, 'tile does not match the verified log');
      }
      boundary = t;
    }
    const reader = tileHashReader(size, (level, index) =>
      level === 0 && index === b && boundary ? boundary : readTile(level, index),
    );
    const oldRoot = rootAt(old.size, reader);
    if (!oldRoot.equals(old.root)) {
      throw new VerifyError(
        'checkpoint',
        `not consistent with the older checkpoint of size ${old.size}: its root ${old.root.toString('base64')} is not this log's root at that size (${oldRoot.toString('base64')}) — the log's history was rewritten`,
      );
    }
    if (old.size > 0)
      verifyConsistency(old.size, size, consistencyProof(old.size, size, reader), old.root, cp.root);
    report.since = { size: old.size, root: old.root.toString('base64') };
  }
  return report;
}

function runInWorkers(
  jobs: BundleJob[],
  count: number,
  take: (job: BundleJob, r: { fullRoots: Buffer; partial?: Buffer }) => void,
): Promise<void> {
  const spawnWorker = () => moduleWorker(import.meta.url, './bundle-worker');
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    let running = 0;
    let failed = false;
    const finish = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      if (err || (running === 0 && next >= jobs.length)) {
        for (const w of pool) void w.terminate();
        if (err) reject(err);
        else resolve();
      }
    };
    const feed = (w: Worker) => {
      if (next >= jobs.length) return finish();
      const job = jobs[next++]!;
      running++;
      w.once(
        'message',
        (m: {
          ok: boolean;
          fullRoots: Uint8Array;
          partial?: Uint8Array;
          where?: string;
          message?: string;
        }) => {
          running--;
          if (!m.ok)
            return finish(
              m.where
                ? new VerifyError(m.where, m.message!.replace(`${m.where}: `, ''))
                : new Error(m.message),
            );
          take(job, {
            fullRoots: Buffer.from(m.fullRoots),
            ...(m.partial ? { partial: Buffer.from(m.partial) } : {}),
          });
          feed(w);
        },
      );
      w.postMessage(job);
    };
    for (let i = 0; i < count; i++) {
      const w = spawnWorker();
      w.on('error', (e) => finish(e));
      pool.push(w);
      feed(w);
    }
  });
}
