/**
 * A C2SP tlog-witness (https://c2sp.org/tlog-witness): for each log it watches it keeps the
 * latest checkpoint it cosigned, and cosigns a new one (C2SP tlog-cosignature, cosignature/v1)
 * only when the log signed it and a consistency proof shows it extends the old one.
 *
 * Answers, in the spec's order of checks:
 *   400  the body is malformed, or the old size is above the checkpoint's size
 *   404  the checkpoint's origin is not a log this witness watches
 *   403  no signature by the log's key verifies
 *   409  the old size is not the size it last cosigned (body: that size, `text/x.tlog.size`),
 *        or the sizes match and the roots do not
 *   422  the consistency proof does not verify
 *   200  the cosignature line
 *
 * Ordering (the spec's rollback race): requests are decided in arrival order inside one durable
 * SQLite write transaction that reads the stored size, writes the new one and records evidence;
 * a cosignature leaves only after that transaction committed. Requests that arrive while a commit
 * is in flight are decided together in the next one (a group commit: one fsync for many logs).
 */
import { parseCheckpoint } from '../log/checkpoint.js';
import { LogFormatError, ProofError } from '../log/errors.js';
import { impliedOldRoot, verifyConsistency } from '../log/proof.js';
import { emptyRoot } from '../log/rfc6962.js';
import { type NoteVerifier, parseVerifierKey } from '../statement/keys.js';
import { NoteError, type OpenedNote, openNote } from '../statement/note.js';
import {
  AddCheckpointFormatError,
  type AddCheckpointRequest,
  formatTlogSize,
  parseAddCheckpoint,
  tlog_size_content_type,
} from './add-checkpoint.js';
import { type Cosigner, cosign } from './cosignature.js';
import type { EvidenceKind } from './evidence.js';
import type { WitnessStore, WitnessTransaction } from './witness-store.js';

/** An answer to `add-checkpoint`, ready for HTTP. */
export interface WitnessAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422 | 500;
  contentType: string;
  body: string;
}

export interface WitnessOptions {
  store: WitnessStore;
  /** The witness's cosignature/v1 key. */
  signer: Cosigner;
  /** Verifier keys of the logs it watches; each log's origin is its key's name. */
  logs: readonly string[];
  /** The clock, in ms since the epoch (cosignature timestamps and evidence times). */
  now?: () => number;
}

interface Pending {
  request: AddCheckpointRequest;
  origin: string;
  opened: OpenedNote;
  size: number;
  root: Buffer;
  resolve: (a: WitnessAnswer) => void;
}

const text = (status: WitnessAnswer['status'], message: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: `${message}\n`,
});

export class Witness {
  readonly store: WitnessStore;
  readonly #signer: Cosigner;
  readonly #logs = new Map<string, NoteVerifier>();
  readonly #now: () => number;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(options: WitnessOptions) {
    this.store = options.store;
    this.#signer = options.signer;
    this.#now = options.now ?? Date.now;
    for (const vkey of options.logs) {
      const key = parseVerifierKey(vkey);
      if (this.#logs.has(key.name)) throw new Error(`two keys for the log ${key.name}; give each log once`);
      this.#logs.set(key.name, key);
    }
  }

  /** The witness's verifier key string (cosignature/v1). */
  get vkey(): string {
    return this.#signer.vkey;
  }

  /** The origins of the logs it watches. */
  get origins(): string[] {
    return [...this.#logs.keys()];
  }

  /** Handles one `POST /add-checkpoint` body. Never rejects: failures are answers. */
  addCheckpoint(body: string): Promise<WitnessAnswer> {
    let request: AddCheckpointRequest;
    try {
      request = parseAddCheckpoint(body);
    } catch (e) {
      if (e instanceof AddCheckpointFormatError) return Promise.resolve(text(400, e.message));
      throw e;
    }
    const origin = request.checkpoint.slice(0, Math.max(0, request.checkpoint.indexOf('\n')));
    const key = this.#logs.get(origin);
    if (key === undefined)
      return Promise.resolve(text(404, `this witness does not watch the log ${JSON.stringify(origin)}`));
    let opened: OpenedNote;
    let size: number;
    let root: Buffer;
    try {
      opened = openNote(request.checkpoint, [key]);
      ({ size, root } = parseCheckpoint(opened.text));
    } catch (e) {
      if (e instanceof NoteError) return Promise.resolve(text(e.malformed ? 400 : 403, e.message));
      if (e instanceof LogFormatError) return Promise.resolve(text(400, e.message));
      throw e;
    }
    if (request.oldSize > size)
      return Promise.resolve(text(400, `old size ${request.oldSize} is above the checkpoint's size ${size}`));
    return new Promise((resolve) => {
      this.#queue.push({ request, origin, opened, size, root, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    const nowMs = this.#now();
    let answers: WitnessAnswer[];
    try {
      answers = this.store.transaction((tx) => batch.map((p) => this.#decide(tx, p, nowMs)));
    } catch (e) {
      // Nothing of the batch is stored, so no cosignature may leave.
      answers = batch.map(() => text(500, `the witness could not store its state: ${(e as Error).message}`));
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(answers[i]!);
  }

  #decide(tx: WitnessTransaction, p: Pending, nowMs: number): WitnessAnswer {
    const head = tx.head(p.origin);
    const known = head?.size ?? 0;
    const conflict = (): WitnessAnswer => ({
      status: 409,
      contentType: tlog_size_content_type,
      body: formatTlogSize(known),
    });
    const refuse = (kind: EvidenceKind, impliedRoot?: Buffer) => {
      tx.addEvidence({
        origin: p.origin,
        observed: new Date(nowMs).toISOString(),
        kind,
        cosigned: head!.checkpoint,
        refused: p.request.checkpoint,
        proof: p.request.proof.map((h) => h.toString('base64')),
        ...(impliedRoot ? { impliedRoot: impliedRoot.toString('base64') } : {}),
      });
    };
    // Two roots for one size prove a fork whatever the old size said: keep it before anything else.
    if (head !== undefined && p.size === head.size && !p.root.equals(head.root)) {
      refuse('same-size');
      return conflict();
    }
    if (p.request.oldSize !== known) return conflict();
    if (p.request.oldSize === 0) {
      if (p.size === 0 && !p.root.equals(emptyRoot))
        return text(422, 'a checkpoint of size 0 must have the root of the empty tree');
    } else {
      try {
        verifyConsistency(p.request.oldSize, p.size, p.request.proof, head!.root, p.root);
      } catch (e) {
        if (!(e instanceof ProofError)) throw e;
        const implied = impliedOldRoot(p.request.oldSize, p.size, p.request.proof, p.root);
        refuse(implied === undefined ? 'unproven' : 'inconsistent', implied);
        return text(422, `the consistency proof from size ${known} does not verify: ${e.message}`);
      }
    }
    const line = cosign(p.opened.text, this.#signer, Math.floor(nowMs / 1000));
    const logLines = p.opened.verified.map((s) => `— ${s.name} ${s.base64}\n`).join('');
    tx.setHead(p.origin, { size: p.size, root: p.root, checkpoint: `${p.opened.text}\n${logLines}${line}` });
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: line };
  }
}
