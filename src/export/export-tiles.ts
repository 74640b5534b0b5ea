/**
 * `phaseline log export`: writes the log as C2SP tlog-tiles static files
 * (https://c2sp.org/tlog-tiles): `checkpoint`, `tile/<L>/<N>[.p/<W>]` and
 * `tile/entries/<N>[.p/<W>]`, servable by any static web server, object store or CDN.
 *
 * Order matters for readers polling a live export: tiles and entry bundles are written before
 * the checkpoint that covers them, and the checkpoint is replaced atomically (write + rename),
 * so a reader never sees a checkpoint whose tiles are missing.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCheckpoint } from '../log/checkpoint.js';
import { encodeEntryBundle, entriesPath, tile_width, tilePath, tilesForSize } from '../log/tile.js';
import type { AsyncLogStore } from '../store/async-log-store.js';

export interface ExportResult {
  size: number;
  tiles: number;
  bundles: number;
}

/**
 * Exports every tile and bundle for the store's latest checkpoint into `dir`, one tile and one
 * bundle in memory at a time, from either back end (SQLite through `SyncLogStoreAdapter`).
 */
export async function exportTiles(
  store: AsyncLogStore,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<ExportResult> {
  const note = await store.checkpoint();
  if (note === undefined) throw new Error('the log is empty: nothing to export');
  // The signed checkpoint fixes the size; tiles only ever grow by appending, so reading a
  // longer tile than this size needs is safe: we cut it to the width the checkpoint implies.
  const size = parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).size;
  const tiles = tilesForSize(size);
  const total = tiles.length * 2;
  let done = 0;
  let bundles = 0;
  let tileCount = 0;
  const write = (path: string, bytes: Uint8Array) => {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  };
  for (const { level, index, width } of tiles) {
    const t = { level: level as number, index, width };
    const bytes = await store.readTile(t.level, t.index);
    if (bytes === undefined || bytes.length < t.width * 32) {
      throw new Error(
        `${tilePath(t.level, t.index, t.width)}: stored tile is missing or short; run phaseline verify on the data directory`,
      );
    }
    write(tilePath(t.level, t.index, t.width), bytes.subarray(0, t.width * 32));
    tileCount++;
    if (t.level === 0) {
      const entries = await store.readEntries(t.index * tile_width, t.width);
      if (entries.length !== t.width)
        throw new Error(
          `${entriesPath(t.index, t.width)}: ${entries.length} entries stored, expected ${t.width}`,
        );
      write(entriesPath(t.index, t.width), encodeEntryBundle(entries));
      bundles++;
    }
    done += 2;
    if (onProgress && (done & 0x3ff) === 0) onProgress(done, total);
  }
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.checkpoint.${process.pid}.tmp`);
  writeFileSync(tmp, note);
  renameSync(tmp, join(dir, 'checkpoint'));
  onProgress?.(total, total);
  return { size, tiles: tileCount, bundles };
}
