/**
 * A witness's directory:
 *
 *   witness.key   its cosignature/v1 private key (mode 0600); the key's name is the witness's name
 *   witness.db    the latest checkpoint it cosigned per log, and the evidence it kept
 *
 * A witness that lost its key while its state survives must not get a new key silently: parties
 * count its cosignatures by key, so a new key is a new witness, which the agreement has to name.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALG_COSIGNATURE_V1, generateKeyPair } from '../statement/keys.js';
import { type Cosigner, parseCosignerKey } from './cosignature.js';
import { Witness } from './witness.js';
import { WitnessStore } from './witness-store.js';

export interface WitnessPaths {
  dir: string;
  keyPath: string;
  dbPath: string;
}

export function witnessPaths(dir: string): WitnessPaths {
  return { dir, keyPath: join(dir, 'witness.key'), dbPath: join(dir, 'witness.db') };
}

/** Reads the witness key; with `create`, makes the directory and a key named `name` when there is neither key nor state. */
export function witnessKey(paths: WitnessPaths, create?: { name?: string }): Cosigner {
  if (!existsSync(paths.keyPath)) {
    if (create === undefined)
      throw new Error(`there is no witness key at ${paths.keyPath}; run phaseline witness serve first`);
    if (existsSync(paths.dbPath))
      throw new Error(
        `${paths.keyPath} is missing but ${paths.dbPath} holds this witness's state: restore the key from a backup (a new key would be a different witness)`,
      );
    mkdirSync(paths.dir, { recursive: true });
    const name = create.name ?? `witness.local/${randomBytes(4).toString('hex')}`;
    const pair = generateKeyPair(name, randomBytes(32), ALG_COSIGNATURE_V1);
    writeFileSync(paths.keyPath, `${pair.skey}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(paths.keyPath, 0o600);
  }
  const text = readFileSync(paths.keyPath, 'utf8').trim();
  let key: Cosigner;
  try {
    key = parseCosignerKey(text);
  } catch (e) {
    throw new Error(`${paths.keyPath}: ${(e as Error).message}`);
  }
  if (create?.name !== undefined && create.name !== key.name)
    throw new Error(`${paths.keyPath} is the key of witness ${key.name}, not ${create.name}`);
  return key;
}

/** Opens the witness of a directory, creating its key and state on first use. */
export function openWitness(
  dir: string,
  options: { logs: readonly string[]; name?: string; now?: () => number },
): Witness {
  const paths = witnessPaths(dir);
  const signer = witnessKey(paths, options.name === undefined ? {} : { name: options.name });
  const store = new WitnessStore(paths.dbPath);
  try {
    return new Witness({ store, signer, logs: options.logs, ...(options.now ? { now: options.now } : {}) });
  } catch (e) {
    store.close();
    throw e;
  }
}
