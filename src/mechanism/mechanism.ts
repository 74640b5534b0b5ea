/**
 * A mechanism office on disk: the agreement of a data directory, its log, and the engine's
 * timeline rebuilt from that log. This is the imperative shell around the pure engine: it
 * reads files and the database, and hands the engine plain data and the time.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadAgreement } from '../agreement/load.js';
import type { Agreement } from '../agreement/model.js';
import {
  DEFAULT_SCENARIO,
  DEFAULT_VARIANT,
  renderAgreementFiles,
  scenarioPath,
  withPartyKeys,
} from '../agreement/scenarios.js';
import { type DataDir, dataDirPaths, openLog, readSignerKey, writePrivateKey } from '../datadir/data-dir.js';
import type { EngineEntry } from '../engine/index.js';
import { Timeline } from '../engine/index.js';
import type { IngestOptions } from '../ingest/ingest.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { generateKeyPair } from '../statement/keys.js';
import { decodeEntry } from '../statement/log-entry.js';
import type { LogStore } from '../store/log-store.js';

export interface InitOptions {
  /** A shipped scenario (`scenarios/<name>/`); default `lebanon-2026`. Not with `agreementFile`. */
  scenario?: string;
  /** A variant name of the scenario; default `phased-pilot-zones` for `lebanon-2026`, none otherwise. */
  variant?: string;
  /** An agreement file of one's own, anywhere on disk. */
  agreementFile?: string;
  /** An overlay applied to `agreementFile`. */
  variantFile?: string;
}

export interface InitResult {
  agreement: Agreement;
  /** Where the agreement came from, in words (a scenario and variant, or a file). */
  from: string;
  /** Party id → private key file written. */
  keyFiles: Record<string, string>;
  /** The log's verifier key string (give it to `phaseline verify --key`). */
  logKey: string;
}

/**
 * `phaseline init`: writes the agreement (scenario + variant, with one fresh key per party), the
 * party keys (mode 0600) and the log key whose name is the agreement's log origin. Refuses to
 * touch a directory that already holds an agreement or a log: keys are never overwritten.
 */
export function initDataDir(dir: string, options: InitOptions = {}): InitResult {
  const paths = dataDirPaths(dir);
  for (const p of [paths.agreementPath, paths.logKeyPath, paths.dbPath]) {
    if (existsSync(p))
      throw new Error(`${p} already exists: ${dir} is already initialized (use another --data directory)`);
  }
  const { agreement: base, from } = agreementToInit(options);
  mkdirSync(paths.keysDir, { recursive: true });
  const keys: Record<string, string[]> = {};
  const keyFiles: Record<string, string> = {};
  for (const party of base.parties) {
    const pair = generateKeyPair(party.id);
    const file = join(paths.keysDir, `${party.id}.key`);
    writePrivateKey(file, pair.skey);
    keys[party.id] = [pair.vkey];
    keyFiles[party.id] = file;
  }
  const agreement = withPartyKeys(base, keys);
  const files = renderAgreementFiles(agreement, {
    header: [
      `Written by phaseline init from ${from}.`,
      'Party keys were generated for this data directory; their private halves are in keys/.',
    ],
  });
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const log = openLog(paths, agreement.logOrigin);
  log.store.close();
  return { agreement, from, keyFiles, logKey: readSignerKey(paths.logKeyPath).vkey };
}

/** The agreement `initDataDir` starts from, and words saying where it came from. */
function agreementToInit(options: InitOptions): { agreement: Agreement; from: string } {
  if (options.agreementFile !== undefined) {
    if (options.scenario !== undefined || options.variant !== undefined)
      throw new Error('give an agreement file or a scenario, not both');
    const agreement = loadAgreement(
      options.agreementFile,
      options.variantFile === undefined ? {} : { variantFile: options.variantFile },
    );
    const from = `${resolve(options.agreementFile)}${options.variantFile === undefined ? '' : ` with ${resolve(options.variantFile)}`}`;
    return { agreement, from };
  }
  if (options.variantFile !== undefined)
    throw new Error('a variant file overlays an agreement file: give --agreement FILE too');
  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const variant = options.variant ?? (scenario === DEFAULT_SCENARIO ? DEFAULT_VARIANT : undefined);
  const agreement = loadAgreement(scenarioPath(scenario), variant === undefined ? {} : { variant });
  return { agreement, from: `scenario ${scenario}${variant === undefined ? '' : `, variant ${variant}`}` };
}

/** Entries read from the store per query while a log is replayed. */
const replay_batch_entries = 1024;

/**
 * The stored log as the engine sees it, in index order. Restricted entries hold commitments;
 * this office keeps their disclosures, so the engine gets the full content (public readers are
 * served from views that leave restricted statements out).
 */
export function* storedEngineEntries(store: LogStore, from = 0, to = store.size()): Generator<EngineEntry> {
  const batch = replay_batch_entries;
  for (let start = from; start < to; start += batch) {
    const rows = store.readEntries(start, Math.min(batch, to - start));
    for (let k = 0; k < rows.length; k++) {
      const index = start + k;
      const e = decodeEntry(rows[k]!, `entry ${index}`);
      let envelope: EngineEntry['envelope'];
      if ('envelope' in e) envelope = e.envelope;
      else {
        const d = store.disclosure(index);
        if (d === undefined) throw new Error(`entry ${index}: restricted content missing from the store`);
        envelope = d.envelope;
      }
      yield { index, admitted: e.admitted, envelope };
    }
  }
}

/**
 * {@link storedEngineEntries} with each entry's statement id as the store recorded it when the
 * entry was appended (so a replay does not canonicalize and hash every statement again: a
 * quarter of a server's start-up, measured).
 */
export function* storedEngineEntriesWithIds(
  store: LogStore,
  from = 0,
  to = store.size(),
): Generator<[EngineEntry, string]> {
  const batch = replay_batch_entries;
  for (let start = from; start < to; start += batch) {
    const end = Math.min(to, start + batch);
    const ids = store.readStatementIds(start, end - start);
    let k = 0;
    for (const entry of storedEngineEntries(store, start, end)) yield [entry, ids[k++]!];
  }
}

/** A data directory opened with its agreement: the log and the engine's timeline over it. */
export class Mechanism {
  readonly paths: DataDir;
  readonly agreement: Agreement;
  readonly log: TransparencyLog;
  readonly timeline: Timeline;

  private constructor(paths: DataDir, agreement: Agreement, log: TransparencyLog) {
    this.paths = paths;
    this.agreement = agreement;
    this.log = log;
    this.timeline = new Timeline(agreement);
    for (const entry of storedEngineEntries(log.store)) this.timeline.push(entry);
  }

  /** True when `dir` holds an agreement (was initialized). */
  static exists(dir: string): boolean {
    return existsSync(dataDirPaths(dir).agreementPath);
  }

  static open(dir: string): Mechanism {
    const paths = dataDirPaths(dir);
    if (!existsSync(paths.agreementPath))
      throw new Error(`${dir} has no agreement.yaml; run phaseline init --data ${dir} first`);
    const agreement = loadAgreement(paths.agreementPath);
    const log = openLog(paths, agreement.logOrigin);
    if (log.origin !== agreement.logOrigin) {
      log.store.close();
      throw new Error(
        `the log key of ${dir} is for origin ${log.origin}, but the agreement says ${agreement.logOrigin}`,
      );
    }
    try {
      return new Mechanism(paths, agreement, log);
    } catch (e) {
      log.store.close();
      throw e;
    }
  }

  /** The engine's door and fold, for {@link ingest}. */
  hooks(): Pick<IngestOptions, 'admit' | 'onAccepted'> {
    return {
      admit: (envelope, now) => this.timeline.admit(envelope, now),
      onAccepted: (envelope, index, admitted, id) => this.timeline.push({ index, admitted, envelope }, id),
    };
  }

  close(): void {
    this.log.store.close();
  }
}
