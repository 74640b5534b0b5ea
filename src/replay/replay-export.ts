/**
 * `phaseline replay`: re-derives the public state from an exported log (a directory or URL in
 * the C2SP tlog-tiles layout) and the agreement alone, and checks it against every state
 * commitment the log published (`state/<n>`, see state-commitment.ts), naming the first size
 * where the log's word and the re-derivation differ.
 *
 * What it does not do is `phaseline verify`'s work: re-hashing every entry against the tiles and
 * the checkpoint. Run both: verify says the bytes are the log's, replay says what they mean.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Agreement } from '../agreement/model.js';
import { parseCheckpoint } from '../log/checkpoint.js';
import { leafHash } from '../log/rfc6962.js';
import { decodeEntryBundle, entriesPath, tile_width } from '../log/tile.js';
import { type NoteSigner, type NoteVerifier, parseVerifierKey } from '../statement/keys.js';
import { openNote } from '../statement/note.js';
import type { TileSource } from '../verify/tile-source.js';
import { PublicReplay, stateDigest } from './public-state.js';
import {
  commitmentPath,
  isCommitmentSize,
  PowerOfTwoRoots,
  readCommitment,
  signCommitment,
} from './state-commitment.js';

/** Thrown when the export cannot be replayed at all (missing or malformed files); names the file. */
export class ReplayError extends Error {
  override name = 'ReplayError';
}

/** The leaves of the first `size` entries of an export, one entry bundle at a time. */
export async function* exportLeaves(source: TileSource, size: number): AsyncGenerator<Uint8Array[]> {
  for (let b = 0; b * tile_width < size; b++) {
    const width = Math.min(tile_width, size - b * tile_width);
    const path = entriesPath(b, width);
    const bytes = await source.read(path);
    if (bytes === undefined) throw new ReplayError(`${path}: missing from ${source.location}`);
    try {
      yield decodeEntryBundle(bytes, path, width);
    } catch (e) {
      throw new ReplayError((e as Error).message);
    }
  }
}

/** Opens a note's checkpoint: with the log's key when given, else its text unauthenticated. */
function checkpointText(note: string, key: NoteVerifier | undefined, path: string): string {
  try {
    if (key !== undefined) return openNote(note, [key]).text;
    const cut = note.lastIndexOf('\n\n');
    if (cut < 0) throw new Error('not a signed note');
    return note.slice(0, cut + 1);
  } catch (e) {
    throw new ReplayError(`${path}: ${(e as Error).message}`);
  }
}

export interface CommitmentCheck {
  size: number;
  committed: string;
  derived: string;
  agrees: boolean;
}

export interface ReplayReport {
  origin: string;
  /** The export's size (its checkpoint). */
  size: number;
  /** Entries folded: all of them, or those admitted by `at`. */
  folded: number;
  /** Whether checkpoints were checked against the log's key. */
  authenticated: boolean;
  /** Every published commitment within the folded entries, in size order. */
  commitments: CommitmentCheck[];
  /** The first commitment the re-derived state does not match, and the last one it did match. */
  firstDifference?: CommitmentCheck & { lastAgreeing?: number };
  /** The re-derived public state's canonical text (at `at` when given). */
  text: string;
  digest: string;
}

export interface ReplayOptions {
  agreement: Agreement;
  /** The log's verifier key: checkpoints are then authenticated. */
  key?: string;
  /** RFC 3339: fold only entries admitted by then, and settle to it. */
  at?: string;
  onProgress?: (done: number, size: number) => void;
}

export async function replayExport(source: TileSource, options: ReplayOptions): Promise<ReplayReport> {
  const key = options.key === undefined ? undefined : parseVerifierKey(options.key);
  const note = await source.read('checkpoint');
  if (note === undefined) throw new ReplayError(`checkpoint: not found at ${source.location}`);
  const cp = parseCheckpoint(checkpointText(note.toString('utf8'), key, 'checkpoint'));
  if (key !== undefined && cp.origin !== key.name)
    throw new ReplayError(`checkpoint: origin ${cp.origin} is not the key's name ${key.name}`);

  const committed = new Map<number, string>();
  for (let n = 1; n <= cp.size; n *= 2) {
    const path = commitmentPath(n);
    const bytes = await source.read(path);
    if (bytes === undefined) continue;
    const c = readCommitment(checkpointText(bytes.toString('utf8'), key, path));
    if (c.size !== n || c.digest === undefined)
      throw new ReplayError(`${path}: not a state commitment at size ${n}`);
    committed.set(n, c.digest.toString('base64'));
  }

  const atMs = options.at === undefined ? Number.POSITIVE_INFINITY : Date.parse(options.at);
  const replay = new PublicReplay(options.agreement);
  const checks: CommitmentCheck[] = [];
  let done = false;
  for await (const bundle of exportLeaves(source, cp.size)) {
    for (const leaf of bundle) {
      if (Number.isFinite(atMs) && admittedMs(leaf) > atMs) {
        done = true;
        break;
      }
      replay.push(leaf);
      const want = committed.get(replay.size);
      if (want !== undefined) {
        const derived = stateDigest(replay.text()).toString('base64');
        checks.push({ size: replay.size, committed: want, derived, agrees: derived === want });
      }
    }
    options.onProgress?.(replay.size, cp.size);
    if (done) break;
  }
  const text = replay.text(Number.isFinite(atMs) ? atMs : undefined);
  const first = checks.findIndex((c) => !c.agrees);
  const report: ReplayReport = {
    origin: cp.origin,
    size: cp.size,
    folded: replay.size,
    authenticated: key !== undefined,
    commitments: checks,
    text,
    digest: stateDigest(text).toString('base64'),
  };
  if (first >= 0)
    report.firstDifference = {
      ...checks[first]!,
      ...(first > 0 ? { lastAgreeing: checks[first - 1]!.size } : {}),
    };
  return report;
}

function admittedMs(leaf: Uint8Array): number {
  // {"admitted":"…",…}: RFC 8785 puts "admitted" first in every entry.
  const head = Buffer.from(leaf.buffer, leaf.byteOffset, Math.min(64, leaf.byteLength)).toString('latin1');
  const m = /^\{"admitted":"([^"]+)"/.exec(head);
  return m === null ? Number.NaN : Date.parse(m[1]!);
}

/**
 * Writes the state commitments of an export (`state/<n>` for every power of two n up to its
 * size), signed by the log's key, derived with the same replay a party runs. Each file is
 * written whole and renamed into place, so a reader sees a commitment completely or not at all.
 */
export async function writeStateCommitments(
  dir: string,
  source: TileSource,
  agreement: Agreement,
  signer: NoteSigner,
): Promise<number> {
  const note = await source.read('checkpoint');
  if (note === undefined) throw new ReplayError(`checkpoint: not found at ${source.location}`);
  const size = parseCheckpoint(checkpointText(note.toString('utf8'), undefined, 'checkpoint')).size;
  const replay = new PublicReplay(agreement);
  const roots = new PowerOfTwoRoots();
  let written = 0;
  for await (const bundle of exportLeaves(source, size)) {
    for (const leaf of bundle) {
      replay.push(leaf);
      const root = roots.push(leafHash(leaf));
      if (root === undefined || !isCommitmentSize(replay.size)) continue;
      const file = join(dir, commitmentPath(replay.size));
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, signCommitment(signer, replay.size, root, stateDigest(replay.text())));
      renameSync(tmp, file);
      written++;
    }
  }
  return written;
}
