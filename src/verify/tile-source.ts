/**
 * Where a verifier reads a published log from: a directory written by `phaseline log export`
 * or any HTTP(S) server publishing the same C2SP tlog-tiles layout (including `phaseline serve`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TileSource {
  /** The bytes at a tlog-tiles path (`checkpoint`, `tile/0/000`, …), or undefined if absent. */
  read(path: string): Promise<Buffer | undefined>;
  /** The location, for messages. */
  readonly location: string;
}

/** A directory or an http(s) URL prefix. */
export function tileSource(dirOrUrl: string): TileSource {
  if (/^https?:\/\//.test(dirOrUrl)) {
    const base = dirOrUrl.replace(/\/+$/, '');
    return {
      location: base,
      async read(path) {
        const res = await fetch(`${base}/${path}`);
        if (res.status === 404) return undefined;
        if (!res.ok) throw new Error(`${base}/${path}: HTTP ${res.status}`);
        return Buffer.from(await res.arrayBuffer());
      },
    };
  }
  return {
    location: dirOrUrl,
    async read(path) {
      try {
        return await readFile(join(dirOrUrl, path));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}
