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
  /** What to do when the checkpoint is not at this location, when there is more to say than "not found". */
  hintForMissingCheckpoint?(): Promise<string | undefined>;
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
      // `phaseline serve` publishes its log under /log/: a URL of the server itself is the
      // likeliest mistake, so look for a checkpoint there and name the URL to use.
      async hintForMissingCheckpoint() {
        if (new URL(base).pathname.endsWith('/log')) return undefined;
        try {
          const res = await fetch(`${base}/log/checkpoint`);
          await res.arrayBuffer();
          if (res.ok)
            return `this is the address of a phaseline server; its log is at ${base}/log — run phaseline verify ${base}/log`;
        } catch {}
        return `a log published by phaseline serve is at ${base}/log on that server; an exported directory or tlog-tiles URL has a file named checkpoint at its top`;
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
