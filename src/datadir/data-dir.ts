/**
 * The data directory: everything one Phaseline office keeps on disk.
 *
 *   log.db          the SQLite log (entries, tiles, checkpoint, restricted disclosures)
 *   log.key         the log's private signing key (mode 0600); its name is the log origin
 *   agreement.yaml  the agreement this log runs (written by `phaseline init`)
 *   keys/           one private key per party (written by `phaseline init`)
 *
 * Resolution order for the directory: --data, then $PHASELINE_DATA, then ./phaseline-data.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TransparencyLog } from '../log/transparency-log.js';
import { generateKeyPair, type NoteSigner, parseSignerKey } from '../statement/keys.js';
import { SqliteLogStore } from '../store/sqlite/sqlite-log-store.js';

export const DEFAULT_DATA_DIR = 'phaseline-data';

export function resolveDataDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(option ?? env.PHASELINE_DATA ?? DEFAULT_DATA_DIR);
}

export interface DataDir {
  dir: string;
  logKeyPath: string;
  dbPath: string;
  agreementPath: string;
  keysDir: string;
}

export function dataDirPaths(dir: string): DataDir {
  return {
    dir,
    logKeyPath: join(dir, 'log.key'),
    dbPath: join(dir, 'log.db'),
    agreementPath: join(dir, 'agreement.yaml'),
    keysDir: join(dir, 'keys'),
  };
}

/** Writes a private key file readable only by its owner. */
export function writePrivateKey(path: string, skey: string): void {
  writeFileSync(path, skey + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // the umask may have widened nothing, but make the intent explicit
}

/** Reads a private key file, naming the file in any error. */
export function readSignerKey(path: string): NoteSigner {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return parseSignerKey(text.trim());
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/**
 * Loads the log key, creating the directory and a key when there is none. A new log's origin
 * is `phaseline.local/log-<random>` unless one is given (init passes the agreement's origin).
 */
export function ensureLogKey(paths: DataDir, origin?: string): NoteSigner {
  mkdirSync(paths.dir, { recursive: true });
  if (!existsSync(paths.logKeyPath)) {
    const name = origin ?? `phaseline.local/log-${randomBytes(4).toString('hex')}`;
    writePrivateKey(paths.logKeyPath, generateKeyPair(name).skey);
  }
  return readSignerKey(paths.logKeyPath);
}

/** Opens (creating if needed) the log of a data directory. */
export function openLog(paths: DataDir, origin?: string): TransparencyLog {
  const signer = ensureLogKey(paths, origin);
  const store = new SqliteLogStore(paths.dbPath);
  try {
    return new TransparencyLog(store, { origin: signer.name, signer });
  } catch (e) {
    store.close();
    throw e;
  }
}
